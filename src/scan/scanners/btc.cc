// btc: Bitcoin addresses: base58check P2PKH (1...) and P2SH (3...) with their 4-byte SHA-256d
// checksum, and segwit addresses (bc1/tb1) in bech32 (witness v0) or bech32m (v1+) with their
// BCH checksum. Bech32 is reported lower-case.
#include "scan/scanner.h"
#include "scan/validate/validate.h"

namespace evidex::scan {
namespace {

#define B58 "1-9A-HJ-NP-Za-km-z"
constexpr PatternDef kPatterns[] = {
    // A trigger, not the whole address: Locate takes the alphanumeric run (cheaper to match).
    {"[13][" B58 "]{25}"},
    {"(?:bc|tb)1[02-9ac-hj-np-z]{6,87}(?:[^0-9A-Za-z]|$)", true},
};

bool Base58Char(char c) {
  return IsAlnum(c) && c != '0' && c != 'O' && c != 'I' && c != 'l';
}

std::optional<Span> Locate(std::string_view t, size_t anchor) {
  Span run = RunAround(t, anchor, 91, IsAlnum);
  if (run.size() < 14) return std::nullopt;
  return run;
}

bool Validate(std::string_view t, Span s, std::string* normalized) {
  std::string_view a = t.substr(s.begin, s.size());
  if (a[0] == '1' || a[0] == '3') {
    for (char c : a)
      if (!Base58Char(c)) return false;
    if (!validate::BitcoinBase58AddressValid(a)) return false;
    *normalized = std::string(a);
    return true;
  }
  if (!validate::SegwitAddressValid(a)) return false;
  *normalized = Lower(a);
  return true;
}

}  // namespace

EVIDEX_DEFINE_SCANNER(btc) {
    .name = "btc",
    .description = "Bitcoin addresses (base58check P2PKH/P2SH; bech32/bech32m segwit)",
    .version = 1,
    .max_len = 90,
    .patterns = kPatterns,
    .locate = Locate,
    .validate = Validate,
};

}  // namespace evidex::scan
