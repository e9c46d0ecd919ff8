// Shared by the DOCX and PDF renderers: the checks and text clean-up both apply.
#ifndef EVIDEX_COOP_DOCS_RENDER_INTERNAL_H_
#define EVIDEX_COOP_DOCS_RENDER_INTERNAL_H_

#include <string>
#include <string_view>

#include "coop/docs/document.h"
#include "core/status.h"

namespace evidex::coop::internal {

// kInvalidArgument naming the section and row when a table row's cell count differs from its
// column count.
Status CheckDocument(const Document& doc);

// `text` as valid UTF-8 that XML accepts: each invalid byte sequence, each control character
// other than tab and line breaks, and U+FFFE/U+FFFF become U+FFFD.
std::string ValidUtf8(std::string_view text);

// True when the first strongly directional character of `text` is right-to-left
// (Arabic, Hebrew, ...); false for left-to-right and for text with none (digits, punctuation).
bool StartsRightToLeft(std::string_view text);

}  // namespace evidex::coop::internal

#endif  // EVIDEX_COOP_DOCS_RENDER_INTERNAL_H_
