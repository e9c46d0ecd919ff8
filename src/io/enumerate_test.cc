#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "gtest/gtest.h"
#include "io/source.h"
#include "io/test_util.h"

namespace evidex {
namespace {

using testing::TempDir;
using testing::WriteFile;

std::vector<std::string> Relatives(const Enumeration& e) {
  std::vector<std::string> out;
  for (const EvidenceItem& item : e.items) out.push_back(item.relative);
  return out;
}

TEST(EnumerateTest, MissingPathIsNotFound) {
  TempDir dir;
  Result<Enumeration> e = EnumerateEvidence(dir / "nothing-here");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), Code::kNotFound);
  EXPECT_NE(e.status().message().find(dir / "nothing-here"), std::string::npos);
}

TEST(EnumerateTest, FileGivesOneItem) {
  TempDir dir;
  WriteFile(dir / "disk.dd", "abc");
  Result<Enumeration> e = EnumerateEvidence(dir / "disk.dd");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->items.size(), 1u);
  EXPECT_EQ(e->items[0].path, dir / "disk.dd");
  EXPECT_EQ(e->items[0].relative, "");
  EXPECT_TRUE(e->errors.empty());
}

TEST(EnumerateTest, ZeroByteFileIsAnItem) {
  TempDir dir;
  WriteFile(dir / "empty", "");
  Result<Enumeration> e = EnumerateEvidence(dir.path());
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(Relatives(*e), std::vector<std::string>{"empty"});
  Result<std::unique_ptr<Source>> s = OpenSource(e->items[0].path);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Size(), 0u);
}

TEST(EnumerateTest, EmptyDirectory) {
  TempDir dir;
  Result<Enumeration> e = EnumerateEvidence(dir.path());
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TRUE(e->items.empty());
  EXPECT_TRUE(e->errors.empty());
}

TEST(EnumerateTest, SortedByRelativePath) {
  TempDir dir;
  // Created out of order; names chosen so that walk order and path order differ.
  std::filesystem::create_directories(dir / "z/y");
  std::filesystem::create_directories(dir / "a");
  std::filesystem::create_directories(dir / "a-b");
  WriteFile(dir / "z/y/x", "1");
  WriteFile(dir / "b", "2");
  WriteFile(dir / "a.txt", "3");
  WriteFile(dir / "a/b", "4");
  WriteFile(dir / "a-b/c", "5");
  WriteFile(dir / "B", "6");
  WriteFile(dir / "a/a", "7");
  Result<Enumeration> e = EnumerateEvidence(dir.path());
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  std::vector<std::string> want = {"B", "a-b/c", "a.txt", "a/a", "a/b", "b", "z/y/x"};
  EXPECT_EQ(Relatives(*e), want);
  for (const EvidenceItem& item : e->items) EXPECT_EQ(item.path, dir / item.relative);
  EXPECT_TRUE(e->errors.empty());
}

TEST(EnumerateTest, TrailingSlashOnDirectory) {
  TempDir dir;
  WriteFile(dir / "f", "1");
  Result<Enumeration> e = EnumerateEvidence(dir.path() + "/");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(Relatives(*e), std::vector<std::string>{"f"});
  EXPECT_EQ(e->items[0].path, dir / "f");
}

TEST(EnumerateTest, SymlinksAreNotFollowedAndSpecialFilesSkipped) {
  TempDir outside;
  WriteFile(outside / "secret", "outside");
  TempDir dir;
  WriteFile(dir / "real", "1");
  std::filesystem::create_symlink(outside / "secret", dir / "link-to-file");
  std::filesystem::create_directory_symlink(outside.path(), dir / "link-to-dir");
  std::filesystem::create_symlink(dir / "missing", dir / "dangling");
  std::filesystem::create_directory_symlink(dir.path(), dir / "loop");
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  // A Unix socket bound in the directory.
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock_path = dir / "sock";
  bool bound = sock_path.size() < sizeof(addr.sun_path);
  if (bound) {
    std::strcpy(addr.sun_path, sock_path.c_str());
    bound = ::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  Result<Enumeration> e = EnumerateEvidence(dir.path());
  ::close(sock);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(Relatives(*e), std::vector<std::string>{"real"});
  EXPECT_TRUE(e->errors.empty());
  if (bound) {
    EXPECT_TRUE(std::filesystem::is_socket(sock_path));
  }
}

TEST(EnumerateTest, SymlinkGivenByTheUserIsFollowed) {
  TempDir dir;
  std::filesystem::create_directory(dir / "real");
  WriteFile(dir / "real/f", "1");
  std::filesystem::create_directory_symlink(dir / "real", dir / "link");
  Result<Enumeration> e = EnumerateEvidence(dir / "link");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(Relatives(*e), std::vector<std::string>{"f"});
}

TEST(EnumerateTest, UnreadableEntriesAreErrorsAndTheWalkGoesOn) {
  TempDir dir;
  WriteFile(dir / "a", "1");
  WriteFile(dir / "locked-file", "2");
  std::filesystem::create_directory(dir / "locked-dir");
  WriteFile(dir / "locked-dir/inner", "3");
  std::filesystem::create_directory(dir / "open-dir");
  WriteFile(dir / "open-dir/z", "4");
  ASSERT_EQ(::chmod((dir / "locked-file").c_str(), 0), 0);
  ASSERT_EQ(::chmod((dir / "locked-dir").c_str(), 0), 0);
  if (::access((dir / "locked-file").c_str(), R_OK) == 0 ||
      ::access((dir / "locked-dir").c_str(), R_OK) == 0) {
    GTEST_SKIP() << "permissions do not restrict reads here (running as root or with "
                    "CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH): cannot make an unreadable file";
  }
  Result<Enumeration> e = EnumerateEvidence(dir.path());
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(Relatives(*e), (std::vector<std::string>{"a", "open-dir/z"}));
  ASSERT_EQ(e->errors.size(), 2u);
  std::string all = e->errors[0].message() + "\n" + e->errors[1].message();
  EXPECT_NE(all.find(dir / "locked-file"), std::string::npos) << all;
  EXPECT_NE(all.find(dir / "locked-dir"), std::string::npos) << all;
  for (const Status& st : e->errors) EXPECT_EQ(st.code(), Code::kIoError) << st.ToString();
}

}  // namespace
}  // namespace evidex
