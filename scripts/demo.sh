#!/usr/bin/env bash
# make demo: the main job on the embedded default (SQLite, local files). A unit in Colombo
# acquires a sample disk image (made by our own generator) into a case, scans it, verifies the
# chain of custody, packages the case for a partner unit in Accra, which verifies the package
# offline and receives it. Every step prints what a person would see. At the end `evidex serve`
# shows the Colombo workspace in a browser.
set -euo pipefail
build=${1:-build}
size=${2:-64M}
out=demo-out
ev="$build/src/cli/evidex"
rm -rf "$out/colombo" "$out/accra" "$out/scan" "$out/scan-2" "$out/2026-041.evidex.tar"
mkdir -p "$out"
# The demo keeps its keys without a passphrase (--no-passphrase, file mode 0600); a real unit
# sets one (README, "The signing key and its passphrase").
step() { echo; echo "== $*"; }

step "generating a ${size} sample disk image (seed 1) in $out/corpus"
"$build/bench/evidex-corpus" gen --size "$size" --seed 1 -o "$out/corpus"

step "evidex init: the Colombo unit's workspace and signing key"
"$ev" --data "$out/colombo" init --unit "Cybercrime Unit, Colombo" --country LK --no-passphrase
step "evidex case new"
"$ev" --data "$out/colombo" case new --number 2026/041 --title "Card fraud ring" \
  --offence "Computer-related fraud" --examiner "Insp. Perera"
step "evidex acquire: one read, MD5 + SHA-1 + SHA-256, a verified copy in the write-once vault"
"$ev" --data "$out/colombo" acquire 2026/041 "$out/corpus/corpus.img" --label "Seized laptop HDD (sample)"
step "evidex scan --case: emails, URLs, cards, IBANs, wallets ... also inside gzip/zlib/ZIP"
"$ev" --data "$out/colombo" scan --case 2026/041 E1 -o "$out/scan" --jsonl
step "most frequent values per kind (from the histograms)"
for h in "$out"/scan/*_histogram.txt; do
  kind=$(basename "$h" _histogram.txt)
  [ -s "$h" ] || continue
  echo "-- $kind"
  head -n 3 "$h" | sed 's/^/   /'
done
step "checking the hits against the generator's ground truth"
"$build/bench/evidex-corpus" check --truth "$out/corpus/truth.jsonl" --hits "$out/scan/hits.jsonl" | tail -n 1
step "a second case: a phone dump that shares a mule's address and wallet with the first"
first() { [ -s "$out/scan/$1_histogram.txt" ] && head -n 1 "$out/scan/$1_histogram.txt" | cut -f2; }
email=$(first email); wallet=$(first btc)
"$ev" --data "$out/colombo" case new --number 2026/052 --title "Romance scam" \
  --offence "Fraud" --examiner "SI Fernando"
{ head -c 65536 /dev/urandom; printf ' chat: send to %s, contact %s or +94 11 234 5678 ' "$wallet" "$email"; \
  head -c 65536 /dev/urandom; } > "$out/phone-dump.bin"
"$ev" --data "$out/colombo" acquire 2026/052 "$out/phone-dump.bin" --label "Phone dump (sample)" \
  --scan --scan-out "$out/scan-2" --quiet
step "evidex correlate: what case 2026/052 shares with other cases, rarest first"
"$ev" --data "$out/colombo" correlate 2026/052 --limit 10
step "evidex search: one value across every case (a national phone number, normalized to E.164)"
"$ev" --data "$out/colombo" search "011 234 5678"
step "evidex watchlist import: a partner's indicators (CSV here; MISP and STIX 2.1 too), then hits"
printf 'type,value,comment\nbtc,%s,wallet reported by a partner\nemail,nobody@example.org,\n' "$wallet" \
  > "$out/partner-watchlist.csv"
"$ev" --data "$out/colombo" watchlist import "$out/partner-watchlist.csv" --source "Partner 24/7 PoC"
"$ev" --data "$out/colombo" hits
step "evidex files: a USB stick's FAT filesystem (made here by mkfs.fat and mtools), one file deleted"
rm -f "$out/usb.img"
mkfs.fat -C -n USB "$out/usb.img" 8192 >/dev/null
printf 'invoice attached\n' > "$out/invoice.txt"
head -c 20000 /dev/urandom > "$out/dropper.exe"
MTOOLS_SKIP_CHECK=1 mmd -i "$out/usb.img" ::/work
MTOOLS_SKIP_CHECK=1 mcopy -i "$out/usb.img" "$out/invoice.txt" "$out/dropper.exe" ::/work/
MTOOLS_SKIP_CHECK=1 mdel -i "$out/usb.img" ::/work/invoice.txt
( cd "$out" && sha256sum dropper.exe ) > "$out/partner-malware.sha256"
"$ev" --data "$out/colombo" hashset import "$out/partner-malware.sha256" --category alert \
  --name "Partner malware" --label dropper
"$ev" --data "$out/colombo" files "$out/usb.img" --quiet
"$ev" timeline "$out/usb.img" | head -n 4
step "the stick as evidence of case 2026/052: its listing stored (YARA on files and free space), alerts first"
printf 'rule invoice_lure : phishing {\n  strings:\n    $a = "invoice attached"\n  condition:\n    $a\n}\n' \
  > "$out/lure.yar"
"$ev" --data "$out/colombo" acquire 2026/052 "$out/usb.img" --label "USB stick" --quiet
"$ev" --data "$out/colombo" files --case 2026/052 E2 --fuzzy --yara "$out/lure.yar" --quiet | tail -n 3
"$ev" --data "$out/colombo" hits 2026/052
"$ev" --data "$out/colombo" timeline --case 2026/052 | head -n 3
step "evidex custody verify: chain, signatures, and the evidence bytes re-read"
"$ev" --data "$out/colombo" custody verify 2026/041
"$ev" --data "$out/colombo" custody show 2026/041 | cut -c1-110
step "evidex package: evidence, custody, CASE/UCO manifest, certificate (HTML + PDF), signed"
"$ev" --data "$out/colombo" package 2026/041 -o "$out/2026-041.evidex.tar" --to "Public Prosecutor, Accra"
step "evidex verify-package, offline, pinned to Colombo's public key"
"$ev" verify-package "$out/2026-041.evidex.tar" --key "$out/colombo/unit.pub"
step "Accra receives it and continues the chain"
"$ev" --data "$out/accra" init --unit "Cybercrime Unit, Accra" --country GH --no-passphrase
"$ev" --data "$out/accra" receive "$out/2026-041.evidex.tar" --trust-key "$out/colombo/unit.pub" \
  --examiner "K. Mensah"
"$ev" --data "$out/accra" custody verify 2026/041
step "evidex directory + request: a preservation request to a partner's 24/7 point, from case 2026/052"
"$ev" --data "$out/colombo" directory add LK-CCU --own --country LK \
  --authority "Sri Lanka Police, CID" --unit "Cybercrime Unit, Colombo" --phone "+94 11 2 320 141" \
  --email ccu@police.example.lk --time-zone Asia/Colombo --source "own unit"
"$ev" --data "$out/colombo" directory add GH-247 --country GH --authority "Ghana Police Service" \
  --unit "Cybercrime Unit" --email 247@police.example.gh --time-zone Africa/Accra --language en \
  --legal-basis budapest --art35 --hours "24/7" --source "T-CY 24/7 list (sample)"
EVIDEX_EXAMINER="SI Fernando" "$ev" --data "$out/colombo" request new --case 2026/052 \
  --type preservation --to GH-247 --identifier "$email"
EVIDEX_EXAMINER="SI Fernando" "$ev" --data "$out/colombo" request set LK-$(date -u +%Y)-0001 \
  summary "Victims of a romance scam paid the wallet found on the phone; the mule used this address." \
  relationship "The address received the victims' messages." provider/name "Example Mail (sample)" \
  necessity "The provider deletes inactive accounts' logs after 90 days." no_notification yes \
  confirmation_contact "SI Fernando, +94 11 2 320 141" operational_authority "CID Colombo" \
  offences/0/provisions "Penal Code s. 403 (cheating); Computer Crimes Act No. 24 of 2007"
EVIDEX_EXAMINER="SI Fernando" "$ev" --data "$out/colombo" request finalize LK-$(date -u +%Y)-0001
"$ev" --data "$out/colombo" request render LK-$(date -u +%Y)-0001 -o "$out/preservation-request.pdf"
"$ev" --data "$out/colombo" request render LK-$(date -u +%Y)-0001 -o "$out/preservation-request.docx"
echo
echo "Output in $out: colombo/ and accra/ (workspaces), scan/ (feature files, histograms,"
echo "hits.jsonl, report.json), 2026-041.evidex.tar (the package; certificate.pdf inside),"
echo "preservation-request.pdf and .docx (a signed preservation request to Ghana's 24/7 point)."
step "evidex serve: Colombo's cases in a browser (DEMO_SERVE=0 skips this; Ctrl-C stops it)"
if [ "${DEMO_SERVE:-1}" = 1 ]; then
  port=${DEMO_PORT:-8080}
  echo "Open http://127.0.0.1:$port/ and sign in as admin with the one-time password below"
  echo "(you choose your own at the first sign-in). Case 2026/041 holds the scanned disk image,"
  echo "2026/052 the phone dump that shares a mule's address and wallet with it."
  exec "$ev" --data "$out/colombo" serve --listen "127.0.0.1:$port" --evidence-root "$out"
fi
