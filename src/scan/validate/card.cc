// Payment card numbers: Luhn (ISO/IEC 7812-1 annex B), issuer by IIN prefix and length.
#include "scan/validate/validate.h"

namespace evidex::validate {
namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Luhn sum of `digits` where the rightmost digit is doubled when `double_last` is set.
int LuhnSum(std::string_view digits, bool double_last) {
  int sum = 0;
  bool dbl = double_last;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum;
}

// The first `n` digits as a number (the caller guarantees size >= n).
int Prefix(std::string_view digits, int n) {
  int v = 0;
  for (int i = 0; i < n; ++i) v = v * 10 + (digits[i] - '0');
  return v;
}

bool InRange(int v, int lo, int hi) { return v >= lo && v <= hi; }

}  // namespace

bool LuhnValid(std::string_view digits) {
  if (digits.empty() || !AllDigits(digits)) return false;
  return LuhnSum(digits, false) % 10 == 0;
}

char LuhnCheckDigit(std::string_view digits_without_check) {
  if (!AllDigits(digits_without_check)) return '\0';
  int sum = LuhnSum(digits_without_check, true);
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

// Schemes are tried from the most specific prefix to the least; the first scheme whose prefix
// matches decides (a known prefix with a length of no scheme is no card). Maestro takes what is
// left of 50 and 56-69.
std::optional<std::string_view> CardIssuer(std::string_view digits) {
  const size_t n = digits.size();
  if (n < 12 || n > 19 || !AllDigits(digits)) return std::nullopt;
  const int p1 = Prefix(digits, 1), p2 = Prefix(digits, 2), p3 = Prefix(digits, 3);
  const int p4 = Prefix(digits, 4), p6 = Prefix(digits, 6);
  auto result = [](bool length_ok, std::string_view name) -> std::optional<std::string_view> {
    if (!length_ok) return std::nullopt;
    return name;
  };
  const bool len16to19 = n >= 16 && n <= 19;
  if (InRange(p4, 2200, 2204)) return result(len16to19, "mir");
  if (InRange(p4, 2221, 2720) || InRange(p2, 51, 55)) return result(n == 16, "mastercard");
  if (p1 == 4) return result(n == 13 || n == 16 || n == 19, "visa");
  if (p2 == 34 || p2 == 37) return result(n == 15, "amex");
  if (InRange(p4, 3528, 3589)) return result(len16to19, "jcb");
  if (InRange(p3, 300, 305) || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39) {
    return result(n >= 14, "diners");
  }
  if (p4 == 6011 || InRange(p3, 644, 649) || p2 == 65 || InRange(p6, 622126, 622925)) {
    return result(len16to19, "discover");
  }
  if (p2 == 62) return result(len16to19, "unionpay");
  if (p2 == 50 || InRange(p2, 56, 69)) return result(true, "maestro");
  return std::nullopt;
}

bool CardNumberValid(std::string_view digits) {
  if (digits.size() < 12 || digits.size() > 19) return false;
  if (!CardIssuer(digits)) return false;  // also checks digits-only
  if (digits.find_first_not_of(digits[0]) == std::string_view::npos) return false;
  return LuhnSum(digits, false) % 10 == 0;
}

}  // namespace evidex::validate
