// ipv4: dotted-quad addresses. Context rules: exactly four components (so OIDs and longer
// version strings such as 1.3.6.1.4.1 are not cut into addresses), no leading zeros, and not
// preceded by a letter or by a version word ("version 1.2.3.4", "v1.2.3.4", "build 10.0.1.2").
#include "scan/scanner.h"
#include "scan/validate/validate.h"

namespace evidex::scan {
namespace {

constexpr PatternDef kPatterns[] = {
    {R"([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?:[^0-9]|$))"},
};

bool DigitOrDot(char c) { return IsDigit(c) || c == '.'; }

std::optional<Span> Locate(std::string_view t, size_t anchor) {
  Span run = RunAround(t, anchor, 64, DigitOrDot);
  // A sentence may end right after the address: "from 10.1.2.3."
  if (run.end > run.begin && t[run.end - 1] == '.') --run.end;
  if (run.size() < 7 || run.size() > 15) return std::nullopt;
  return run;
}

bool PrecededByVersionWord(std::string_view t, size_t begin) {
  size_t i = begin;
  while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == ':' || t[i - 1] == '=') && begin - i < 3) --i;
  size_t word_end = i;
  while (i > 0 && IsAlpha(t[i - 1]) && word_end - i < 12) --i;
  std::string word = Lower(t.substr(i, word_end - i));
  if (word_end == begin && !word.empty()) return true;  // letter right before: v1.2.3.4, x1.2.3.4
  for (std::string_view w : {"version", "ver", "v", "rev", "revision", "build", "release"})
    if (word == w) return true;
  return false;
}

bool Validate(std::string_view t, Span s, std::string* normalized) {
  std::string_view a = t.substr(s.begin, s.size());
  if (!validate::Ipv4DottedQuadValid(a)) return false;
  if (s.end < t.size() && (IsAlpha(t[s.end]) || t[s.end] == '_')) return false;
  if (PrecededByVersionWord(t, s.begin)) return false;
  *normalized = std::string(a);
  return true;
}

}  // namespace

EVIDEX_DEFINE_SCANNER(ipv4) {
    .name = "ipv4",
    .description = "IPv4 addresses (dotted quad; version numbers and OIDs excluded)",
    .version = 1,
    .max_len = 15,
    .patterns = kPatterns,
    .locate = Locate,
    .validate = Validate,
};

}  // namespace evidex::scan
