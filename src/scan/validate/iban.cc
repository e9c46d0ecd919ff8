// IBAN (ISO 13616-1): country length and BBAN structure from the SWIFT IBAN registry, and the
// ISO 7064 MOD 97-10 check computed incrementally over the rearranged string.
#include <array>

#include "scan/validate/validate.h"

namespace evidex::validate {
namespace {

struct Country {
  char code[3];
  uint8_t length;    // whole IBAN
  const char* bban;  // registry structure without '!': "4n4n12c" (n digits, a A-Z, c A-Z0-9)
};

// SWIFT IBAN registry (release 2024/2025 countries). Territories that use a parent's code (e.g.
// Aland Islands -> FI, French overseas departments -> FR, Jersey -> GB) are covered by it.
constexpr Country kCountries[] = {
    {"AD", 24, "4n4n12c"},     {"AE", 23, "3n16n"},         {"AL", 28, "8n16c"},
    {"AT", 20, "5n11n"},       {"AZ", 28, "4a20c"},         {"BA", 20, "3n3n8n2n"},
    {"BE", 16, "3n7n2n"},      {"BG", 22, "4a4n2n8c"},      {"BH", 22, "4a14c"},
    {"BI", 27, "5n5n11n2n"},   {"BR", 29, "8n5n10n1a1c"},   {"BY", 28, "4c4n16c"},
    {"CH", 21, "5n12c"},       {"CR", 22, "4n14n"},         {"CY", 28, "3n5n16c"},
    {"CZ", 24, "4n6n10n"},     {"DE", 22, "8n10n"},         {"DJ", 27, "5n5n11n2n"},
    {"DK", 18, "4n9n1n"},      {"DO", 28, "4c20n"},         {"EE", 20, "2n2n11n1n"},
    {"EG", 29, "4n4n17n"},     {"ES", 24, "4n4n1n1n10n"},   {"FI", 18, "3n11n"},
    {"FK", 18, "2a12n"},       {"FO", 18, "4n9n1n"},        {"FR", 27, "5n5n11c2n"},
    {"GB", 22, "4a6n8n"},      {"GE", 22, "2a16n"},         {"GI", 23, "4a15c"},
    {"GL", 18, "4n9n1n"},      {"GR", 27, "3n4n16c"},       {"GT", 28, "4c20c"},
    {"HN", 28, "4a20n"},       {"HR", 21, "7n10n"},         {"HU", 28, "3n4n1n15n1n"},
    {"IE", 22, "4a6n8n"},      {"IL", 23, "3n3n13n"},       {"IQ", 23, "4a3n12n"},
    {"IS", 26, "4n2n6n10n"},   {"IT", 27, "1a5n5n12c"},     {"JO", 30, "4a4n18c"},
    {"KW", 30, "4a22c"},       {"KZ", 20, "3n13c"},         {"LB", 28, "4n20c"},
    {"LC", 32, "4a24c"},       {"LI", 21, "5n12c"},         {"LT", 20, "5n11n"},
    {"LU", 20, "3n13c"},       {"LV", 21, "4a13c"},         {"LY", 25, "3n3n15n"},
    {"MC", 27, "5n5n11c2n"},   {"MD", 24, "2c18c"},         {"ME", 22, "3n13n2n"},
    {"MK", 19, "3n10c2n"},     {"MN", 20, "4n12n"},         {"MR", 27, "5n5n11n2n"},
    {"MT", 31, "4a5n18c"},     {"MU", 30, "4a2n2n12n3n3a"}, {"NI", 28, "4a20n"},
    {"NL", 18, "4a10n"},       {"NO", 15, "4n6n1n"},        {"OM", 23, "3n16c"},
    {"PK", 24, "4a16c"},       {"PL", 28, "8n16n"},         {"PS", 29, "4a21c"},
    {"PT", 25, "4n4n11n2n"},   {"QA", 29, "4a21c"},         {"RO", 24, "4a16c"},
    {"RS", 22, "3n13n2n"},     {"RU", 33, "9n5n15c"},       {"SA", 24, "2n18c"},
    {"SC", 31, "4a2n2n16n3a"}, {"SD", 18, "2n12n"},         {"SE", 24, "3n16n1n"},
    {"SI", 19, "5n8n2n"},      {"SK", 24, "4n6n10n"},       {"SM", 27, "1a5n5n12c"},
    {"SO", 23, "4n3n12n"},     {"ST", 25, "4n4n11n2n"},     {"SV", 28, "4a20n"},
    {"TL", 23, "3n14n2n"},     {"TN", 24, "2n3n13n2n"},     {"TR", 26, "5n1n16c"},
    {"UA", 29, "6n19c"},       {"VA", 22, "3n15n"},         {"VG", 24, "4a16n"},
    {"XK", 20, "4n10n2n"},     {"YE", 30, "4a4n18c"},
};
constexpr size_t kCountryCount = sizeof(kCountries) / sizeof(kCountries[0]);

constexpr int BbanLength(const char* f) {
  int total = 0, count = 0;
  for (; *f; ++f) {
    if (*f >= '0' && *f <= '9') {
      count = count * 10 + (*f - '0');
    } else {
      total += count;
      count = 0;
    }
  }
  return total;
}

// (code[0] - 'A') * 26 + (code[1] - 'A') -> index + 1 into kCountries, 0 when unknown.
constexpr std::array<uint8_t, 26 * 26> MakeIndex() {
  std::array<uint8_t, 26 * 26> index{};
  for (size_t i = 0; i < kCountryCount; ++i) {
    index[(kCountries[i].code[0] - 'A') * 26 + (kCountries[i].code[1] - 'A')] =
        static_cast<uint8_t>(i + 1);
  }
  return index;
}
constexpr std::array<uint8_t, 26 * 26> kIndex = MakeIndex();

constexpr bool TableConsistent() {
  for (const Country& c : kCountries) {
    if (BbanLength(c.bban) + 4 != c.length) return false;
  }
  return true;
}
static_assert(TableConsistent(), "a BBAN structure disagrees with its IBAN length");

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

const Country* Find(std::string_view cc) {
  if (cc.size() != 2 || !IsUpper(cc[0]) || !IsUpper(cc[1])) return nullptr;
  uint8_t i = kIndex[(cc[0] - 'A') * 26 + (cc[1] - 'A')];
  return i == 0 ? nullptr : &kCountries[i - 1];
}

// Whether `bban` (of the right length) follows the structure string.
bool BbanMatches(std::string_view bban, const char* f) {
  size_t pos = 0;
  int count = 0;
  for (; *f; ++f) {
    if (IsDigit(*f)) {
      count = count * 10 + (*f - '0');
      continue;
    }
    for (int i = 0; i < count; ++i, ++pos) {
      char c = bban[pos];
      bool ok = *f == 'n' ? IsDigit(c) : *f == 'a' ? IsUpper(c) : (IsDigit(c) || IsUpper(c));
      if (!ok) return false;
    }
    count = 0;
  }
  return pos == bban.size();
}

// Folds one IBAN char (digit or A-Z, letters as 10..35) into a running MOD 97 remainder.
unsigned Mod97Step(unsigned r, char c) {
  if (IsDigit(c)) return (r * 10 + unsigned(c - '0')) % 97;
  return (r * 100 + unsigned(c - 'A' + 10)) % 97;
}

}  // namespace

bool IbanValid(std::string_view iban) {
  if (iban.size() < 5) return false;
  const Country* country = Find(iban.substr(0, 2));
  if (country == nullptr || iban.size() != country->length) return false;
  if (!IsDigit(iban[2]) || !IsDigit(iban[3])) return false;
  int check = (iban[2] - '0') * 10 + (iban[3] - '0');
  if (check < 2 || check > 98) return false;  // ISO 7064 MOD 97-10 gives 02..98
  if (!BbanMatches(iban.substr(4), country->bban)) return false;
  unsigned r = 0;
  for (char c : iban.substr(4)) r = Mod97Step(r, c);
  for (char c : iban.substr(0, 4)) r = Mod97Step(r, c);
  return r == 1;
}

int IbanLength(std::string_view country) {
  const Country* c = Find(country);
  return c == nullptr ? 0 : c->length;
}

// The BBAN is taken as given (letters upper-cased for the check); the structure is not checked
// so the generator can also make look-alikes.
std::string IbanWithCheckDigits(std::string_view country, std::string_view bban) {
  auto upper = [](char c) { return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c; };
  unsigned r = 0;
  for (char c : bban) {
    c = upper(c);
    if (IsDigit(c) || IsUpper(c)) r = Mod97Step(r, c);
  }
  for (char c : country) {
    c = upper(c);
    if (IsDigit(c) || IsUpper(c)) r = Mod97Step(r, c);
  }
  r = Mod97Step(Mod97Step(r, '0'), '0');
  unsigned check = 98 - r;
  std::string out;
  out.reserve(country.size() + 2 + bban.size());
  for (char c : country) out.push_back(upper(c));
  out.push_back(char('0' + check / 10));
  out.push_back(char('0' + check % 10));
  for (char c : bban) out.push_back(upper(c));
  return out;
}

}  // namespace evidex::validate
