// Derives the UTF-16LE form of an ASCII pattern, so one pattern text serves both encodings.
//
// Supported syntax (what scanners and literal keywords use): literals, escapes (\. \d \xHH ...),
// classes [..] and negated classes [^..], groups (..) and (?:..), alternation, quantifiers
// (? * + {m} {m,n} {m,}, lazy ?), and anchors ^ $. Each atom A becomes (?:A\x00); a negated class
// becomes "any code unit that is not one of these ASCII chars": (?:[^..][\x00-\xff]|[\x00-\xff][\x01-\xff]).
// A '.' matches any code unit. Returns an error text for syntax it does not know (e.g. \w, \b,
// backreferences, lookaround), naming the pattern.
#ifndef EVIDEX_SCAN_PATTERN_WIDEN_H_
#define EVIDEX_SCAN_PATTERN_WIDEN_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace evidex::scan {

Result<std::string> WidenToUtf16le(std::string_view pattern);

// Escapes a literal for use in a pattern (every non-alphanumeric byte as \xHH).
std::string EscapeLiteral(std::string_view literal);

}  // namespace evidex::scan

#endif  // EVIDEX_SCAN_PATTERN_WIDEN_H_
