#!/usr/bin/env bash
# Runs every libFuzzer target of a KEYRELAY_FUZZ build (make fuzz) for FUZZ_SECONDS each over its
# committed corpus (tests/fuzz/corpus/<target>, read only), then prints a table: target, seconds,
# executions, new inputs found, findings.
#
#   scripts/run-fuzz.sh [BUILD_DIR]     (default build-fuzz)
#   FUZZ_SECONDS=60   time per target
#   FUZZ_JOBS=1       targets run at once (each uses one core)
#   FUZZ_TARGETS=""   a space-separated subset, e.g. "jwt sse_parser"
#
# New inputs and findings go to BUILD_DIR/fuzz/<target>/{corpus,findings}, never into the repo:
# add a minimized reproducer of each fixed finding to tests/fuzz/corpus/<target>/finding-<name> by
# hand. The exit status is 1 when any target found something.
set -uo pipefail

cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
targets=${FUZZ_TARGETS:-$(for f in tests/fuzz/*_fuzz.cpp; do basename "$f" _fuzz.cpp; done)}
work=$build/fuzz
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer-14 || echo /usr/lib/llvm-14/bin/llvm-symbolizer)}

run_one() {
  local target=$1
  local dir=$work/$target
  rm -rf "$dir/findings"  # this run's findings only; the inputs kept from earlier runs stay
  mkdir -p "$dir/corpus" "$dir/findings"
  find "$dir/corpus" -type f | wc -l >"$dir/corpus_before"
  local dict=()
  [ -f "tests/fuzz/dict/$target.dict" ] && dict=("-dict=tests/fuzz/dict/$target.dict")
  local started=$SECONDS
  "$build/tests/fuzz/${target}_fuzz" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$dir/findings/" "${dict[@]}" "$dir/corpus" "tests/fuzz/corpus/$target" >"$dir/log" 2>&1
  echo "$? $((SECONDS - started))" >"$dir/result"
}
export -f run_one
export build seconds work

for t in $targets; do
  if [ ! -x "$build/tests/fuzz/${t}_fuzz" ]; then
    echo "run-fuzz: $build/tests/fuzz/${t}_fuzz is missing (build with -DKEYRELAY_FUZZ=ON first)" >&2
    exit 2
  fi
  rm -f "$work/$t/result"
done
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_one {}'

status=0
printf '\n%-16s %8s %14s %10s %9s\n' target seconds executions new_inputs findings
for t in $targets; do
  dir=$work/$t
  read -r rc took <"$dir/result"
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$dir/log" | tail -1 | awk '{print $2}')
  found=$(find "$dir/findings" -type f | wc -l)
  new=$(($(find "$dir/corpus" -type f | wc -l) - $(cat "$dir/corpus_before")))
  printf '%-16s %8s %14s %10s %9s\n' "$t" "$took" "${execs:-?}" "$new" "$found"
  if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
    status=1
    echo "  $t: exit $rc; see $dir/log and $dir/findings/" >&2
  fi
done
exit $status
