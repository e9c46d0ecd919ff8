#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "io/source.h"
#include "io/test_util.h"

namespace evidex {
namespace {

using testing::DeterministicBytes;
using testing::ExpectRandomReads;
using testing::ReadAll;
using testing::ReadString;
using testing::TempDir;
using testing::WriteFile;

TEST(MemorySourceTest, ReadsAndDescribes) {
  std::unique_ptr<Source> s = MakeMemorySource("hello world", "decoded zip member");
  EXPECT_EQ(s->Size(), 11u);
  EXPECT_EQ(s->Describe(), "decoded zip member");
  EXPECT_EQ(ReadString(*s, 6, 100), "world");
  EXPECT_EQ(ReadString(*s, 11, 5), "");
  EXPECT_EQ(ReadString(*s, 1000, 5), "");
  EXPECT_EQ(ReadString(*s, 0, 0), "");
  EXPECT_EQ(MakeMemorySource("")->Describe(), "memory");
  EXPECT_EQ(MakeMemorySource("")->Size(), 0u);
}

TEST(RawSourceTest, ReadsKnownContent) {
  TempDir dir;
  const std::string bytes = DeterministicBytes(1000003, 1);
  WriteFile(dir / "disk.dd", bytes);
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "disk.dd");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Size(), bytes.size());
  EXPECT_EQ((*s)->Describe(), "raw file " + (dir / "disk.dd"));
  EXPECT_TRUE(ReadAll(**s, 4093) == bytes);
  ExpectRandomReads(**s, bytes, 200, 42);
  EXPECT_EQ(ReadString(**s, bytes.size() - 3, 10), bytes.substr(bytes.size() - 3));
  EXPECT_EQ(ReadString(**s, bytes.size(), 10), "");
  EXPECT_EQ(ReadString(**s, UINT64_MAX, 10), "");
}

TEST(RawSourceTest, ZeroByteFile) {
  TempDir dir;
  WriteFile(dir / "empty", "");
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "empty");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Size(), 0u);
  EXPECT_EQ(ReadString(**s, 0, 10), "");
}

TEST(RawSourceTest, MissingPathIsNotFound) {
  TempDir dir;
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "missing.dd");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kNotFound);
  EXPECT_NE(s.status().message().find(dir / "missing.dd"), std::string::npos);
}

TEST(RawSourceTest, DirectoryIsRefused) {
  TempDir dir;
  Result<std::unique_ptr<Source>> s = OpenSource(dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
  EXPECT_NE(s.status().message().find("directory"), std::string::npos);
}

TEST(RawSourceTest, FifoIsRefusedWithoutBlocking) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "pipe").c_str(), 0600), 0);
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "pipe");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kUnsupported);
}

TEST(RawSourceTest, FollowsSymlinkGivenByTheUser) {
  TempDir dir;
  WriteFile(dir / "real", "abc");
  std::filesystem::create_symlink(dir / "real", dir / "link");
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "link");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(ReadAll(**s), "abc");
}

// Finds the descriptor open on `path` in /proc/self/fd and returns its open flags, or -1.
long OpenFlagsOf(const std::string& path) {
  std::error_code ec;
  std::string want = std::filesystem::canonical(path, ec).string();
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    std::error_code ec2;
    if (std::filesystem::read_symlink(e.path(), ec2).string() != want) continue;
    std::ifstream info("/proc/self/fdinfo/" + e.path().filename().string());
    std::string key;
    while (info >> key) {
      if (key == "flags:") {
        std::string octal;
        info >> octal;
        return std::stol(octal, nullptr, 8);
      }
    }
  }
  return -1;
}

TEST(RawSourceTest, OpensReadOnlyAndCloseOnExec) {
  if (!std::filesystem::exists("/proc/self/fdinfo")) GTEST_SKIP() << "no /proc/self/fdinfo";
  TempDir dir;
  WriteFile(dir / "evidence.dd", "x");
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "evidence.dd");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  long flags = OpenFlagsOf(dir / "evidence.dd");
  ASSERT_NE(flags, -1) << "descriptor not found in /proc/self/fd";
  EXPECT_EQ(flags & O_ACCMODE, O_RDONLY);
  EXPECT_NE(flags & O_CLOEXEC, 0);
}

TEST(RawSourceTest, ConcurrentReads) {
  TempDir dir;
  const std::string bytes = DeterministicBytes(1 << 20, 7);
  WriteFile(dir / "disk.dd", bytes);
  Result<std::unique_ptr<Source>> s = OpenSource(dir / "disk.dd");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] { ExpectRandomReads(**s, bytes, 100, 100 + t); });
  }
  for (std::thread& t : threads) t.join();
}

// A block device is read through BLKGETSIZE64; only testable where one can be opened.
TEST(RawSourceTest, BlockDeviceIfAvailable) {
  std::error_code ec;
  std::string device;
  for (const auto& e : std::filesystem::directory_iterator("/dev", ec)) {
    std::error_code ec2;
    if (!e.is_block_file(ec2)) continue;
    int fd = ::open(e.path().c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) continue;
    ::close(fd);
    device = e.path().string();
    break;
  }
  if (device.empty()) GTEST_SKIP() << "no readable block device in /dev";
  Result<std::unique_ptr<Source>> s = OpenSource(device);
  if (!s.ok() && s.status().code() == Code::kIoError) {
    GTEST_SKIP() << "block device present but unusable here: " << s.status().ToString();
  }
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Describe(), "raw device " + device);
  if ((*s)->Size() > 0) {
    std::vector<std::byte> buf(512);
    Result<size_t> n = (*s)->ReadAt(0, buf);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
  }
}

}  // namespace
}  // namespace evidex
