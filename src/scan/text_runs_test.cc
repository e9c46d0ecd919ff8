#include "scan/text_runs.h"

#include "scan/scan_test_util.h"

#include <gtest/gtest.h>

namespace evidex::scan {
namespace {

using testing::ToUtf16le;

std::vector<TextRun> Find(const std::string& bytes, std::string* narrow, size_t min_units = 4) {
  std::vector<TextRun> runs;
  TextRuns ascii, utf16;
  FindTextRuns(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), min_units, &ascii, &utf16);
  runs = utf16.runs;
  *narrow = utf16.text;
  return runs;
}

TEST(TextRuns, FindsRunsAtBothParitiesAndNarrowsThem) {
  std::string bytes = "\x01\x02" + ToUtf16le("hello world") + "\xff\xfe\x03" + ToUtf16le("second run") + "\x05";
  std::string narrow;
  auto runs = Find(bytes, &narrow);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(narrow, std::string("hello world\0second run", 22));
  EXPECT_EQ(runs[0].byte_begin, 2u);
  EXPECT_EQ(runs[0].len, 11u);
  EXPECT_EQ(runs[1].byte_begin, 2u + 22 + 3);  // odd offset
  EXPECT_EQ(runs[1].text_begin, 12u);
  EXPECT_EQ(&RunAt(runs, 11), &runs[0]);  // the separator belongs to the run before it
  EXPECT_EQ(&RunAt(runs, 12), &runs[1]);
}

TEST(TextRuns, ShortRunsAndAsciiAreIgnored) {
  std::string narrow;
  EXPECT_TRUE(Find("plain ascii text, no zeros at all, long enough to use the vector path......."
                   "................................................",
                   &narrow).empty());
  EXPECT_TRUE(Find(ToUtf16le("abc") + "\xff\xff" + ToUtf16le("de"), &narrow).empty());
  EXPECT_TRUE(Find(std::string(300, '\0'), &narrow).empty());
}

TEST(TextRuns, LongRunsAcrossVectorBlocksMatchTheScalarResult) {
  // A run crossing several 64-byte blocks, starting at every offset within a block.
  std::string text = ToUtf16le("The quick brown fox jumps over the lazy dog, contact me at fox@example.com");
  for (size_t pad = 0; pad < 70; ++pad) {
    std::string bytes = std::string(pad, '\xaa') + text + std::string(100, '\xbb');
    std::string narrow;
    auto runs = Find(bytes, &narrow);
    ASSERT_EQ(runs.size(), 1u) << pad;
    EXPECT_EQ(runs[0].byte_begin, pad);
    EXPECT_EQ(narrow.size(), text.size() / 2);
  }
}

TEST(TextRuns, Utf16EveryLengthAndOffsetAcrossBlocks) {
  for (size_t len = 1; len <= 70; ++len) {
    for (size_t pad = 0; pad < 66; pad += 5) {
      std::string t;
      for (size_t i = 0; i < len; ++i) t.push_back(char('a' + i % 26));
      std::string bytes = std::string(pad, '\xee') + ToUtf16le(t) + std::string(140, '\xee');
      std::string narrow;
      auto runs = Find(bytes, &narrow, 6);
      if (len < 6) {
        EXPECT_TRUE(runs.empty()) << len << " " << pad;
      } else {
        ASSERT_EQ(runs.size(), 1u) << len << " " << pad;
        EXPECT_EQ(runs[0].byte_begin, pad) << len << " " << pad;
        EXPECT_EQ(narrow, t) << len << " " << pad;
      }
    }
  }
}

TEST(TextRuns, RunAtTheVeryEnd) {
  std::string bytes = std::string(200, '\x99') + ToUtf16le("tail text");
  std::string narrow;
  auto runs = Find(bytes, &narrow);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(narrow, "tail text");
}

std::vector<TextRun> Ascii(const std::string& bytes, std::string* text, size_t min_len = 4) {
  std::vector<TextRun> runs;
  TextRuns ascii, utf16;
  FindTextRuns(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), min_len, &ascii, &utf16);
  runs = ascii.runs;
  *text = ascii.text;
  return runs;
}

TEST(AsciiRuns, KeepsTextDropsBinary) {
  std::string bytes = std::string("\x01\x02\xff", 3) + "mail alice@example.org\tnow" +
                      std::string("\x00\x9a\x80", 3) + "ab" + std::string(1, '\xc3') + "second run here";
  std::string text;
  auto runs = Ascii(bytes, &text);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(text, std::string("mail alice@example.org\tnow\0second run here", 42));
  EXPECT_EQ(runs[0].byte_begin, 3u);
  EXPECT_EQ(runs[1].byte_begin, 3u + 26 + 3 + 3);
}

TEST(AsciiRuns, VectorPathMatchesByteByByte) {
  // Text of every length 1..80 at every offset in a 64-byte block, between random bytes.
  uint64_t x = 88172645463325252ull;
  auto rnd = [&] { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return char(0x80 | (x & 0x7f)); };
  for (size_t len = 1; len <= 80; ++len) {
    for (size_t pad = 0; pad < 64; pad += 7) {
      std::string bytes;
      for (size_t i = 0; i < pad; ++i) bytes.push_back(rnd());
      std::string t;
      for (size_t i = 0; i < len; ++i) t.push_back(char('a' + i % 26));
      bytes += t;
      for (size_t i = 0; i < 150; ++i) bytes.push_back(rnd());
      std::string text;
      auto runs = Ascii(bytes, &text, 5);
      if (len < 5) {
        EXPECT_TRUE(runs.empty()) << len << " " << pad;
      } else {
        ASSERT_EQ(runs.size(), 1u) << len << " " << pad;
        EXPECT_EQ(runs[0].byte_begin, pad);
        EXPECT_EQ(text, t);
      }
    }
  }
}

TEST(AsciiRuns, AllTextIsOneRun) {
  std::string bytes(1000, 'x');
  std::string text;
  auto runs = Ascii(bytes, &text);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].len, 1000u);
  EXPECT_EQ(text, bytes);
}

TEST(TextRuns, DispatchedPathMatchesBaselineOnMixedBytes) {
  // Bytes of every class (text, tab/LF/CR, zero, other controls, high bytes) in stretches of
  // random lengths, some UTF-16LE-like: the path chosen for this CPU (AVX-512BW when present)
  // and the baseline give the same runs and text.
  uint64_t x = 0x9e3779b97f4a7c15ull;
  auto next = [&] { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
  const uint8_t kinds[] = {'a', 'Z', '5', ' ', '~', 0x09, 0x0a, 0x0d, 0x00, 0x01, 0x1f, 0x7f, 0x80, 0xff};
  size_t ascii_runs = 0, utf16_runs = 0;
  for (int round = 0; round < 40; ++round) {
    std::string bytes;
    while (bytes.size() < 5000) {
      uint8_t c = kinds[next() % sizeof kinds];
      size_t n = 1 + next() % 40;
      bool wide = next() % 3 == 0;
      for (size_t i = 0; i < n; ++i) {
        bytes.push_back(char(c));
        if (wide) bytes.push_back('\0');
      }
    }
    // Stream signatures at random places, some across 64-byte block edges and at the very end.
    const std::string sigs[] = {std::string("\x1f\x8b\x08", 3), "\x78\x9c", "\x78\x01", "PK\x03\x04",
                                std::string("\x1f\x8b", 2), "PK\x03"};
    for (int k = 0; k < 6; ++k) bytes.replace(next() % (bytes.size() - 4), 4, sigs[next() % 6]);
    bytes += sigs[round % 6];
    TextRuns a1, u1, a2, u2;
    std::vector<SignatureAt> s1, s2;
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    FindTextRuns(p, bytes.size(), 5, &a1, &u1, &s1);
    internal::FindTextRunsBaseline(p, bytes.size(), 5, &a2, &u2, &s2);
    // Both against a byte-by-byte search.
    std::vector<std::pair<int, size_t>> want;
    for (size_t i = 0; i < bytes.size(); ++i) {
      std::string_view rest = std::string_view(bytes).substr(i);
      if (rest.starts_with(std::string_view("\x1f\x8b\x08", 3))) want.push_back({0, i});
      else if (rest.size() >= 2 && rest[0] == '\x78' && std::string_view("\x01\x5e\x9c\xda").find(rest[1]) != std::string_view::npos)
        want.push_back({1, i});
      else if (rest.starts_with("PK\x03\x04")) want.push_back({2, i});
    }
    ASSERT_EQ(s1.size(), want.size()) << round;
    ASSERT_EQ(s2.size(), want.size()) << round;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(int(s1[i].kind), want[i].first);
      EXPECT_EQ(s1[i].pos, want[i].second);
      EXPECT_EQ(int(s2[i].kind), want[i].first);
      EXPECT_EQ(s2[i].pos, want[i].second);
    }
    ASSERT_EQ(a1.text, a2.text) << round;
    ASSERT_EQ(u1.text, u2.text) << round;
    ASSERT_EQ(a1.runs.size(), a2.runs.size()) << round;
    ASSERT_EQ(u1.runs.size(), u2.runs.size()) << round;
    for (size_t i = 0; i < a1.runs.size(); ++i) EXPECT_EQ(a1.runs[i].byte_begin, a2.runs[i].byte_begin);
    for (size_t i = 0; i < u1.runs.size(); ++i) EXPECT_EQ(u1.runs[i].byte_begin, u2.runs[i].byte_begin);
    ascii_runs += a1.runs.size();
    utf16_runs += u1.runs.size();
  }
  EXPECT_GT(ascii_runs, 100u);
  EXPECT_GT(utf16_runs, 100u);
}

}  // namespace
}  // namespace evidex::scan
