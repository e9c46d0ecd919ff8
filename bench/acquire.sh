#!/usr/bin/env bash
# bench/acquire.sh [SIZE] — acquisition throughput on one page-cached file (issue 3, "Performance"):
# openssl dgst -md5 / -sha1 / -sha256 each alone, hashdeep -c md5,sha1,sha256, evidex's
# acquisition in reference mode (read + 3 hashes), copy mode (read + 3 hashes + write + read-back
# verification) into a vault on disk and into a vault in memory, then E01: ewfacquire against
# evidex's E01 writer at the same compression level. Every tool's digests are compared: a fast but
# wrong run fails the benchmark.
#
#   SIZE      source size (default 2G; K/M/G suffixes): pseudo-random (incompressible) bytes, an
#             AES-128-CTR keystream from openssl, the same for every run
#   OUT       work directory (default build/bench-acquire; the source is kept between runs)
#   BENCH     acquire_bench binary (default build/bench/acquire_bench)
#   LEVEL     E01 compression: fast (default), best or none
#   CORPUS_SIZE  size of a second, compressible source for the E01 comparison: a disk-like image
#             from build/bench/evidex-corpus (default 1G; 0 skips it)
#   MEMVAULT  directory for the in-memory vault (default /dev/shm/evidex-bench-vault; "" skips)
#   RUNS      runs of each command; the fastest is kept (default 1)
#   IDLE_WAIT before each run, wait up to this many seconds for a quiet machine (a one-second
#             vmstat sample at least 90% idle; default 0: do not wait) — for shared machines
#
# Writes $OUT/results.md. Exits non-zero when a tool fails or the digests disagree.
set -euo pipefail

cd "$(dirname "$0")/.."
size=${1:-2G}
out=${OUT:-build/bench-acquire}
bench=${BENCH:-build/bench/acquire_bench}
level=${LEVEL:-fast}
memvault=${MEMVAULT-/dev/shm/evidex-bench-vault}
runs=${RUNS:-1}
idle_wait=${IDLE_WAIT:-0}
corpus_size=${CORPUS_SIZE:-1G}
corpus_tool=${CORPUS:-build/bench/evidex-corpus}

die() { echo "bench/acquire.sh: $*" >&2; exit 2; }
for tool in openssl hashdeep ewfacquire ewfverify /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh)"
done
[ -x "$bench" ] || die "$bench not built (cmake --build build --target acquire_bench)"
case $level in fast) lvl=1 ;; best) lvl=2 ;; none) lvl=0 ;; *) die "LEVEL must be fast, best or none" ;; esac

to_bytes() {
  local n=${1%[KMGkmg]} u=${1: -1}
  case $u in K|k) echo $((n << 10)) ;; M|m) echo $((n << 20)) ;; G|g) echo $((n << 30)) ;; *) echo "$1" ;; esac
}
bytes=$(to_bytes "$size")
mkdir -p "$out"
src=$out/source.img
if [ ! -f "$src" ] || [ "$(stat -c %s "$src")" != "$bytes" ]; then
  echo "== generating $src ($bytes pseudo-random bytes: AES-128-CTR keystream, the same every run)"
  head -c "$bytes" /dev/zero |
    openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:evidex-bench-acquire > "$src.tmp"
  mv "$src.tmp" "$src"
fi
corpus=""
if [ "$corpus_size" != 0 ]; then
  [ -x "$corpus_tool" ] || die "$corpus_tool not built (or CORPUS_SIZE=0)"
  corpus=$out/corpus/corpus.img
  stamp="size=$corpus_size seed=7 generator=$(sha256sum "$corpus_tool" | cut -c1-16)"
  if [ ! -f "$corpus" ] || [ "$(cat "$out/corpus/stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "== generating $corpus ($corpus_size disk-like image, compressible)"
    "$corpus_tool" gen --size "$corpus_size" --seed 7 -o "$out/corpus" --quiet
    echo "$stamp" > "$out/corpus/stamp"
  fi
fi
echo "== warming the page cache: reading the sources once (not measured)"
cat "$src" ${corpus:+"$corpus"} > /dev/null

tmp=$(mktemp -d)
cleanup() {
  rm -rf "$tmp" "$out/vault" "$out"/ewfacquire.*
  [ -n "$memvault" ] && rm -rf "$memvault"
  return 0
}
trap cleanup EXIT
names=() secs=() cpus=() sizes=()
row_bytes=$bytes  # bytes the next measured command reads

wait_idle() {
  local end=$((SECONDS + idle_wait))
  while [ "$SECONDS" -lt "$end" ]; do
    [ "$(vmstat 1 2 | tail -n 1 | awk '{print $15}')" -ge 90 ] && return 0
  done
  return 0
}

# measure NAME CMD...: runs CMD RUNS times under /usr/bin/time, keeps the fastest; stdout of that
# run in $tmp/stdout.
measure() {
  local name=$1 best="" i
  shift
  echo "== $name: $*"
  for ((i = 0; i < runs; i++)); do
    [ -n "${BEFORE:-}" ] && eval "$BEFORE"
    wait_idle
    /usr/bin/time -f '%e %P' -o "$tmp/time" "$@" > "$tmp/run.out" 2> "$tmp/run.err" ||
      { cat "$tmp/run.err" >&2; die "$name failed"; }
    cp "$tmp/run.out" "$tmp/last"  # the last run's output: its files are the ones still there
    read -r s p < <(tail -n 1 "$tmp/time")
    if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$s
      cpu=$p
      cp "$tmp/run.out" "$tmp/stdout"
    fi
  done
  names+=("$name")
  secs+=("$best")
  cpus+=("$cpu")
  sizes+=("$row_bytes")
}
field() { sed -n "s/.*\"$1\":\"\([0-9a-f]*\)\".*/\1/p" "$tmp/stdout"; }

measure "openssl dgst -md5" openssl dgst -md5 -r "$src"
md5=$(cut -d' ' -f1 "$tmp/stdout")
measure "openssl dgst -sha1" openssl dgst -sha1 -r "$src"
sha1=$(cut -d' ' -f1 "$tmp/stdout")
measure "openssl dgst -sha256" openssl dgst -sha256 -r "$src"
sha256=$(cut -d' ' -f1 "$tmp/stdout")
measure "hashdeep -c md5,sha1,sha256" hashdeep -c md5,sha1,sha256 "$src"
hd=$(grep -v '^[%#]' "$tmp/stdout" | head -n 1)
[ "$hd" = "$bytes,$md5,$sha1,$sha256,$(realpath "$src")" ] || [ "${hd%,*}" = "$bytes,$md5,$sha1,$sha256" ] ||
  die "hashdeep disagrees with openssl: $hd"

check_digests() {  # NAME: the last acquire_bench run's digests must be openssl's
  [ "$(field md5)" = "$md5" ] && [ "$(field sha1)" = "$sha1" ] && [ "$(field sha256)" = "$sha256" ] ||
    die "$1: digests differ from openssl's: $(cat "$tmp/stdout")"
}
measure "evidex reference (read + 3 hashes)" "$bench" "$src" "$out/vault" --mode reference
check_digests reference
BEFORE="rm -rf '$out/vault'" measure "evidex copy, vault on disk" "$bench" "$src" "$out/vault" --mode copy
check_digests "copy (disk)"
grep -q '"verified":true' "$tmp/stdout" || die "copy (disk) not verified"
if [ -n "$memvault" ] && [ -d "$(dirname "$memvault")" ]; then
  BEFORE="rm -rf '$memvault'" measure "evidex copy, vault in memory" "$bench" "$src" "$memvault" --mode copy
  check_digests "copy (memory)"
  grep -q '"verified":true' "$tmp/stdout" || die "copy (memory) not verified"
fi
# e01_pair NAME SOURCE: ewfacquire against evidex's E01 mode on SOURCE; sizes into e01_sizes.
e01_sizes=""
e01_pair() {
  local what=$1 source=$2 ours our_size ewf_size
  BEFORE="rm -f '$out'/ewfacquire.*" measure "ewfacquire -c $level, $what (MD5+SHA-1)" \
    ewfacquire -u -q -c "$level" -d sha1 -t "$out/ewfacquire" "$source"
  ewf_size=$(cat "$out"/ewfacquire.E* | wc -c)
  BEFORE="rm -rf '$out/vault'" measure "evidex e01 -c $level, $what (3 hashes + verify)" "$bench" \
    "$source" "$out/vault" --mode e01 --level "$lvl" --keep
  ours=$(sed -n 's/.*"stored_path":"\([^"]*\)".*/\1/p' "$tmp/last")
  our_size=$(sed -n 's/.*"stored_size":\([0-9]*\).*/\1/p' "$tmp/last")
  ewfverify -q "$out/vault/$ours" > "$tmp/verify" 2>&1 ||
    { cat "$tmp/verify"; die "ewfverify rejects our E01 of $source"; }
  e01_sizes="$e01_sizes $what: ewfacquire $ewf_size bytes, evidex $our_size bytes;"
}
e01_pair "random" "$src"
check_digests e01
if [ -n "$corpus" ]; then
  row_bytes=$(stat -c %s "$corpus")
  e01_pair "disk-like corpus" "$corpus"
fi

# --- table -----------------------------------------------------------------------------------
slowest=0
for i in 0 1 2; do
  slowest=$(awk -v a="$slowest" -v b="${secs[$i]}" 'BEGIN { print (b > a ? b : a) }')
done
hashdeep_s=${secs[3]}
table=$(
  printf '| %-56s | %7s | %7s | %6s | %15s | %12s |\n' command seconds "MB/s" "CPU" \
    "vs slowest dgst" "vs hashdeep"
  printf '|%s|%s|%s|%s|%s|%s|\n' "----------------------------------------------------------" \
    "---------" "---------" "--------" "-----------------" "--------------"
  # Ratios compare throughput (MB/s), so rows over the corpus compare too.
  for i in "${!names[@]}"; do
    awk -v n="${names[$i]}" -v s="${secs[$i]}" -v c="${cpus[$i]}" -v w="$slowest" \
      -v h="$hashdeep_s" -v b="${sizes[$i]}" -v b0="$bytes" 'BEGIN {
        if (s < 0.01) s = 0.01
        r = b / s; rw = b0 / w; rh = b0 / h
        printf "| %-56s | %7.2f | %7.0f | %6s | %14.2fx | %11.2fx |\n", n, s, r / 1e6, c, r / rw, r / rh
      }'
  done
)
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
summary="$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($cpu_model); $bytes pseudo-random bytes read from
the page cache; fastest of $runs run(s); load average before: $(cut -d' ' -f1-3 /proc/loadavg).
E01 sizes (every segment) —$e01_sizes ewfverify accepts evidex's."
echo
echo "$summary"
echo "$table"
{
  echo "# evidex acquisition benchmark"
  echo
  echo "$summary"
  echo
  echo "$table"
} > "$out/results.md"
echo
echo "== written $out/results.md"
