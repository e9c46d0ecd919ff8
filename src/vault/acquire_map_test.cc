// The mapped source (acquire_map.h): views read the file in place; a range that cannot be read
// is refused; a page that fails after it was handed out reads as zeros and marks the map
// damaged instead of killing the process; a SIGBUS elsewhere still reaches its old handler.
#include "vault/acquire_map.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "gtest/gtest.h"
#include "vault/vault_test_util.h"

namespace evidex::vault {
namespace {

using testing::DeterministicBytes;
using testing::TempDir;
using testing::WriteFile;

struct Mapped {
  std::unique_ptr<SourceMap> map;
  struct stat st;
};

Mapped Open(const std::string& path, size_t window) {
  Mapped m;
  EXPECT_EQ(::stat(path.c_str(), &m.st), 0);
  Result<std::unique_ptr<SourceMap>> r =
      SourceMap::Open(path, m.st, static_cast<uint64_t>(m.st.st_size), window);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (r.ok()) m.map = std::move(*r);
  return m;
}

TEST(SourceMap, ViewsReadTheFileInPlaceAndWindowsFollowTheOffset) {
  TempDir dir;
  std::string data = DeterministicBytes((3 << 20) + 777, 5);
  WriteFile(dir / "disk.dd", data);
  Mapped m = Open(dir / "disk.dd", 1 << 20);
  ASSERT_NE(m.map, nullptr);
  std::vector<uint64_t> windows;
  m.map->on_window = [&](uint64_t off) { windows.push_back(off); };
  for (uint64_t off = 0; off < data.size(); off += 300000) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(300000, data.size() - off));
    std::shared_ptr<const Block> b = m.map->View(off, len, nullptr);
    ASSERT_NE(b, nullptr) << off;
    EXPECT_EQ(b->offset, off);
    ASSERT_EQ(b->size, len);
    EXPECT_EQ(std::memcmp(b->data(), data.data() + off, len), 0) << off;
  }
  EXPECT_EQ(windows.size(), 4u);  // 1 MiB windows, a new one when a block does not fit
  EXPECT_FALSE(m.map->damaged());
  EXPECT_EQ(m.map->viewed_bytes(), data.size());
  EXPECT_EQ(m.map->View(data.size() - 10, 11, nullptr), nullptr);  // past the end
}

TEST(SourceMap, RefusesAnotherFileOrASizeThatChanged) {
  TempDir dir;
  WriteFile(dir / "a", DeterministicBytes(10000, 1));
  WriteFile(dir / "b", DeterministicBytes(10000, 2));
  struct stat a;
  ASSERT_EQ(::stat((dir / "a").c_str(), &a), 0);
  EXPECT_FALSE(SourceMap::Open(dir / "b", a, 10000, 1 << 20).ok());  // replaced
  EXPECT_FALSE(SourceMap::Open(dir / "a", a, 9999, 1 << 20).ok());
  EXPECT_FALSE(SourceMap::Open(dir / "a", a, 10000, 0).ok());  // mapping turned off
  EXPECT_TRUE(SourceMap::Open(dir / "a", a, 10000, 1 << 20).ok());
}

TEST(SourceMap, ARangeTruncatedBeforeItIsViewedIsRefused) {
  TempDir dir;
  std::string path = dir / "disk.dd";
  WriteFile(path, DeterministicBytes(4 << 20, 3));
  Mapped m = Open(path, 8 << 20);
  ASSERT_NE(m.map, nullptr);
  ASSERT_NE(m.map->View(0, 1 << 20, nullptr), nullptr);
  ASSERT_EQ(::truncate(path.c_str(), 1 << 20), 0);
  // Populating the page tables fails (EFAULT), no signal: the caller reads it with pread.
  EXPECT_EQ(m.map->View(2 << 20, 1 << 20, nullptr), nullptr);
  EXPECT_EQ(m.map->fallback_bytes(), uint64_t{1} << 20);
  EXPECT_FALSE(m.map->damaged());
}

TEST(SourceMap, APageTruncatedAfterItWasHandedOutReadsAsZerosAndMarksTheMapDamaged) {
  TempDir dir;
  std::string path = dir / "disk.dd";
  std::string data = DeterministicBytes(4 << 20, 4);
  WriteFile(path, data);
  Mapped m = Open(path, 8 << 20);
  ASSERT_NE(m.map, nullptr);
  std::shared_ptr<const Block> first = m.map->View(0, 1 << 20, nullptr);
  std::shared_ptr<const Block> third = m.map->View(2 << 20, 1 << 20, nullptr);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(third, nullptr);
  ASSERT_EQ(::truncate(path.c_str(), 1 << 20), 0);  // the kernel takes the pages out of the map
  // On another thread, as the hashers read: SIGBUS there, handled, zeros.
  std::string copy(1 << 20, 'x');
  std::thread reader([&] { std::memcpy(copy.data(), third->data(), copy.size()); });
  reader.join();
  EXPECT_EQ(copy, std::string(1 << 20, '\0'));
  EXPECT_TRUE(m.map->damaged());
  // What was not truncated still reads as it was.
  EXPECT_EQ(std::memcmp(first->data(), data.data(), 1 << 20), 0);
}

TEST(SourceMap, ASigbusOutsideTheWindowsStillKills) {
  TempDir dir;
  std::string path = dir / "other.dd";
  WriteFile(path, DeterministicBytes(1 << 20, 6));
  Mapped m = Open(path, 1 << 20);  // installs the handler
  ASSERT_NE(m.map, nullptr);
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        int fd = ::open(path.c_str(), O_RDWR);
        void* p = ::mmap(nullptr, 1 << 20, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) ::_exit(0);
        (void)::ftruncate(fd, 0);
        volatile char c = static_cast<const volatile char*>(p)[8192];
        (void)c;
        ::_exit(0);
      },
      "");
}

}  // namespace
}  // namespace evidex::vault
