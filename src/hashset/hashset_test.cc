#include "hashset/hashset.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

namespace evidex::hashset {
namespace {

namespace fs = std::filesystem;

class HashSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("evidex-hashset-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

SetInfo Named(const std::string& name) {
  SetInfo info;
  info.id = info.name = name;
  return info;
}

std::vector<uint8_t> Digest(Algorithm a, std::mt19937_64& rng) {
  std::vector<uint8_t> d(DigestSize(a));
  for (auto& b : d) b = uint8_t(rng());
  return d;
}

TEST(HashSetHex, ParsesAndPrints) {
  uint8_t d[20];
  ASSERT_TRUE(ParseHexDigest("A9993E364706816ABA3E25717850C26C9CD0D89D", Algorithm::kSha1, d));
  EXPECT_EQ(HexDigest(d, Algorithm::kSha1), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_FALSE(ParseHexDigest("a9993e364706816aba3e25717850c26c9cd0d89", Algorithm::kSha1, d));
  EXPECT_FALSE(ParseHexDigest("g9993e364706816aba3e25717850c26c9cd0d89d", Algorithm::kSha1, d));
  EXPECT_EQ(AlgorithmForHexLength(32), Algorithm::kMd5);
  EXPECT_EQ(AlgorithmForHexLength(64), Algorithm::kSha256);
  EXPECT_FALSE(AlgorithmForHexLength(33).has_value());
  EXPECT_EQ(ParseCategory("alert"), Category::kAlert);
  EXPECT_EQ(ParseCategory("known-good"), Category::kKnownGood);
  EXPECT_FALSE(ParseCategory("bad").has_value());
}

TEST_F(HashSetTest, FindsEveryDigestAddedAndNoOther) {
  SetInfo info;
  info.id = "0b8e2e8e-1111-4000-8000-000000000001";
  info.name = "test set";
  info.category = Category::kAlert;
  Builder b(info);
  uint8_t malware = *b.Label("malware");
  std::mt19937_64 rng(1);
  std::vector<std::pair<Algorithm, std::vector<uint8_t>>> added;
  for (int i = 0; i < 30000; ++i) {
    Algorithm a = Algorithm(i % 3);
    added.emplace_back(a, Digest(a, rng));
    b.Add(a, added.back().second.data(), i % 2 == 0 ? malware : 0);
  }
  // Duplicates: the lower label wins.
  b.Add(added[0].first, added[0].second.data(), 0);
  b.Add(added[2].first, added[2].second.data(), malware);
  ASSERT_TRUE(b.Write(Path("s.evhs")).ok());
  auto set = HashSet::Open(Path("s.evhs"));
  ASSERT_TRUE(set.ok()) << set.status().message();
  const HashSet& s = **set;
  EXPECT_EQ(s.info().name, "test set");
  EXPECT_EQ(s.info().category, Category::kAlert);
  ASSERT_EQ(s.info().labels.size(), 2u);
  EXPECT_EQ(s.info().labels[1], "malware");
  EXPECT_EQ(s.info().counts[0] + s.info().counts[1] + s.info().counts[2], 30000u);
  for (size_t i = 0; i < added.size(); ++i) {
    int want = i == 0 ? 0 : (i % 2 == 0 ? malware : 0);
    ASSERT_EQ(s.Find(added[i].first, added[i].second.data()), want) << i;
  }
  for (int i = 0; i < 30000; ++i) {
    Algorithm a = Algorithm(i % 3);
    std::vector<uint8_t> d = Digest(a, rng);
    ASSERT_EQ(s.Find(a, d.data()), -1);
  }
  // FindMany agrees with Find, for any count (groups and a tail).
  for (int a = 0; a < kAlgorithms; ++a) {
    std::vector<uint8_t> many;
    std::vector<int> want;
    for (size_t i = size_t(a); i < 2000; i += 3) {
      many.insert(many.end(), added[i].second.begin(), added[i].second.end());
      want.push_back(s.Find(Algorithm(a), added[i].second.data()));
      std::vector<uint8_t> absent = Digest(Algorithm(a), rng);
      many.insert(many.end(), absent.begin(), absent.end());
      want.push_back(-1);
    }
    std::vector<int> got(want.size(), 99);
    s.FindMany(Algorithm(a), many.data(), want.size(), got.data());
    EXPECT_EQ(got, want) << AlgorithmName(Algorithm(a));
  }
  // A digest of one algorithm is not found as another's.
  uint8_t md5_as_sha256[32] = {};
  std::memcpy(md5_as_sha256, added[0].second.data(), 16);
  EXPECT_EQ(s.Find(Algorithm::kSha256, md5_as_sha256), -1);
}

TEST_F(HashSetTest, CrowdedBucketsFromNonRandomDigests) {
  // Digests that share their leading bytes (a hand-made list, or a hostile one) all fall into
  // one bucket: building must not go quadratic, and look-ups must still find each one.
  Builder b(Named("crowded"));
  std::set<uint64_t> values;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 50000; ++i) values.insert(rng() % 1000000);
  for (uint64_t v : values) {
    uint8_t d[20] = {};
    for (int k = 0; k < 8; ++k) d[19 - k] = uint8_t(v >> (8 * k));
    b.Add(Algorithm::kSha1, d);
  }
  ASSERT_TRUE(b.Write(Path("c.evhs")).ok());
  auto set = HashSet::Open(Path("c.evhs"));
  ASSERT_TRUE(set.ok());
  for (uint64_t v = 0; v < 1000000; v += 7) {
    uint8_t d[20] = {};
    for (int k = 0; k < 8; ++k) d[19 - k] = uint8_t(v >> (8 * k));
    ASSERT_EQ((*set)->Find(Algorithm::kSha1, d) == 0, values.count(v) == 1) << v;
  }
}

TEST_F(HashSetTest, EmptySetFindsNothing) {
  Builder b(Named("empty"));
  ASSERT_TRUE(b.Write(Path("e.evhs")).ok());
  auto set = HashSet::Open(Path("e.evhs"));
  ASSERT_TRUE(set.ok());
  uint8_t d[32] = {};
  EXPECT_EQ((*set)->Find(Algorithm::kSha256, d), -1);
  EXPECT_EQ((*set)->info().counts[2], 0u);
}

TEST_F(HashSetTest, LabelTableIsBounded) {
  Builder b(Named("labels"));
  for (int i = 1; i < 255; ++i) ASSERT_TRUE(b.Label("l" + std::to_string(i)).ok()) << i;
  EXPECT_EQ(*b.Label("l7"), 7);  // known labels keep their number
  Result<uint8_t> over = b.Label("one too many");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), Code::kLimit);
}

TEST_F(HashSetTest, DamagedFilesAreRefusedWithAReason) {
  Builder b(Named("damaged"));
  std::mt19937_64 rng(5);
  for (int i = 0; i < 1000; ++i) b.Add(Algorithm::kMd5, Digest(Algorithm::kMd5, rng).data());
  ASSERT_TRUE(b.Write(Path("d.evhs")).ok());
  std::string bytes;
  {
    std::ifstream in(Path("d.evhs"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(Path(name), std::ios::binary) << content;
    return HashSet::Open(Path(name));
  };
  auto truncated = write("t.evhs", bytes.substr(0, bytes.size() - 100));
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), Code::kCorrupt);
  EXPECT_NE(truncated.status().message().find("truncated"), std::string::npos);

  std::string other = bytes;
  other[0] = 'X';
  auto foreign = write("f.evhs", other);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().code(), Code::kInvalidArgument);

  // A bucket index that goes backwards would let a look-up read past the records.
  std::string index = bytes;
  uint64_t buckets_offset;
  std::memcpy(&buckets_offset, index.data() + 24 + 16, 8);  // md5 section's buckets_offset
  uint32_t huge = 0xffffffffu;
  std::memcpy(index.data() + buckets_offset + 4 * 10, &huge, 4);
  auto damaged = write("i.evhs", index);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), Code::kCorrupt);

  auto missing = HashSet::Open(Path("none.evhs"));
  ASSERT_FALSE(missing.ok());
  auto empty = write("z.evhs", "");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace evidex::hashset
