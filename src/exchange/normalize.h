// Normalized values: the one canonical form per kind that the store keys artifacts on, made from
// a value someone typed (`evidex search`) or a partner sent (watchlists). It is exactly the form
// the scanners give hits (scan/hit.h `normalized`); normalize_test.cc checks the two agree by
// scanning each table value with the scan engine.
//
//   email   lower-case                       "John.Doe@Mail.RU" -> "john.doe@mail.ru"
//   domain  lower-case, no trailing dot      "WWW.Example.COM." -> "www.example.com"
//   url     scheme and host lower-case       "HTTP://Ex.COM/A"  -> "http://ex.com/A"
//   ipv4    dotted quad, no leading zeros    "010.1.2.3" is refused (ambiguous octal)
//   ipv6    RFC 5952 text                    "2001:DB8:0:0:0:0:0:1" -> "2001:db8::1"
//   phone   E.164; national forms need a region (ISO 3166-1 alpha-2):
//           "011 234 5678" with "LK" -> "+94112345678"
//   ccn     digits only, Luhn and issuer checked  "4111-1111 1111 1111" -> "4111111111111111"
//   iban    upper-case, no spaces, mod-97 checked
//   btc     base58 as is; bech32/bech32m lower-case; checksum checked
//   eth     "0x" + 40 lower-case hex (EIP-55 checked when mixed case)
//   xmr     as is, checksum checked
//   onion   lower-case v3 address, checksum checked ("….onion")
//   md5, sha1, sha256  lower-case hex of the right length
//   keyword as given
//
// The scanners' context rules (a two-label name that looks like a file name, an IPv6 address
// with few hex digits, a card written with mixed separators) judge the text around a hit, not the
// value, and are not applied here. Host names are checked against the public suffix list
// (scan/hostname.h, loaded on first use). All functions are thread-safe.
#ifndef EVIDEX_EXCHANGE_NORMALIZE_H_
#define EVIDEX_EXCHANGE_NORMALIZE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace evidex::exchange {

// Every kind the store knows, in a fixed order.
const std::vector<std::string>& ArtifactKinds();

// The canonical form of `text` as `kind`; std::nullopt when it is not a valid value of that kind
// (bad checksum, wrong length, unknown kind). Leading and trailing white space is ignored.
// `region` is used for phone numbers without "+" (empty: such numbers are refused).
std::optional<std::string> Normalize(std::string_view kind, std::string_view text,
                                     std::string_view region = "");

struct Candidate {
  std::string kind, value;
};
// Every kind `text` is a valid value of, most specific first (an IBAN before a keyword; a
// domain typed as "mail.ru" is "domain"; "user@mail.ru" is "email"). Used by `evidex search`
// when no kind is given. Never returns "keyword".
std::vector<Candidate> Classify(std::string_view text, std::string_view region = "");

// Card numbers as shown unless asked otherwise: first 6 and last 4 digits ("411111******1111").
// Any other value is returned unchanged.
std::string Mask(std::string_view kind, std::string_view value);

}  // namespace evidex::exchange

#endif  // EVIDEX_EXCHANGE_NORMALIZE_H_
