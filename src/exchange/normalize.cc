// Normalize(): each kind's canonical form, built from the same pieces the scanners use (the
// validators, scan/hostname.h, inet_pton/inet_ntop, libphonenumber), so that a typed value and a
// scanned one meet in the store. What the scanners check about a value's surroundings (a domain
// that looks like a file name, an IPv6 with few digits, a card written with mixed separators) is
// not checked here: it judges the text around a hit, not the value.
#include "exchange/normalize.h"

#include <arpa/inet.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <string>

#include "scan/hostname.h"
#include "scan/scanner.h"
#include "scan/url_syntax.h"
#include "scan/validate/validate.h"

namespace evidex::exchange {
namespace {

using scan::IsAlnum;
using scan::IsDigit;
using scan::Lower;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// ---- host names ----

bool IsOnionHost(std::string_view lower_host) { return EndsWith(lower_host, ".onion"); }

// The scanners' host check on the lower-cased name (they accept a name written all upper-case
// too, and report it lower-case).
bool RegistrableHost(std::string_view host) { return scan::IsRegistrableHost(Lower(host)); }

std::optional<std::string> NormalizeDomain(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);  // the root's dot
  std::string host = Lower(s);
  // Onion services are the onion kind (the domain scanner leaves them to the onion scanner).
  if (IsOnionHost(host) || !scan::IsRegistrableHost(host)) return std::nullopt;
  return host;
}

bool EmailLocalChar(char c) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

std::optional<std::string> NormalizeEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos)
    return std::nullopt;
  std::string_view local = s.substr(0, at);
  std::string_view host = s.substr(at + 1);
  // The email scanner's grammar: a dot-atom local part of at most 64 of its characters.
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos)
    return std::nullopt;
  for (char c : local)
    if (!EmailLocalChar(c)) return std::nullopt;
  if (!RegistrableHost(host)) return std::nullopt;
  return Lower(s);
}

// ---- URLs (the url scanner's grammar) ----

std::optional<std::string> NormalizeUrl(std::string_view url) {
  constexpr size_t kMaxUrl = 4096;  // the url scanner's longest
  if (url.size() > kMaxUrl) return std::nullopt;
  for (char c : url)
    if (!scan::IsUrlChar(c)) return std::nullopt;
  // The scanner reports a URL without the sentence punctuation and the unbalanced closing
  // brackets that follow it in text; the same value typed with them is the same URL.
  return scan::CanonicalUrl(url.substr(0, scan::TrimmedUrlLength(url)));
}

// ---- IP addresses ----

std::optional<std::string> NormalizeIpv4(std::string_view a) {
  // No leading zeros: "010" is octal to some software and decimal to other.
  if (!validate::Ipv4DottedQuadValid(a)) return std::nullopt;
  return std::string(a);
}

std::optional<std::string> NormalizeIpv6(std::string_view a) {
  if (a.size() >= 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
  if (a.size() > 45) return std::nullopt;
  std::string text(a);
  in6_addr addr;
  if (inet_pton(AF_INET6, text.c_str(), &addr) != 1) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, &addr, buf, sizeof buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

// ---- phone numbers ----

std::optional<std::string> NormalizePhone(std::string_view s, std::string_view region) {
  // The characters the phone scanner takes into a number, and a leading '+'.
  size_t digits = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (IsDigit(c)) {
      ++digits;
    } else if (!(c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' ||
                 (c == '+' && i == 0))) {
      return std::nullopt;
    }
  }
  if (digits < 3 || digits > 19) return std::nullopt;
  std::string parse_region;
  if (s.front() == '+') {
    parse_region = "ZZ";  // as the scanner: the number names its country
  } else if (region.size() == 2) {
    parse_region = {char(region[0] & ~0x20), char(region[1] & ~0x20)};
  } else {
    return std::nullopt;
  }
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util.Parse(std::string(s), parse_region, &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
      !util.IsValidNumber(number))
    return std::nullopt;
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

// ---- financial ----

std::optional<std::string> NormalizeCard(std::string_view s) {
  std::string digits;
  for (char c : s) {
    if (IsDigit(c)) {
      digits.push_back(c);
    } else if (c != ' ' && c != '-') {
      return std::nullopt;
    }
  }
  if (!validate::CardNumberValid(digits)) return std::nullopt;
  return digits;
}

std::optional<std::string> NormalizeIban(std::string_view s) {
  std::string iban;
  for (char c : s) {
    if (c == ' ' || c == '-') continue;
    if (!IsAlnum(c) || iban.size() >= 34) return std::nullopt;
    iban.push_back(c >= 'a' && c <= 'z' ? char(c - 32) : c);
  }
  if (!validate::IbanValid(iban)) return std::nullopt;
  return iban;
}

bool Base58Char(char c) { return IsAlnum(c) && c != '0' && c != 'O' && c != 'I' && c != 'l'; }

std::optional<std::string> NormalizeBtc(std::string_view a) {
  if (a.empty() || a.size() > 90) return std::nullopt;
  if (a[0] == '1' || a[0] == '3') {
    for (char c : a)
      if (!Base58Char(c)) return std::nullopt;
    if (!validate::BitcoinBase58AddressValid(a)) return std::nullopt;
    return std::string(a);
  }
  if (!validate::SegwitAddressValid(a)) return std::nullopt;
  return Lower(a);
}

std::optional<std::string> NormalizeEth(std::string_view a) {
  if (!validate::EthAddressValid(a)) return std::nullopt;
  return Lower(a);
}

std::optional<std::string> NormalizeXmr(std::string_view a) {
  if (a.size() != 95 && a.size() != 106) return std::nullopt;
  if (!validate::MoneroAddressValid(a)) return std::nullopt;
  return std::string(a);
}

std::optional<std::string> NormalizeOnion(std::string_view a) {
  if (a.size() != 62) return std::nullopt;
  std::string lower = Lower(a);
  if (!EndsWith(lower, ".onion") || !validate::OnionV3Valid(std::string_view(lower).substr(0, 56)))
    return std::nullopt;
  return lower;
}

std::optional<std::string> NormalizeHex(std::string_view a, size_t length) {
  if (a.size() != length) return std::nullopt;
  std::string out = Lower(a);
  for (char c : out)
    if (!IsDigit(c) && !(c >= 'a' && c <= 'f')) return std::nullopt;
  return out;
}

}  // namespace

const std::vector<std::string>& ArtifactKinds() {
  static const std::vector<std::string> kinds = {
      "email", "url", "domain", "ipv4",  "ipv6", "phone", "ccn",    "iban",
      "btc",   "eth", "xmr",    "onion", "md5",  "sha1",  "sha256", "keyword"};
  return kinds;
}

std::optional<std::string> Normalize(std::string_view kind, std::string_view text,
                                     std::string_view region) {
  std::string_view s = Trim(text);
  if (s.empty()) return std::nullopt;
  if (kind == "email") return NormalizeEmail(s);
  if (kind == "url") return NormalizeUrl(s);
  if (kind == "domain") return NormalizeDomain(s);
  if (kind == "ipv4") return NormalizeIpv4(s);
  if (kind == "ipv6") return NormalizeIpv6(s);
  if (kind == "phone") return NormalizePhone(s, region);
  if (kind == "ccn") return NormalizeCard(s);
  if (kind == "iban") return NormalizeIban(s);
  if (kind == "btc") return NormalizeBtc(s);
  if (kind == "eth") return NormalizeEth(s);
  if (kind == "xmr") return NormalizeXmr(s);
  if (kind == "onion") return NormalizeOnion(s);
  if (kind == "md5") return NormalizeHex(s, 32);
  if (kind == "sha1") return NormalizeHex(s, 40);
  if (kind == "sha256") return NormalizeHex(s, 64);
  if (kind == "keyword") return std::string(s);
  return std::nullopt;
}

std::vector<Candidate> Classify(std::string_view text, std::string_view region) {
  // Most specific first: kinds with a checksum or a fixed shape, then the looser ones (a phone
  // number is any valid digit string; a domain is the host part of emails and URLs).
  static constexpr std::string_view kOrder[] = {"email",  "url",  "onion", "iban",  "ccn",
                                                "btc",    "eth",  "xmr",   "md5",   "sha1",
                                                "sha256", "ipv4", "ipv6",  "phone", "domain"};
  std::vector<Candidate> out;
  for (std::string_view kind : kOrder)
    if (std::optional<std::string> v = Normalize(kind, text, region))
      out.push_back({std::string(kind), std::move(*v)});
  return out;
}

std::string Mask(std::string_view kind, std::string_view value) {
  if (kind != "ccn") return std::string(value);
  std::string out(value);
  size_t keep_head = value.size() > 10 ? 6 : 0;
  size_t keep_tail = value.size() > 4 ? 4 : 0;
  for (size_t i = keep_head; i + keep_tail < out.size(); ++i) out[i] = '*';
  return out;
}

}  // namespace evidex::exchange
