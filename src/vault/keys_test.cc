// Unit key: signing, key files with and without a passphrase, refusals, passphrase sources.
#include "vault/keys.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace evidex::vault {
namespace {

namespace fs = std::filesystem;

class KeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/evidex-keys-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }
  std::string Read(const std::string& name) const {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void Write(const std::string& name, const std::string& data) const {
    std::ofstream(dir_ / name, std::ios::binary | std::ios::trunc) << data;
  }
  fs::path dir_;
};

SigningKey NewKey() {
  Result<SigningKey> k = SigningKey::Generate();
  EXPECT_TRUE(k.ok()) << k.status().message();
  return std::move(k).value();
}

TEST_F(KeysTest, SignAndVerify) {
  SigningKey key = NewKey();
  Signature sig = key.Sign("record hash");
  EXPECT_TRUE(VerifySignature(key.public_key(), "record hash", sig));
  EXPECT_FALSE(VerifySignature(key.public_key(), "record hasH", sig));
  Signature bad = sig;
  bad[10] ^= 1;
  EXPECT_FALSE(VerifySignature(key.public_key(), "record hash", bad));
  SigningKey other = NewKey();
  EXPECT_FALSE(VerifySignature(other.public_key(), "record hash", sig));
  EXPECT_NE(other.public_key(), key.public_key());
}

TEST_F(KeysTest, PublicKeyTextHexFingerprintAndParse) {
  SigningKey key = NewKey();
  const PublicKey& pk = key.public_key();
  EXPECT_EQ(pk.Hex().size(), 64u);
  EXPECT_EQ(pk.Text(), "ed25519:" + pk.Hex());
  EXPECT_EQ(pk.Fingerprint().size(), 16u);
  Result<PublicKey> a = PublicKey::Parse(pk.Text());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, pk);
  Result<PublicKey> b = PublicKey::Parse(pk.Hex() + "\n");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, pk);
  EXPECT_FALSE(PublicKey::Parse("ed25519:abc").ok());
  EXPECT_FALSE(PublicKey::Parse(std::string(64, 'g')).ok());
  EXPECT_FALSE(PublicKey::Parse("rsa:" + pk.Hex()).ok());
  Signature sig = key.Sign("x");
  Result<Signature> back = ParseSignatureHex(SignatureHex(sig));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, sig);
  EXPECT_FALSE(ParseSignatureHex("00").ok());
}

TEST_F(KeysTest, MovedKeyStillSigns) {
  SigningKey a = NewKey();
  PublicKey pk = a.public_key();
  SigningKey b = std::move(a);
  EXPECT_TRUE(VerifySignature(pk, "m", b.Sign("m")));
  SigningKey c = NewKey();
  c = std::move(b);
  EXPECT_TRUE(VerifySignature(pk, "m", c.Sign("m")));
}

TEST_F(KeysTest, KeyFileRoundTripWithPassphrase) {
  SigningKey key = NewKey();
  ASSERT_TRUE(
      SaveKeyFile(P("unit.key"), key, std::string("correct horse"), KdfLimits::Interactive()).ok());
  struct stat st {};
  ASSERT_EQ(stat(P("unit.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string text = Read("unit.key");
  EXPECT_EQ(text.find(key.public_key().Hex()) != std::string::npos, true);
  nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j["format"], "evidex-unit-key-v1");
  EXPECT_EQ(j["protection"], "argon2id");
  EXPECT_FALSE(j.contains("secret_key"));
  Result<bool> prot = KeyFileIsProtected(P("unit.key"));
  ASSERT_TRUE(prot.ok());
  EXPECT_TRUE(*prot);

  Result<SigningKey> loaded = LoadKeyFile(P("unit.key"), std::string("correct horse"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->public_key(), key.public_key());
  EXPECT_TRUE(VerifySignature(key.public_key(), "m", loaded->Sign("m")));
}

TEST_F(KeysTest, WrongPassphraseIsAClearError) {
  SigningKey key = NewKey();
  ASSERT_TRUE(SaveKeyFile(P("unit.key"), key, std::string("right"), KdfLimits::Interactive()).ok());
  Result<SigningKey> loaded = LoadKeyFile(P("unit.key"), std::string("wrong"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(loaded.status().message(), "wrong passphrase for " + P("unit.key"));
  Result<SigningKey> none = LoadKeyFile(P("unit.key"), std::nullopt);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("needs a passphrase"), std::string::npos);
}

TEST_F(KeysTest, SwappedPublicKeyDoesNotOpen) {
  SigningKey key = NewKey(), other = NewKey();
  ASSERT_TRUE(SaveKeyFile(P("unit.key"), key, std::string("pw"), KdfLimits::Interactive()).ok());
  nlohmann::json j = nlohmann::json::parse(Read("unit.key"));
  j["public_key"] = other.public_key().Hex();
  Write("unit.key", j.dump());
  EXPECT_FALSE(LoadKeyFile(P("unit.key"), std::string("pw")).ok());
}

TEST_F(KeysTest, KeyFileRoundTripWithoutPassphrase) {
  SigningKey key = NewKey();
  ASSERT_TRUE(SaveKeyFile(P("unit.key"), key, std::nullopt).ok());
  Result<bool> prot = KeyFileIsProtected(P("unit.key"));
  ASSERT_TRUE(prot.ok());
  EXPECT_FALSE(*prot);
  Result<SigningKey> loaded = LoadKeyFile(P("unit.key"), std::nullopt);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->public_key(), key.public_key());
  EXPECT_TRUE(VerifySignature(key.public_key(), "m", loaded->Sign("m")));
}

TEST_F(KeysTest, UnprotectedFileReadableByOthersIsRefused) {
  SigningKey key = NewKey();
  ASSERT_TRUE(SaveKeyFile(P("unit.key"), key, std::nullopt).ok());
  ASSERT_EQ(chmod(P("unit.key").c_str(), 0644), 0);
  Result<SigningKey> loaded = LoadKeyFile(P("unit.key"), std::nullopt);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("mode 0644"), std::string::npos)
      << loaded.status().message();
  EXPECT_NE(loaded.status().message().find("chmod 600"), std::string::npos);
  ASSERT_EQ(chmod(P("unit.key").c_str(), 0600), 0);
  EXPECT_TRUE(LoadKeyFile(P("unit.key"), std::nullopt).ok());
}

TEST_F(KeysTest, ExistingFileIsNotOverwritten) {
  SigningKey key = NewKey();
  ASSERT_TRUE(SaveKeyFile(P("unit.key"), key, std::nullopt).ok());
  std::string before = Read("unit.key");
  SigningKey other = NewKey();
  Status st = SaveKeyFile(P("unit.key"), other, std::nullopt);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("already exists"), std::string::npos);
  EXPECT_EQ(Read("unit.key"), before);
}

TEST_F(KeysTest, DamagedOrForeignFilesAreErrorsNotCrashes) {
  EXPECT_EQ(LoadKeyFile(P("missing.key"), std::nullopt).status().code(), Code::kNotFound);
  Write("a.key", "not json at all");
  EXPECT_EQ(LoadKeyFile(P("a.key"), std::nullopt).status().code(), Code::kCorrupt);
  Write("b.key", R"({"format":"evidex-unit-key-v1","public_key":"00","protection":"none"})");
  EXPECT_FALSE(LoadKeyFile(P("b.key"), std::nullopt).ok());
  // Argon2id limits from a crafted file are bounded (no 1 TiB allocation).
  SigningKey key = NewKey();
  ASSERT_TRUE(SaveKeyFile(P("c.key"), key, std::string("pw"), KdfLimits::Interactive()).ok());
  nlohmann::json j = nlohmann::json::parse(Read("c.key"));
  j["memlimit"] = uint64_t(1) << 40;
  Write("c.key", j.dump());
  Result<SigningKey> c = LoadKeyFile(P("c.key"), std::string("pw"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("out of range"), std::string::npos);
  // A "none" file whose secret does not belong to its public key.
  ASSERT_TRUE(SaveKeyFile(P("d.key"), key, std::nullopt).ok());
  nlohmann::json d = nlohmann::json::parse(Read("d.key"));
  d["public_key"] = NewKey().public_key().Hex();
  Write("d.key", d.dump());
  EXPECT_EQ(LoadKeyFile(P("d.key"), std::nullopt).status().code(), Code::kCorrupt);
}

TEST_F(KeysTest, PassphraseFromFileThenEnvironmentNeverWaitsOnANonTerminal) {
  Write("pass", "from file\nsecond line\n");
  setenv("EVIDEX_PASSPHRASE", "from env", 1);
  Result<std::string> f = ObtainPassphrase(P("pass"), "Passphrase: ", false);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, "from file");
  Result<std::string> e = ObtainPassphrase("", "Passphrase: ", true);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, "from env");
  unsetenv("EVIDEX_PASSPHRASE");
  EXPECT_FALSE(ObtainPassphrase(P("nope"), "Passphrase: ", false).ok());
  Write("empty", "\n");
  EXPECT_FALSE(ObtainPassphrase(P("empty"), "Passphrase: ", false).ok());
  if (isatty(STDIN_FILENO)) GTEST_SKIP() << "stdin is a terminal; the prompt path would wait";
  Result<std::string> none = ObtainPassphrase("", "Passphrase: ", false);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("EVIDEX_PASSPHRASE"), std::string::npos);
}

}  // namespace
}  // namespace evidex::vault
