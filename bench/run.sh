#!/usr/bin/env bash
# bench/run.sh [SIZE] — evidex throughput against cat, sha256 and grep on the generated corpus,
# then recall / look-alike check of the scan's hits and a -j 1 vs -j 2 output comparison.
#
#   SIZE       corpus size (default 1G; K/M/G suffixes)
#   SEED       corpus seed (default 42)
#   EVIDEX     evidex binary (default build/src/cli/evidex)
#   CORPUS     corpus tool (default build/bench/evidex-corpus)
#   MIN_RECALL minimum recall per kind for the check (default 0.99)
#
# Writes bench/out/{corpus.img,truth.jsonl,corpus.json} (kept between runs while the size, seed
# and generator binary are unchanged), bench/out/scan-j1, bench/out/scan-j2 and
# bench/out/results.md. Exits non-zero when a measured command, the check or the -j comparison
# fails.
set -euo pipefail

cd "$(dirname "$0")/.."
size=${1:-1G}
seed=${SEED:-42}
evidex=${EVIDEX:-build/src/cli/evidex}
corpus_tool=${CORPUS:-build/bench/evidex-corpus}
min_recall=${MIN_RECALL:-0.99}
out=bench/out
img=$out/corpus.img
truth=$out/truth.jsonl

die() { echo "bench/run.sh: $*" >&2; exit 2; }

command -v /usr/bin/time >/dev/null || die "/usr/bin/time is missing (Debian package 'time')"
command -v openssl >/dev/null || die "openssl is missing"
[ -x "$corpus_tool" ] || die "$corpus_tool not built (cmake --build build)"
[ -x "$evidex" ] || die "$evidex not built (cmake --build build)"
mkdir -p "$out"

# --- corpus: regenerate when missing or when size, seed or generator changed ----------------
stamp="size=$size seed=$seed generator=$(sha256sum "$corpus_tool" | cut -c1-16)"
if [ -f "$img" ] && [ -f "$truth" ] && [ -f "$out/corpus.stamp" ] &&
   [ "$(cat "$out/corpus.stamp")" = "$stamp" ]; then
  echo "== corpus $img is up to date ($stamp)"
else
  echo "== generating a $size corpus (seed $seed) in $out"
  rm -f "$out/corpus.stamp"
  "$corpus_tool" gen --size "$size" --seed "$seed" -o "$out"
  echo "$stamp" > "$out/corpus.stamp"
fi
bytes=$(stat -c %s "$img")

# --- measurements ------------------------------------------------------------------------------
# Dropping the page cache needs root; instead the corpus is read once first so that every tool
# below reads it from memory (this measures CPU throughput, not the disk).
echo "== warming the page cache: reading $img once (not measured)"
cat "$img" > /dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
names=()
secs=()
rss=()

# measure NAME OK_CODES CMD...: runs CMD under /usr/bin/time; exit codes in OK_CODES are success.
measure() {
  local name=$1 ok=$2 rc=0
  shift 2
  echo "== $name: $*"
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" > "$tmp/stdout" 2> "$tmp/stderr" || rc=$?
  if [[ " $ok " != *" $rc "* ]]; then
    cat "$tmp/stderr" >&2
    die "$name exited with $rc"
  fi
  read -r s m < <(tail -n 1 "$tmp/time")
  names+=("$name")
  secs+=("$s")
  rss+=("$m")
}

email_re='[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'
measure "cat" "0" cat "$img"
measure "sha256 (openssl)" "0" openssl dgst -sha256 "$img"
measure "grep email regex" "0 1" env LC_ALL=C grep -c -aoE "$email_re" "$img"
grep_lines=$(cat "$tmp/stdout")
rm -rf "$out/scan-j1" "$out/scan-j2"
measure "evidex -j 1" "0" "$evidex" scan "$img" -o "$out/scan-j1" -j 1 --jsonl --quiet
measure "evidex -j 2" "0" "$evidex" scan "$img" -o "$out/scan-j2" -j 2 --jsonl --quiet

# --- table -------------------------------------------------------------------------------------
grep_secs=${secs[2]}
table=$(
  printf '| %-18s | %8s | %9s | %13s | %12s |\n' tool seconds "MB/s" "speed vs grep" "peak RSS MiB"
  printf '|%s|%s|%s|%s|%s|\n' "--------------------" "----------" "-----------" "---------------" \
    "--------------"
  for i in "${!names[@]}"; do
    awk -v n="${names[$i]}" -v s="${secs[$i]}" -v g="$grep_secs" -v m="${rss[$i]}" -v b="$bytes" '
      BEGIN {
        if (s < 0.01) s = 0.01; if (g < 0.01) g = 0.01
        printf "| %-18s | %8.2f | %9.1f | %12.2fx | %12.1f |\n", n, s, b / 1e6 / s, g / s, m / 1024
      }'
  done
)
echo
echo "corpus: $img, $bytes bytes, seed $seed; $(nproc) CPUs; grep counted $grep_lines lines"
echo "$table"

# --- correctness -------------------------------------------------------------------------------
echo
echo "== evidex-corpus check (-j 2 hits against the truth, min recall $min_recall)"
check_rc=0
"$corpus_tool" check --truth "$truth" --hits "$out/scan-j2/hits.jsonl" \
  --min-recall "$min_recall" > "$tmp/check" || check_rc=$?
cat "$tmp/check"

echo
echo "== -j 1 and -j 2 outputs (report.json aside)"
diff_rc=0
diff -r -x report.json "$out/scan-j1" "$out/scan-j2" > "$tmp/diff" || diff_rc=$?
if [ "$diff_rc" -eq 0 ]; then
  diff_result="identical"
else
  diff_result="DIFFERENT"
  head -n 20 "$tmp/diff"
fi
echo "$diff_result"

{
  echo "# evidex benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | \
    cut -d: -f2- | sed 's/^ *//')); corpus $bytes bytes ($size, seed $seed), read from the" \
    "page cache (warmed before measuring)."
  echo
  echo "$table"
  echo
  echo "## Check of the -j 2 hits against the truth (min recall $min_recall)"
  echo
  echo '```'
  cat "$tmp/check"
  echo '```'
  echo
  echo "-j 1 and -j 2 feature files: $diff_result"
} > "$out/results.md"
echo
echo "== written $out/results.md"

if [ "$check_rc" -ne 0 ]; then
  echo "bench/run.sh: check failed (exit $check_rc)" >&2
  exit 1
fi
if [ "$diff_rc" -ne 0 ]; then
  echo "bench/run.sh: -j 1 and -j 2 outputs differ" >&2
  exit 1
fi
