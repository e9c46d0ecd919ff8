// Helpers for the workspace end-to-end tests (vault_cli_test.cc, vault_kill_test.cc): run the
// evidex binary on a workspace in a temporary directory, poke its SQLite store through the C
// API, and compute reference hashes with OpenSSL.
#ifndef EVIDEX_TESTS_VAULT_CLI_TEST_UTIL_H_
#define EVIDEX_TESTS_VAULT_CLI_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>

#include "shell_test_util.h"

namespace evidex::testing {

inline std::string Evidex() { return EVIDEX_BIN; }

struct Digests {
  std::string md5, sha1, sha256;
};

inline std::string Hex(const unsigned char* p, unsigned n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

inline std::string OpenSslHex(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, md, nullptr);
  return Hex(out, n);
}

inline Digests OpenSslDigests(const std::string& data) {
  return {OpenSslHex(EVP_md5(), data), OpenSslHex(EVP_sha1(), data),
          OpenSslHex(EVP_sha256(), data)};
}


class VaultCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/evidex-vault-cli-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    // Vault objects are read-only; remove_all needs the directories writable.
    Sh("chmod -R u+w " + dir_.string() + " 2>/dev/null");
    std::filesystem::remove_all(dir_);
  }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }
  void Write(const std::string& name, const std::string& data) const {
    std::ofstream(dir_ / name, std::ios::binary | std::ios::trunc) << data;
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // `evidex --data DIR/ws ARGS` with stdin from /dev/null and stderr in the output.
  // EVIDEX_PASSPHRASE is set to `passphrase` when given and non-empty, and unset otherwise.
  Outcome Ev(const std::string& args, const std::optional<std::string>& passphrase = {}) const {
    std::string env = "env -u EVIDEX_PASSPHRASE -u EVIDEX_DATA ";
    if (passphrase && !passphrase->empty()) env += "EVIDEX_PASSPHRASE='" + *passphrase + "' ";
    return Sh(env + Evidex() + " --data " + P("ws") + " " + args + " </dev/null 2>&1");
  }
  void Sql(const std::string& db_name, const std::string& sql) const {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(P(db_name).c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "") << " in " << sql;
    sqlite3_free(err);
    sqlite3_close(db);
  }
  std::string SqlText(const std::string& db_name, const std::string& sql) const {
    sqlite3* db = nullptr;
    std::string v;
    if (sqlite3_open(P(db_name).c_str(), &db) != SQLITE_OK) return v;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr)
      v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
  }
  int64_t SqlInt(const std::string& db_name, const std::string& sql) const {
    std::string v = SqlText(db_name, sql);
    return v.empty() ? -1 : std::stoll(v);
  }
  std::filesystem::path dir_;
};

}  // namespace evidex::testing

#endif  // EVIDEX_TESTS_VAULT_CLI_TEST_UTIL_H_
