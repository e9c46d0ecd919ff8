#include "scan/hostname.h"

#include <libpsl.h>

#include <cstdio>
#include <cstring>

#include "scan/scanner.h"

namespace evidex::scan {
namespace {

const psl_ctx_t* Psl() {
  static const psl_ctx_t* psl = [] {
    const psl_ctx_t* p = psl_latest(nullptr);
    if (p == nullptr) p = psl_builtin();
    return p;
  }();
  return psl;
}

bool ValidLabel(std::string_view l) {
  if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
  for (char c : l)
    if (!IsAlnum(c) && c != '-') return false;
  return true;
}

}  // namespace

bool LoadPublicSuffixList() {
  if (Psl() == nullptr) {
    std::fprintf(stderr, "evidex: cannot load the public suffix list (install 'publicsuffix')\n");
    return false;
  }
  return true;
}

bool IsRegistrableHost(std::string_view host) {
  if (host.size() < 4 || host.size() > 253) return false;
  size_t last_dot = host.rfind('.');
  if (last_dot == std::string_view::npos || last_dot == 0) return false;
  std::string_view tld = host.substr(last_dot + 1);
  if (tld.size() < 2) return false;
  bool lower = false, upper = false;
  for (char c : tld) {
    if (!IsAlpha(c)) return false;
    (c >= 'a' ? lower : upper) = true;
  }
  if (lower && upper) return false;
  size_t start = 0;
  int labels = 0;
  while (true) {
    size_t dot = host.find('.', start);
    std::string_view label = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!ValidLabel(label)) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2) return false;
  const psl_ctx_t* psl = Psl();
  if (psl == nullptr) return false;
  char buf[256];
  std::string lowered = Lower(host);
  std::memcpy(buf, lowered.data(), lowered.size());
  buf[lowered.size()] = 0;
  const char* t = buf + last_dot + 1;
  if (!psl_is_public_suffix2(psl, t, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE)) return false;
  return psl_registrable_domain(psl, buf) != nullptr;
}

}  // namespace evidex::scan
