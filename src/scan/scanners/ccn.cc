// ccn: payment card numbers, 12 to 19 digits, written plain or in groups separated by one kind
// of separator (space or dash: 4-4-4-4, 4-4-4-4-3, 4-6-5 Amex, 4-6-4 Diners), with a known
// issuer prefix and length and a valid Luhn digit. Context rules: not inside a longer number,
// a decimal (1.4111...), a word (ID4111...) or a run of more digit groups.
#include "scan/scanner.h"
#include "scan/validate/validate.h"

namespace evidex::scan {
namespace {

constexpr PatternDef kPatterns[] = {
    {R"([0-9]{12,19}(?:[^0-9]|$))"},
    {R"([0-9]{4}[ \-][0-9]{4}[ \-][0-9]{4}[ \-][0-9]{1,4}(?:[ \-][0-9]{3})?(?:[^0-9]|$))"},
    {R"([0-9]{4}[ \-][0-9]{6}[ \-][0-9]{4,5}(?:[^0-9]|$))"},
};

bool CardChar(char c) { return IsDigit(c) || c == ' ' || c == '-'; }

std::optional<Span> Locate(std::string_view t, size_t anchor) {
  Span run = RunAround(t, anchor, 40, CardChar);
  while (run.begin < run.end && !IsDigit(t[run.begin])) ++run.begin;
  while (run.end > run.begin && !IsDigit(t[run.end - 1])) --run.end;
  if (run.size() < 12 || run.size() > 23) return std::nullopt;
  return run;
}

bool Validate(std::string_view t, Span s, std::string* normalized) {
  std::string_view text = t.substr(s.begin, s.size());
  char sep = 0;
  char digits[24];
  size_t n = 0;
  size_t groups[8];
  size_t group_count = 0, group_len = 0;
  for (char c : text) {
    if (IsDigit(c)) {
      digits[n++] = c;
      ++group_len;
      continue;
    }
    if ((sep != 0 && c != sep) || group_len == 0 || group_count == 7) return false;
    sep = c;
    groups[group_count++] = group_len;
    group_len = 0;
  }
  groups[group_count++] = group_len;
  if (n < 12 || n > 19) return false;
  if (group_count > 1) {
    bool fours = groups[0] == 4 && groups[1] == 4 && group_count >= 4 && group_count <= 5;
    for (size_t i = 2; fours && i + 1 < group_count; ++i) fours = groups[i] == 4;
    bool amex = group_count == 3 && groups[0] == 4 && groups[1] == 6;
    if (!fours && !amex) return false;
  }
  // Context: a decimal, a word, or a longer list of numbers around it.
  auto word_char = [](char c) { return IsAlnum(c) || c == '_'; };
  if (s.begin > 0) {
    char p = t[s.begin - 1];
    if (word_char(p)) return false;
    if ((p == '.' || p == ',') && s.begin > 1 && IsDigit(t[s.begin - 2])) return false;
  }
  if (s.end < t.size()) {
    char f = t[s.end];
    if (word_char(f)) return false;
    if ((f == '.' || f == ',') && s.end + 1 < t.size() && IsDigit(t[s.end + 1])) return false;
  }
  // Context: the tail of a longer grouped code such as an IBAN ("GB62 ESVD 3817 7570 2941 91"):
  // walk back over 4-char groups joined by the same separator; a group of the IBAN shape
  // (two letters, two digits) at their start means this is not a card.
  if (group_count > 1 && s.begin >= 5) {
    size_t i = s.begin;
    for (int g = 0; g < 8 && i >= 5 && t[i - 1] == sep; ++g) {
      std::string_view grp = t.substr(i - 5, 4);
      bool alnum = true;
      for (char c : grp) alnum = alnum && (IsDigit(c) || (c >= 'A' && c <= 'Z'));
      if (!alnum || (i >= 6 && IsAlnum(t[i - 6]))) break;
      if (IsAlpha(grp[0]) && IsAlpha(grp[1]) && IsDigit(grp[2]) && IsDigit(grp[3])) return false;
      i -= 5;
    }
  }
  std::string_view d(digits, n);
  if (!validate::CardNumberValid(d)) return false;
  *normalized = std::string(d);
  return true;
}

}  // namespace

EVIDEX_DEFINE_SCANNER(ccn) {
    .name = "ccn",
    .description = "payment card numbers (issuer prefix and length, Luhn; plain or grouped)",
    .version = 1,
    .max_len = 23,
    .patterns = kPatterns,
    .locate = Locate,
    .validate = Validate,
};

}  // namespace evidex::scan
