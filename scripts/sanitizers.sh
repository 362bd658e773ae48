#!/usr/bin/env bash
# sanitizers.sh - the test suite under the sanitizers (docs/reliability.md):
#
#   asan  the `asan` preset (clang, AddressSanitizer + UndefinedBehaviorSanitizer,
#         LeakSanitizer at every exit): builds everything but LibTorch and CUDA
#         and runs the whole CTest suite. The same build holds the fuzz targets
#         scripts/fuzz.sh runs.
#   tsan  the `tsan` preset (ThreadSanitizer): builds and runs the tests
#         labelled `concurrency` (tests/stress).
#
#   scripts/sanitizers.sh            both
#   scripts/sanitizers.sh tsan       one
#
# Environment: STYLEGEN_ASAN_BUILD_DIR (default build-asan),
# STYLEGEN_TSAN_BUILD_DIR (default build-tsan), STYLEGEN_STRESS_ROUNDS under
# TSan (default 200). Prints how long each part took.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

parts=("$@")
((${#parts[@]})) || parts=(asan tsan)
jobs="$(nproc)"

# Viewer and Vulkan window tests need an X display; CI has none.
ctest_run() {
  if [[ -z "${DISPLAY:-}" ]] && command -v xvfb-run >/dev/null; then
    xvfb-run --auto-servernum --server-args="-screen 0 1280x720x24" ctest "$@"
  else
    ctest "$@"
  fi
}

configure() {  # preset, build dir
  if [[ ! -f "$2/build.ninja" ]]; then
    cmake --preset "$1" -B "$2"
  fi
}

for part in "${parts[@]}"; do
  start=$(date +%s)
  case "$part" in
    asan)
      build="${STYLEGEN_ASAN_BUILD_DIR:-build-asan}"
      configure asan "$build"
      cmake --build "$build" --parallel "$jobs"
      built=$(date +%s)
      # Vulkan drivers and the validation layer keep allocations in their
      # globals until exit; see tests/sanitizers/keep_loaded.c.
      cc -shared -fPIC -O2 -o "$build/keep_loaded.so" tests/sanitizers/keep_loaded.c
      LD_PRELOAD="$(cd "$build" && pwd)/keep_loaded.so" \
        ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
        LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0" \
        ctest_run --test-dir "$build" --output-on-failure --parallel "$jobs" --timeout 900
      echo "sanitizers: asan: build $((built - start)) s, tests $(($(date +%s) - built)) s"
      ;;
    tsan)
      build="${STYLEGEN_TSAN_BUILD_DIR:-build-tsan}"
      configure tsan "$build"
      cmake --build "$build" --parallel "$jobs" --target stylegen_stress_tests
      built=$(date +%s)
      TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
        STYLEGEN_STRESS_ROUNDS="${STYLEGEN_STRESS_ROUNDS:-200}" \
        ctest --test-dir "$build" --output-on-failure --label-regex concurrency --timeout 900
      echo "sanitizers: tsan: build $((built - start)) s, tests $(($(date +%s) - built)) s"
      ;;
    *)
      echo "sanitizers: unknown part '$part' (asan, tsan)" >&2
      exit 2
      ;;
  esac
done
