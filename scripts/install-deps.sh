#!/usr/bin/env bash
# Installs the Debian 12 packages evidex builds, tests and benchmarks with. Idempotent and quiet
# when everything is already there; needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  clang-14 libclang-rt-14-dev
  libhyperscan-dev libpsl-dev publicsuffix libphonenumber-dev libicu-dev
  libewf-dev ewf-tools zlib1g-dev libdeflate-dev libssl-dev libsodium-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev sqlite3 postgresql-15 libpq-dev
  libarchive-dev libcairo2-dev libpango1.0-dev fonts-dejavu-core
  fonts-noto-core fonts-noto-cjk  # coop/docs: request PDFs in Arabic (Naskh) and Chinese (CJK SC)
  libtsk-dev sleuthkit libmagic-dev libyara-dev yara
  mtools dosfstools e2fsprogs ntfs-3g exfatprogs xorriso fdisk
  gzip zip unzip time openssl coreutils hashdeep poppler-utils
  ssdeep  # tests only: reference for src/fuzzy
  libtlsh-dev
  tlsh-tools  # tests only: the `tlsh` program, reference for src/fuzzy/tlsh
  wrk  # bench only: the HTTP reference of bench/serve.sh
  libreoffice-writer-nogui  # tests only: request DOCX files opened by LibreOffice (tests/coop_cli_test.cc)
  libcpp-httplib-dev  # evidex serve (cpp-httplib, with OpenSSL)
  nodejs chromium  # web/: built with Vite (npm, below); end-to-end tests drive chromium headless
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm comes with some Node.js builds (NodeSource) and as Debian's own package with Debian's nodejs.
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Hyperscan and vectorscan both ship libhs and conflict: we use Intel Hyperscan (ARCHITECTURE.md
# says why), so a vectorscan left on the machine is removed in the same transaction.
remove=()
for p in libvectorscan-dev libvectorscan5; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && remove+=("$p-")
done
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" "${remove[@]}" >/dev/null
