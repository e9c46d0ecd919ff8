#include <filesystem>

#include "gtest/gtest.h"
#include "io/source.h"
#include "io/test_util.h"

namespace evidex {
namespace {

using testing::DeterministicBytes;
using testing::ExpectRandomReads;
using testing::ExpectReadsAcross;
using testing::HaveTool;
using testing::ReadAll;
using testing::Run;
using testing::ShellQuote;
using testing::TempDir;
using testing::WriteFile;

constexpr size_t kPartSize = 100000;
constexpr size_t kImageSize = 5 * kPartSize + 12345;  // 6 parts, the last one short

// Splits dir/image.raw into dir/image.<NNN> parts with coreutils split, numbering from `start`.
void SplitImage(const TempDir& dir, const std::string& bytes, int start) {
  WriteFile(dir / "image.raw", bytes);
  std::string cmd = "split -b " + std::to_string(kPartSize) +
                    " -d -a 3 --numeric-suffixes=" + std::to_string(start) + " " +
                    ShellQuote(dir / "image.raw") + " " + ShellQuote(dir / "image.");
  ASSERT_EQ(Run(cmd), 0) << cmd;
  std::filesystem::remove(dir / "image.raw");
}

std::vector<uint64_t> PartEdges() {
  std::vector<uint64_t> edges;
  for (uint64_t e = kPartSize; e < kImageSize; e += kPartSize) edges.push_back(e);
  return edges;
}

class SplitRawReadTest : public ::testing::TestWithParam<int> {};

TEST_P(SplitRawReadTest, ReadsBackTheImage) {
  if (!HaveTool("split")) GTEST_SKIP() << "coreutils split not found";
  const int start = GetParam();
  TempDir dir;
  const std::string bytes = DeterministicBytes(kImageSize, 3);
  SplitImage(dir, bytes, start);
  const std::string first = dir / (start == 0 ? "image.000" : "image.001");
  ASSERT_TRUE(std::filesystem::exists(first));
  Result<std::unique_ptr<Source>> s = OpenSource(first);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Size(), kImageSize);
  EXPECT_EQ((*s)->Describe(), "split raw set " + first + " (6 parts)");
  EXPECT_TRUE(ReadAll(**s, 65536) == bytes);
  EXPECT_TRUE(ReadAll(**s, kImageSize + 10) == bytes);  // one read over all parts
  ExpectRandomReads(**s, bytes, 300, 5);
  ExpectReadsAcross(**s, bytes, PartEdges());
}

INSTANTIATE_TEST_SUITE_P(SuffixStart, SplitRawReadTest, ::testing::Values(0, 1));

TEST(SplitRawMissingTest, MissingMiddlePartIsNotFound) {
  if (!HaveTool("split")) GTEST_SKIP() << "coreutils split not found";
  TempDir dir;
  SplitImage(dir, DeterministicBytes(kImageSize, 4), 1);
  std::filesystem::remove(dir / "image.003");
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "image.001");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kNotFound);
  EXPECT_NE(s.status().message().find(dir / "image.003"), std::string::npos)
      << s.status().message();
}

TEST(SplitRawMissingTest, GapOfSeveralParts) {
  TempDir dir;
  WriteFile(dir / "x.001", "a");
  WriteFile(dir / "x.002", "b");
  WriteFile(dir / "x.004", "d");
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "x.001");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kNotFound);
  EXPECT_NE(s.status().message().find(dir / "x.003"), std::string::npos) << s.status().message();
}

TEST(SplitRawTest, ZeroLengthMiddlePart) {
  TempDir dir;
  const std::string a = DeterministicBytes(1000, 8), c = DeterministicBytes(500, 9);
  WriteFile(dir / "z.001", a);
  WriteFile(dir / "z.002", "");
  WriteFile(dir / "z.003", "");
  WriteFile(dir / "z.004", c);
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "z.001");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Size(), 1500u);
  EXPECT_EQ((*s)->Describe(), "split raw set " + (dir / "z.001") + " (4 parts)");
  EXPECT_TRUE(ReadAll(**s, 7) == a + c);
  ExpectReadsAcross(**s, a + c, {1000});
  ExpectRandomReads(**s, a + c, 50, 10);
}

TEST(SplitRawTest, ZeroLengthFirstAndLastParts) {
  TempDir dir;
  WriteFile(dir / "e.000", "");
  WriteFile(dir / "e.001", "abc");
  WriteFile(dir / "e.002", "");
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "e.000");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Size(), 3u);
  EXPECT_EQ(ReadAll(**s, 2), "abc");
  EXPECT_EQ(testing::ReadString(**s, 1, 10), "bc");
}

TEST(SplitRawTest, SinglePart) {
  TempDir dir;
  WriteFile(dir / "one.001", "only part");
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "one.001");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Describe(), "split raw set " + (dir / "one.001") + " (1 part)");
  EXPECT_EQ(ReadAll(**s), "only part");
}

TEST(SplitRawTest, FourDigitSuffix) {
  TempDir dir;
  WriteFile(dir / "w.0001", "12");
  WriteFile(dir / "w.0002", "34");
  WriteFile(dir / "w.002", "not part of the set");
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "w.0001");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(ReadAll(**s), "1234");
}

TEST(SplitRawTest, OtherNumberedNamesAreRaw) {
  TempDir dir;
  WriteFile(dir / "p.002", "two");
  WriteFile(dir / "p.003", "three");
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "p.002");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Describe(), "raw file " + (dir / "p.002"));
  EXPECT_EQ(ReadAll(**s), "two");
}

TEST(SplitRawTest, PartThatIsADirectoryIsAnError) {
  TempDir dir;
  WriteFile(dir / "d.001", "a");
  std::filesystem::create_directory(dir / "d.002");
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "d.001");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find(dir / "d.002"), std::string::npos) << s.status().message();
}

}  // namespace
}  // namespace evidex
