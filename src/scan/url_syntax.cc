#include "scan/url_syntax.h"

#include <arpa/inet.h>

#include "scan/hostname.h"
#include "scan/scanner.h"

namespace evidex::scan {

bool IsUrlChar(char c) {
  if (IsAlnum(c)) return true;
  switch (c) {
    // clang-format off
    case '-': case '.': case '_': case '~': case '%': case '!': case '$': case '&': case '\'':
    case '(': case ')': case '*': case '+': case ',': case ';': case '=': case ':': case '@':
    case '/': case '?': case '#': case '[': case ']':
      // clang-format on
      return true;
    default:
      return false;
  }
}

size_t UrlSchemeLength(std::string_view s) {
  for (std::string_view scheme : {"https://", "http://", "ftp://"}) {
    if (s.size() < scheme.size()) continue;
    bool same = true;
    for (size_t i = 0; i < scheme.size() && same; ++i) same = ToLower(s[i]) == scheme[i];
    if (same) return scheme.size();
  }
  return 0;
}

size_t TrimmedUrlLength(std::string_view url) {
  // Bracket balances of url[0, end), kept as the end moves left.
  int parens = 0, squares = 0;
  for (char c : url) {
    parens += (c == '(') - (c == ')');
    squares += (c == '[') - (c == ']');
  }
  size_t end = url.size();
  while (end > 0) {
    char c = url[end - 1];
    if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\'' ||
        c == '*') {
      --end;
      continue;
    }
    if ((c == ')' && parens < 0) || (c == ']' && squares < 0)) {
      ++(c == ')' ? parens : squares);
      --end;
      continue;
    }
    break;
  }
  return end;
}

bool IsUrlHost(std::string_view host) {
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

std::optional<std::string> CanonicalUrl(std::string_view url) {
  size_t scheme_len = UrlSchemeLength(url);
  if (scheme_len == 0) return std::nullopt;
  std::string_view rest = url.substr(scheme_len);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = authority.rfind('@');
  std::string_view hostport = at == std::string_view::npos ? authority : authority.substr(at + 1);
  std::string_view host = hostport;
  if (!hostport.empty() && hostport.front() == '[') {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = hostport.substr(0, close + 1);
  } else if (size_t colon = hostport.find(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    for (char c : hostport.substr(colon + 1))
      if (!IsDigit(c)) return std::nullopt;
  }
  if (!IsUrlHost(host)) return std::nullopt;
  size_t host_begin = scheme_len + size_t(host.data() - rest.data());
  std::string out = Lower(url.substr(0, scheme_len));
  out.append(url.substr(scheme_len, host_begin - scheme_len));
  out.append(Lower(host));
  out.append(url.substr(host_begin + host.size()));
  return out;
}

}  // namespace evidex::scan
