#!/usr/bin/env bash
# fuzz.sh - builds the libFuzzer targets of tests/fuzz (in the `asan` preset's
# build: clang, AddressSanitizer + UndefinedBehaviorSanitizer, the same build
# scripts/sanitizers.sh runs the suite in) and runs each one in turn.
#
#   scripts/fuzz.sh                  every target for 60 s (what CI runs)
#   scripts/fuzz.sh 3600 sgm_memory  one target for an hour
#
# Environment: STYLEGEN_FUZZ_BUILD_DIR (default build-asan),
# STYLEGEN_FUZZ_RUNS (stop each target after this many executions instead of
# on time). Each target keeps its growing corpus in BUILD/fuzz-corpus/TARGET
# and starts from the seeds (generated ones, tests/fuzz/seeds/TARGET) and the
# inputs of earlier findings (tests/fuzz/regressions/TARGET). A crash, hang,
# leak or sanitizer report stops the script with the input saved under
# BUILD/fuzz-artifacts/: add it to tests/fuzz/regressions/TARGET/ with the fix.
# The last line per target ("fuzz: TARGET: N executions in S s") is what
# docs/reliability.md records.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

seconds="${1:-60}"
shift || true
all_targets=(sgm_memory sgm_file sgm_header bake_manifest style_prompt)
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
build="${STYLEGEN_FUZZ_BUILD_DIR:-build-asan}"

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ is missing (scripts/setup.sh installs it)" >&2
  exit 1
fi
if [[ ! -f "$build/build.ninja" ]]; then
  cmake --preset asan -B "$build"
fi
cmake --build "$build" --parallel "$(nproc)" --target stylegen_fuzz_seeds "${targets[@]/#/stylegen_fuzz_}"
"$build/tests/fuzz/stylegen_fuzz_seeds" "$build/fuzz-seeds" "$root/models"

declare -A max_len=([sgm_memory]=65536 [sgm_file]=65536 [sgm_header]=16384 [bake_manifest]=16384 [style_prompt]=4096)
mkdir -p "$build/fuzz-artifacts" "$build/fuzz-logs"
for target in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$target"
  mkdir -p "$corpus"
  inputs=("$corpus" "$build/fuzz-seeds/$target")
  for dir in "tests/fuzz/seeds/$target" "tests/fuzz/regressions/$target"; do
    [[ -d "$dir" ]] && inputs+=("$dir")
  done
  limit=(-max_total_time="$seconds")
  [[ -n "${STYLEGEN_FUZZ_RUNS:-}" ]] && limit=(-runs="$STYLEGEN_FUZZ_RUNS")
  log="$build/fuzz-logs/$target.log"
  start=$(date +%s)
  status=0
  # -timeout: an input taking 10 s is a hang. -rss_limit_mb: a leak or an
  # unbounded allocation shows up as a finding, not as the machine swapping.
  ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "$build/tests/fuzz/stylegen_fuzz_$target" "${limit[@]}" -max_len="${max_len[$target]}" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$target-" \
    "${inputs[@]}" >"$log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if ((status != 0)); then
    tail -n 60 "$log" >&2
    echo "fuzz: $target FAILED after ${runs:-?} executions (log $log; input in $build/fuzz-artifacts/)" >&2
    exit 1
  fi
  echo "fuzz: $target: ${runs:-?} executions in ${elapsed} s, corpus $(find "$corpus" -type f | wc -l) inputs"
done
