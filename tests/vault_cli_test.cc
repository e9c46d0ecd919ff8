// `evidex init`, `case`, `acquire` and `custody` end to end: the binary is run as a user would,
// hashes are checked against OpenSSL computed here, and the store and the vault are tampered with
// through the sqlite3 C API and the file system, as someone with access to the disk could.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

#include "vault_cli_test_util.h"

namespace evidex::testing {
namespace {

class VaultCli : public VaultCliTest {};

TEST_F(VaultCli, InitWithPassphraseFromTheEnvironment) {
  Outcome r = Ev("init --unit \"Cybercrime Unit, Colombo\" --country LK", "env pass 1");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("encrypted with your passphrase"), std::string::npos);
  nlohmann::json key = nlohmann::json::parse(Read("ws/unit.key"));
  EXPECT_EQ(key["protection"], "argon2id");
  EXPECT_FALSE(key.contains("secret_key"));
  EXPECT_EQ(Read("ws/unit.pub"), "ed25519:" + key["public_key"].get<std::string>() + "\n");

  EXPECT_EQ(Ev("case new --number 2026/041 --title T --examiner E", "env pass 1").code, 0);
  Outcome wrong = Ev("case new --number 2026/042 --title T --examiner E", "not it");
  EXPECT_EQ(wrong.code, 6) << wrong.out;
  EXPECT_EQ(wrong.out, "evidex: wrong passphrase for " + P("ws") + "/unit.key\n");
  // No passphrase at all, stdin not a terminal: an error that says what to do, not a wait.
  Outcome none = Ev("case new --number 2026/043 --title T --examiner E", "");
  EXPECT_EQ(none.code, 6);
  EXPECT_NE(none.out.find("--passphrase-file"), std::string::npos) << none.out;
  // Nothing was created by the refused commands.
  nlohmann::json list = nlohmann::json::parse(Ev("case list --json").out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["number"], "2026/041");
}

TEST_F(VaultCli, InitWithPassphraseFile) {
  Write("pass", "from a file\n");
  Write("bad", "something else\n");
  ASSERT_EQ(Ev("init --unit U --country GB --passphrase-file " + P("pass")).code, 0);
  EXPECT_EQ(Ev("case new --number 1 --title T --examiner E --passphrase-file " + P("pass")).code,
            0);
  Outcome wrong = Ev("case new --number 2 --title T --examiner E --passphrase-file " + P("bad"));
  EXPECT_EQ(wrong.code, 6);
  EXPECT_NE(wrong.out.find("wrong passphrase"), std::string::npos);
  // The file wins over the environment.
  EXPECT_EQ(
      Ev("case new --number 3 --title T --examiner E --passphrase-file " + P("pass"), "not it")
          .code,
      0);
}

TEST_F(VaultCli, InitWithoutPassphraseKeepsAnOwnerOnlyKey) {
  ASSERT_EQ(Ev("init --unit U --country LK --no-passphrase").code, 0);
  struct stat st {};
  ASSERT_EQ(stat(P("ws/unit.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(nlohmann::json::parse(Read("ws/unit.key"))["protection"], "none");
  ASSERT_EQ(Ev("case new --number 1 --title T --examiner E").code, 0);
  chmod(P("ws/unit.key").c_str(), 0644);
  Outcome r = Ev("case new --number 2 --title T --examiner E");
  EXPECT_EQ(r.code, 6);
  EXPECT_NE(r.out.find("mode 0644"), std::string::npos) << r.out;
}

TEST_F(VaultCli, WorkspaceErrorsAreExitSeven) {
  Outcome none = Ev("case list");
  EXPECT_EQ(none.code, 7);
  EXPECT_EQ(none.out, "evidex: no workspace at " + P("ws") + "; run evidex init\n");
  ASSERT_EQ(Ev("init --unit U --country LK --no-passphrase").code, 0);
  std::string key = Read("ws/unit.key");
  Outcome again = Ev("init --unit Other --country FR --no-passphrase");
  EXPECT_EQ(again.code, 7);
  EXPECT_NE(again.out.find("a workspace already exists"), std::string::npos);
  EXPECT_EQ(Read("ws/unit.key"), key);
  // A store written by a newer evidex.
  Sql("ws/evidex.db", "INSERT INTO schema_version VALUES (99, 'x', '9.0')");
  Outcome newer = Ev("case list");
  EXPECT_EQ(newer.code, 7);
  EXPECT_EQ(newer.out.rfind(
                "evidex: this workspace was written by a newer evidex (schema 99; this one "
                "reads up to ",
                0),
            0u)
      << newer.out;
  // Bad arguments to init are usage errors.
  EXPECT_EQ(Sh(Evidex() + " --data " + P("ws2") +
               " init --unit U --country Lanka "
               "--no-passphrase 2>&1")
                .code,
            1);
}

TEST_F(VaultCli, LockedStoreIsExitSeven) {
  ASSERT_EQ(Ev("init --unit U --country LK --no-passphrase").code, 0);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(P("ws/evidex.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  Outcome r = Ev("case new --number 1 --title T --examiner E");  // waits the 5 s busy timeout
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(r.code, 7) << r.out;
  EXPECT_NE(r.out.find("is locked by another process"), std::string::npos) << r.out;
  EXPECT_EQ(Ev("case new --number 1 --title T --examiner E").code, 0);
}

TEST_F(VaultCli, CaseNewListShow) {
  ASSERT_EQ(Ev("init --unit \"Cybercrime Unit, Colombo\" --country LK --no-passphrase").code, 0);
  Outcome made =
      Ev("case new --number 2026/041 --title \"Card fraud ring\" --offence "
         "\"Computer fraud (s. 7)\" --examiner \"Insp. Perera\" --json");
  ASSERT_EQ(made.code, 0) << made.out;
  nlohmann::json c = nlohmann::json::parse(made.out);
  EXPECT_EQ(c["id"], 1);
  EXPECT_EQ(c["number"], "2026/041");
  EXPECT_EQ(c["offence"], "Computer fraud (s. 7)");
  EXPECT_EQ(c["status"], "open");
  ASSERT_EQ(Ev("case new --number 2026/042 --title Second --examiner \"Sgt. Silva\"").code, 0);
  Outcome dup = Ev("case new --number 2026/041 --title Again --examiner X");
  EXPECT_EQ(dup.code, 1);
  EXPECT_EQ(dup.out, "evidex: case 2026/041 already exists (local id 1)\n");

  nlohmann::json list = nlohmann::json::parse(Ev("case list --json").out);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1]["examiner"], "Sgt. Silva");
  EXPECT_EQ(list[1]["evidence"], 0);
  Outcome table = Ev("case list");
  EXPECT_NE(table.out.find("2026/042"), std::string::npos);
  EXPECT_NE(table.out.find("Card fraud ring"), std::string::npos);

  for (const char* name : {"2026/041", "1"}) {
    nlohmann::json show =
        nlohmann::json::parse(Ev(std::string("case show ") + name + " --json").out);
    EXPECT_EQ(show["uuid"], c["uuid"]);
    EXPECT_EQ(show["custody_records"], 1);
    EXPECT_TRUE(show["evidence"].empty());
  }
  Outcome missing = Ev("case show 2026/999");
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.out, "evidex: no case 2026/999 (see 'evidex case list')\n");
  // The custody chain starts with case-created, signed by the unit.
  nlohmann::json custody = nlohmann::json::parse(Ev("custody show 2026/041 --json").out);
  ASSERT_EQ(custody["records"].size(), 1u);
  EXPECT_EQ(custody["records"][0]["action"], "case-created");
  EXPECT_EQ(custody["records"][0]["actor"], "Insp. Perera");
  EXPECT_EQ(custody["records"][0]["unit"], "Cybercrime Unit, Colombo (LK)");
  EXPECT_EQ(custody["records"][0]["details"]["title"], "Card fraud ring");
  EXPECT_EQ(custody["head"]["seq"], 1);
}

TEST_F(VaultCli, AcquireInEachModeRecordsOpenSslHashes) {
  ASSERT_EQ(Ev("init --unit U --country LK --no-passphrase").code, 0);
  ASSERT_EQ(Ev("case new --number 2026/041 --title T --examiner \"Insp. Perera\"").code, 0);
  std::string data = RandomBytes(1 << 20, 7) + "alice@example.org" + std::string(512 - 17, 'x');
  Write("disk.raw", data);
  Digests want = OpenSslDigests(data);

  int n = 0;
  for (const char* mode : {"copy", "reference", "e01"}) {
    ++n;
    Outcome r = Ev("acquire 2026/041 " + P("disk.raw") + " --label \"Disk " + mode + "\" --mode " +
                   mode + " --examiner \"Sgt. Silva\" --json");
    ASSERT_EQ(r.code, 0) << mode << ": " << r.out;
    nlohmann::json e = nlohmann::json::parse(r.out);
    EXPECT_EQ(e["name"], "E" + std::to_string(n));
    EXPECT_EQ(e["mode"], mode);
    EXPECT_EQ(e["state"], "complete");
    EXPECT_EQ(e["size"], data.size());
    EXPECT_EQ(e["md5"], want.md5) << mode;
    EXPECT_EQ(e["sha1"], want.sha1) << mode;
    EXPECT_EQ(e["sha256"], want.sha256) << mode;
    EXPECT_EQ(e["examiner"], "Sgt. Silva");
    EXPECT_EQ(e["source_path"], P("disk.raw"));
    EXPECT_EQ(e["verified"], std::string(mode) != "reference");
    std::string stored = e["stored_path"];
    if (std::string(mode) == "reference") {
      EXPECT_EQ(stored, "");
    } else {
      ASSERT_FALSE(stored.empty());
      EXPECT_TRUE(std::filesystem::exists(P("ws/vault/" + stored))) << stored;
    }
    if (std::string(mode) == "copy") {
      EXPECT_EQ(Read("ws/vault/" + stored), data);
    }
  }
  nlohmann::json show = nlohmann::json::parse(Ev("case show 2026/041 --json").out);
  ASSERT_EQ(show["evidence"].size(), 3u);
  for (const auto& e : show["evidence"]) {
    EXPECT_EQ(e["complete"], true);
    EXPECT_EQ(e["sha256"], want.sha256);
  }
  Outcome text = Ev("case show 2026/041");
  EXPECT_NE(text.out.find(want.md5), std::string::npos);
  EXPECT_NE(text.out.find(want.sha1), std::string::npos);

  nlohmann::json custody = nlohmann::json::parse(Ev("custody show 2026/041 --json").out);
  ASSERT_EQ(custody["records"].size(), 4u);
  const nlohmann::json& acq = custody["records"][3];
  EXPECT_EQ(acq["action"], "acquired");
  EXPECT_EQ(acq["actor"], "Sgt. Silva");
  EXPECT_EQ(acq["evidence"], show["evidence"][2]["uuid"]);
  for (const char* k : {"md5", "sha1", "sha256"})
    EXPECT_EQ(acq["details"][k], show["evidence"][2][k]);
  EXPECT_EQ(acq["details"]["mode"], "e01");
  EXPECT_EQ(acq["details"]["tool"], "evidex");
  EXPECT_EQ(acq["details"]["verified"], true);

  Outcome v = Ev("custody verify");
  EXPECT_EQ(v.code, 0) << v.out;
  EXPECT_NE(v.out.find("case 2026/041: OK (4 custody records, 3 evidence items re-hashed)"),
            std::string::npos)
      << v.out;
  custody = nlohmann::json::parse(Ev("custody show 2026/041 --json").out);
  ASSERT_EQ(custody["records"].size(), 5u);
  EXPECT_EQ(custody["records"][4]["action"], "verified");
  EXPECT_EQ(custody["records"][4]["details"]["evidence"].size(), 3u);
}

TEST_F(VaultCli, AcquireBadInput) {
  ASSERT_EQ(Ev("init --unit U --country LK --no-passphrase").code, 0);
  ASSERT_EQ(Ev("case new --number 1 --title T --examiner E").code, 0);
  Outcome missing = Ev("acquire 1 " + P("nope.raw") + " --label X");
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.out.find("nope.raw"), std::string::npos);
  Write("d.raw", "0123456789");
  EXPECT_EQ(Ev("acquire 9 " + P("d.raw") + " --label X").code, 1);
  EXPECT_EQ(Ev("acquire 1 " + P("d.raw") + " --label X --mode zip").code, 1);
  // An E01 holds whole sectors: refused, and the row says failed (never complete).
  Outcome e01 = Ev("acquire 1 " + P("d.raw") + " --label X --mode e01");
  EXPECT_EQ(e01.code, 1) << e01.out;
  nlohmann::json show = nlohmann::json::parse(Ev("case show 1 --json").out);
  ASSERT_EQ(show["evidence"].size(), 1u);
  EXPECT_EQ(show["evidence"][0]["state"], "failed");
  EXPECT_EQ(show["evidence"][0]["complete"], false);
  EXPECT_NE(Ev("case show 1").out.find("incomplete (failed)"), std::string::npos);
  // The failed row is taken over by the next run of the same source and label.
  Outcome ok = Ev("acquire 1 " + P("d.raw") + " --label X --mode copy --json");
  ASSERT_EQ(ok.code, 0) << ok.out;
  show = nlohmann::json::parse(Ev("case show 1 --json").out);
  ASSERT_EQ(show["evidence"].size(), 2u);  // another mode: a new row
  // Nothing about the failure reached the custody chain.
  nlohmann::json custody = nlohmann::json::parse(Ev("custody show 1 --json").out);
  ASSERT_EQ(custody["records"].size(), 2u);
  EXPECT_EQ(custody["records"][1]["evidence"], show["evidence"][1]["uuid"]);
  EXPECT_EQ(Ev("custody verify 1").code, 0);
}

TEST_F(VaultCli, FailedRowOfTheSameSourceIsTakenOver) {
  ASSERT_EQ(Ev("init --unit U --country LK --no-passphrase").code, 0);
  ASSERT_EQ(Ev("case new --number 1 --title T --examiner E").code, 0);
  Write("d.raw", RandomBytes(4096, 3));
  ASSERT_EQ(Ev("acquire 1 " + P("d.raw") + " --label X").code, 0);
  // Mark it as a crashed acquisition would leave it, and acquire again.
  Sql("ws/evidex.db",
      "INSERT INTO evidence (uuid, case_id, number, label, mode, source_path, "
      "state) VALUES ('00000000-0000-4000-8000-000000000002', 1, 2, 'Y', 'copy', '" +
          P("d.raw") + "', 'acquiring')");
  Outcome r = Ev("acquire 1 " + P("d.raw") + " --label Y --json");
  ASSERT_EQ(r.code, 0) << r.out;
  nlohmann::json e = nlohmann::json::parse(r.out);
  EXPECT_EQ(e["name"], "E2");
  EXPECT_EQ(e["uuid"], "00000000-0000-4000-8000-000000000002");
  EXPECT_EQ(nlohmann::json::parse(Ev("case show 1 --json").out)["evidence"].size(), 2u);
}

TEST_F(VaultCli, ReceivedItemsVerifyAgainstTheirReceivedRecords) {
  // In the receiving workspace a referenced item becomes a copy and an E01 set gets a new
  // directory: verify must take the "received" record, not the sender's "acquired", as the
  // reference — and still find a change of the bytes.
  ASSERT_EQ(Ev("init --unit A --country LK --no-passphrase").code, 0);
  ASSERT_EQ(Sh("env -u EVIDEX_PASSPHRASE " + Evidex() + " --data " + P("b") +
               " init --unit B --country GH --no-passphrase 2>&1")
                .code,
            0);
  ASSERT_EQ(Ev("case new --number 2026/041 --title T --examiner E").code, 0);
  Write("r.raw", RandomBytes(64 << 10, 21));
  Write("e.raw", RandomBytes(64 << 10, 22));
  ASSERT_EQ(Ev("acquire 2026/041 " + P("r.raw") + " --label Ref --mode reference").code, 0);
  ASSERT_EQ(Ev("acquire 2026/041 " + P("e.raw") + " --label Set --mode e01").code, 0);
  Outcome pkg = Ev("package 2026/041 -o " + P("p.tar"));
  ASSERT_EQ(pkg.code, 0) << pkg.out;
  auto b = [&](const std::string& args) {
    return Sh("env -u EVIDEX_PASSPHRASE " + Evidex() + " --data " + P("b") + " " + args +
              " </dev/null 2>&1");
  };
  Outcome rx = b("receive " + P("p.tar") + " --trust-key " + P("ws/unit.pub"));
  ASSERT_EQ(rx.code, 0) << rx.out;
  Outcome v = b("custody verify");
  EXPECT_EQ(v.code, 0) << v.out;
  EXPECT_NE(v.out.find("2 evidence items re-hashed"), std::string::npos) << v.out;
  // The received copy of the referenced item is in b's vault; change a byte of it.
  std::string stored =
      SqlText("b/evidex.db", "SELECT stored_path FROM evidence WHERE label = 'Ref'");
  ASSERT_FALSE(stored.empty());
  std::string path = P("b/vault/" + stored);
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  std::string bytes = Read("b/vault/" + stored);
  bytes[7] ^= 1;
  Write("b/vault/" + stored, bytes);
  v = b("custody verify");
  EXPECT_EQ(v.code, 5) << v.out;
  EXPECT_NE(v.out.find("Ref: its bytes no longer match"), std::string::npos) << v.out;
}

// A workspace with a case, two acquisitions and a verification: records 1 case-created,
// 2 acquired E1 (copy), 3 acquired E2 (reference), 4 verified.
class Tampered : public VaultCliTest {
 protected:
  void SetUp() override {
    VaultCliTest::SetUp();
    ASSERT_EQ(Ev("init --unit U --country LK --no-passphrase").code, 0);
    ASSERT_EQ(Ev("case new --number 2026/041 --title T --examiner E").code, 0);
    Write("a.raw", RandomBytes(256 << 10, 11));
    Write("b.raw", RandomBytes(128 << 10, 12));
    ASSERT_EQ(Ev("acquire 2026/041 " + P("a.raw") + " --label \"Laptop HDD\"").code, 0);
    ASSERT_EQ(Ev("acquire 2026/041 " + P("b.raw") + " --label Phone --mode reference").code, 0);
    ASSERT_EQ(Ev("custody verify 2026/041").code, 0);
    ASSERT_EQ(Records(), 4);
  }
  int64_t Records() { return SqlInt("ws/evidex.db", "SELECT COUNT(*) FROM custody"); }
  // Runs verify; expects exit 5, the message in its output, and no record added.
  void ExpectFails(const std::string& message) {
    int64_t before = Records();
    Outcome r = Ev("custody verify");
    EXPECT_EQ(r.code, 5) << r.out;
    EXPECT_NE(r.out.find("case 2026/041: FAILED"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(message), std::string::npos) << r.out;
    EXPECT_EQ(Records(), before);
    Outcome j = Ev("custody verify --json");
    EXPECT_EQ(j.code, 5);
    EXPECT_EQ(nlohmann::json::parse(j.out)["ok"], false);
  }
};

TEST_F(Tampered, IntactVerifiesAgain) {
  Outcome r = Ev("custody verify 2026/041");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(Records(), 5);
}

TEST_F(Tampered, EditedRecordDetails) {
  Sql("ws/evidex.db",
      "UPDATE custody SET details = replace(details, '\"label\":\"Phone\"', "
      "'\"label\":\"Tablet\"') "
      "WHERE seq = 3");
  ExpectFails("custody: record 3 was edited (its hash does not match its content)");
}

TEST_F(Tampered, DeletedMiddleRecord) {
  Sql("ws/evidex.db", "DELETE FROM custody WHERE seq = 2");
  ExpectFails("custody: record 2 was deleted (missing before record 3)");
}

TEST_F(Tampered, DeletedLastRecordIsFoundThroughTheSignedHead) {
  Sql("ws/evidex.db", "DELETE FROM custody WHERE seq = 4");
  ExpectFails("custody: record 4 was deleted (the signed head says the chain ends at record 4)");
  // And nothing can be appended on top of it to hide the deletion.
  Outcome r = Ev("acquire 2026/041 " + P("b.raw") + " --label Again");
  EXPECT_EQ(r.code, 5);
  EXPECT_NE(r.out.find("does not end at its signed head"), std::string::npos) << r.out;
  EXPECT_EQ(Records(), 3);
}

TEST_F(Tampered, SwappedSeqIsReordered) {
  Sql("ws/evidex.db",
      "UPDATE custody SET seq = 100 WHERE seq = 2; UPDATE custody SET seq = 2 WHERE seq = 3; "
      "UPDATE custody SET seq = 3 WHERE seq = 100");
  ExpectFails("custody: record 2 was reordered (it was signed as record 3)");
}

TEST_F(Tampered, FlippedByteInTheVaultObject) {
  std::string stored = SqlText("ws/evidex.db", "SELECT stored_path FROM evidence WHERE number = 1");
  std::string path = P("ws/vault/" + stored);
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);  // objects are read-only
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(1000);
  char c = 0;
  f.read(&c, 1);
  c ^= 0x20;
  f.seekp(1000);
  f.write(&c, 1);
  f.close();
  ExpectFails("E1 Laptop HDD: its bytes no longer match: SHA-256 recorded");
  Outcome r = Ev("custody verify");
  EXPECT_NE(r.out.find("E2 Phone: bytes match"), std::string::npos) << r.out;
}

TEST_F(Tampered, ChangedReferencedSource) {
  std::string b = Read("b.raw");
  b[5] ^= 1;
  Write("b.raw", b);
  ExpectFails("E2 Phone: its bytes no longer match");
}

TEST_F(Tampered, EvidenceRowEditedToMatchTamperedBytes) {
  // Someone changes the bytes and the row's hashes to match: the signed record still says.
  Sql("ws/evidex.db",
      "UPDATE evidence SET sha256 = '" + std::string(64, 'a') + "' WHERE number = 1");
  ExpectFails("E1 Laptop HDD: its row differs from its signed \"acquired\" record (record 2)");
}

TEST_F(Tampered, RowMarkedCompleteWithoutAcquisition) {
  Sql("ws/evidex.db",
      "INSERT INTO evidence (uuid, case_id, number, label, mode, source_path, "
      "state) VALUES ('u-3', 1, 3, 'Fake', 'reference', '/dev/null', 'complete')");
  ExpectFails("E3 Fake: marked complete but no custody record says it was acquired");
}

}  // namespace
}  // namespace evidex::testing
