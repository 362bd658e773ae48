#!/usr/bin/env bash
# build.sh - configures (first time only) and builds stylegen into build/:
# the `default` preset of CMakePresets.json (Release, Ninja). An existing
# build/ is reused; Ninja re-runs CMake by itself when a CMakeLists.txt changed,
# and a configure that failed half-way (no build.ninja yet) is simply redone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Dev machines have CUDA outside PATH; CMake's CUDA detection honours CUDACXX.
if [[ -z "${CUDACXX:-}" ]] && ! command -v nvcc >/dev/null && [[ -x /usr/local/cuda/bin/nvcc ]]; then
  export CUDACXX=/usr/local/cuda/bin/nvcc
fi

if [[ ! -f build/build.ninja ]]; then
  cmake --preset default
fi
# Arguments, if any, name the targets to build (default: everything).
targets=()
if (($# > 0)); then
  targets=(--target "$@")
fi
cmake --build build --parallel "$(nproc)" "${targets[@]}"
