// `evidex files` and `evidex timeline` end to end on a FAT image made at test time by mkfs.fat
// and mtools (a file deleted after writing included), with a hash set flagging one file.
#include <nlohmann/json.hpp>

#include <map>
#include <random>
#include <sstream>

#include "vault_cli_test_util.h"

namespace evidex::testing {
namespace {

const char* kPass = "correct horse battery staple";

class FilesCli : public VaultCliTest {
 protected:
  void SetUp() override {
    VaultCliTest::SetUp();
    if (Sh("command -v mkfs.fat && command -v mcopy").code != 0)
      GTEST_SKIP() << "mkfs.fat or mtools missing (scripts/install-deps.sh installs dosfstools, mtools)";
    Write("report.txt", "the quarterly report");
    Write("=cmd.txt", "a name a spreadsheet would run");
    Write("secret.bin", std::string(5000, 'S'));
    // FAT keeps local time; the tools run in UTC so the times read back are the ones set here.
    const std::string env = "TZ=UTC MTOOLS_SKIP_CHECK=1 ";
    ASSERT_EQ(Sh("TZ=UTC touch -d '2026-03-04 05:06:08' " + P("report.txt") + " " + P("=cmd.txt") +
                 " && TZ=UTC touch -d '2026-01-02 03:04:06' " + P("secret.bin")).code, 0);
    ASSERT_EQ(Sh("mkfs.fat -C -n EVIDENCE " + P("fat.img") + " 4096 >/dev/null").code, 0);
    ASSERT_EQ(Sh(env + "mmd -i " + P("fat.img") + " ::/docs").code, 0);
    ASSERT_EQ(Sh(env + "mcopy -m -i " + P("fat.img") + " " + P("report.txt") + " '" + P("=cmd.txt") +
                 "' ::/docs/").code, 0);
    ASSERT_EQ(Sh(env + "mcopy -m -i " + P("fat.img") + " " + P("secret.bin") + " ::/").code, 0);
    ASSERT_EQ(Sh(env + "mdel -i " + P("fat.img") + " ::/secret.bin").code, 0);
  }
  nlohmann::json FilesJson(const std::string& extra = "") {
    Outcome o = Ev("files " + P("fat.img") + " --json " + extra);
    EXPECT_EQ(o.code, 0) << o.out;
    size_t brace = o.out.find('{');
    return nlohmann::json::parse(brace == std::string::npos ? "" : o.out.substr(brace), nullptr, false);
  }
  static const nlohmann::json* Find(const nlohmann::json& files, const std::string& path) {
    for (const nlohmann::json& f : files)
      if (f["path"] == path) return &f;
    return nullptr;
  }
};

TEST_F(FilesCli, ListsFilesDeletedOnesTimesAndHashes) {
  nlohmann::json j = FilesJson();
  ASSERT_TRUE(j.is_object());
  ASSERT_EQ(j["filesystems"].size(), 1u);
  EXPECT_EQ(j["filesystems"][0]["type"].get<std::string>().rfind("fat", 0), 0u);
  const nlohmann::json* report = Find(j["files"], "/docs/report.txt");
  ASSERT_NE(report, nullptr) << j["files"].dump();
  EXPECT_EQ((*report)["size"], 20);
  EXPECT_EQ((*report)["deleted"], false);
  EXPECT_EQ((*report)["sha256"], OpenSslDigests("the quarterly report").sha256);
  EXPECT_EQ((*report)["md5"], OpenSslDigests("the quarterly report").md5);
  EXPECT_EQ((*report)["modified"], "2026-03-04T05:06:08.000000Z");
  EXPECT_EQ((*report)["mime"], "text/plain");
  const nlohmann::json* dir = Find(j["files"], "/docs");
  ASSERT_NE(dir, nullptr);
  EXPECT_EQ((*dir)["type"], "dir");
  // The deleted file: listed as deleted; FAT keeps its size and first cluster, so its content
  // is recovered whole here (nothing overwrote it).
  const nlohmann::json* secret = nullptr;
  for (const nlohmann::json& f : j["files"])
    if (f["deleted"] == true && f["size"] == 5000) secret = &f;
  ASSERT_NE(secret, nullptr) << j["files"].dump();
  EXPECT_EQ((*secret)["sha256"], OpenSslDigests(std::string(5000, 'S')).sha256);
  EXPECT_EQ((*secret)["modified"], "2026-01-02T03:04:06.000000Z");

  // Without deleted entries; without hashes.
  nlohmann::json live = FilesJson("--no-deleted --no-hash");
  for (const nlohmann::json& f : live["files"]) {
    EXPECT_EQ(f["deleted"], false) << f.dump();
    EXPECT_FALSE(f.contains("sha256"));
  }
}

TEST_F(FilesCli, HashSetAlertInJsonAndCsv) {
  ASSERT_EQ(Ev("init --unit \"Cybercrime Unit, Colombo\" --country LK", kPass).code, 0);
  ASSERT_EQ(Sh("cd " + P("") + " && sha256sum secret.bin > " + P("alert.txt")).code, 0);
  Outcome imp = Ev("hashset import " + P("alert.txt") + " --category alert --name CAID --label test");
  ASSERT_EQ(imp.code, 0) << imp.out;
  nlohmann::json j = FilesJson();
  EXPECT_EQ(j["alert"], 1);
  Outcome csv = Ev("files " + P("fat.img") + " --csv -o " + P("files.csv"));
  ASSERT_EQ(csv.code, 0) << csv.out;
  std::string text = Read("files.csv");
  EXPECT_NE(text.find("ALERT CAID (test)"), std::string::npos) << text;
  // Paths begin with '/', so a name such as "=cmd.txt" never starts a field (exchange::CsvField
  // would guard one that did); the path is written as it is.
  EXPECT_NE(text.find(",/docs/=cmd.txt,"), std::string::npos) << text;
  EXPECT_EQ(text.find(",=cmd"), std::string::npos);
}

TEST_F(FilesCli, TimelineIsSortedAndFiltered) {
  Outcome o = Ev("timeline " + P("fat.img") + " -o " + P("t.csv"));
  ASSERT_EQ(o.code, 0) << o.out;
  std::string csv = Read("t.csv");
  ASSERT_EQ(csv.rfind("datetime,timestamp,timestamp_desc,", 0), 0u) << csv;
  std::vector<std::string> lines;
  for (size_t at = 0, nl; (nl = csv.find("\r\n", at)) != std::string::npos; at = nl + 2)
    lines.push_back(csv.substr(at, nl - at));
  ASSERT_GT(lines.size(), 4u);
  for (size_t i = 2; i < lines.size(); ++i) EXPECT_LE(lines[i - 1].substr(0, 27), lines[i].substr(0, 27));
  EXPECT_NE(csv.find("2026-03-04T05:06:08.000000Z,1772600768000000,Content Modification Time,M...,"),
            std::string::npos) << csv;
  // Only the deleted file's times are in January.
  Outcome jan = Ev("timeline " + P("fat.img") + " --jsonl --from 2026-01-01 --to 2026-01-31");
  ASSERT_EQ(jan.code, 0) << jan.out;
  size_t rows = 0;
  for (size_t at = 0, nl; (nl = jan.out.find('\n', at)) != std::string::npos; at = nl + 1) {
    nlohmann::json r = nlohmann::json::parse(jan.out.substr(at, nl - at), nullptr, false);
    if (!r.is_object()) continue;
    ++rows;
    EXPECT_EQ(r["deleted"], true) << r.dump();
    EXPECT_EQ(r["datetime"].get<std::string>().substr(0, 7), "2026-01");
  }
  EXPECT_GE(rows, 1u);
  EXPECT_EQ(Ev("timeline " + P("fat.img") + " --from yesterday").code, 1);
}

TEST_F(FilesCli, YaraRulesOnFileContent) {
  Write("rules.yar", "rule quarterly : finance {\n  meta:\n    author = \"examiner\"\n"
                     "  strings:\n    $q = \"quarterly\"\n  condition:\n    $q\n}\n");
  // With and without hashes: the content is read for YARA either way.
  for (const std::string extra : {"", "--no-hash"}) {
    nlohmann::json j = FilesJson("--yara " + P("rules.yar") + " " + extra);
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j["yara_matched"], 1) << extra;
    const nlohmann::json* report = Find(j["files"], "/docs/report.txt");
    ASSERT_NE(report, nullptr);
    ASSERT_EQ((*report)["yara"].size(), 1u) << report->dump();
    const nlohmann::json& m = (*report)["yara"][0];
    EXPECT_EQ(m["rule"], "quarterly");
    EXPECT_EQ(m["namespace"], "default");
    EXPECT_EQ(m["tags"], nlohmann::json::array({"finance"}));
    EXPECT_EQ(m["meta"]["author"], "examiner");
    ASSERT_EQ(m["strings"].size(), 1u);
    EXPECT_EQ(m["strings"][0]["id"], "$q");
    EXPECT_EQ(m["strings"][0]["offset"], 4);  // "the quarterly report"
    EXPECT_EQ(m["strings"][0]["length"], 9);
    EXPECT_EQ(m["strings"][0]["data"], "717561727465726c79");
    EXPECT_EQ((*report).contains("sha256"), extra.empty());
    const nlohmann::json* other = Find(j["files"], "/docs/=cmd.txt");
    ASSERT_NE(other, nullptr);
    EXPECT_TRUE((*other)["yara"].empty());
  }
  Outcome csv = Ev("files " + P("fat.img") + " --csv --yara " + P("rules.yar") + " -o " + P("y.csv"));
  ASSERT_EQ(csv.code, 0) << csv.out;
  std::string text = Read("y.csv");
  EXPECT_NE(text.find(",mime,match,yara,ssdeep,tlsh\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find(",text/plain,,quarterly,,\r\n"), std::string::npos) << text;
  Outcome table = Ev("files " + P("fat.img") + " --quiet --yara " + P("rules.yar"));
  ASSERT_EQ(table.code, 0) << table.out;
  EXPECT_NE(table.out.find("YARA matches:\n"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("/docs/report.txt: quarterly"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("1 file(s) matched YARA rules"), std::string::npos) << table.out;

  // A rule that does not compile: a usage error naming the file and line, before any reading.
  Write("bad.yar", "rule broken {\n  condition:\n    $missing\n}\n");
  Outcome bad = Ev("files " + P("fat.img") + " --yara " + P("bad.yar"));
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(bad.out.find(P("bad.yar") + ":"), std::string::npos) << bad.out;
  EXPECT_EQ(Ev("files " + P("fat.img") + " --yara " + P("missing.yar")).code, 1);
}

TEST_F(FilesCli, BadSources) {
  EXPECT_EQ(Ev("files " + P("missing.img")).code, 2);
  Write("random.bin", std::string(1 << 16, '\x5a'));
  Outcome o = Ev("files " + P("random.bin") + " --json");
  EXPECT_EQ(o.code, 0) << o.out;  // no filesystem: a note, not an error
  EXPECT_NE(o.out.find("note"), std::string::npos) << o.out;
}

TEST_F(FilesCli, ScanNamesTheFileOfEachHit) {
  // Hits inside a live file, a deleted file and free space, in a FAT image made here.
  const std::string env = "MTOOLS_SKIP_CHECK=1 ";
  Write("mail.txt", "header\ncontact alice@example.org now\n");
  Write("gone.txt", "x bob@example.com y");
  ASSERT_EQ(Sh("mkfs.fat -C " + P("m.img") + " 8192 >/dev/null").code, 0);
  ASSERT_EQ(Sh(env + "mcopy -i " + P("m.img") + " " + P("mail.txt") + " " + P("gone.txt") + " ::/").code, 0);
  ASSERT_EQ(Sh(env + "mdel -i " + P("m.img") + " ::/gone.txt").code, 0);
  // carol@ in free space: written into the last cluster of the image, which no file uses.
  ASSERT_EQ(Sh("printf ' carol@example.net ' | dd of=" + P("m.img") +
               " bs=1 seek=$((8192 * 1024 - 4096)) conv=notrunc 2>/dev/null").code, 0);
  Outcome o = Sh(Evidex() + " scan " + P("m.img") + " -o " + P("out") + " --jsonl --quiet --scanners email");
  ASSERT_EQ(o.code, 0) << o.out;
  std::map<std::string, nlohmann::json> by_email;
  std::istringstream lines(Read("out/hits.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json h = nlohmann::json::parse(line);
    by_email[h["normalized"]] = h;
  }
  ASSERT_TRUE(by_email.count("alice@example.org")) << Read("out/hits.jsonl");
  EXPECT_EQ(by_email["alice@example.org"]["file"], "/mail.txt");
  EXPECT_EQ(by_email["alice@example.org"]["file_offset"], 15);
  EXPECT_FALSE(by_email["alice@example.org"].contains("file_deleted"));
  ASSERT_TRUE(by_email.count("bob@example.com"));
  EXPECT_EQ(by_email["bob@example.com"]["file_deleted"], true);  // TSK names it /_one.txt
  EXPECT_EQ(by_email["bob@example.com"]["file_offset"], 2);
  ASSERT_TRUE(by_email.count("carol@example.net"));
  EXPECT_EQ(by_email["carol@example.net"]["area"], "unallocated");
  EXPECT_FALSE(by_email["carol@example.net"].contains("file"));
  EXPECT_EQ(by_email["carol@example.net"]["fs"].get<std::string>().rfind("fat", 0), 0u);
}

TEST_F(FilesCli, FuzzyHashesAndSimilarFiles) {
  // A 64 KiB text, a copy with a few bytes changed, and an unrelated one, in a FAT image.
  std::string text;
  std::mt19937_64 rng(11);
  while (text.size() < 65536) text += "line " + std::to_string(rng() % 100000) + " of the ledger\n";
  std::string edited = text;
  edited.replace(30000, 12, "CHANGED HERE");
  std::string other;
  while (other.size() < 65536) other += "other " + std::to_string(rng()) + "\n";
  Write("ledger.txt", text);
  Write("ledger-edited.txt", edited);
  Write("other.txt", other);
  const std::string env = "MTOOLS_SKIP_CHECK=1 ";
  ASSERT_EQ(Sh("mkfs.fat -C " + P("s.img") + " 4096 >/dev/null").code, 0);
  ASSERT_EQ(Sh(env + "mcopy -i " + P("s.img") + " " + P("ledger-edited.txt") + " " + P("other.txt") +
               " ::/").code, 0);
  Outcome files = Ev("files " + P("s.img") + " --json --fuzzy");
  ASSERT_EQ(files.code, 0) << files.out;
  nlohmann::json j = nlohmann::json::parse(files.out.substr(files.out.find('{')));
  const nlohmann::json* f = Find(j["files"], "/ledger-edited.txt");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(f->contains("ssdeep")) << f->dump();
  EXPECT_NE((*f)["ssdeep"].get<std::string>().find(':'), std::string::npos);

  Outcome sim = Ev("similar " + P("ledger.txt") + " " + P("s.img") + " --json");
  ASSERT_EQ(sim.code, 0) << sim.out;
  nlohmann::json r = nlohmann::json::parse(sim.out.substr(sim.out.find('{')));
  ASSERT_EQ(r["similar"].size(), 1u) << r.dump();  // the edited copy, not the unrelated file
  EXPECT_NE(r["similar"][0]["file"].get<std::string>().find("/ledger-edited.txt"), std::string::npos);
  EXPECT_GE(r["similar"][0]["score"].get<int>(), 50);
  EXPECT_EQ(r["compared"], 2);
  // The same by hash, and against a folder on disk.
  Outcome by_hash = Ev("similar " + (*f)["ssdeep"].get<std::string>() + " " + P("ledger.txt") + " --json");
  ASSERT_EQ(by_hash.code, 0) << by_hash.out;
  EXPECT_NE(by_hash.out.find("ledger.txt"), std::string::npos);
  EXPECT_EQ(Ev("similar not-a-hash " + P("s.img")).code, 1);
}

}  // namespace
}  // namespace evidex::testing
