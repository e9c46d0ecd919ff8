// Text inside XML or HTML markup (element content or a double- or single-quoted attribute).
#ifndef EVIDEX_CORE_MARKUP_H_
#define EVIDEX_CORE_MARKUP_H_

#include <string>
#include <string_view>

namespace evidex {

// `text` with & < > " ' as &amp; &lt; &gt; &quot; &#39; (the one form of the apostrophe both
// HTML 4 and XML read); every other byte as it is. Checking UTF-8 is the caller's part.
std::string EscapeMarkup(std::string_view text);

}  // namespace evidex

#endif  // EVIDEX_CORE_MARKUP_H_
