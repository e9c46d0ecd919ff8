// Using stored evidence end to end: scan --case (and its "scanned" record), export, dispose.
#include <nlohmann/json.hpp>

#include "vault_cli_test_util.h"

namespace evidex::testing {
namespace {

constexpr char kPass[] = "evidence pass";

class EvidenceCli : public VaultCliTest {
 protected:
  void SetUp() override {
    VaultCliTest::SetUp();
    ASSERT_EQ(Ev("init --unit \"Cybercrime Unit, Colombo\" --country LK", kPass).code, 0);
    ASSERT_EQ(Ev("case new --number 2026/7 --title Fraud --examiner \"A. Perera\"", kPass).code, 0);
    image_ = RandomBytes(3u << 20, 7);
    const std::string planted = " write to mule.account@example.com today ";
    image_.replace(1u << 20, planted.size(), planted);
    Write("disk.img", image_);
  }
  // The case's custody records (custody show --json: {"case", "head", "records"}).
  nlohmann::json Custody() {
    return nlohmann::json::parse(Ev("custody show 2026/7 --json").out).at("records");
  }
  // The last record of `action`, or null.
  static nlohmann::json Last(const nlohmann::json& records, const std::string& action) {
    nlohmann::json last;
    for (const nlohmann::json& r : records)
      if (r["action"] == action) last = r;
    return last;
  }
  std::string image_;
};

TEST_F(EvidenceCli, ScanOfCaseEvidenceIsRecordedInCustody) {
  ASSERT_EQ(Ev("acquire 2026/7 " + P("disk.img") + " --label Disk --quiet", kPass).code, 0);
  Outcome r = Ev("scan --case 2026/7 E1 -o " + P("out") + " --jsonl --quiet", kPass);
  ASSERT_EQ(r.code, 0) << r.out;
  std::string hits = Read("out/hits.jsonl");
  EXPECT_NE(hits.find("\"normalized\":\"mule.account@example.com\""), std::string::npos);
  nlohmann::json c = Custody();
  nlohmann::json s = Last(c, "scanned");
  ASSERT_FALSE(s.is_null()) << c.dump();
  const nlohmann::json& d = s["details"];
  EXPECT_EQ(d["name"], "E1");
  EXPECT_EQ(d["sha256"], OpenSslDigests(image_).sha256);
  EXPECT_EQ(d["bytes_scanned"], image_.size());
  EXPECT_EQ(d["report_sha256"], OpenSslHex(EVP_sha256(), Read("out/report.json")));
  EXPECT_EQ(d["hits_all_items"]["email"], 1);
  EXPECT_EQ(Ev("custody verify 2026/7 --quiet", kPass).code, 0);
  // Unknown evidence and a wrong passphrase: refused before any scan.
  EXPECT_EQ(Ev("scan --case 2026/7 E9 -o " + P("out2") + " --quiet", kPass).code, 1);
  EXPECT_EQ(Ev("scan --case 2026/7 E1 -o " + P("out3") + " --quiet", "wrong").code, 6);
  EXPECT_FALSE(std::filesystem::exists(P("out3/report.json")));
}

TEST_F(EvidenceCli, ReferenceEvidenceIsReverifiedBeforeAScan) {
  ASSERT_EQ(Ev("acquire 2026/7 " + P("disk.img") + " --label Ref --mode reference --quiet", kPass).code, 0);
  ASSERT_EQ(Ev("scan --case 2026/7 E1 -o " + P("ok") + " --quiet", kPass).code, 0);
  EXPECT_EQ(Last(Custody(), "scanned")["details"]["reverified"], true);
  std::string changed = image_;
  changed[100] ^= 1;
  Write("disk.img", changed);
  Outcome r = Ev("scan --case 2026/7 E1 -o " + P("bad") + " --quiet", kPass);
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_NE(r.out.find("no longer match"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(P("bad/report.json")));
  int scanned = 0;
  for (const nlohmann::json& x : Custody()) scanned += x["action"] == "scanned";
  EXPECT_EQ(scanned, 1);
}

TEST_F(EvidenceCli, ExportWritesVerifiedBytesOnce) {
  ASSERT_EQ(Ev("acquire 2026/7 " + P("disk.img") + " --label Disk --mode e01 --quiet", kPass).code, 0);
  Outcome r = Ev("export 2026/7 E1 -o " + P("copy.raw") + " --to \"Prosecutor\" --json", kPass);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(Read("copy.raw"), image_);  // the media of the E01, as raw bytes
  nlohmann::json e = Last(Custody(), "exported");
  ASSERT_FALSE(e.is_null());
  EXPECT_EQ(e["details"]["sha256"], OpenSslDigests(image_).sha256);
  EXPECT_EQ(e["details"]["md5"], OpenSslDigests(image_).md5);
  EXPECT_EQ(e["details"]["recipient"], "Prosecutor");
  // Never over an existing file.
  EXPECT_EQ(Ev("export 2026/7 E1 -o " + P("copy.raw"), kPass).code, 1);
}

TEST_F(EvidenceCli, ExportOfDamagedBytesLeavesNothing) {
  ASSERT_EQ(Ev("acquire 2026/7 " + P("disk.img") + " --label Disk --quiet", kPass).code, 0);
  std::string obj = SqlText("ws/evidex.db", "SELECT stored_path FROM evidence");
  ASSERT_FALSE(obj.empty());
  std::string path = P("ws/vault/" + obj);
  Sh("chmod u+w " + path);
  std::string bytes = Read("ws/vault/" + obj);
  bytes[5000] ^= 0x40;
  Write("ws/vault/" + obj, bytes);
  Outcome r = Ev("export 2026/7 E1 -o " + P("copy.raw"), kPass);
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_FALSE(std::filesystem::exists(P("copy.raw")));
  EXPECT_FALSE(std::filesystem::exists(P("copy.raw.partial")));
  EXPECT_TRUE(Last(Custody(), "exported").is_null());
}

TEST_F(EvidenceCli, DisposeRecordsThenRemovesBytesKeptWhileShared) {
  // The same bytes twice: one content-addressed object for both items.
  ASSERT_EQ(Ev("acquire 2026/7 " + P("disk.img") + " --label A --quiet", kPass).code, 0);
  ASSERT_EQ(Ev("acquire 2026/7 " + P("disk.img") + " --label B --quiet", kPass).code, 0);
  std::string obj = P("ws/vault/" + SqlText("ws/evidex.db", "SELECT stored_path FROM evidence"));
  ASSERT_TRUE(std::filesystem::exists(obj));
  Outcome r = Ev("dispose 2026/7 E1 --reason \"destroyed by order\" --authority \"Order 1\"", kPass);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(std::filesystem::exists(obj)) << "E2 still uses the object";
  EXPECT_EQ(SqlText("ws/evidex.db", "SELECT state FROM evidence WHERE number = 1"), "disposed");
  nlohmann::json d = Last(Custody(), "disposed");
  ASSERT_FALSE(d.is_null());
  EXPECT_EQ(d["details"]["reason"], "destroyed by order");
  EXPECT_EQ(d["details"]["authority"], "Order 1");
  ASSERT_EQ(Ev("dispose 2026/7 E2 --reason returned", kPass).code, 0);
  EXPECT_FALSE(std::filesystem::exists(obj));
  // Disposed evidence cannot be used; the chain still verifies.
  EXPECT_EQ(Ev("export 2026/7 E1 -o " + P("x.raw"), kPass).code, 1);
  EXPECT_EQ(Ev("scan --case 2026/7 E2 -o " + P("o") + " --quiet", kPass).code, 1);
  EXPECT_EQ(Ev("custody verify 2026/7 --quiet", kPass).code, 0);
  // Again on a disposed item: nothing new recorded.
  size_t records = Custody().size();
  EXPECT_EQ(Ev("dispose 2026/7 E2 --reason again", kPass).code, 0);
  EXPECT_EQ(Custody().size(), records);
}

}  // namespace
}  // namespace evidex::testing
