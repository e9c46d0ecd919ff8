// domain: host names, bare or inside URLs and e-mail addresses, under a real public suffix.
// Context rule: a two-label name whose last label is also a common file extension (readme.md,
// setup.py, photo.ai) is taken for a file name unless it follows '@' or "://".
#include "scan/hostname.h"
#include "scan/scanner.h"

namespace evidex::scan {
namespace {

constexpr PatternDef kPatterns[] = {
    // A trigger: a host char, a dot, two letters. Locate takes the whole host-name run.
    {R"([A-Za-z0-9\-]\.[A-Za-z]{2})"},
};

bool HostChar(char c) { return IsAlnum(c) || c == '.' || c == '-'; }

std::optional<Span> Locate(std::string_view t, size_t anchor) {
  Span run = RunAround(t, anchor, 253, HostChar);
  while (run.begin < run.end && (t[run.begin] == '.' || t[run.begin] == '-')) ++run.begin;
  while (run.end > run.begin && (t[run.end - 1] == '.' || t[run.end - 1] == '-')) --run.end;
  if (run.size() < 4) return std::nullopt;
  return run;
}

bool FileExtensionTld(std::string_view tld) {
  static constexpr std::string_view kExt[] = {"ac", "ai", "am", "cc", "cs", "md", "mo", "pl",
                                              "pm", "po", "ps", "py", "rs", "sh", "so", "st",
                                              "in", "zip", "mov", "app", "ts", "js", "rb", "db"};
  std::string lower = Lower(tld);
  for (std::string_view e : kExt)
    if (lower == e) return true;
  return false;
}

bool Validate(std::string_view t, Span s, std::string* normalized) {
  std::string_view host = t.substr(s.begin, s.size());
  // A host bounded by more host-like text (a cut-off run) is not reported.
  if (s.begin > 0 && (IsAlnum(t[s.begin - 1]) || t[s.begin - 1] == '_')) return false;
  if (s.end < t.size() && (IsAlnum(t[s.end]) || t[s.end] == '_')) return false;
  if (!IsRegistrableHost(host)) return false;
  // Onion services are the onion scanner's (with their checksum); the suffix list has "onion".
  if (host.size() > 6 && Lower(host.substr(host.size() - 6)) == ".onion") return false;
  size_t first_dot = host.find('.');
  size_t last_dot = host.rfind('.');
  if (first_dot == last_dot && FileExtensionTld(host.substr(last_dot + 1))) {
    bool after_at = s.begin > 0 && t[s.begin - 1] == '@';
    bool after_scheme = s.begin >= 3 && t.substr(s.begin - 3, 3) == "://";
    if (!after_at && !after_scheme) return false;
  }
  // The registrable label must be more than one character: "x.de" in binary data is noise.
  size_t label_start = host.rfind('.', last_dot - 1);
  label_start = label_start == std::string_view::npos ? 0 : label_start + 1;
  if (last_dot - label_start < 2 && first_dot == last_dot) return false;
  *normalized = Lower(host);
  return true;
}

}  // namespace

EVIDEX_DEFINE_SCANNER(domain) {
    .name = "domain",
    .description = "host names (bare, and the hosts of URLs and e-mail addresses)",
    .version = 1,
    .max_len = 253,
    .patterns = kPatterns,
    .locate = Locate,
    .validate = Validate,
};

}  // namespace evidex::scan
