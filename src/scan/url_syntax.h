// URL syntax shared by the url scanner and exchange::Normalize (a typed or imported URL must get
// exactly the canonical form the scanner gives the same URL in evidence).
//
// Pure functions, thread-safe once the public suffix list is loaded (hostname.h).
#ifndef EVIDEX_SCAN_URL_SYNTAX_H_
#define EVIDEX_SCAN_URL_SYNTAX_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace evidex::scan {

// RFC 3986 unreserved, reserved and '%' characters: what a URL in text is made of.
bool IsUrlChar(char c);

// 8, 7 or 6 when `s` starts with "https://", "http://" or "ftp://" (any case), else 0.
size_t UrlSchemeLength(std::string_view s);

// The length of `url` without the sentence punctuation that follows a URL in text (". , ; : ! ?
// ' *") and without closing brackets that close nothing inside it; linear in its length.
size_t TrimmedUrlLength(std::string_view url);

// A URL's host is a registrable domain, an IPv4 address, a bracketed IPv6 address or localhost.
bool IsUrlHost(std::string_view host);

// The canonical form of `url` (which starts with its scheme and is trimmed): scheme and host
// lower-case, the rest as written; std::nullopt when its host is not a URL host or its port is
// not digits.
std::optional<std::string> CanonicalUrl(std::string_view url);

}  // namespace evidex::scan

#endif  // EVIDEX_SCAN_URL_SYNTAX_H_
