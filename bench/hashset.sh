#!/usr/bin/env bash
# bench/hashset.sh [COUNT] — known-file hash sets (docs/PERFORMANCE.md, "Hash sets"): a set of
# COUNT SHA-1 values (default 50M) imported from a sha1sum-style list, then 10M look-ups (half of
# them present) on 1 and 2 threads, against the classic Unix way over the same files in the same
# run: `LC_ALL=C sort` of the set and of the queries, then `join`. Every hit count is checked
# against the generator's truth; a wrong count fails the benchmark.
#
#   COUNT    set size (default 50M; K/M/G); QUERIES (default 10M)
#   OUT      work directory (default build/bench-hashset; the lists are kept between runs)
#   BENCH    evidex-hashset-bench binary (default build/bench/evidex-hashset-bench)
#
# Writes $OUT/results.md. Exits non-zero when a step fails or a count is wrong.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-50M}
queries=${QUERIES:-10M}
out=${OUT:-build/bench-hashset}
bench=${BENCH:-build/bench/evidex-hashset-bench}
die() { echo "bench/hashset.sh: $*" >&2; exit 2; }
[ -x "$bench" ] || die "$bench not built (cmake --build build --target evidex-hashset-bench)"
mkdir -p "$out"
set_list=$out/set-$count.txt
query_list=$out/queries-$count-$queries.txt
truth=$out/truth-$count-$queries.json
if [ ! -s "$truth" ] || [ ! -s "$set_list" ] || [ ! -s "$query_list" ]; then
  echo "== generating $count set values and $queries queries"
  "$bench" gen --count "$count" --queries "$queries" --set "$set_list" --queries-out "$query_list" > "$truth"
fi
want=$(sed 's/.*"queries_in_set":\([0-9]*\).*/\1/' "$truth")
json() { sed "s/.*\"$2\":\([0-9.e+-]*\).*/\1/" <<< "$1"; }
timed() {  # LABEL CMD...: runs CMD, prints "seconds maxrss_kb"
  /usr/bin/time -f '%e %M' -o "$out/time" "${@:2}" > "$out/stdout"
  cat "$out/time"
}

echo "== evidex: import"
imp=$("$bench" import "$set_list" "$out/set.evhs")
echo "$imp"
echo "== evidex: look-ups, 1 and 2 threads"
l1=$("$bench" lookup "$out/set.evhs" "$query_list" --threads 1)
echo "$l1"
l2=$("$bench" lookup "$out/set.evhs" "$query_list" --threads 2)
echo "$l2"
echo "== reference: LC_ALL=C sort of the set, sort of the queries, join"
export LC_ALL=C
read -r sort_set_s sort_set_kb < <(timed sort-set sh -c "cut -c1-40 '$set_list' | sort -S 2G --parallel=2 > '$out/set.sorted'")
read -r join_s join_kb < <(timed join sh -c "sort -S 1G --parallel=2 '$query_list' | join - '$out/set.sorted' | wc -l")
join_hits=$(cat "$out/stdout")

fail=0
for got in "$(json "$l1" hits)" "$(json "$l1" one_by_one_hits)" "$(json "$l2" hits)" \
    "$(json "$l2" one_by_one_hits)" "$join_hits"; do
  [ "$got" = "$want" ] || { echo "WRONG: $got hits, the truth is $want" >&2; fail=1; }
done
records=$(json "$imp" records)
imp_s=$(json "$imp" seconds)
n=$(json "$l1" lookups)
{
  echo "# evidex hash-set benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?');" \
       "\`bench/hashset.sh $count\`: $records SHA-1 values, $n look-ups ($want present)."
  echo
  echo "| step | seconds | rate | peak RSS MiB |"
  echo "|---|---|---|---|"
  printf '| evidex import (list → set file) | %.2f | %.2f M records/s | %d |\n' "$imp_s" \
    "$(echo "$records / $imp_s / 1000000" | bc -l)" $(( $(json "$imp" peak_rss_kb) / 1024 ))
  for l in "$l1" "$l2"; do
    t=$(json "$l" threads)
    printf '| evidex look-ups one at a time (`Find`), %d thread(s) | %.2f | %.1f M/s | %d |\n' "$t" \
      "$(json "$l" one_by_one_seconds)" "$(echo "$(json "$l" one_by_one_lookups_per_second) / 1000000" | bc -l)" \
      $(( $(json "$l" peak_rss_kb) / 1024 ))
    printf '| evidex look-ups in groups (`FindMany`), %d thread(s) | %.2f | **%.1f M/s** | %d |\n' "$t" \
      "$(json "$l" seconds)" "$(echo "$(json "$l" lookups_per_second) / 1000000" | bc -l)" \
      $(( $(json "$l" peak_rss_kb) / 1024 ))
  done
  printf '| reference: sort the set (once) | %.2f | %.2f M records/s | %d |\n' "$sort_set_s" \
    "$(echo "$records / $sort_set_s / 1000000" | bc -l)" $(( sort_set_kb / 1024 ))
  printf '| reference: sort the queries + join | %.2f | %.1f M/s | %d |\n' "$join_s" \
    "$(echo "$n / $join_s / 1000000" | bc -l)" $(( join_kb / 1024 ))
  echo
  printf 'Look-ups, 1 thread, against sort + join: **%.0f×** in groups, %.0f× one at a time; set file %d MiB.\n' \
    "$(echo "$join_s / $(json "$l1" seconds)" | bc -l)" \
    "$(echo "$join_s / $(json "$l1" one_by_one_seconds)" | bc -l)" $(( $(json "$l1" set_bytes) / 1048576 ))
  [ $fail = 0 ] && echo "Hit counts: all equal to the truth ($want)." || echo "Hit counts: WRONG"
} > "$out/results.md"
cat "$out/results.md"
exit $fail
