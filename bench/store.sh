#!/usr/bin/env bash
# bench/store.sh [OCCURRENCES] — the case store's benchmark on SQLite and on PostgreSQL
# (docs/PERFORMANCE.md, "Case store"): ingest against the database's own bulk loader (sqlite3
# .import, psql \copy) over the same occurrences as CSV, random look-ups, Correlate on a case
# with 1 M artifacts, a 1 M-indicator watchlist, bytes on disk; every answer checked against the
# generator's truth (bench/store_workload.h).
#
#   OCCURRENCES  default 50M (K/M/G: powers of 1000); 1M is a quick smoke run
#   BACKENDS     "sqlite postgresql" (default), or one of them
#   SEED         workload seed (default 42)
#   OUT          work directory (default build/bench-store): the CSV (kept between runs while
#                size and seed are unchanged), the SQLite store (removed after its run), the
#                throwaway PostgreSQL cluster (scripts/pg-test-cluster.sh, stopped at exit)
#   BENCH        evidex-store-bench binary (default build/bench/evidex-store-bench)
#   EXTRA        more options for evidex-store-bench (e.g. "--lookups 2000")
#   IDLE_WAIT    before each back end, wait up to this many seconds for a quiet machine (a
#                one-second vmstat sample at least 90% idle; default 0: do not wait)
#
# Writes $OUT/results.md, $OUT/{sqlite,postgresql}.{md,json}. Exits non-zero when a run fails or
# a result check fails (a missed time target is reported as FAIL in the table, exit 0).
set -euo pipefail

cd "$(dirname "$0")/.."
occurrences=${1:-50M}
seed=${SEED:-42}
out=${OUT:-build/bench-store}
bench=${BENCH:-build/bench/evidex-store-bench}
backends=${BACKENDS:-sqlite postgresql}
extra=${EXTRA:-}
idle_wait=${IDLE_WAIT:-0}

die() { echo "bench/store.sh: $*" >&2; exit 2; }
[ -x "$bench" ] || die "$bench not built (cmake --build build --target evidex-store-bench)"
for b in $backends; do
  case $b in
    sqlite) command -v sqlite3 >/dev/null || die "sqlite3 is missing (make deps)" ;;
    postgresql) command -v psql >/dev/null || die "psql is missing (make deps)" ;;
    *) die "unknown back end '$b' (sqlite, postgresql)" ;;
  esac
done
mkdir -p "$out"
out=$(realpath "$out")
csv=$out/occurrences-$occurrences-$seed.csv
pgdir=$out/pg
cleanup() {
  rm -rf "$out/sqlite"
  [ -d "$pgdir" ] && scripts/pg-test-cluster.sh stop "$pgdir" >/dev/null 2>&1
  return 0
}
trap cleanup EXIT

{
  echo "# evidex case-store benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo |
    cut -d: -f2- | sed 's/^ *//')); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?');" \
    "\`bench/store.sh $occurrences\` (seed $seed)."
} > "$out/results.md"

wait_idle() {
  local end=$((SECONDS + idle_wait))
  while [ "$SECONDS" -lt "$end" ]; do
    [ "$(vmstat 1 2 | tail -n 1 | awk '{print $15}')" -ge 90 ] && return 0
  done
  return 0
}

rc=0
for b in $backends; do
  wait_idle
  echo "== $b: load average $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$b" = sqlite ]; then
    rm -rf "$out/sqlite"
    mkdir -p "$out/sqlite"
    db=$out/sqlite/evidex.db
    ref=sqlite3
  else
    scripts/pg-test-cluster.sh start "$pgdir"
    [ -f "$pgdir/url" ] || die "no PostgreSQL cluster (PostgreSQL 15 binaries missing?)"
    db=$(cat "$pgdir/url")
    ref=psql
  fi
  run_rc=0
  rm -f "$out/$b.md"
  # shellcheck disable=SC2086
  "$bench" --db "$db" --occurrences "$occurrences" --seed "$seed" --reference "$ref" \
    --csv-out "$csv" --report "$out/$b.md" --json $extra > "$out/$b.json.tmp" || run_rc=$?
  mv "$out/$b.json.tmp" "$out/$b.json"
  if [ "$b" = sqlite ]; then
    rm -rf "$out/sqlite"
  else
    scripts/pg-test-cluster.sh stop "$pgdir" >/dev/null
  fi
  {
    echo
    echo "## $b"
    echo
    cat "$out/$b.md" 2>/dev/null || true
    [ "$run_rc" -eq 0 ] || echo "(evidex-store-bench exited with $run_rc: see its output above)"
  } >> "$out/results.md"
  [ "$run_rc" -eq 0 ] || rc=1
done
echo
echo "== written $out/results.md"
exit $rc
