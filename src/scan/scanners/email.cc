// email: addresses in the practical subset of RFC 5322 (dot-atom local part of the characters
// people and systems really use), with a host under a real public suffix.
#include "scan/hostname.h"
#include "scan/scanner.h"

namespace evidex::scan {
namespace {

constexpr PatternDef kPatterns[] = {
    // A trigger: one local-part char, '@', one host char. Locate takes the whole address and
    // Validate checks it (a full-address pattern here made the combined database 1.7x slower).
    {R"([A-Za-z0-9._%+\-]@[A-Za-z0-9\-])"},
};

bool LocalChar(char c) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool HostChar(char c) { return IsAlnum(c) || c == '.' || c == '-'; }

std::optional<Span> Locate(std::string_view t, size_t anchor) {
  // The match always contains '@' followed by host chars only: find it going left.
  size_t at = anchor;
  while (at > 0 && t[at - 1] != '@') {
    if (!HostChar(t[at - 1]) || anchor - at > 260) return std::nullopt;
    --at;
  }
  if (at == 0) return std::nullopt;
  --at;  // index of '@'
  size_t end = at + 1;
  while (end < t.size() && end - at <= 253 && HostChar(t[end])) ++end;
  while (end > at + 1 && (t[end - 1] == '.' || t[end - 1] == '-')) --end;
  size_t begin = at;
  while (begin > 0 && at - begin < 64 && LocalChar(t[begin - 1])) --begin;
  while (begin < at && t[begin] == '.') ++begin;
  if (begin == at || end <= at + 1) return std::nullopt;
  return Span{begin, end};
}

bool Validate(std::string_view t, Span s, std::string* normalized) {
  std::string_view addr = t.substr(s.begin, s.size());
  size_t at = addr.find('@');
  std::string_view local = addr.substr(0, at);
  if (local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  // A local part of 64 chars that starts mid-run was cut: refuse rather than guess.
  if (s.begin > 0 && LocalChar(t[s.begin - 1]) && t[s.begin - 1] != '.') return false;
  if (!IsRegistrableHost(addr.substr(at + 1))) return false;
  *normalized = Lower(addr);
  return true;
}

}  // namespace

EVIDEX_DEFINE_SCANNER(email) {
    .name = "email",
    .description = "e-mail addresses (RFC 5322 practical subset, host under a public suffix)",
    .version = 1,
    .max_len = 320,
    .patterns = kPatterns,
    .locate = Locate,
    .validate = Validate,
};

}  // namespace evidex::scan
