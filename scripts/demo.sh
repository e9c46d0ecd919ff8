#!/usr/bin/env bash
# make demo: generate a sample evidence image with our own generator, scan it, show what was found.
set -euo pipefail
build=${1:-build}
size=${2:-64M}
out=demo-out
mkdir -p "$out"
echo "== generating a ${size} sample disk image (seed 1) in $out/corpus"
"$build/bench/evidex-corpus" gen --size "$size" --seed 1 -o "$out/corpus"
echo "== evidex scan $out/corpus/corpus.img -o $out/scan --jsonl"
"$build/src/cli/evidex" scan "$out/corpus/corpus.img" -o "$out/scan" --jsonl
echo
echo "== most frequent values per kind (from the histograms)"
for h in "$out"/scan/*_histogram.txt; do
  kind=$(basename "$h" _histogram.txt)
  [ -s "$h" ] || continue
  echo "-- $kind"
  head -n 3 "$h" | sed 's/^/   /'
done
echo
echo "== checking the hits against the generator's ground truth"
"$build/bench/evidex-corpus" check --truth "$out/corpus/truth.jsonl" --hits "$out/scan/hits.jsonl"
echo
echo "Output: $out/scan (feature files, histograms, hits.jsonl, report.json)"
