// Files inside stored evidence end to end, on both store back ends: `files --case` stores the
// listing (hashes, fuzzy hashes, hash-set and YARA matches, unallocated space), `hits` lists the
// alerts first, `search HASH` finds the files, `timeline --case` and `similar` read the store, and
// a second listing supersedes the first. And `scan --skip-known`. The FAT image is made here by
// mkfs.fat and mtools, with a file deleted after writing.
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>

#include "store/store_test_backends.h"
#include "vault_cli_test_util.h"

namespace evidex::testing {
namespace {

const char* kPass = "correct horse battery staple";

class FilesCaseCli : public VaultCliTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    VaultCliTest::SetUp();
    if (Sh("command -v mkfs.fat && command -v mcopy").code != 0)
      GTEST_SKIP() << "mkfs.fat or mtools missing (scripts/install-deps.sh installs dosfstools, mtools)";
    loc_ = std::make_unique<store::TestStoreLocation>(GetParam());
    if (!loc_->unavailable().empty()) GTEST_SKIP() << loc_->unavailable();
    db_ = loc_->postgresql() ? " --db '" + loc_->location() + "'" : "";
    ASSERT_EQ(Ev("init --unit \"Cybercrime Unit, Colombo\" --country LK").code, 0);
    for (int i = 1; i <= 2; ++i)
      ASSERT_EQ(Ev("case new --number 2026/" + std::to_string(i) + " --title Fraud --examiner \"A. Perera\"").code, 0);
    std::mt19937_64 rng(5);
    while (ledger_.size() < 65536) ledger_ += "entry " + std::to_string(rng() % 1000000) + " paid\n";
    Write("report.txt", "the quarterly report, contact alice@example.org");
    Write("evil.bin", std::string(5000, 'E') + "dropper");
    Write("ledger.txt", ledger_);
    Write("plan.txt", "x SECRETPLAN y bob@example.com z");
    const std::string env = "TZ=UTC MTOOLS_SKIP_CHECK=1 ";
    ASSERT_EQ(Sh("TZ=UTC touch -d '2026-03-04 05:06:08' " + P("report.txt")).code, 0);
    ASSERT_EQ(Sh("mkfs.fat -C -n STICK " + P("stick.img") + " 8192 >/dev/null").code, 0);
    ASSERT_EQ(Sh(env + "mmd -i " + P("stick.img") + " ::/docs ::/tools").code, 0);
    ASSERT_EQ(Sh(env + "mcopy -m -i " + P("stick.img") + " " + P("report.txt") + " " + P("ledger.txt") +
                 " ::/docs/").code, 0);
    ASSERT_EQ(Sh(env + "mcopy -i " + P("stick.img") + " " + P("evil.bin") + " ::/tools/").code, 0);
    ASSERT_EQ(Sh(env + "mcopy -i " + P("stick.img") + " " + P("plan.txt") + " ::/").code, 0);
    ASSERT_EQ(Sh(env + "mdel -i " + P("stick.img") + " ::/plan.txt").code, 0);
    Write("rules.yar", "rule plan : intent {\n  strings:\n    $p = \"SECRETPLAN\"\n  condition:\n    $p\n}\n");
  }
  void TearDown() override {
    VaultCliTest::TearDown();
    loc_.reset();
  }
  Outcome Ev(const std::string& args) const {
    return VaultCliTest::Ev(db_ + " " + args, std::string(kPass));
  }
  nlohmann::json Json(const std::string& args) const {
    Outcome r = Ev(args + " --json");
    EXPECT_EQ(r.code, 0) << args << ": " << r.out;
    size_t start = r.out.find_first_of("[{");
    nlohmann::json j = nlohmann::json::parse(start == std::string::npos ? "" : r.out.substr(start),
                                             nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << args << ": not JSON: " << r.out;
    return j;
  }
  std::string Sha256Of(const std::string& name) {
    Outcome o = Sh("sha256sum " + P(name) + " | cut -c1-64");
    return o.out.substr(0, 64);
  }
  // hits --json of the case, by type.
  std::multimap<std::string, nlohmann::json> Hits(const std::string& c) {
    std::multimap<std::string, nlohmann::json> by;
    for (const nlohmann::json& h : Json("hits " + c)) by.emplace(h["type"].get<std::string>(), h);
    return by;
  }

  std::unique_ptr<store::TestStoreLocation> loc_;
  std::string db_, ledger_;
};

TEST_P(FilesCaseCli, StoredListingAlertsSearchTimelineSimilar) {
  ASSERT_EQ(Sh("cd " + P("") + " && sha256sum evil.bin > " + P("alert.sha256") +
               " && md5sum ledger.txt > " + P("known.md5")).code, 0);
  ASSERT_EQ(Ev("hashset import " + P("alert.sha256") + " --category alert --name Partner --label malware").code, 0);
  ASSERT_EQ(Ev("hashset import " + P("known.md5") + " --category known --name OS").code, 0);
  Outcome acq = Ev("acquire 2026/1 " + P("stick.img") + " --label \"USB stick\" --quiet");
  ASSERT_EQ(acq.code, 0) << acq.out;

  Outcome files = Ev("files --case 2026/1 E1 --fuzzy --yara " + P("rules.yar") + " --quiet");
  ASSERT_EQ(files.code, 0) << files.out;
  EXPECT_NE(files.out.find("stored "), std::string::npos) << files.out;
  EXPECT_NE(files.out.find("in case 2026/1 (complete)"), std::string::npos) << files.out;

  // Alerts: the file in the alert set, and the YARA rule on the deleted file and in free space.
  auto hits = Hits("2026/1");
  ASSERT_EQ(hits.count("hashset"), 1u) << Json("hits 2026/1").dump(1);
  const nlohmann::json& hs = hits.find("hashset")->second;
  EXPECT_EQ(hs["file"]["path"], "/tools/evil.bin");
  EXPECT_EQ(hs["set"]["label"], "malware");
  EXPECT_EQ(hs["evidence"], "E1");
  EXPECT_EQ(hs["file"]["sha256"], Sha256Of("evil.bin"));
  bool in_deleted_file = false, in_unallocated = false;
  for (auto [it, end] = hits.equal_range("yara"); it != end; ++it) {
    EXPECT_EQ(it->second["yara"]["rule"], "plan");
    EXPECT_EQ(it->second["yara"]["tags"], nlohmann::json::array({"intent"}));
    if (it->second.contains("file")) in_deleted_file |= it->second["file"]["deleted"] == true;
    else in_unallocated = true;
  }
  EXPECT_TRUE(in_deleted_file) << Json("hits 2026/1").dump(1);
  EXPECT_TRUE(in_unallocated) << Json("hits 2026/1").dump(1);
  EXPECT_EQ(hits.count("file-watchlist"), 0u);
  // The known-good file is no alert; case 2026/2 has none.
  for (const auto& [type, h] : hits) {
    if (h.contains("file")) {
      EXPECT_NE(h["file"]["path"], "/docs/ledger.txt");
    }
  }
  EXPECT_TRUE(Json("hits 2026/2").empty());

  // A partner's watchlist naming a file hash, imported after the listing.
  Write("list.csv", "type,value,comment\nsha256," + Sha256Of("report.txt") + ",leaked report\n");
  ASSERT_EQ(Ev("watchlist import " + P("list.csv") + " --name partners").code, 0);
  hits = Hits("2026/1");
  ASSERT_EQ(hits.count("file-watchlist"), 1u) << Json("hits 2026/1").dump(1);
  EXPECT_EQ(hits.find("file-watchlist")->second["file"]["path"], "/docs/report.txt");
  EXPECT_EQ(hits.find("file-watchlist")->second["indicator"]["comment"], "leaked report");
  Outcome table = Ev("hits 2026/1");
  ASSERT_EQ(table.code, 0);
  EXPECT_LT(table.out.find("ALERTS on files"), table.out.find("/tools/evil.bin")) << table.out;

  // search HASH finds the file in the case.
  nlohmann::json s = Json("search " + Sha256Of("evil.bin"));
  ASSERT_EQ(s["files"].size(), 1u) << s.dump(1);
  EXPECT_EQ(s["files"][0]["path"], "/tools/evil.bin");
  EXPECT_EQ(s["files"][0]["case"], "2026/1");

  // The case's timeline from the store.
  Outcome tl = Ev("timeline --case 2026/1 --jsonl");
  ASSERT_EQ(tl.code, 0) << tl.out;
  bool report_time = false;
  std::istringstream lines(tl.out);
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json r = nlohmann::json::parse(line, nullptr, false);
    if (!r.is_object()) continue;
    EXPECT_EQ(r["evidence"], "E1");
    if (r["filename"] == "/docs/report.txt" && r["macb"] == "M...")
      report_time = r["datetime"] == "2026-03-04T05:06:08.000000Z";
  }
  EXPECT_TRUE(report_time) << tl.out;

  // similar with no SOURCE: the stored fuzzy hashes, ssdeep and TLSH.
  std::string edited = ledger_;
  edited.replace(20000, 8, "EDITED!!");
  Write("ledger-edited.txt", edited);
  nlohmann::json sim = Json("similar " + P("ledger-edited.txt"));
  ASSERT_GE(sim["similar"].size(), 1u) << sim.dump(1);
  EXPECT_NE(sim["similar"][0]["file"].get<std::string>().find("/docs/ledger.txt"), std::string::npos);
  EXPECT_GE(sim["similar"][0]["score"].get<int>(), 60);
  ASSERT_TRUE(sim["similar"][0]["tlsh_distance"].is_number()) << sim.dump(1);
  EXPECT_LE(sim["similar"][0]["tlsh_distance"].get<int>(), 40);
  EXPECT_TRUE(Json("similar " + P("ledger-edited.txt") + " --case 2026/2")["similar"].empty());

  // Custody: a signed "scanned" record naming the listing.
  nlohmann::json custody = Json("custody show 2026/1");
  const nlohmann::json& last = custody["records"].back();
  EXPECT_EQ(last["action"], "scanned");
  EXPECT_EQ(last["details"]["what"], "files");
  EXPECT_EQ(last["details"]["alerts"], 1);
  EXPECT_EQ(Ev("custody verify 2026/1").code, 0);

  // Listing again supersedes: nothing doubles.
  ASSERT_EQ(Ev("files --case 2026/1 E1 --yara " + P("rules.yar") + " --quiet").code, 0);
  auto again = Hits("2026/1");
  EXPECT_EQ(again.count("hashset"), 1u);
  EXPECT_EQ(again.count("yara"), hits.count("yara"));
  EXPECT_EQ(Json("search " + Sha256Of("evil.bin"))["files"].size(), 1u);
  // Without --fuzzy this time: the stored fuzzy hashes went with the superseded listing.
  EXPECT_TRUE(Json("similar " + P("ledger-edited.txt"))["similar"].empty());
}

TEST_P(FilesCaseCli, BadEvidenceNames) {
  EXPECT_EQ(Ev("files --case 2026/1 E9").code, 1);
  EXPECT_EQ(Ev("files --case 2026/9 E1").code, 1);
  EXPECT_EQ(Ev("timeline --case 2026/1 E9").code, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, FilesCaseCli, ::testing::ValuesIn(store::TestBackends()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

// scan --skip-known: the content of a file in a known-good set is not byte-scanned.
class SkipKnownCli : public VaultCliTest {};

TEST_F(SkipKnownCli, KnownFilesAreLeftOut) {
  if (Sh("command -v mkfs.fat && command -v mcopy").code != 0)
    GTEST_SKIP() << "mkfs.fat or mtools missing (scripts/install-deps.sh installs dosfstools, mtools)";
  Write("os.txt", "system file: admin@vendor-mail.com\n" + std::string(9000, '.'));
  Write("note.txt", "write to alice@example.org");
  const std::string env = "MTOOLS_SKIP_CHECK=1 ";
  ASSERT_EQ(Sh("mkfs.fat -C " + P("k.img") + " 4096 >/dev/null").code, 0);
  ASSERT_EQ(Sh(env + "mcopy -i " + P("k.img") + " " + P("os.txt") + " " + P("note.txt") + " ::/").code, 0);
  auto emails = [&](const std::string& extra) {
    std::set<std::string> found;
    Outcome o = Sh(Evidex() + " --data " + P("ws") + " scan " + P("k.img") + " -o " + P("out" + extra.substr(0, 3)) +
                   " --jsonl --quiet --scanners email " + extra);
    EXPECT_EQ(o.code, 0) << o.out;
    std::istringstream lines(Read("out" + extra.substr(0, 3) + "/hits.jsonl"));
    for (std::string line; std::getline(lines, line);)
      found.insert(nlohmann::json::parse(line)["normalized"].get<std::string>());
    return found;
  };
  ASSERT_EQ(Sh(Evidex() + " --data " + P("ws") + " init --unit Lab --country LK --no-passphrase").code, 0);
  // No known set yet: refused, with what to do.
  Outcome none = Sh(Evidex() + " --data " + P("ws") + " scan " + P("k.img") + " -o " + P("o0") + " --skip-known 2>&1");
  EXPECT_EQ(none.code, 1) << none.out;
  EXPECT_NE(none.out.find("hashset import"), std::string::npos) << none.out;
  ASSERT_EQ(Sh("cd " + P("") + " && sha1sum os.txt > " + P("os.sha1")).code, 0);
  Outcome imp = Sh(Evidex() + " --data " + P("ws") + " hashset import " + P("os.sha1") + " --category known --name OS");
  ASSERT_EQ(imp.code, 0) << imp.out;
  EXPECT_EQ(emails(""), (std::set<std::string>{"admin@vendor-mail.com", "alice@example.org"}));
  EXPECT_EQ(emails("--skip-known"), (std::set<std::string>{"alice@example.org"}));
  nlohmann::json report = nlohmann::json::parse(Read("out--s/report.json"));
  EXPECT_GE(report["bytes_skipped"].get<uint64_t>(), 9000u) << report.dump(1);
}

}  // namespace
}  // namespace evidex::testing
