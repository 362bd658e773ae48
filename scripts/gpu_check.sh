#!/usr/bin/env bash
# gpu_check.sh - the CUDA backend's checks on a GPU machine: build with the
# CUDA plugin, run tests/gpu (CUDA vs CPU parity, interop through Vulkan on
# the NVIDIA driver, semaphore ordering) and the Vulkan suite on the NVIDIA
# driver, run stylegen-bench-gpu, and copy results and logs into $OUT.
#
# The GPU machine reaches no package archive, so there are two sides:
#
#   bash scripts/gpu_check.sh fetch   # on the dev machine (Debian 12, apt): downloads the
#                                     # .deb files the GPU machine lacks into .gl/ (ignored
#                                     # by git), about 7 MB, and packs the files the data
#                                     # loaders read into .gl/data/ (a data cache, about 45 MB)
#   bash scripts/gpu_check.sh run     # on the GPU machine (the device tool: carry [".gl"]);
#                                     # the same as: build, then test, then bench
#   bash scripts/gpu_check.sh train ARGS...  # on the GPU machine, after build: stylegen-train
#                                     # ARGS on the GPU (--device cuda) with the data of .gl/data
#
# One device command may run 10 minutes at most; if build + test + bench do
# not fit, run `build`, `test` and `bench` as separate commands on the same
# warm machine (build-gpu/ is kept between them there). Every step first
# unpacks .gl/: the Vulkan loader packages into / (as the device notes say),
# the build dependencies into /opt/stylegen-deps.
#
# build: CMake + Ninja into build-gpu/, 16 jobs, CUDA for sm_80 and sm_90;
#   LibTorch from the machine's PyTorch (torch.utils.cmake_prefix_path) when
#   it configures and builds, else without it (the benchmark then says so).
# Files written to $OUT (default: build-gpu-check/ in the repository):
#   build.log                      configure and build output
#   gpu-tests.log, gpu-tests.xml   ctest of tests/gpu (text, JUnit)
#   vulkan-tests.log               the Vulkan suite (staging path) on the NVIDIA driver
#   train-cuda-tests.log           stylegen-train --device cuda (built with LibTorch only)
#   bench-gpu.json, bench-gpu.log  stylegen-bench-gpu
#   summary.txt                    the GPU, driver, what ran and how it ended
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Loader packages go into /, build dependencies into a prefix of their own.
loader_packages=(libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
dep_packages=(libvulkan1 libvulkan-dev vulkan-validationlayers nlohmann-json3-dev libgtest-dev libstb-dev libstb0
              pkgconf pkgconf-bin libpkgconf3)
deps=/opt/stylegen-deps
build=build-gpu
out="${OUT:-$root/build-gpu-check}"

die() { echo "gpu_check: $*" >&2; exit 1; }
note() { echo "$*" | tee -a "$out/summary.txt"; }

fetch() {
  command -v apt-get >/dev/null || die "fetch runs on the dev machine, with apt-get"
  if ! git check-ignore -q .gl/probe.deb 2>/dev/null; then
    local exclude
    exclude="$(git rev-parse --git-path info/exclude)"
    mkdir -p "$(dirname "$exclude")" && echo '/.gl/' >> "$exclude"
  fi
  mkdir -p .gl
  local wanted=() p
  for p in "${loader_packages[@]}" "${dep_packages[@]}"; do
    [[ " ${wanted[*]-} " == *" $p "* ]] || wanted+=("$p")
  done
  (cd .gl && apt-get download "${wanted[@]}") || die "apt-get download failed"
  pack_data
  du -sh .gl
}

# The files the wesnoth and crawl loaders read (tools/train/data), extracted as
# a data cache (<cache>/root/<package> with its completion marker), so that
# stylegen-train --cache .gl/data finds them without a package archive.
pack_data() {
  local cache="${STYLEGEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stylegen}" spec package deb dest
  local specs=(
    "wesnoth-1.16-data ./usr/share/games/wesnoth/1.16/data/core/images/units ./usr/share/games/wesnoth/1.16/data/core/team-colors.cfg ./usr/share/doc/wesnoth-1.16-data/copyright"
    "crawl-tiles-data ./usr/share/crawl/dat/tiles/floor.png ./usr/share/crawl/dat/tiles/wall.png"
    "crawl-tiles ./usr/games/crawl-tiles"
    "crawl-common ./usr/share/doc/crawl-common/copyright")
  rm -rf .gl/data
  mkdir -p .gl/data/root .gl/debs-data
  for spec in "${specs[@]}"; do
    read -r package paths <<< "$spec"
    deb="$(ls "$cache/debs/${package}"_*.deb 2>/dev/null | head -1)"
    if [[ -z $deb ]]; then
      (cd .gl/debs-data && apt-get download "$package") || die "apt-get download $package failed"
      deb="$(ls .gl/debs-data/"${package}"_*.deb | head -1)"
    fi
    dest=".gl/data/root/$package"
    mkdir -p "$dest"
    # shellcheck disable=SC2086  # paths: one word each
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dest" $paths || die "cannot extract $package from $deb"
    basename "$deb" > "$dest/.stylegen-deb"
  done
  rm -rf .gl/debs-data
}

# Unpacks .gl/ and points compilers, pkg-config, the Vulkan loader and its layers at it.
prepare() {
  mkdir -p "$out"
  ls .gl/*.deb >/dev/null 2>&1 ||
    die "no .gl/*.deb: run 'bash scripts/gpu_check.sh fetch' on the dev machine, then carry .gl"
  mkdir -p "$deps"
  local f name
  for f in .gl/*.deb; do
    name="$(dpkg-deb -f "$f" Package)"
    [[ " ${loader_packages[*]} " == *" $name "* ]] && dpkg -x "$f" /
    [[ " ${dep_packages[*]} " == *" $name "* ]] && dpkg -x "$f" "$deps"
  done
  ldconfig
  local lib="$deps/usr/lib/x86_64-linux-gnu"
  export PATH="$deps/usr/bin:$PATH"
  export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export PKG_CONFIG_LIBDIR="$lib/pkgconfig:$deps/usr/share/pkgconfig"
  export PKG_CONFIG_SYSROOT_DIR="$deps"
  export VK_LAYER_PATH="$deps/usr/share/vulkan/explicit_layer.d"
  # The NVIDIA driver's Vulkan and EGL manifests, where the loader does not find them by itself.
  local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1 && [[ -f $icd ]]; then
    export VK_DRIVER_FILES="$icd"
    export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  fi
  export CUDACXX="${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
}

configure() {  # $1: ON or OFF (LibTorch)
  local prefix="$deps/usr" torch_prefix=""
  if [[ $1 == ON ]]; then
    torch_prefix="$(python3 -c 'import torch.utils; print(torch.utils.cmake_prefix_path)' 2>/dev/null)" || return 1
    prefix="$prefix;$torch_prefix"
  fi
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTYLEGEN_WITH_CUDA=ON \
    -DCMAKE_CUDA_COMPILER="$CUDACXX" -DSTYLEGEN_WITH_TORCH="$1" -DSTYLEGEN_WITH_VIEWER=OFF \
    -DCMAKE_PREFIX_PATH="$prefix"
}

do_build() {
  prepare
  local targets=(stylegen stylegen_cuda stylegen_gpu_tests stylegen_vulkan_tests stylegen_bench_gpu) torch=ON
  {
    echo "== configure with LibTorch"
    if ! { configure ON && cmake --build "$build" -j16 --target "${targets[@]}" stylegen_train stylegen_train_tests; }; then
      echo "== with LibTorch it did not configure or build; again without"
      torch=OFF
      rm -rf "$build"
      configure OFF && cmake --build "$build" -j16 --target "${targets[@]}"
    fi
  } > "$out/build.log" 2>&1
  local status=$?
  note "build: $([[ $status == 0 ]] && echo ok || echo FAILED, see build.log), LibTorch $torch"
  return $status
}

do_test() {
  prepare
  [[ -x $build/tests/gpu/stylegen_gpu_tests ]] || die "$build/ has no tests: run the build step first"
  (cd "$build" && ctest -R '^gpu\.' --output-on-failure --timeout 600 --output-junit "$out/gpu-tests.xml") \
    > "$out/gpu-tests.log" 2>&1
  note "tests/gpu: $(grep -E 'tests passed|tests failed' "$out/gpu-tests.log" | tail -1)"
  grep -E '^\[ parity' "$build/Testing/Temporary/LastTest.log" 2>/dev/null | sort -u >> "$out/summary.txt"
  (cd "$build" && ctest -R '^Vulkan' --output-on-failure --timeout 300) > "$out/vulkan-tests.log" 2>&1
  note "Vulkan suite on this driver: $(grep -E 'tests passed|tests failed' "$out/vulkan-tests.log" | tail -1)"
  if [[ -x $build/tests/train/stylegen_train_tests ]]; then  # built with LibTorch: the trainer on the GPU
    "$build/tests/train/stylegen_train_tests" --gtest_filter='*DeviceCuda*' > "$out/train-cuda-tests.log" 2>&1
    note "stylegen-train --device cuda: $(grep -E '^\[  (PASSED|FAILED|SKIPPED) ' "$out/train-cuda-tests.log" | sort -u | tr '\n' ' ')"
  fi
}

do_bench() {
  prepare
  [[ -x $build/tools/bench_gpu/stylegen-bench-gpu ]] || die "$build/ has no benchmark: run the build step first"
  "$build/tools/bench_gpu/stylegen-bench-gpu" --json "$out/bench-gpu.json" > "$out/bench-gpu.log" 2>&1
  note "bench: exit $?, $out/bench-gpu.json"
}

do_train() {
  prepare
  local trainer="$build/tools/train/stylegen-train"
  [[ -x $trainer ]] || die "no $trainer: run the build step first (it builds the trainer with the machine's LibTorch)"
  [[ -d .gl/data/root ]] || die "no .gl/data: run 'bash scripts/gpu_check.sh fetch' on the dev machine, then carry .gl"
  "$trainer" --cache "$root/.gl/data" --device cuda "$@"
}

header() {
  mkdir -p "$out"
  : > "$out/summary.txt"
  note "gpu_check $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  note "$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
  note "nvcc: $(nvcc --version 2>/dev/null | tail -1)"
}

case "${1:-}" in
  fetch) fetch ;;
  build) header; do_build ;;
  test) do_test ;;
  bench) do_bench ;;
  run) header; do_build && do_test; do_bench ;;
  train) shift; do_train "$@" ;;
  *) echo "usage: bash scripts/gpu_check.sh fetch|run|build|test|bench|train ARGS..." >&2; exit 2 ;;
esac
