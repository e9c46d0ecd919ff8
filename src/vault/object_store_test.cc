// The object store: layout, permissions, dedup, read-back verification, tmp/ cleaning and a full
// vault disk.
#include "vault/object_store.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "gtest/gtest.h"
#include "vault/vault_test_util.h"

namespace evidex::vault {
namespace {

using testing::DeterministicBytes;
using testing::FilesUnder;
using testing::OneShotHex;
using testing::ReadWholeFile;
using testing::TempDir;

// Writes `data` as a raw object in blocks of `block` bytes; returns Commit's result.
Result<CommittedObject> WriteObject(ObjectStore& store, const std::string& data, size_t block,
                                    size_t lag = 1u << 20) {
  BlockPool pool(block, 64);
  Result<std::unique_ptr<RawObjectWriter>> w = store.NewRawObject(lag);
  if (!w.ok()) return w.status();
  for (size_t off = 0; off < data.size(); off += block) {
    std::shared_ptr<Block> b = pool.Get();
    b->size = std::min(block, data.size() - off);
    b->offset = off;
    std::memcpy(b->data(), data.data() + off, b->size);
    Status st = (*w)->Append(std::move(b));
    if (!st.ok()) return st;
  }
  return (*w)->Commit(OneShotHex(EVP_sha256(), data));
}

TEST(ObjectStore, RawObjectIsContentAddressedReadOnlyAndComplete) {
  TempDir dir;
  ObjectStore store(dir / "vault");
  ASSERT_TRUE(store.Init().ok());
  std::string data = DeterministicBytes(300000 + 17, 1);
  Result<CommittedObject> c = WriteObject(store, data, 65536, 100000);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::string sha = OneShotHex(EVP_sha256(), data);
  EXPECT_EQ(c->path, "objects/" + sha.substr(0, 2) + "/" + sha + ".raw");
  EXPECT_FALSE(c->deduplicated);
  EXPECT_EQ(ReadWholeFile(store.Absolute(c->path)), data);
  struct stat st;
  ASSERT_EQ(::stat(store.Absolute(c->path).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0444u);
  EXPECT_EQ(FilesUnder(dir / "vault/tmp"), std::vector<std::string>{});
  EXPECT_EQ(FilesUnder(dir / "vault"), std::vector<std::string>{c->path});
}

TEST(ObjectStore, BlocksOfAnySizeAreReadBack) {
  TempDir dir;
  ObjectStore store(dir / "vault");
  ASSERT_TRUE(store.Init().ok());
  std::string data = DeterministicBytes(123457, 9);
  // 10000-byte blocks: offsets that O_DIRECT cannot read at, so the read-back drops to the
  // page cache (dropped for the range) and still compares every byte.
  BlockPool pool(10000, 64);
  Result<std::unique_ptr<RawObjectWriter>> w = store.NewRawObject(30000);
  ASSERT_TRUE(w.ok());
  for (size_t off = 0; off < data.size(); off += 10000) {
    std::shared_ptr<Block> b = pool.Get();
    b->size = std::min<size_t>(10000, data.size() - off);
    b->offset = off;
    std::memcpy(b->data(), data.data() + off, b->size);
    EVIDEX_ASSERT_OK((*w)->Append(std::move(b)));
  }
  Result<CommittedObject> c = (*w)->Commit(OneShotHex(EVP_sha256(), data));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*w)->verified_bytes(), data.size());
  EXPECT_EQ(ReadWholeFile(store.Absolute(c->path)), data);
}

TEST(ObjectStore, EmptyObject) {
  TempDir dir;
  ObjectStore store(dir / "vault");
  ASSERT_TRUE(store.Init().ok());
  Result<CommittedObject> c = WriteObject(store, "", 4096);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->path,
            "objects/e3/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.raw");
  EXPECT_EQ(ReadWholeFile(store.Absolute(c->path)), "");
}

TEST(ObjectStore, SameContentIsStoredOnce) {
  TempDir dir;
  ObjectStore store(dir / "vault");
  ASSERT_TRUE(store.Init().ok());
  std::string data = DeterministicBytes(100000, 2);
  Result<CommittedObject> first = WriteObject(store, data, 8192);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  struct stat before;
  ASSERT_EQ(::stat(store.Absolute(first->path).c_str(), &before), 0);
  Result<CommittedObject> second = WriteObject(store, data, 4096);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->deduplicated);
  EXPECT_EQ(second->path, first->path);
  struct stat after;
  ASSERT_EQ(::stat(store.Absolute(first->path).c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino) << "the existing object was replaced";
  EXPECT_EQ(FilesUnder(dir / "vault"), std::vector<std::string>{first->path});
}

TEST(ObjectStore, ReadBackDetectsBytesThatChangedOnTheWayToDisk) {
  TempDir dir;
  ObjectStore store(dir / "vault");
  ASSERT_TRUE(store.Init().ok());
  std::string data = DeterministicBytes(200000, 3);
  BlockPool pool(65536, 8);
  Result<std::unique_ptr<RawObjectWriter>> w = store.NewRawObject(/*verify_lag_bytes=*/1 << 20);
  ASSERT_TRUE(w.ok());
  for (size_t off = 0; off < data.size(); off += 65536) {
    std::shared_ptr<Block> b = pool.Get();
    b->size = std::min<size_t>(65536, data.size() - off);
    b->offset = off;
    std::memcpy(b->data(), data.data() + off, b->size);
    ASSERT_TRUE((*w)->Append(std::move(b)).ok());
  }
  // What a failing disk would do: the stored bytes differ from what was written.
  std::vector<std::string> tmp = FilesUnder(dir / "vault/tmp");
  ASSERT_EQ(tmp.size(), 1u);
  int fd = ::open((dir / ("vault/tmp/" + tmp[0])).c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "X", 1, 123457), 1);
  ::close(fd);
  Result<CommittedObject> c = (*w)->Commit(OneShotHex(EVP_sha256(), data));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kCorrupt);
  EXPECT_NE(c.status().message().find("offset 123457"), std::string::npos) << c.status().message();
  w->reset();
  EXPECT_EQ(FilesUnder(dir / "vault"), std::vector<std::string>{}) << "something was left";
}

TEST(ObjectStore, CleanTmpRemovesLeftoversButNotLiveWrites) {
  TempDir dir;
  ObjectStore store(dir / "vault");
  ASSERT_TRUE(store.Init().ok());
  // A killed run's leftovers: a directory with a half-written file, and a stray file.
  ASSERT_EQ(::mkdir((dir / "vault/tmp/deadbeefdeadbeef").c_str(), 0700), 0);
  testing::WriteFile(dir / "vault/tmp/deadbeefdeadbeef/object.raw", "half");
  ::chmod((dir / "vault/tmp/deadbeefdeadbeef").c_str(), 0500);  // even a read-only leftover
  testing::WriteFile(dir / "vault/tmp/stray", "x");
  Result<std::unique_ptr<TmpDir>> live = store.NewTmpDir();
  ASSERT_TRUE(live.ok());
  testing::WriteFile((*live)->path() + "/image.E01", "in progress");
  size_t removed = 0;
  ASSERT_TRUE(store.CleanTmp(&removed).ok());
  EXPECT_EQ(removed, 2u);
  EXPECT_EQ(FilesUnder(dir / "vault/tmp"), std::vector<std::string>{(*live)->id() + "/image.E01"});
  live->reset();  // dropped without commit: removed
  EXPECT_EQ(FilesUnder(dir / "vault/tmp"), std::vector<std::string>{});
}

TEST(ObjectStore, FullDiskGivesAClearErrorAndLeavesNothing) {
  testing::SmallTmpfs fs("1m");
  if (!fs.mounted()) GTEST_SKIP() << "no small file system to fill: " << fs.why();
  ObjectStore store(fs.path() + "/vault");
  ASSERT_TRUE(store.Init().ok());
  std::string data = DeterministicBytes(3 << 20, 4);
  Result<CommittedObject> c = WriteObject(store, data, 65536);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kIoError);
  EXPECT_EQ(c.status().message().rfind("vault disk full writing " + fs.path() + "/vault/tmp/", 0),
            0u)
      << c.status().message();
  EXPECT_EQ(FilesUnder(fs.path() + "/vault"), std::vector<std::string>{});
}

// The same with a file size limit (RLIMIT_FSIZE), which needs no privileges; run in a child
// process because the limit and SIGXFSZ's disposition are per process.
TEST(ObjectStore, FileSizeLimitGivesAClearErrorAndLeavesNothing) {
  TempDir dir;
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {1 << 20, 1 << 20};
    if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(10);
    ObjectStore store(dir / "vault");
    if (!store.Init().ok()) ::_exit(11);
    Result<CommittedObject> c = WriteObject(store, DeterministicBytes(3 << 20, 5), 65536);
    if (c.ok()) ::_exit(12);
    if (c.status().message().rfind("vault file too large writing ", 0) != 0) ::_exit(13);
    if (!FilesUnder(dir / "vault").empty()) ::_exit(14);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10 setrlimit, 11 init, 12 no error, 13 wrong message, "
                                       "14 files left";
}

TEST(ObjectStore, IsSha256Hex) {
  EXPECT_TRUE(IsSha256Hex(std::string(64, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'A')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a') + "/"));
}

}  // namespace
}  // namespace evidex::vault
