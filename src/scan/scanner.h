// A scanner: one kind of artifact (email, ccn, btc, ...), described as data.
//
// Each scanner lives in one file under scanners/ and is registered by one line in
// scanners/scanner_list.inc (the build reads the same list). It gives
//   - patterns: regular expressions (Hyperscan syntax, ASCII) that all go into the engine's one
//     multi-pattern database. UTF-16LE text is narrowed to ASCII (utf16.h) and scanned by the
//     same patterns, so a scanner never sees the difference.
//     A pattern only has to fire somewhere inside or just after a candidate; where exactly the
//     artifact starts and ends is the scanner's Locate() job, so patterns need no start-of-match.
//   - Locate(text, anchor): text is a window of narrow (ASCII) text around a match; `anchor` is
//     the index where the match ended. Returns the artifact's extent by the scanner's grammar.
//     The engine drops a located extent it has already seen before calling Validate.
//   - Validate(text, span, normalized): checksums and context rules; fills the canonical form.
// Scanners are stateless functions over their arguments (shared read-only tables only), so they
// run on any thread without locks.
#ifndef EVIDEX_SCAN_SCANNER_H_
#define EVIDEX_SCAN_SCANNER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace evidex::scan {

struct Span {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
};

struct PatternDef {
  const char* regex;
  bool caseless = false;
};

using LocateFn = std::optional<Span> (*)(std::string_view text, size_t anchor);
using ValidateFn = bool (*)(std::string_view text, Span span, std::string* normalized);

struct ScannerDef {
  const char* name;         // feature file name and "kind" in JSONL
  const char* description;  // one line for `evidex scanners`
  int version;              // bump when results change
  size_t max_len;           // longest artifact in characters
  std::span<const PatternDef> patterns;
  LocateFn locate;
  ValidateFn validate;
  bool default_enabled = true;
};

// Defines a scanner registered in scanners/scanner_list.inc:
//   EVIDEX_DEFINE_SCANNER(email) { .name = "email", ... };
#define EVIDEX_DEFINE_SCANNER(id)                 \
  extern const ::evidex::scan::ScannerDef kScanner_##id;        \
  const ::evidex::scan::ScannerDef kScanner_##id =

// Every compiled-in scanner, in scanner_list.inc order.
std::span<const ScannerDef* const> AllScanners();
const ScannerDef* FindScanner(std::string_view name);

// Small helpers shared by scanners' Locate functions.
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAlpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
inline char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? char(c | 0x20) : c; }
std::string Lower(std::string_view s);

// Extends [anchor, anchor) left and right over characters for which pred is true, at most
// max_len characters in all. The match's last char (anchor-1) may be a terminator: when it
// fails pred the run is taken to end before it.
template <typename Pred>
Span RunAround(std::string_view text, size_t anchor, size_t max_len, Pred pred) {
  size_t end = anchor;
  if (end > 0 && !pred(text[end - 1])) --end;
  size_t begin = end;
  while (begin > 0 && end - begin < max_len && pred(text[begin - 1])) --begin;
  while (end < text.size() && end - begin < max_len && pred(text[end])) ++end;
  return {begin, end};
}

}  // namespace evidex::scan

#endif  // EVIDEX_SCAN_SCANNER_H_
