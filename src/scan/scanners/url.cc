// url: http, https and ftp URLs whose host is a registrable domain, an IPv4 address, a bracketed
// IPv6 address or localhost. Trailing sentence punctuation and unbalanced closing brackets are
// not part of the URL.
#include <arpa/inet.h>

#include <string>

#include "scan/hostname.h"
#include "scan/scanner.h"

namespace evidex::scan {
namespace {

#define URL_CHARS R"(A-Za-z0-9\-._~%!$&'()*+,;=:@/?#\[\])"
constexpr PatternDef kPatterns[] = {
    {"(?:https?|ftp)://[" URL_CHARS "]+(?:[^" URL_CHARS "]|$)", true},
};

bool UrlChar(char c) {
  if (IsAlnum(c)) return true;
  switch (c) {
    case '-': case '.': case '_': case '~': case '%': case '!': case '$': case '&': case '\'':
    case '(': case ')': case '*': case '+': case ',': case ';': case '=': case ':': case '@':
    case '/': case '?': case '#': case '[': case ']':
      return true;
    default:
      return false;
  }
}

bool StartsWithCaseless(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (ToLower(s[i]) != prefix[i]) return false;
  return true;
}

size_t SchemeLength(std::string_view s) {
  for (std::string_view scheme : {"https://", "http://", "ftp://"})
    if (StartsWithCaseless(s, scheme)) return scheme.size();
  return 0;
}

std::optional<Span> Locate(std::string_view t, size_t anchor) {
  Span run = RunAround(t, anchor, 4096, UrlChar);
  // The URL starts at the first scheme in the run (a redirect URL in a query stays inside it).
  size_t begin = std::string_view::npos;
  for (size_t i = run.begin; i + 6 <= run.end; ++i) {
    if (SchemeLength(t.substr(i, run.end - i)) != 0) {
      begin = i;
      break;
    }
  }
  if (begin == std::string_view::npos) return std::nullopt;
  size_t end = run.end;
  // Trim sentence punctuation, and closing brackets that close nothing inside the URL.
  while (end > begin) {
    char c = t[end - 1];
    if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\'' ||
        c == '*') {
      --end;
      continue;
    }
    if (c == ')' || c == ']') {
      char open = c == ')' ? '(' : '[';
      int depth = 0;
      for (size_t i = begin; i < end; ++i) depth += (t[i] == open) - (t[i] == c);
      if (depth < 0) {
        --end;
        continue;
      }
    }
    break;
  }
  return Span{begin, end};
}

bool ValidHost(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() > 48) return false;
    std::string h(host.substr(1, host.size() - 2));
    in6_addr a;
    return inet_pton(AF_INET6, h.c_str(), &a) == 1;
  }
  if (IsDigit(host.back())) {
    std::string h(host);
    in_addr a;
    return h.size() <= 15 && inet_pton(AF_INET, h.c_str(), &a) == 1;
  }
  if (Lower(host) == "localhost") return true;
  return IsRegistrableHost(host);
}

bool Validate(std::string_view t, Span s, std::string* normalized) {
  std::string_view url = t.substr(s.begin, s.size());
  size_t scheme_len = SchemeLength(url);
  std::string_view rest = url.substr(scheme_len);
  size_t auth_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, auth_end);
  size_t at = authority.rfind('@');
  std::string_view hostport = at == std::string_view::npos ? authority : authority.substr(at + 1);
  std::string_view host = hostport;
  if (!hostport.empty() && hostport.front() == '[') {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return false;
    host = hostport.substr(0, close + 1);
  } else if (size_t colon = hostport.find(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    for (char c : hostport.substr(colon + 1))
      if (!IsDigit(c)) return false;
  }
  if (!ValidHost(host)) return false;
  // Canonical: scheme and host lower-case, the rest as written.
  size_t host_begin = scheme_len + size_t(host.data() - rest.data());
  *normalized = Lower(url.substr(0, scheme_len));
  normalized->append(url.substr(scheme_len, host_begin - scheme_len));
  normalized->append(Lower(host));
  normalized->append(url.substr(host_begin + host.size()));
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
