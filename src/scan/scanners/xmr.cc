// xmr: Monero mainnet addresses: standard (4..., 95 chars), subaddress (8..., 95) and integrated
// (4..., 106), Monero block base58 with a Keccak-256 checksum.
#include "scan/scanner.h"
#include "scan/validate/validate.h"

namespace evidex::scan {
namespace {

#define B58 "1-9A-HJ-NP-Za-km-z"
constexpr PatternDef kPatterns[] = {
    // Mainnet addresses start with 4 or 8 and then 0-9, A or B (network byte and key). A
    // trigger: Locate takes the alphanumeric run and checks its length.
    {"[48][0-9AB][" B58 "]{24}"},
};

std::optional<Span> Locate(std::string_view t, size_t anchor) {
  Span run = RunAround(t, anchor, 107, IsAlnum);
  if (run.size() != 95 && run.size() != 106) return std::nullopt;
  return run;
}

bool Validate(std::string_view t, Span s, std::string* normalized) {
  std::string_view a = t.substr(s.begin, s.size());
  if (!validate::MoneroAddressValid(a)) return false;
  *normalized = std::string(a);
  return true;
}

}  // namespace

EVIDEX_DEFINE_SCANNER(xmr) {
    .name = "xmr",
    .description = "Monero addresses (standard, subaddress, integrated; Keccak checksum)",
    .version = 1,
    .max_len = 106,
    .patterns = kPatterns,
    .locate = Locate,
    .validate = Validate,
};

}  // namespace evidex::scan
