// onion: Tor v3 onion service addresses: 56 base32 chars (ed25519 key, checksum, version 3)
// followed by ".onion", with the SHA3-256 checksum of rend-spec-v3. Reported lower-case.
#include "scan/scanner.h"
#include "scan/validate/validate.h"

namespace evidex::scan {
namespace {

constexpr PatternDef kPatterns[] = {
    {R"([a-z2-7]{56}\.onion(?:[^A-Za-z0-9\-]|$))", true},
};

std::optional<Span> Locate(std::string_view t, size_t anchor) {
  // The match ends right after ".onion" or one terminator char later.
  for (size_t back : {6, 7}) {
    if (anchor < back + 56) continue;
    size_t dot = anchor - back;
    if (Lower(t.substr(dot, 6)) == ".onion") return Span{dot - 56, dot + 6};
  }
  return std::nullopt;
}

bool Validate(std::string_view t, Span s, std::string* normalized) {
  if (s.begin > 0 && IsAlnum(t[s.begin - 1])) return false;
  std::string_view label = t.substr(s.begin, 56);
  if (!validate::OnionV3Valid(label)) return false;
  *normalized = Lower(t.substr(s.begin, s.size()));
  return true;
}

}  // namespace

EVIDEX_DEFINE_SCANNER(onion) {
    .name = "onion",
    .description = "Tor v3 onion addresses (56 base32 chars + .onion, SHA3-256 checksum)",
    .version = 1,
    .max_len = 62,
    .patterns = kPatterns,
    .locate = Locate,
    .validate = Validate,
};

}  // namespace evidex::scan
