// The workspace: layout and modes, refusing to overwrite, clear errors, key loading with and
// without a passphrase, trusted signers, lock files.
#include "vault/workspace.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace evidex::vault {
namespace {

namespace fs = std::filesystem;

class WorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/evidex-ws-XXXXXX";
    root_ = mkdtemp(tmpl);
    dir_ = (root_ / "data").string();
    unsetenv("EVIDEX_PASSPHRASE");
  }
  void TearDown() override {
    unsetenv("EVIDEX_PASSPHRASE");
    fs::remove_all(root_);
  }
  InitOptions Options(std::optional<std::string> passphrase) const {
    InitOptions o;
    o.unit_name = "Cybercrime Unit, Colombo";
    o.country = "LK";
    o.passphrase = std::move(passphrase);
    o.kdf = KdfLimits::Interactive();  // the CLI uses Moderate; tests stay fast
    return o;
  }
  static unsigned Mode(const std::string& p) {
    struct stat st {};
    stat(p.c_str(), &st);
    return st.st_mode & 0777;
  }
  fs::path root_;
  std::string dir_;
};

TEST_F(WorkspaceTest, InitCreatesTheLayout) {
  Result<Workspace> ws = Workspace::Init(dir_, Options(std::nullopt));
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  EXPECT_TRUE(fs::is_regular_file(dir_ + "/evidex.db"));
  EXPECT_TRUE(fs::is_directory(dir_ + "/vault"));
  EXPECT_EQ(Mode(dir_), 0700u);
  EXPECT_EQ(Mode(dir_ + "/unit.key"), 0600u);
  EXPECT_EQ(Mode(dir_ + "/unit.pub"), 0644u);
  std::ifstream pub(dir_ + "/unit.pub");
  std::string line;
  std::getline(pub, line);
  EXPECT_EQ(line, ws->unit().public_key);
  EXPECT_EQ(ws->unit().name, "Cybercrime Unit, Colombo");
  EXPECT_EQ(ws->unit().Display(), "Cybercrime Unit, Colombo (LK)");
  // Nothing left beside it.
  int entries = 0;
  for (auto& e : fs::directory_iterator(root_)) entries += e.path().filename() != "data";
  EXPECT_EQ(entries, 0);
}

TEST_F(WorkspaceTest, InitRefusesAnExistingWorkspaceOrANonEmptyDirectory) {
  ASSERT_TRUE(Workspace::Init(dir_, Options(std::nullopt)).ok());
  std::string key_before;
  {
    std::ifstream in(dir_ + "/unit.key");
    std::stringstream ss;
    ss << in.rdbuf();
    key_before = ss.str();
  }
  Result<Workspace> again = Workspace::Init(dir_, Options(std::nullopt));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(),
            "a workspace already exists at " + dir_ + "; nothing was changed");
  std::ifstream in(dir_ + "/unit.key");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), key_before);

  std::string other = (root_ / "other").string();
  fs::create_directory(other);
  std::ofstream(other + "/notes.txt") << "mine";
  Result<Workspace> busy = Workspace::Init(other, Options(std::nullopt));
  ASSERT_FALSE(busy.ok());
  EXPECT_NE(busy.status().message().find("not an empty directory"), std::string::npos);
  // An empty directory is fine.
  std::string empty = (root_ / "empty").string();
  fs::create_directory(empty);
  EXPECT_TRUE(Workspace::Init(empty, Options(std::nullopt)).ok());
}

TEST_F(WorkspaceTest, InitChecksUnitAndCountry) {
  InitOptions o = Options(std::nullopt);
  o.country = "Sri Lanka";
  EXPECT_EQ(Workspace::Init(dir_, o).status().code(), Code::kInvalidArgument);
  o.country = "lk";
  EXPECT_FALSE(Workspace::Init(dir_, o).ok());
  o = Options(std::nullopt);
  o.unit_name = "";
  EXPECT_FALSE(Workspace::Init(dir_, o).ok());
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(WorkspaceTest, OpenWithoutAWorkspaceSaysSo) {
  Result<Workspace> ws = Workspace::Open(dir_);
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.status().code(), Code::kNotFound);
  EXPECT_EQ(ws.status().message(), "no workspace at " + dir_ + "; run evidex init");
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(WorkspaceTest, SigningKeyWithoutPassphrase) {
  ASSERT_TRUE(Workspace::Init(dir_, Options(std::nullopt)).ok());
  Result<Workspace> ws = Workspace::Open(dir_);
  ASSERT_TRUE(ws.ok());
  Result<SigningKey> key = ws->LoadSigningKey("");
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->public_key().Text(), ws->unit().public_key);
}

TEST_F(WorkspaceTest, SigningKeyWithPassphraseFromFileOrEnvironment) {
  ASSERT_TRUE(Workspace::Init(dir_, Options(std::string("s3cret pass"))).ok());
  Result<Workspace> ws = Workspace::Open(dir_);
  ASSERT_TRUE(ws.ok());
  std::string pf = (root_ / "pass").string();
  std::ofstream(pf) << "s3cret pass\n";
  EXPECT_TRUE(ws->LoadSigningKey(pf).ok());
  setenv("EVIDEX_PASSPHRASE", "s3cret pass", 1);
  EXPECT_TRUE(ws->LoadSigningKey("").ok());
  setenv("EVIDEX_PASSPHRASE", "wrong", 1);
  Result<SigningKey> bad = ws->LoadSigningKey("");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "wrong passphrase for " + dir_ + "/unit.key");
}

TEST_F(WorkspaceTest, AKeyFromAnotherWorkspaceIsRefused) {
  std::string other = (root_ / "other").string();
  ASSERT_TRUE(Workspace::Init(dir_, Options(std::nullopt)).ok());
  ASSERT_TRUE(Workspace::Init(other, Options(std::nullopt)).ok());
  fs::copy_file(other + "/unit.key", dir_ + "/unit.key", fs::copy_options::overwrite_existing);
  Result<Workspace> ws = Workspace::Open(dir_);
  ASSERT_TRUE(ws.ok());
  Result<SigningKey> key = ws->LoadSigningKey("");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("is not the key of this workspace's unit"),
            std::string::npos);
}

TEST_F(WorkspaceTest, TrustedSignersAreTheUnitAndKnownKeys) {
  ASSERT_TRUE(Workspace::Init(dir_, Options(std::nullopt)).ok());
  Result<Workspace> ws = Workspace::Open(dir_);
  ASSERT_TRUE(ws.ok());
  SigningKey stranger = std::move(SigningKey::Generate()).value();
  auto trusted = ws->TrustedSigners();
  ASSERT_TRUE(trusted.ok());
  EXPECT_TRUE((*trusted)(*PublicKey::Parse(ws->unit().public_key)));
  EXPECT_FALSE((*trusted)(stranger.public_key()));
  ASSERT_TRUE(ws->store().AddKnownKey({stranger.public_key().Text(), "NCA", "GB", "t", ""}).ok());
  trusted = ws->TrustedSigners();
  EXPECT_TRUE((*trusted)(stranger.public_key()));
}

TEST_F(WorkspaceTest, LocksExcludeEachOtherUntilReleased) {
  ASSERT_TRUE(Workspace::Init(dir_, Options(std::nullopt)).ok());
  Result<Workspace> ws = Workspace::Open(dir_);
  ASSERT_TRUE(ws.ok());
  Result<FileLock> a = ws->TryLock("e-1");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->held());
  Result<FileLock> b = ws->TryLock("e-1");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->held());
  Result<FileLock> c = ws->TryLock("e-2");
  EXPECT_TRUE(c.ok() && c->held());
  *a = FileLock();
  Result<FileLock> d = ws->TryLock("e-1");
  EXPECT_TRUE(d.ok() && d->held());
  EXPECT_FALSE(ws->TryLock("../x").ok());
}

}  // namespace
}  // namespace evidex::vault
