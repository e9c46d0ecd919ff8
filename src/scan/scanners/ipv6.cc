// ipv6: IPv6 addresses in any RFC 4291 text form (full, compressed, with embedded IPv4),
// reported in RFC 5952 canonical form. Context rules: not part of an identifier (std::map,
// Foo::Bar), not a time (12:34:56) or MAC address (inet_pton refuses those), and at least five
// hex digits in all unless it is the loopback ::1.
#include <arpa/inet.h>

#include <string>

#include "scan/scanner.h"

namespace evidex::scan {
namespace {

constexpr PatternDef kPatterns[] = {
    // A trigger: two colons around at most four hex digits. Locate takes the run of address
    // characters; Validate applies the context rules.
    {R"(:[0-9A-Fa-f]{0,4}:)"},
};

bool V6Char(char c) {
  return IsDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') || c == ':' || c == '.';
}

std::optional<Span> Locate(std::string_view t, size_t anchor) {
  Span run = RunAround(t, anchor, 64, V6Char);
  while (run.end > run.begin && t[run.end - 1] == '.') --run.end;
  // A single trailing ':' is punctuation ("address fe80::1:"), a "::" is part of the address.
  if (run.size() >= 2 && t[run.end - 1] == ':' && t[run.end - 2] != ':') --run.end;
  if (run.size() < 3 || run.size() > 45) return std::nullopt;
  return run;
}

bool Validate(std::string_view t, Span s, std::string* normalized) {
  if (s.begin > 0 && (IsAlnum(t[s.begin - 1]) || t[s.begin - 1] == '_')) return false;
  if (s.end < t.size() && (IsAlnum(t[s.end]) || t[s.end] == '_')) return false;
  std::string text(t.substr(s.begin, s.size()));
  in6_addr addr;
  if (inet_pton(AF_INET6, text.c_str(), &addr) != 1) return false;
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, &addr, buf, sizeof buf) == nullptr) return false;
  std::string canon(buf);
  if (canon != "::1") {
    int hex = 0;
    for (char c : text) hex += c != ':' && c != '.';
    if (hex < 5) return false;
  }
  *normalized = canon;
  return true;
}

}  // namespace

EVIDEX_DEFINE_SCANNER(ipv6) {
    .name = "ipv6",
    .description = "IPv6 addresses, reported in RFC 5952 form",
    .version = 1,
    .max_len = 45,
    .patterns = kPatterns,
    .locate = Locate,
    .validate = Validate,
};

}  // namespace evidex::scan
