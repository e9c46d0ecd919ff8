#!/usr/bin/env bash
# Runs each libFuzzer target (EVIDEX_FUZZ_TARGETS in fuzz/CMakeLists.txt, read from there so that
# a new target is run too) for a bounded time, starting from its committed corpus. New inputs go
# to BUILD/corpus-new/TARGET (add the interesting ones to fuzz/corpus by hand); a crash stops
# with its reproducer in BUILD/crashes/.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-60}
targets=$(sed -n '/^set(EVIDEX_FUZZ_TARGETS/,/)/p' fuzz/CMakeLists.txt |
  sed 's/set(EVIDEX_FUZZ_TARGETS//; s/)//')
if [ -z "${targets// /}" ]; then
  echo "fuzz: no EVIDEX_FUZZ_TARGETS in fuzz/CMakeLists.txt" >&2
  exit 1
fi
mkdir -p "$build/crashes"
status=0
for target in $targets; do
  mkdir -p "$build/corpus-new/$target"
  echo "fuzz: $target for ${seconds}s"
  if ! "$build/fuzz/$target" -max_total_time="$seconds" -max_len=1048576 -rss_limit_mb=2048 \
      -artifact_prefix="$build/crashes/$target-" -print_final_stats=1 \
      "$build/corpus-new/$target" "fuzz/corpus/$target" 2> "$build/$target.log"; then
    echo "fuzz: $target FAILED, see $build/$target.log and $build/crashes/" >&2
    status=1
  fi
  grep -E "^stat::number_of_executed_units|^#[0-9]+.*DONE" "$build/$target.log" | tail -2 || true
done
exit $status
