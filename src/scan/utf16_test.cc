#include "scan/utf16.h"

#include <gtest/gtest.h>

namespace evidex::scan {
namespace {

std::string Wide(const std::string& s) {
  std::string out;
  for (char c : s) out += std::string{c, '\0'};
  return out;
}

std::vector<Utf16Run> Find(const std::string& bytes, std::string* narrow, size_t min_units = 4) {
  std::vector<Utf16Run> runs;
  FindUtf16Runs(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), min_units, &runs, narrow);
  return runs;
}

TEST(Utf16Runs, FindsRunsAtBothParitiesAndNarrowsThem) {
  std::string bytes = "\x01\x02" + Wide("hello world") + "\xff\xfe\x03" + Wide("second run") + "\x05";
  std::string narrow;
  auto runs = Find(bytes, &narrow);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(narrow, std::string("hello world\0second run", 22));
  EXPECT_EQ(runs[0].byte_begin, 2u);
  EXPECT_EQ(runs[0].units, 11u);
  EXPECT_EQ(runs[1].byte_begin, 2u + 22 + 3);  // odd offset
  EXPECT_EQ(runs[1].narrow_begin, 12u);
  EXPECT_EQ(&RunAt(runs, 11), &runs[0]);  // the separator belongs to the run before it
  EXPECT_EQ(&RunAt(runs, 12), &runs[1]);
}

TEST(Utf16Runs, ShortRunsAndAsciiAreIgnored) {
  std::string narrow;
  EXPECT_TRUE(Find("plain ascii text, no zeros at all, long enough to use the vector path......."
                   "................................................",
                   &narrow).empty());
  EXPECT_TRUE(Find(Wide("abc") + "\xff\xff" + Wide("de"), &narrow).empty());
  EXPECT_TRUE(Find(std::string(300, '\0'), &narrow).empty());
}

TEST(Utf16Runs, LongRunsAcrossVectorBlocksMatchTheScalarResult) {
  // A run crossing several 64-byte blocks, starting at every offset within a block.
  std::string text = Wide("The quick brown fox jumps over the lazy dog, contact me at fox@example.com");
  for (size_t pad = 0; pad < 70; ++pad) {
    std::string bytes = std::string(pad, '\xaa') + text + std::string(100, '\xbb');
    std::string narrow;
    auto runs = Find(bytes, &narrow);
    ASSERT_EQ(runs.size(), 1u) << pad;
    EXPECT_EQ(runs[0].byte_begin, pad);
    EXPECT_EQ(narrow.size(), text.size() / 2);
  }
}

TEST(Utf16Runs, RunAtTheVeryEnd) {
  std::string bytes = std::string(200, '\x99') + Wide("tail text");
  std::string narrow;
  auto runs = Find(bytes, &narrow);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(narrow, "tail text");
}

}  // namespace
}  // namespace evidex::scan
