#include "io/os.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <array>

#include "gtest/gtest.h"
#include "io/sources_internal.h"
#include "io/test_util.h"

namespace evidex {
namespace {

using testing::TempDir;
using testing::WriteFile;

TEST(OsTest, PreadFullReadsToEndOfFile) {
  TempDir dir;
  WriteFile(dir / "f", "0123456789");
  Result<os::Fd> fd = os::OpenReadOnly(dir / "f");
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  std::array<std::byte, 8> buf;
  Result<size_t> n = os::PreadFull(*fd, dir / "f", 6, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 4u);
  EXPECT_EQ(static_cast<char>(buf[0]), '6');
  Result<uint64_t> size = os::SizeOf(*fd, dir / "f");
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 10u);
}

TEST(OsTest, PreadErrorNamesPathAndOffset) {
  TempDir dir;
  // A directory opened with O_RDONLY fails pread with EISDIR.
  os::Fd fd(::open(dir.path().c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY));
  ASSERT_TRUE(fd.valid());
  std::array<std::byte, 8> buf;
  Result<size_t> n = os::PreadFull(fd, "/some/path", 4096, buf);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), Code::kIoError);
  EXPECT_NE(n.status().message().find("/some/path"), std::string::npos);
  EXPECT_NE(n.status().message().find("4096"), std::string::npos);
}

TEST(OsTest, OpenReadOnlyRefusesFifoWithoutBlocking) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  Result<os::Fd> fd = os::OpenReadOnly(dir / "fifo");
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().code(), Code::kUnsupported);
  EXPECT_NE(fd.status().message().find("FIFO"), std::string::npos) << fd.status().message();
}

TEST(OsTest, OpenReadOnlyMissing) {
  TempDir dir;
  Result<os::Fd> fd = os::OpenReadOnly(dir / "nope");
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().code(), Code::kNotFound);
  EXPECT_NE(fd.status().message().find(dir / "nope"), std::string::npos);
}

TEST(OsTest, PathHelpers) {
  EXPECT_EQ(os::DirName("a/b/c.001"), "a/b");
  EXPECT_EQ(os::DirName("c.001"), ".");
  EXPECT_EQ(os::DirName("/c.001"), "/");
  EXPECT_EQ(os::BaseName("a/b/c.001"), "c.001");
  EXPECT_EQ(os::BaseName("c"), "c");
  EXPECT_EQ(os::JoinPath("a", "b"), "a/b");
  EXPECT_EQ(os::JoinPath("a/", "b"), "a/b");
}

TEST(NamesTest, SplitRawNames) {
  std::string base;
  uint64_t first = 9;
  int width = 0;
  EXPECT_TRUE(io_internal::ParseSplitRawName("/x/disk.001", &base, &first, &width));
  EXPECT_EQ(base, "/x/disk");
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(width, 3);
  EXPECT_TRUE(io_internal::ParseSplitRawName("disk.dd.000", &base, &first, &width));
  EXPECT_EQ(base, "disk.dd");
  EXPECT_EQ(first, 0u);
  EXPECT_TRUE(io_internal::ParseSplitRawName("disk.00001", &base, &first, &width));
  EXPECT_EQ(width, 5);
  EXPECT_FALSE(io_internal::ParseSplitRawName("disk.002", &base, &first, &width));
  EXPECT_FALSE(io_internal::ParseSplitRawName("disk.01", &base, &first, &width));
  EXPECT_FALSE(io_internal::ParseSplitRawName("disk.0a1", &base, &first, &width));
  EXPECT_FALSE(io_internal::ParseSplitRawName("dir.001/disk", &base, &first, &width));
  EXPECT_FALSE(io_internal::ParseSplitRawName("/x/.001", &base, &first, &width));
  EXPECT_EQ(io_internal::SplitPartName("d", 7, 3), "d.007");
  EXPECT_EQ(io_internal::SplitPartName("d", 1000, 3), "d.1000");
}

TEST(NamesTest, EwfSegmentNames) {
  EXPECT_EQ(io_internal::EwfSegmentExtension(1, 'E'), "E01");
  EXPECT_EQ(io_internal::EwfSegmentExtension(99, 'E'), "E99");
  EXPECT_EQ(io_internal::EwfSegmentExtension(100, 'E'), "EAA");
  EXPECT_EQ(io_internal::EwfSegmentExtension(101, 'E'), "EAB");
  EXPECT_EQ(io_internal::EwfSegmentExtension(100 + 26 * 26, 'E'), "FAA");
  EXPECT_EQ(io_internal::EwfSegmentExtension(2, 'e'), "e02");
  EXPECT_EQ(io_internal::EwfSegmentExtension(100, 'e'), "eaa");
  for (uint32_t n : {1u, 2u, 10u, 99u, 100u, 101u, 775u, 776u, 2000u}) {
    EXPECT_EQ(io_internal::EwfSegmentNumber(io_internal::EwfSegmentExtension(n, 'E'), 'E'), n);
  }
  EXPECT_EQ(io_internal::EwfSegmentNumber("E0x", 'E'), 0u);
  EXPECT_EQ(io_internal::EwfSegmentNumber("DAA", 'E'), 0u);
  EXPECT_EQ(io_internal::EwfSegmentNumber("E1", 'E'), 0u);
}

}  // namespace
}  // namespace evidex
