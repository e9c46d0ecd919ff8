// url: http, https and ftp URLs whose host is a registrable domain, an IPv4 address, a bracketed
// IPv6 address or localhost. Trailing sentence punctuation and unbalanced closing brackets are
// not part of the URL.
#include <optional>
#include <string>

#include "scan/scanner.h"
#include "scan/url_syntax.h"

namespace evidex::scan {
namespace {

#define URL_CHARS R"(A-Za-z0-9\-._~%!$&'()*+,;=:@/?#\[\])"
constexpr PatternDef kPatterns[] = {
    {"(?:https?|ftp)://[" URL_CHARS "]+(?:[^" URL_CHARS "]|$)", true},
};

std::optional<Span> Locate(std::string_view t, size_t anchor) {
  Span run = RunAround(t, anchor, 4096, IsUrlChar);
  // The URL starts at the first scheme in the run (a redirect URL in a query stays inside it).
  for (size_t i = run.begin; i + 6 <= run.end; ++i)
    if (UrlSchemeLength(t.substr(i, run.end - i)) != 0)
      return Span{i, i + TrimmedUrlLength(t.substr(i, run.end - i))};
  return std::nullopt;
}

bool Validate(std::string_view t, Span s, std::string* normalized) {
  std::optional<std::string> canonical = CanonicalUrl(t.substr(s.begin, s.size()));
  if (!canonical) return false;
  *normalized = std::move(*canonical);
  return true;
}

}  // namespace

EVIDEX_DEFINE_SCANNER(url) {
    .name = "url",
    .description = "http, https and ftp URLs with a valid host",
    .version = 1,
    .max_len = 4096,
    .patterns = kPatterns,
    .locate = Locate,
    .validate = Validate,
};

}  // namespace evidex::scan
