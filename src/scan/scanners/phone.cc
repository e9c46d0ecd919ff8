// phone: international telephone numbers ("+" and country code, digits grouped by spaces, dots,
// dashes or brackets), checked and normalized to E.164 by libphonenumber.
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <string>
#include <unordered_map>

#include "scan/scanner.h"

namespace evidex::scan {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr PatternDef kPatterns[] = {
    // A trigger: '+', a country code's first digit and one more digit. Locate takes the number.
    {R"(\+[1-9][ .\-()]{0,2}[0-9])"},
};

bool PhoneChar(char c) {
  return IsDigit(c) || c == ' ' || c == '.' || c == '-' || c == '(' || c == ')';
}

std::optional<Span> Locate(std::string_view t, size_t anchor) {
  // The '+' is the start: find the nearest one to the left of the anchor.
  size_t plus = anchor;
  while (plus > 0 && t[plus - 1] != '+') {
    if (!PhoneChar(t[plus - 1]) || anchor - plus > 32) return std::nullopt;
    --plus;
  }
  if (plus == 0) return std::nullopt;
  size_t begin = plus - 1;
  size_t end = plus;
  while (end < t.size() && end - begin < 32 && PhoneChar(t[end])) ++end;
  while (end > plus && !IsDigit(t[end - 1])) --end;
  // E.164 numbers have 7 to 15 digits (with a trailing group dropped by Validate, up to 19 are
  // worth trying); anything else is not worth libphonenumber's time.
  int digits = 0;
  for (size_t i = begin; i < end; ++i) digits += IsDigit(t[i]);
  if (digits < 7 || digits > 19) return std::nullopt;
  return Span{begin, end};
}

// libphonenumber takes tens of microseconds per number; the same numbers recur on a disk, so
// each thread remembers recent answers ("" for not a number).
std::string ParseCached(std::string_view text) {
  thread_local std::unordered_map<std::string, std::string> cache;
  std::string key(text);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  if (cache.size() > 65536) cache.clear();
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::string result;
  PhoneNumber number;
  if (util.Parse(key, "ZZ", &number) == PhoneNumberUtil::NO_PARSING_ERROR &&
      util.IsValidNumber(number))
    util.Format(number, PhoneNumberUtil::E164, &result);
  cache.emplace(std::move(key), result);
  return result;
}

bool Validate(std::string_view t, Span s, std::string* normalized) {
  if (s.end < t.size() && IsAlnum(t[s.end])) return false;
  if (s.begin > 0 && (IsAlnum(t[s.begin - 1]) || t[s.begin - 1] == '+')) return false;
  // The run may carry trailing groups that are not part of the number ("+44 20 7946 0958 12"):
  // try it whole, then drop trailing groups.
  std::string_view text = t.substr(s.begin, s.size());
  for (int tries = 0; tries < 4 && text.size() > 7; ++tries) {
    std::string e164 = ParseCached(text);
    if (!e164.empty()) {
      *normalized = std::move(e164);
      return true;
    }
    size_t cut = text.find_last_of(" .-(");
    if (cut == std::string_view::npos) break;
    text = text.substr(0, cut);
    while (!text.empty() && !IsDigit(text.back())) text.remove_suffix(1);
  }
  return false;
}

}  // namespace

EVIDEX_DEFINE_SCANNER(phone) {
    .name = "phone",
    .description = "international phone numbers (+CC ...), validated and normalized to E.164",
    .version = 1,
    .max_len = 32,
    .patterns = kPatterns,
    .locate = Locate,
    .validate = Validate,
};

}  // namespace evidex::scan
