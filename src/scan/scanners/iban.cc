// iban: International Bank Account Numbers (ISO 13616): country code, check digits, BBAN of the
// country's length and structure, mod-97 == 1. Written compact or in groups separated by spaces
// or dashes; reported upper-case without separators.
#include "scan/scanner.h"
#include "scan/validate/validate.h"

namespace evidex::scan {
namespace {

constexpr PatternDef kPatterns[] = {
    {R"([A-Z]{2}[0-9]{2}(?:[ \-]?[A-Z0-9]){11,30}(?:[^A-Za-z0-9]|$))"},
};

bool IbanChar(char c) { return IsDigit(c) || (c >= 'A' && c <= 'Z') || c == ' ' || c == '-'; }
bool Upper(char c) { return c >= 'A' && c <= 'Z'; }

// Reads an IBAN of the country's length starting at `begin`; separators only between chars.
std::optional<Span> ReadIban(std::string_view t, size_t begin, std::string* compact) {
  int want = validate::IbanLength(t.substr(begin, 2));
  if (want == 0) return std::nullopt;
  compact->clear();
  size_t i = begin;
  while (i < t.size() && int(compact->size()) < want) {
    char c = t[i];
    if (c == ' ' || c == '-') {
      if (compact->empty() || i + 1 >= t.size() || !IsAlnum(t[i + 1])) return std::nullopt;
    } else if (IsDigit(c) || Upper(c)) {
      compact->push_back(c);
    } else {
      return std::nullopt;
    }
    ++i;
  }
  if (int(compact->size()) != want) return std::nullopt;
  // The IBAN must end at a group boundary, not inside a longer token.
  if (i < t.size() && IsAlnum(t[i])) return std::nullopt;
  return Span{begin, i};
}

std::optional<Span> Locate(std::string_view t, size_t anchor) {
  Span run = RunAround(t, anchor, 64, IbanChar);
  std::string compact;
  // Candidate starts: "CC99" after a non-alphanumeric char, tried left to right.
  for (size_t b = run.begin; b + 4 <= run.end; ++b) {
    if (b > 0 && IsAlnum(t[b - 1])) continue;
    if (!Upper(t[b]) || !Upper(t[b + 1]) || !IsDigit(t[b + 2]) || !IsDigit(t[b + 3])) continue;
    std::optional<Span> s = ReadIban(t, b, &compact);
    if (s && validate::IbanValid(compact)) return s;
  }
  return std::nullopt;
}

bool Validate(std::string_view t, Span s, std::string* normalized) {
  normalized->clear();
  for (char c : t.substr(s.begin, s.size()))
    if (c != ' ' && c != '-') normalized->push_back(c);
  return validate::IbanValid(*normalized);
}

}  // namespace

EVIDEX_DEFINE_SCANNER(iban) {
    .name = "iban",
    .description = "IBANs (ISO 13616: country length, BBAN structure, mod-97)",
    .version = 1,
    .max_len = 42,
    .patterns = kPatterns,
    .locate = Locate,
    .validate = Validate,
};

}  // namespace evidex::scan
