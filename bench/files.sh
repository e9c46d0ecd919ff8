#!/usr/bin/env bash
# bench/files.sh [SIZE] — walking and hashing every file of a filesystem image (issue "files
# inside evidence"): an ext4 image of SIZE (default 2G) holding ~20,000 files of pseudo-random
# bytes in 200 directories, made by mke2fs -d. In one run: `sha256sum` of the image's bytes, then
# `evidex files` (every file's MD5, SHA-1, SHA-256 and type, listed as JSONL), then The Sleuth
# Kit's tools and hashdeep doing the same (`fls -r` to list, `tsk_recover` to copy the files out,
# `hashdeep -c md5,sha1,sha256` over them). The file count and every digest evidex prints are
# checked against hashdeep's; a difference fails the benchmark. Also `evidex files --case`: the same
# listing stored in a SQLite workspace (the image acquired into its vault), to show the store's cost.
#
#   SIZE   image size (default 2G; the files fill ~85 % of it)
#   OUT    work directory (default build/bench-files; the image is kept between runs)
#   EVIDEX the evidex binary (default build/src/cli/evidex)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-2G}
out=${OUT:-build/bench-files}
ev=${EVIDEX:-build/src/cli/evidex}
die() { echo "bench/files.sh: $*" >&2; exit 2; }
[ -x "$ev" ] || die "$ev not built"
for t in mke2fs fls tsk_recover hashdeep sha256sum openssl /usr/bin/time; do
  command -v "$t" >/dev/null || die "$t is missing (scripts/install-deps.sh)"
done
to_bytes() {
  local n=${1%[KMGkmg]} u=${1: -1}
  case $u in K|k) echo $((n << 10)) ;; M|m) echo $((n << 20)) ;; G|g) echo $((n << 30)) ;; *) echo "$1" ;; esac
}
bytes=$(to_bytes "$size")
mkdir -p "$out"
img=$out/ext4-$size.img
if [ ! -s "$img" ]; then
  echo "== making $img: ~20,000 files of pseudo-random bytes in 200 directories (mke2fs -d)"
  rm -rf "$out/tree" && mkdir -p "$out/tree"
  payload=$((bytes / 100 * 85))
  piece=$((payload / 20000))
  head -c "$payload" /dev/zero | openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:evidex-bench-files |
    (cd "$out/tree" && split -a 5 -b "$piece" - f)
  i=0
  for f in "$out"/tree/f*; do
    d=$out/tree/dir$((i % 200)); mkdir -p "$d"; mv "$f" "$d/"; i=$((i + 1))
  done
  mke2fs -q -t ext4 -d "$out/tree" "$img.tmp" "$((bytes / 1024))k"
  mv "$img.tmp" "$img"
  rm -rf "$out/tree"
fi
cat "$img" > /dev/null  # every tool reads it from the page cache
timed() {  # NAME CMD...: prints seconds and peak RSS (KiB)
  /usr/bin/time -f '%e %M' -o "$out/time" "${@:2}" > "$out/$1.out"
  cat "$out/time"
}
echo "== sha256sum of the image"
read -r sha_s sha_kb < <(timed sha256sum sha256sum "$img")
echo "== evidex files (MD5 + SHA-1 + SHA-256 + type of every file)"
read -r ev_s ev_kb < <(timed evidex "$ev" files "$img" --jsonl --quiet)
echo "== evidex files --case (the same, every entry stored in a SQLite workspace)"
ws=$out/ws
rm -rf "$ws"
"$ev" --data "$ws" init --unit "Bench" --country LK --no-passphrase >/dev/null
"$ev" --data "$ws" case new --number B/1 --title bench --examiner bench >/dev/null
"$ev" --data "$ws" acquire B/1 "$img" --label image --quiet >/dev/null  # copy: no re-verification when used
cat "$ws/vault/$(sqlite3 "$ws/evidex.db" "SELECT stored_path FROM evidence")" > /dev/null  # cached too
read -r case_s case_kb < <(timed evidex-case "$ev" --data "$ws" files --case B/1 E1 --jsonl --quiet)
stored=$(sqlite3 "$ws/evidex.db" "SELECT files FROM file_listings WHERE status = 'complete'")
echo "== fls -r + tsk_recover + hashdeep -c md5,sha1,sha256"
rm -rf "$out/recovered"
read -r tsk_s tsk_kb < <(timed tsk sh -c "fls -r -p '$img' > '$out/fls.txt' && tsk_recover -a '$img' '$out/recovered' >/dev/null && cd '$out/recovered' && hashdeep -c md5,sha1,sha256 -r . ")
# Checks: the same files with the same digests.
grep '"type":"file"' "$out/evidex.out" | sed 's/.*"md5":"\([0-9a-f]*\)".*"sha1":"\([0-9a-f]*\)".*"sha256":"\([0-9a-f]*\)".*/\1,\2,\3/' | sort > "$out/evidex.digests"
grep -v '^[%#]' "$out/tsk.out" | cut -d, -f2-4 | sort > "$out/tsk.digests"
n_ev=$(wc -l < "$out/evidex.digests"); n_tsk=$(wc -l < "$out/tsk.digests")
fail=0
cmp -s "$out/evidex.digests" "$out/tsk.digests" || { echo "DIGESTS DIFFER: evidex $n_ev files, tsk_recover+hashdeep $n_tsk" >&2; fail=1; }
ratio() { echo "$1 / $2" | bc -l; }
{
  echo "# evidex files benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?');" \
       "\`bench/files.sh $size\`: ext4 image of $bytes bytes, $n_ev files, from the page cache."
  echo
  echo "| command | seconds | MB/s of image | vs sha256sum | peak RSS MiB |"
  echo "|---|---|---|---|---|"
  for row in "sha256sum (image bytes)|$sha_s|$sha_kb" "evidex files (3 hashes + type per file)|$ev_s|$ev_kb" \
             "evidex files --case (the same, $stored entries stored)|$case_s|$case_kb" \
             "fls -r + tsk_recover + hashdeep -c md5,sha1,sha256|$tsk_s|$tsk_kb"; do
    IFS='|' read -r name s kb <<< "$row"
    printf '| %s | %.2f | %.0f | %.2f× | %d |\n' "$name" "$s" "$(echo "$bytes / $s / 1000000" | bc -l)" \
      "$(ratio "$sha_s" "$s")" $((kb / 1024))
  done
  echo
  [ $fail = 0 ] && echo "Digests: evidex's equal hashdeep's over tsk_recover's copies for all $n_ev files." \
                || echo "Digests: DIFFERENT"
} > "$out/results.md"
rm -rf "$out/recovered"
cat "$out/results.md"
exit $fail
