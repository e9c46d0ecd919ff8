#!/usr/bin/env bash
# bench/coop.sh [IDENTIFIERS] — writing a cooperation request's documents (issue "cooperation"):
# a finalized preservation request with IDENTIFIERS e-mail identifiers (default 40) and a
# two-page summary, rendered by `evidex request render` to PDF (French beside English) and to DOCX,
# each RUNS times (default 5), against LibreOffice turning that DOCX into a PDF
# (`soffice --headless --convert-to pdf`): what an officer without evidex would do with a
# word-processor template. Prints the median wall time of each and the ratio; every PDF is checked
# with pdfinfo (pages) and pdftotext (the first and the last identifier are in it).
#
#   RUNS   repetitions (default 5)
#   OUT    work directory (default build/bench-coop; made afresh)
#   EVIDEX the evidex binary (default build/src/cli/evidex)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-40}
runs=${RUNS:-5}
out=${OUT:-build/bench-coop}
ev=$(realpath "${EVIDEX:-build/src/cli/evidex}")
die() { echo "bench/coop.sh: $*" >&2; exit 2; }
[ -x "$ev" ] || die "$ev not built"
for t in soffice pdfinfo pdftotext; do
  command -v "$t" >/dev/null || die "$t is missing (scripts/install-deps.sh)"
done
rm -rf "$out" && mkdir -p "$out"
out=$(realpath "$out")
ws=$out/ws
e() { EVIDEX_EXAMINER="Bench" "$ev" --data "$ws" "$@"; }

e init --unit "Cybercrime Unit, Colombo" --country LK --no-passphrase >/dev/null
e case new --number 2026/900 --title "Benchmark case" --examiner Bench >/dev/null
e directory add LK-OWN --own --country LK --authority "Sri Lanka Police CID" --unit "Cyber Crime Unit" \
  --phone "+94 11 2 320 141" --email cid@police.example.lk --time-zone Asia/Colombo --source "own unit" >/dev/null
e directory add FR-OFAC --country FR --authority OFAC --email ofac@interieur.example.fr \
  --time-zone Europe/Paris --language fr --legal-basis budapest --art35 --source "bench" >/dev/null
# The evidence: a file of mail headers naming the N addresses, acquired and scanned into the case.
ids=()
for ((i = 1; i <= n; i++)); do
  printf 'From: seller%d@example.fr\nSubject: order %d\n\n' "$i" "$i"
  ids+=(--identifier "seller$i@example.fr")
done >"$out/mail.txt"
e acquire 2026/900 "$out/mail.txt" --label Mailbox --scan --scan-out "$out/scan" -q >/dev/null
e request new --case 2026/900 --type preservation --to FR-OFAC "${ids[@]}" --category subscriber >/dev/null || true
ref=$(e request list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["reference"])')
summary=""
for ((i = 0; i < 60; i++)); do
  summary+="Victims paid a web shop that never delivered; the orders and the payment instructions came from these addresses. "
done
e request set "$ref" summary "$summary" relationship "The addresses placed the orders." \
  necessity "Logs are kept 90 days." provider/name "Example Mail SAS" no_notification yes \
  confirmation_contact "Insp. A. Perera" operational_authority "CID Colombo" \
  offences/0/description "Computer fraud" offences/0/provisions "Computer Crimes Act No. 24 of 2007, s. 7" >/dev/null
e request finalize "$ref" >/dev/null

# Median of RUNS wall times (seconds) of a command.
median() {
  local times=() t0 t1
  for ((r = 0; r < runs; r++)); do
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || die "failed: $*"
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}

pdf_s=$(median e request render "$ref" -o "$out/request.pdf" --language fr --bilingual en)
docx_s=$(median e request render "$ref" -o "$out/request.docx" --language fr --bilingual en)
lo_home=$out/lo-profile
soffice_s=$(median env HOME="$lo_home" soffice --headless --convert-to pdf --outdir "$out/lo" "$out/request.docx")

pages=$(pdfinfo "$out/request.pdf" | awk '/^Pages:/{print $2}')
lo_pages=$(pdfinfo "$out/lo/request.pdf" | awk '/^Pages:/{print $2}')
text=$(pdftotext "$out/request.pdf" -)
for v in "seller1@example.fr" "seller$n@example.fr" "$ref"; do
  grep -qF "$v" <<<"$text" || die "the PDF lacks $v"
done
ratio=$(echo "scale=1; $soffice_s / $pdf_s" | bc)
printf '%s identifiers, %s pages (LibreOffice: %s pages), median of %s runs:\n' "$n" "$pages" "$lo_pages" "$runs"
printf '  evidex request render -> PDF (fr | en)   %6.0f ms\n' "$(echo "$pdf_s * 1000" | bc)"
printf '  evidex request render -> DOCX (fr | en)  %6.0f ms\n' "$(echo "$docx_s * 1000" | bc)"
printf '  soffice --convert-to pdf of that DOCX    %6.0f ms\n' "$(echo "$soffice_s * 1000" | bc)"
printf '  evidex PDF is %sx faster than LibreOffice converting the DOCX\n' "$ratio"
