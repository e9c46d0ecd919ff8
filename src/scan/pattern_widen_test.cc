#include "scan/pattern_widen.h"

#include <gtest/gtest.h>

namespace evidex::scan {
namespace {

TEST(WidenToUtf16le, AtomsGetAZeroByte) {
  EXPECT_EQ(*WidenToUtf16le("ab"), "(?:a\\x00)(?:b\\x00)");
  EXPECT_EQ(*WidenToUtf16le("[0-9]{2,3}"), "(?:[0-9]\\x00){2,3}");
  EXPECT_EQ(*WidenToUtf16le("\\.x?"), "(?:\\.\\x00)(?:x\\x00)?");
  EXPECT_EQ(*WidenToUtf16le("(?:^|a)$"), "(?:^|(?:a\\x00))$");
}

TEST(WidenToUtf16le, NegatedClassIsAnyOtherUnit) {
  EXPECT_EQ(*WidenToUtf16le("[^a]"), "(?:[^a][\\x00-\\xff]|[\\x00-\\xff][\\x01-\\xff])");
}

TEST(WidenToUtf16le, EscapedHexInClass) {
  EXPECT_EQ(*WidenToUtf16le("[\\x41-\\x5a]"), "(?:[\\x41-\\x5a]\\x00)");
}

TEST(WidenToUtf16le, RefusesWhatItCannotExpress) {
  EXPECT_FALSE(WidenToUtf16le("\\bword").ok());
  EXPECT_FALSE(WidenToUtf16le("a(?=b)").ok());
  EXPECT_FALSE(WidenToUtf16le("(a)\\1").ok());
  EXPECT_FALSE(WidenToUtf16le("[abc").ok());
}

TEST(EscapeLiteral, EscapesEverythingButAlnum) {
  EXPECT_EQ(EscapeLiteral("a.b c"), "a\\x2eb\\x20c");
}

}  // namespace
}  // namespace evidex::scan
