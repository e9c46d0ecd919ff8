// The shared sample images (EVIDEX_SOURCE_DIR/../shared/data/images), when present.
#include <openssl/evp.h>

#include <filesystem>

#include "gtest/gtest.h"
#include "io/source.h"
#include "io/test_util.h"

namespace evidex {
namespace {

#ifdef EVIDEX_SOURCE_DIR
const std::string kImages = EVIDEX_SOURCE_DIR "/../shared/data/images";
#else
const std::string kImages = "/work/shared/data/images";
#endif
constexpr char kExt2Md5[] = "196066add11fb71c4c49cf1bb50d6d24";

std::string Md5Of(Source& source) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EXPECT_NE(ctx, nullptr);
  if (ctx == nullptr) return "";
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  std::vector<std::byte> buf(1 << 20);
  uint64_t offset = 0;
  for (;;) {
    Result<size_t> n = source.ReadAt(offset, buf);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) break;
    EVP_DigestUpdate(ctx, buf.data(), *n);
    offset += *n;
  }
  EXPECT_EQ(offset, source.Size());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 15];
  }
  return hex;
}

class SharedImagesTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(kImages)) {
      GTEST_SKIP() << "shared images not present at " << kImages;
    }
  }
};

TEST_P(SharedImagesTest, Ext2ImageMd5) {
  const std::string path = kImages + "/" + GetParam();
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  Result<std::unique_ptr<Source>> s = OpenSource(path);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Md5Of(**s), kExt2Md5) << (*s)->Describe();
}

INSTANTIATE_TEST_SUITE_P(Ext2, SharedImagesTest,
                         ::testing::Values("ext2.E01", "ext2.split.E01", "ext2.splitraw.000"));

TEST(SharedImagesBogusTest, BogusSplitOpensWithoutCrashing) {
  const std::string path = kImages + "/bogus.001";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  Result<std::unique_ptr<Source>> s = OpenSource(path);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const std::string d = (*s)->Describe();
  EXPECT_TRUE(d == "split raw set " + path + " (1 part)" || d == "raw file " + path) << d;
  EXPECT_EQ((*s)->Size(), std::filesystem::file_size(path));
  EXPECT_EQ(testing::ReadAll(**s).size(), (*s)->Size());
}

TEST(SharedImagesDescribeTest, SplitE01HasTwoSegments) {
  const std::string path = kImages + "/ext2.split.E01";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  Result<std::unique_ptr<Source>> s = OpenSource(path);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Describe(), "E01 set " + path + " (2 segments)");
}

}  // namespace
}  // namespace evidex
