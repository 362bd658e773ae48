#!/usr/bin/env bash
# setup.sh - installs the Debian 12 packages stylegen needs to build and test.
#
# Idempotent: when dpkg already lists every package as installed it touches
# nothing (no apt-get update, no network), so build and test scripts can call
# it on every run. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libgtest-dev googletest
  libstb-dev nlohmann-json3-dev libglm-dev
  # LibTorch 1.13 falls back to the slow reference BLAS without OpenBLAS.
  libtorch-dev libopenblas0-pthread
  libvulkan-dev vulkan-validationlayers glslc mesa-vulkan-drivers
  libglfw3-dev libimgui-dev
  # The viewer tests need a display; CI has none, so they run under Xvfb.
  xvfb
  # scripts/sanitizers.sh and scripts/fuzz.sh: clang with its sanitizer and
  # libFuzzer runtimes; the leak tests use valgrind outside sanitizer builds.
  clang libclang-rt-14-dev valgrind
)

missing=()
for package in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
  if [[ "$status" != installed ]]; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  if ! command -v sudo >/dev/null; then
    echo "setup: missing packages: ${missing[*]}" >&2
    echo "setup: run this script as root (or install sudo) to install them" >&2
    exit 1
  fi
  sudo=(sudo)
fi

echo "setup: installing ${missing[*]}"
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get -o DPkg::Lock::Timeout=600 install -y "${missing[@]}"
