// MultiHasher against OpenSSL's one-shot digests; BlockPool bounds; BlockWorker failure.
#include "core/hash_multi.h"

#include <openssl/evp.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace evidex {
namespace {

std::string OneShot(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out, &len, md, nullptr), 1);
  return ToHex(out, len);
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// Feeds `data` through a pool of `count` blocks of `block_size` bytes, as the acquisition does.
Digests HashThroughPool(const std::string& data, size_t block_size, size_t count, unsigned which,
                        HashThreads threads = HashThreads::kAuto) {
  BlockPool pool(block_size, count);
  MultiHasher hasher(which, threads);
  for (size_t off = 0; off < data.size(); off += block_size) {
    std::shared_ptr<Block> b = pool.Get();
    b->size = std::min(block_size, data.size() - off);
    b->offset = off;
    std::memcpy(b->data(), data.data() + off, b->size);
    hasher.Update(b);
  }
  Result<Digests> d = hasher.Finish();
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *d : Digests{};
}

TEST(MultiHasher, MatchesOpenSslOneShotAtOddSizes) {
  const size_t kBlock = 4096;
  for (size_t n : {size_t{0}, size_t{1}, size_t{55}, size_t{64}, kBlock - 1, kBlock, kBlock + 1,
                   3 * kBlock + 17, 40 * kBlock + 4095}) {
    std::string data = RandomBytes(n, static_cast<uint32_t>(n) + 7);
    Digests d = HashThroughPool(data, kBlock, 3, kHashAll);
    EXPECT_EQ(d.md5, OneShot(EVP_md5(), data)) << "size " << n;
    EXPECT_EQ(d.sha1, OneShot(EVP_sha1(), data)) << "size " << n;
    EXPECT_EQ(d.sha256, OneShot(EVP_sha256(), data)) << "size " << n;
  }
}

TEST(MultiHasher, EveryThreadLayoutGivesTheSameDigests) {
  std::string data = RandomBytes(100000 + 3, 5);
  Digests want{OneShot(EVP_md5(), data), OneShot(EVP_sha1(), data), OneShot(EVP_sha256(), data)};
  for (HashThreads t : {HashThreads::kAuto, HashThreads::kOnePerHash, HashThreads::kMd5Apart,
                        HashThreads::kOneThread, HashThreads::kMd5OnCaller}) {
    EXPECT_EQ(HashThroughPool(data, 8192, 3, kHashAll, t), want) << static_cast<int>(t);
    Digests two = HashThroughPool(data, 8192, 3, kHashSha1 | kHashSha256, t);
    EXPECT_EQ(two.md5, "");
    EXPECT_EQ(two.sha1, want.sha1);
    EXPECT_EQ(two.sha256, want.sha256);
  }
}

TEST(MultiHasher, KnownEmptyDigests) {
  Digests d = HashThroughPool("", 4096, 2, kHashAll);
  EXPECT_EQ(d.md5, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(d.sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(d.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(MultiHasher, OnlyTheAskedDigests) {
  std::string data = RandomBytes(10000, 3);
  Digests d = HashThroughPool(data, 1000, 2, kHashSha256);
  EXPECT_EQ(d.md5, "");
  EXPECT_EQ(d.sha1, "");
  EXPECT_EQ(d.sha256, OneShot(EVP_sha256(), data));
  d = HashThroughPool(data, 1000, 2, kHashMd5 | kHashSha1);
  EXPECT_EQ(d.md5, OneShot(EVP_md5(), data));
  EXPECT_EQ(d.sha1, OneShot(EVP_sha1(), data));
  EXPECT_EQ(d.sha256, "");
}

TEST(MultiHasher, LargeBlocksOfSeveralMegabytes) {
  std::string data = RandomBytes(9 * 1024 * 1024 + 333, 11);
  Digests d = HashThroughPool(data, 4 << 20, 4, kHashAll);
  EXPECT_EQ(d.md5, OneShot(EVP_md5(), data));
  EXPECT_EQ(d.sha1, OneShot(EVP_sha1(), data));
  EXPECT_EQ(d.sha256, OneShot(EVP_sha256(), data));
}

TEST(BlockPool, GetWaitsUntilABlockIsReleased) {
  BlockPool pool(4096, 2);
  auto a = pool.Get();
  auto b = pool.Get();
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a->data()) % 4096, 0u);
  std::atomic<bool> got{false};
  std::thread t([&] {
    auto c = pool.Get();
    got = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(got.load()) << "a third block was handed out from a pool of two";
  a.reset();
  t.join();
  EXPECT_TRUE(got.load());
}

TEST(BlockWorker, FailureReleasesBlocksAndIsReported) {
  BlockPool pool(16, 2);
  int calls = 0;
  BlockWorker w([&](const std::shared_ptr<const Block>& b) {
    ++calls;
    return b->offset == 1 ? IoError("disk full at block 1") : Status::Ok();
  });
  // Ten blocks through a pool of two: would hang if the failed worker kept them.
  for (uint64_t i = 0; i < 10; ++i) {
    auto b = pool.Get();
    b->offset = i;
    w.Push(b);
  }
  Status st = w.Drain();
  EXPECT_EQ(st.code(), Code::kIoError);
  EXPECT_EQ(st.message(), "disk full at block 1");
  EXPECT_TRUE(w.failed());
  EXPECT_LE(calls, 10);
  EXPECT_GE(calls, 2);
}

}  // namespace
}  // namespace evidex

namespace evidex {
namespace {

TEST(StreamHasher, OnlyTheAskedDigestsAndRawOnesEmpty) {
  std::string data = RandomBytes(10000, 4);
  StreamHasher h(kHashSha1);
  h.Update(data.data(), 3000);
  h.Update(data.data() + 3000, data.size() - 3000);
  std::array<std::vector<uint8_t>, 3> raw;
  Digests d = h.Finish(&raw);
  EXPECT_EQ(d.md5, "");
  EXPECT_EQ(d.sha1, OneShot(EVP_sha1(), data));
  EXPECT_EQ(d.sha256, "");
  EXPECT_TRUE(raw[0].empty());
  EXPECT_EQ(raw[1].size(), 20u);
  EXPECT_TRUE(raw[2].empty());
  // Reset after Finish: the next stream is hashed from the start.
  h.Update("abc", 3);
  EXPECT_EQ(h.Finish().sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
  StreamHasher all;
  all.Update(data.data(), data.size());
  d = all.Finish();
  EXPECT_EQ(d.md5, OneShot(EVP_md5(), data));
  EXPECT_EQ(d.sha256, OneShot(EVP_sha256(), data));
}

}  // namespace
}  // namespace evidex
