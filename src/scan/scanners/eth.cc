// eth: Ethereum addresses, 0x + 40 hex digits. Mixed case must carry a valid EIP-55 checksum;
// all-lower and all-upper are accepted as unchecksummed. Reported lower-case.
#include "scan/scanner.h"
#include "scan/validate/validate.h"

namespace evidex::scan {
namespace {

constexpr PatternDef kPatterns[] = {
    {R"(0x[0-9A-Fa-f]{40}(?:[^0-9A-Za-z]|$))"},
};

std::optional<Span> Locate(std::string_view t, size_t anchor) {
  Span run = RunAround(t, anchor, 43, IsAlnum);
  if (run.size() != 42) return std::nullopt;
  return run;
}

bool Validate(std::string_view t, Span s, std::string* normalized) {
  std::string_view a = t.substr(s.begin, s.size());
  if (!validate::EthAddressValid(a)) return false;
  *normalized = Lower(a);
  return true;
}

}  // namespace

EVIDEX_DEFINE_SCANNER(eth) {
    .name = "eth",
    .description = "Ethereum addresses (0x + 40 hex; EIP-55 checksum when mixed case)",
    .version = 1,
    .max_len = 42,
    .patterns = kPatterns,
    .locate = Locate,
    .validate = Validate,
};

}  // namespace evidex::scan
