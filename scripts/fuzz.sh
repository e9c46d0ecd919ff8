#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time, starting from its committed corpus. New inputs
# go to BUILD/corpus-new/TARGET (add the interesting ones to fuzz/corpus by hand); a crash stops
# with its reproducer in BUILD/crashes/.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-60}
mkdir -p "$build/crashes"
status=0
for target in scan_fuzz inflate_fuzz validate_fuzz package_fuzz watchlist_fuzz; do
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
