// E01 tests: fixtures are made by ewfacquire (ewf-tools) at test time.
#include <filesystem>
#include <thread>

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

// ewfacquire stores whole sectors: image sizes are multiples of 512.
constexpr size_t kSmallImage = 300 * 1024;
// Incompressible, so that 1 MiB segments (ewfacquire's minimum) give a 3-segment set.
constexpr size_t kLargeImage = 2900 * 1024;
constexpr uint64_t kChunk = 64 * 512;  // ewfacquire's default chunk: 64 sectors

// Acquires dir/<name>.raw into dir/<name>.E01 (and .E02... when segment_bytes is set).
::testing::AssertionResult Acquire(const TempDir& dir, const std::string& name,
                                   const std::string& bytes, uint64_t segment_bytes) {
  WriteFile(dir / (name + ".raw"), bytes);
  std::string cmd = "ewfacquire -u -q -c deflate:fast -t " + ShellQuote(dir / name) +
                    (segment_bytes ? " -S " + std::to_string(segment_bytes) : "") + " " +
                    ShellQuote(dir / (name + ".raw")) + " > " + ShellQuote(dir / "ewf.log") +
                    " 2>&1";
  if (Run(cmd) != 0) return ::testing::AssertionFailure() << "failed: " << cmd;
  if (!std::filesystem::exists(dir / (name + ".E01"))) {
    return ::testing::AssertionFailure() << "no " << name << ".E01 after: " << cmd;
  }
  return ::testing::AssertionSuccess();
}

std::vector<uint64_t> ChunkEdges(uint64_t size) {
  std::vector<uint64_t> edges;
  for (uint64_t e = kChunk; e < size; e += kChunk) edges.push_back(e);
  return edges;
}

class EwfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTool("ewfacquire")) {
      GTEST_SKIP() << "ewfacquire (ewf-tools) not found: E01 fixtures cannot be made";
    }
  }
  TempDir dir_;
};

TEST_F(EwfTest, SingleSegment) {
  const std::string bytes = DeterministicBytes(kSmallImage, 11);
  ASSERT_TRUE(Acquire(dir_, "img", bytes, 0));
  Result<std::unique_ptr<Source>> s = OpenSource(dir_ / "img.E01");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Size(), bytes.size());
  EXPECT_EQ((*s)->Describe(), "E01 set " + (dir_ / "img.E01") + " (1 segment)");
  EXPECT_TRUE(ReadAll(**s, 10000) == bytes);
  ExpectRandomReads(**s, bytes, 100, 12);
  ExpectReadsAcross(**s, bytes, ChunkEdges(bytes.size()));
}

TEST_F(EwfTest, CompressibleContent) {
  std::string bytes(kSmallImage, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>("evidex"[i % 6]);
  ASSERT_TRUE(Acquire(dir_, "text", bytes, 0));
  Result<std::unique_ptr<Source>> s = OpenSource(dir_ / "text.E01");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(ReadAll(**s) == bytes);
}

TEST_F(EwfTest, MultiSegmentSet) {
  const std::string bytes = DeterministicBytes(kLargeImage, 13);
  ASSERT_TRUE(Acquire(dir_, "multi", bytes, 1024 * 1024));
  ASSERT_TRUE(std::filesystem::exists(dir_ / "multi.E03"));
  ASSERT_FALSE(std::filesystem::exists(dir_ / "multi.E04"));
  Result<std::unique_ptr<Source>> s = OpenSource(dir_ / "multi.E01");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Size(), bytes.size());
  EXPECT_EQ((*s)->Describe(), "E01 set " + (dir_ / "multi.E01") + " (3 segments)");
  EXPECT_TRUE(ReadAll(**s, 1 << 20) == bytes);
  EXPECT_TRUE(ReadAll(**s, bytes.size()) == bytes);  // one read over all segments
  ExpectRandomReads(**s, bytes, 200, 14);
  // Every chunk edge, which includes the segment edges.
  ExpectReadsAcross(**s, bytes, ChunkEdges(bytes.size()));
}

TEST_F(EwfTest, ConcurrentReads) {
  const std::string bytes = DeterministicBytes(kLargeImage, 15);
  ASSERT_TRUE(Acquire(dir_, "conc", bytes, 1024 * 1024));
  Result<std::unique_ptr<Source>> s = OpenSource(dir_ / "conc.E01");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] { ExpectRandomReads(**s, bytes, 40, 200 + t); });
  }
  for (std::thread& t : threads) t.join();
}

TEST_F(EwfTest, FoundBySignatureWithoutE01Name) {
  const std::string bytes = DeterministicBytes(kSmallImage, 16);
  ASSERT_TRUE(Acquire(dir_, "sig", bytes, 0));
  std::filesystem::rename(dir_ / "sig.E01", dir_ / "evidence.bin");
  Result<std::unique_ptr<Source>> s = OpenSource(dir_ / "evidence.bin");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Describe(), "E01 set " + (dir_ / "evidence.bin") + " (1 segment)");
  EXPECT_TRUE(ReadAll(**s) == bytes);
}

TEST_F(EwfTest, TruncatedE01IsAnError) {
  const std::string bytes = DeterministicBytes(kSmallImage, 17);
  ASSERT_TRUE(Acquire(dir_, "trunc", bytes, 0));
  const uint64_t full = std::filesystem::file_size(dir_ / "trunc.E01");
  for (uint64_t size : {full / 2, full - 100, uint64_t{4096}, uint64_t{20}, uint64_t{0}}) {
    std::filesystem::resize_file(dir_ / "trunc.E01", size);
    Result<std::unique_ptr<Source>> s = OpenSource(dir_ / "trunc.E01");
    ASSERT_FALSE(s.ok()) << "truncated to " << size << " bytes, opened as " << (*s)->Describe();
    EXPECT_EQ(s.status().code(), Code::kCorrupt) << s.status().ToString();
    EXPECT_NE(s.status().message().find(dir_ / "trunc.E01"), std::string::npos)
        << s.status().message();
  }
}

TEST_F(EwfTest, MissingMiddleSegmentIsNotFound) {
  ASSERT_TRUE(Acquire(dir_, "gap", DeterministicBytes(kLargeImage, 18), 1024 * 1024));
  ASSERT_TRUE(std::filesystem::exists(dir_ / "gap.E03"));
  std::filesystem::remove(dir_ / "gap.E02");
  Result<std::unique_ptr<Source>> s = OpenSource(dir_ / "gap.E01");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kNotFound) << s.status().ToString();
  EXPECT_NE(s.status().message().find(dir_ / "gap.E02"), std::string::npos) << s.status().message();
}

TEST_F(EwfTest, MissingLastSegmentIsAnError) {
  ASSERT_TRUE(Acquire(dir_, "last", DeterministicBytes(kLargeImage, 19), 1024 * 1024));
  std::filesystem::remove(dir_ / "last.E03");
  Result<std::unique_ptr<Source>> s = OpenSource(dir_ / "last.E01");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kCorrupt) << s.status().ToString();
  EXPECT_NE(s.status().message().find("incomplete"), std::string::npos) << s.status().message();
}

TEST_F(EwfTest, TruncatedMiddleSegmentIsAnError) {
  ASSERT_TRUE(Acquire(dir_, "tm", DeterministicBytes(kLargeImage, 20), 1024 * 1024));
  std::filesystem::resize_file(dir_ / "tm.E02", 300000);
  Result<std::unique_ptr<Source>> s = OpenSource(dir_ / "tm.E01");
  if (s.ok()) {
    // If libewf accepts the set, reading the damaged part must fail rather than invent bytes.
    std::vector<std::byte> buf((*s)->Size());
    Result<size_t> n = (*s)->ReadAt(0, buf);
    EXPECT_FALSE(n.ok()) << "read " << (n.ok() ? *n : 0) << " bytes of a damaged set";
  } else {
    EXPECT_EQ(s.status().code(), Code::kCorrupt) << s.status().ToString();
  }
}

TEST_F(EwfTest, GarbageNamedE01IsAnErrorNotRaw) {
  WriteFile(dir_ / "fake.E01", DeterministicBytes(100000, 21));
  Result<std::unique_ptr<Source>> s = OpenSource(dir_ / "fake.E01");
  ASSERT_FALSE(s.ok()) << "opened as " << (*s)->Describe();
  EXPECT_EQ(s.status().code(), Code::kCorrupt) << s.status().ToString();
  EXPECT_NE(s.status().message().find(dir_ / "fake.E01"), std::string::npos);
}

TEST_F(EwfTest, LowercaseExtension) {
  const std::string bytes = DeterministicBytes(kSmallImage, 22);
  ASSERT_TRUE(Acquire(dir_, "lower", bytes, 0));
  std::filesystem::rename(dir_ / "lower.E01", dir_ / "lower.e01");
  WriteFile(dir_ / "lower.txt", "notes that are not a segment");
  Result<std::unique_ptr<Source>> s = OpenSource(dir_ / "lower.e01");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(ReadAll(**s) == bytes);
}

TEST_F(EwfTest, DamagedChunkFailsEveryReadOfIt) {
  // libewf reports a chunk's checksum error on its first read only; the source must keep failing
  // reads of it, or a second read (a scan's salvage pass) would get zeros as good bytes.
  const std::string bytes = DeterministicBytes(kSmallImage, 21);
  ASSERT_TRUE(Acquire(dir_, "dmg", bytes, 0));
  std::string file;
  {
    std::ifstream in(dir_ / "dmg.E01", std::ios::binary);
    file.assign(std::istreambuf_iterator<char>(in), {});
  }
  size_t at = file.find(bytes.substr(3 * kChunk + 100, 64));  // incompressible: stored as is
  ASSERT_NE(at, std::string::npos);
  file[at] ^= 0x01;
  WriteFile(dir_ / "dmg.E01", file);
  Result<std::unique_ptr<Source>> s = OpenSource(dir_ / "dmg.E01");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::string buf(4096, '\0');
  auto read = [&](uint64_t off) {
    return (*s)->ReadAt(off, std::as_writable_bytes(std::span(buf.data(), buf.size())));
  };
  for (int attempt = 0; attempt < 3; ++attempt) {
    Result<size_t> r = read(3 * kChunk + 4096);
    ASSERT_FALSE(r.ok()) << "attempt " << attempt;
    EXPECT_EQ(r.status().code(), Code::kCorrupt);
  }
  Result<size_t> good = read(kChunk);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(buf, bytes.substr(kChunk, 4096));
  EXPECT_FALSE(read(4 * kChunk - 100).ok());  // still touches the damaged chunk
  EXPECT_TRUE(read(4 * kChunk).ok());
}

}  // namespace
}  // namespace evidex
