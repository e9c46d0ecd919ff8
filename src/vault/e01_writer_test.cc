// E01Writer: sets checked by libewf's own tools (ewfverify, ewfinfo) and read back bit-identical
// through io's E01 source; every compression level; several segments; refused sizes; disk full.
#include "vault/e01_writer.h"

#include <cstring>

#include "gtest/gtest.h"
#include "io/source.h"
#include "vault/vault_test_util.h"

namespace evidex::vault {
namespace {

using testing::DeterministicBytes;
using testing::FilesUnder;
using testing::HaveTool;
using testing::OneShotDigests;
using testing::ReadAll;
using testing::ShellQuote;
using testing::TempDir;

// Bytes that compress in parts: random, zeros, text, random.
std::string MixedMedia(size_t sectors, uint64_t seed) {
  std::string out = DeterministicBytes(sectors * 512 / 4, seed);
  out += std::string(sectors * 512 / 4, '\0');
  // Text from a small vocabulary in a pseudo-random order: "best" compresses it better than
  // "fast" (a fixed line would compress to nothing at either level).
  static const char* kWords[] = {"evidence ", "case ", "2026/041 ", "seized ", "laptop ",
                                 "examiner ", "hash ", "custody ", "vault ", "sector ",
                                 "report ", "unit ", "Colombo ", "court ", "phone ", "disk "};
  std::string order = DeterministicBytes(sectors * 512 / 4, seed + 2);
  std::string text;
  for (size_t i = 0; text.size() < sectors * 512 / 4; ++i) {
    text += kWords[static_cast<unsigned char>(order[i]) % 16];
  }
  out += text.substr(0, sectors * 512 / 4);
  out += DeterministicBytes(sectors * 512 - out.size(), seed + 1);
  return out;
}

Status WriteE01(const std::string& base, const std::string& data, const E01Options& options,
                size_t block, const std::vector<std::pair<uint64_t, uint64_t>>& bad = {}) {
  BlockPool pool(block, 8);  // outlives the writer, which may hold blocks
  Result<std::unique_ptr<E01Writer>> w = E01Writer::Create(base, data.size(), options);
  if (!w.ok()) return w.status();
  for (size_t off = 0; off < data.size(); off += block) {
    std::shared_ptr<Block> b = pool.Get();
    b->size = std::min(block, data.size() - off);
    b->offset = off;
    std::memcpy(b->data(), data.data() + off, b->size);
    EVIDEX_RETURN_IF_ERROR((*w)->Append(std::move(b)));
  }
  for (auto [off, len] : bad) (*w)->AddReadError(off, len);
  return (*w)->Finish(OneShotDigests(data));
}

std::string Capture(const std::string& command, int* rc) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

E01Options CaseOptions(int level) {
  E01Options o;
  o.case_number = "2026/041";
  o.evidence_number = "EV-7";
  o.examiner = "Inspector Perera";
  o.description = "Laptop HDD";
  o.notes = "seized at the scene";
  o.compression = level;
  o.threads = 2;
  return o;
}

TEST(E01Writer, EwfverifyAndEwfinfoAcceptItAndItReadsBackIdentical) {
  if (!HaveTool("ewfverify") || !HaveTool("ewfinfo")) {
    GTEST_SKIP() << "ewfverify/ewfinfo (ewf-tools) are not installed";
  }
  TempDir dir;
  std::string data = MixedMedia(12 * 1024 + 5, 7);  // not a whole number of chunks
  EVIDEX_ASSERT_OK(WriteE01(dir / "image", data, CaseOptions(1), 256 << 10));
  int rc = -1;
  std::string verify = Capture("ewfverify -q " + ShellQuote(dir / "image.E01"), &rc);
  EXPECT_EQ(rc, 0) << verify;
  Digests d = OneShotDigests(data);
  EXPECT_NE(verify.find("MD5 hash stored in file:\t\t" + d.md5), std::string::npos) << verify;
  EXPECT_NE(verify.find("MD5 hash calculated over data:\t\t" + d.md5), std::string::npos) << verify;
  EXPECT_NE(verify.find("ewfverify: SUCCESS"), std::string::npos) << verify;

  std::string info = Capture("ewfinfo " + ShellQuote(dir / "image.E01"), &rc);
  EXPECT_EQ(rc, 0) << info;
  for (const std::string& want :
       {std::string("2026/041"), std::string("EV-7"), std::string("Inspector Perera"),
        std::string("Laptop HDD"), std::string("seized at the scene"), std::string("evidex "),
        d.md5, d.sha1}) {
    EXPECT_NE(info.find(want), std::string::npos) << "ewfinfo lacks " << want << "\n" << info;
  }

  Result<std::unique_ptr<Source>> back = OpenSource(dir / "image.E01");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((*back)->Size(), data.size());
  EXPECT_TRUE(ReadAll(**back, 1 << 20) == data);
}

TEST(E01Writer, EveryCompressionLevelRoundTrips) {
  TempDir dir;
  std::string data = MixedMedia(4096, 9);
  uint64_t sizes[3] = {0, 0, 0};
  for (int level = 0; level <= 2; ++level) {
    std::string base = dir / ("level" + std::to_string(level));
    EVIDEX_ASSERT_OK(WriteE01(base, data, CaseOptions(level), 1 << 20));
    Result<std::unique_ptr<Source>> back = OpenSource(base + ".E01");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(ReadAll(**back, 100000) == data) << "level " << level;
    sizes[level] = std::filesystem::file_size(base + ".E01");
    if (HaveTool("ewfverify")) {
      EXPECT_EQ(testing::Run("ewfverify -q " + ShellQuote(base + ".E01") + " >/dev/null 2>&1"), 0)
          << "level " << level;
    }
  }
  EXPECT_GT(sizes[0], data.size()) << "level 0 stores every chunk raw";
  EXPECT_LT(sizes[1], data.size() * 3 / 4) << "half of the data compresses";
  // The header sections (compressed by libewf, with the acquisition time in them) vary by a
  // few bytes from run to run; the text must make a real difference.
  EXPECT_LT(sizes[2] + 1024, sizes[1]) << sizes[2] << " vs " << sizes[1];
}

TEST(E01Writer, SeveralSegmentsWithOneThread) {
  TempDir dir;
  std::string data = DeterministicBytes(5 << 20, 11);  // incompressible: 5 segments of 1 MiB
  E01Options o = CaseOptions(1);
  o.segment_size = 1 << 20;
  o.threads = 1;
  EVIDEX_ASSERT_OK(WriteE01(dir / "image", data, o, 64 << 10));
  std::vector<std::string> files = FilesUnder(dir.path());
  ASSERT_GE(files.size(), 5u);
  EXPECT_EQ(files[0], "image.E01");
  EXPECT_EQ(files[1], "image.E02");
  Result<std::unique_ptr<Source>> back = OpenSource(dir / "image.E01");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(ReadAll(**back, 1 << 20) == data);
  if (HaveTool("ewfverify")) {
    EXPECT_EQ(testing::Run("ewfverify -q " + ShellQuote(dir / "image.E01") + " >/dev/null 2>&1"),
              0);
  }
}

TEST(E01Writer, ReadErrorsAreRecordedAsAcquiryErrors) {
  if (!HaveTool("ewfinfo")) GTEST_SKIP() << "ewfinfo (ewf-tools) is not installed";
  TempDir dir;
  std::string data = DeterministicBytes(1 << 20, 12);
  std::memset(data.data() + 4096, 0, 1024);  // what the reader zero-filled
  EVIDEX_ASSERT_OK(WriteE01(dir / "image", data, CaseOptions(1), 1 << 20, {{4096, 1024}}));
  int rc = -1;
  std::string info = Capture("ewfinfo " + ShellQuote(dir / "image.E01"), &rc);
  EXPECT_NE(info.find("Read errors during acquiry"), std::string::npos) << info;
  EXPECT_NE(info.find("at sector(s): 8 - 9"), std::string::npos) << info;
}

TEST(E01Writer, RefusesSizesAnE01CannotHold) {
  TempDir dir;
  Result<std::unique_ptr<E01Writer>> w = E01Writer::Create(dir / "a", 1000, CaseOptions(1));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), Code::kInvalidArgument);
  EXPECT_NE(w.status().message().find("not a multiple of 512"), std::string::npos);
  w = E01Writer::Create(dir / "b", 0, CaseOptions(1));
  EXPECT_FALSE(w.ok());
  E01Options bad = CaseOptions(1);
  bad.compression = 3;
  w = E01Writer::Create(dir / "c", 4096, bad);
  EXPECT_FALSE(w.ok());
}

TEST(E01Writer, FullDiskGivesAClearError) {
  testing::SmallTmpfs fs("1m");
  if (!fs.mounted()) GTEST_SKIP() << "no small file system to fill: " << fs.why();
  std::string data = DeterministicBytes(4 << 20, 13);
  Status st = WriteE01(fs.path() + "/image", data, CaseOptions(1), 1 << 20);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "vault disk full writing " + fs.path() + "/image.E01") << st.message();
}

}  // namespace
}  // namespace evidex::vault
