#include "core/markup.h"

#include <gtest/gtest.h>

namespace evidex {
namespace {

TEST(Markup, EscapesTheFiveCharactersOnly) {
  EXPECT_EQ(EscapeMarkup("<script>alert('x' & \"y\")</script>"),
            "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;");
  EXPECT_EQ(EscapeMarkup("Ünïcode 中文 عربي &amp;"), "Ünïcode 中文 عربي &amp;amp;");
  EXPECT_EQ(EscapeMarkup(std::string_view("a\0b", 3)), std::string("a\0b", 3));
  EXPECT_EQ(EscapeMarkup(""), "");
}

}  // namespace
}  // namespace evidex
