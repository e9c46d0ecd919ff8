// `evidex scan` and `evidex scanners` end to end: exit codes, output files, bad input.
// Fixtures are made here, by real tools (gzip, zip, split, ewfacquire), or read from
// ../shared/data when it is present.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "shell_test_util.h"

namespace {

namespace fs = std::filesystem;

using evidex::testing::Outcome;
using evidex::testing::Sh;

std::string Evidex() { return EVIDEX_BIN; }

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/evidex-cli-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }
  void Write(const std::string& name, const std::string& data) {
    std::ofstream(dir_ / name, std::ios::binary) << data;
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  Outcome Scan(const std::string& args) {
    return Sh(Evidex() + " scan " + args + " -o " + P("out") + " --quiet 2>&1");
  }
  fs::path dir_;
};

std::string Sample() {
  return "From: alice@example.org\nTo: +44 20 7946 0958\ncard 4111 1111 1111 1111\n"
         "iban DE89 3704 0044 0532 0130 00 wallet 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\n";
}

TEST_F(Cli, ScannersListsEveryScanner) {
  Outcome r = Sh(Evidex() + " scanners");
  EXPECT_EQ(r.code, 0);
  for (const char* name : {"email", "url", "domain", "ipv4", "ipv6", "phone", "ccn", "iban", "btc",
                           "eth", "xmr", "onion", "keyword"})
    EXPECT_NE(r.out.find(std::string(name) + " "), std::string::npos) << name;
}

TEST_F(Cli, ScanWritesFeatureFilesHistogramsReportAndJsonl) {
  Write("a.raw", Sample());
  Outcome r = Sh(Evidex() + " scan " + P("a.raw") + " -o " + P("out") + " --jsonl --json -j 2");
  ASSERT_EQ(r.code, 0) << r.out;
  nlohmann::json report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["scanners"]["email"]["hits"], 1);
  EXPECT_EQ(report["scanners"]["ccn"]["hits"], 1);
  EXPECT_EQ(report["sources"][0]["size"], Sample().size());
  EXPECT_EQ(nlohmann::json::parse(Read("out/report.json")), report);
  std::string email = Read("out/email.txt");
  EXPECT_NE(email.find("# Feature-Recorder: email\n"), std::string::npos);
  EXPECT_NE(email.find("\n6\talice@example.org\tFrom: alice@example.org\\x0ATo: +44 20 7946\n"),
            std::string::npos) << email;
  EXPECT_EQ(Read("out/phone_histogram.txt"), "n=1\t+442079460958\n");
  std::istringstream jl(Read("out/hits.jsonl"));
  int lines = 0;
  bool saw_card = false;
  for (std::string l; std::getline(jl, l); ++lines) {
    nlohmann::json j = nlohmann::json::parse(l);
    for (const char* key : {"kind", "feature", "normalized", "path", "encoding", "context"})
      EXPECT_TRUE(j.contains(key)) << key << " in " << l;
    if (j["kind"] == "ccn") {
      saw_card = true;
      EXPECT_EQ(j["normalized"], "4111111111111111");
      EXPECT_EQ(j["feature"], "4111 1111 1111 1111");
      EXPECT_EQ(j["encoding"], "utf8");
    }
  }
  EXPECT_TRUE(saw_card);
  EXPECT_EQ(lines, int(report["hits"]));
}

TEST_F(Cli, ScannerSelection) {
  Write("a.raw", Sample());
  ASSERT_EQ(Scan(P("a.raw") + " --scanners email,iban").code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "out/email.txt"));
  EXPECT_TRUE(fs::exists(dir_ / "out/iban.txt"));
  EXPECT_FALSE(fs::exists(dir_ / "out/ccn.txt"));
  fs::remove_all(dir_ / "out");
  ASSERT_EQ(Scan(P("a.raw") + " -x ccn -x phone").code, 0);
  EXPECT_FALSE(fs::exists(dir_ / "out/ccn.txt"));
  EXPECT_TRUE(fs::exists(dir_ / "out/btc.txt"));
}

TEST_F(Cli, UsageErrorsAreExitOne) {
  Write("a.raw", Sample());
  EXPECT_EQ(Scan(P("a.raw") + " --scanners nosuch").code, 1);
  EXPECT_EQ(Scan(P("a.raw") + " --bogus-flag").code, 1);
  EXPECT_EQ(Sh(Evidex() + " scan " + P("a.raw") + " 2>&1").code, 1);  // no -o
  EXPECT_EQ(Scan(P("a.raw") + " --keywords " + P("missing.txt")).code, 1);
  Write("bad.kw", "/(unclosed/\n");
  Outcome r = Scan(P("a.raw") + " --keywords " + P("bad.kw"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("(unclosed"), std::string::npos) << r.out;
}

TEST_F(Cli, KeywordsFile) {
  Write("a.raw", "the Secret Plan and INV-2026-0042 here");
  Write("k.txt", "secret plan\n/inv-[0-9]{4}-[0-9]{4}/i\n");
  ASSERT_EQ(Scan(P("a.raw") + " --keywords " + P("k.txt") + " -i --scanners email").code, 0);
  std::string kw = Read("out/keyword.txt");
  EXPECT_NE(kw.find("\n4\tSecret Plan\t"), std::string::npos) << kw;
  EXPECT_NE(kw.find("\n20\tINV-2026-0042\t"), std::string::npos) << kw;
}

TEST_F(Cli, MissingSourceIsExitTwoWithOneLineError) {
  Outcome r = Scan(P("nope.E01"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("nope.E01"), std::string::npos);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_TRUE(fs::exists(dir_ / "out/report.json"));
}

TEST_F(Cli, EmptyFileAndRandomBytesAreFine) {
  Write("empty.bin", "");
  Outcome empty = Scan(P("empty.bin"));
  EXPECT_EQ(empty.code, 0);
  EXPECT_NE(empty.out.find("empty.bin: source is empty"), std::string::npos) << empty.out;
  ASSERT_EQ(Sh("head -c 3000000 /dev/urandom > " + P("rand.bin")).code, 0);
  fs::remove_all(dir_ / "out");
  EXPECT_EQ(Scan(P("rand.bin") + " -j 2").code, 0);
}

TEST_F(Cli, CorruptGzipAndZipBombFinish) {
  // A gzip cut in half, and a zip of 200 MiB of zeros holding an address at its end.
  Write("t.txt", "lead text judy@example.com\n" + std::string(100000, 'x'));
  ASSERT_EQ(Sh("cd " + dir_.string() + " && gzip -c t.txt | head -c 600 > cut.gz").code, 0);
  EXPECT_EQ(Scan(P("cut.gz")).code, 0);
  EXPECT_NE(Read("out/email.txt").find("0-GZIP-10\tjudy@example.com"), std::string::npos);
  ASSERT_EQ(Sh("cd " + dir_.string() + " && (head -c 209715200 /dev/zero; echo ' bomb@example.com')"
               " > zeros && zip -q bomb.zip zeros && rm zeros").code, 0);
  fs::remove_all(dir_ / "out");
  Outcome r = Sh(Evidex() + " scan " + P("bomb.zip") + " -o " + P("out") +
             " --quiet --json --max-stream-bytes 8M");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(Read("out/email.txt").find("bomb@example.com"), std::string::npos);
  EXPECT_GE(nlohmann::json::parse(r.out)["decoders"]["limits_hit"].get<int>(), 1);
}

TEST_F(Cli, SplitRawAndE01GiveTheSameHitsAsRaw) {
  std::string img(3 << 20, '\0');
  std::string s = Sample();
  for (size_t off : {size_t(1000), size_t(1 << 20) - 20, size_t(2 << 20) + 7}) img.replace(off, s.size(), s);
  Write("img.raw", img);
  ASSERT_EQ(Scan(P("img.raw")).code, 0);
  std::string raw = Read("out/email.txt");
  raw = raw.substr(raw.find("\n", raw.find("Feature-File-Version")));
  ASSERT_EQ(Sh("cd " + dir_.string() + " && split -b 1000000 -d -a 3 --numeric-suffixes=1 img.raw part.").code, 0);
  fs::remove_all(dir_ / "out");
  ASSERT_EQ(Scan(P("part.001")).code, 0);
  std::string split = Read("out/email.txt");
  EXPECT_EQ(split.substr(split.find("\n", split.find("Feature-File-Version"))), raw);
  // A missing middle part: exit 2, the error names it.
  fs::rename(dir_ / "part.002", dir_ / "moved");
  Outcome r = Scan(P("part.001"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("part.002"), std::string::npos) << r.out;
  if (Sh("command -v ewfacquire >/dev/null").code != 0) GTEST_SKIP() << "ewfacquire (ewf-tools) not installed";
  ASSERT_EQ(Sh("cd " + dir_.string() + " && ewfacquire -u -q -t img -c deflate:fast -D test -e tester "
               "-E 1 -N none img.raw >/dev/null 2>&1").code, 0);
  fs::remove_all(dir_ / "out");
  ASSERT_EQ(Scan(P("img.E01")).code, 0);
  std::string e01 = Read("out/email.txt");
  EXPECT_EQ(e01.substr(e01.find("\n", e01.find("Feature-File-Version"))), raw);
  // Truncated E01: exit 2 or 3 (unreadable parts), never a crash.
  ASSERT_EQ(Sh("cd " + dir_.string() + " && head -c 20000 img.E01 > cut.E01").code, 0);
  fs::remove_all(dir_ / "out");
  r = Scan(P("cut.E01"));
  EXPECT_TRUE(r.code == 2 || r.code == 3) << r.code << " " << r.out;
  EXPECT_NE(r.out.find("cut.E01"), std::string::npos) << r.out;
}

TEST_F(Cli, InterruptWritesWhatWasFound) {
  // A 20 GiB sparse image (zeros, no disk space) with an address at its start; SIGINT after 1.5 s.
  ASSERT_EQ(Sh("truncate -s 20G " + P("big.img") + " && printf 'x olga@example.com' | dd of=" +
               P("big.img") + " conv=notrunc status=none").code, 0);
  Outcome r = Sh("timeout --preserve-status -s INT 1.5 " + Evidex() + " scan " + P("big.img") + " -o " + P("out") +
             " --quiet --json");
  EXPECT_EQ(r.code, 130) << r.out;
  nlohmann::json report = nlohmann::json::parse(Read("out/report.json"));
  EXPECT_TRUE(report["interrupted"].get<bool>());
  EXPECT_LT(report["bytes_scanned"].get<uint64_t>(), 20ull << 30);
  EXPECT_NE(Read("out/email.txt").find("olga@example.com"), std::string::npos);
}

TEST_F(Cli, UnwritableOutputIsExitFour) {
  Write("a.raw", Sample());
  Write("file", "x");
  Outcome r = Sh(Evidex() + " scan " + P("a.raw") + " -o " + P("file") + "/sub --quiet 2>&1");
  EXPECT_EQ(r.code, 4) << r.out;
}

TEST_F(Cli, DirectoryOfFiles) {
  fs::create_directories(dir_ / "ev/mail");
  Write("ev/mail/inbox", "x kate@example.com");
  Write("ev/notes.txt", "call +33 1 42 68 53 00");
  // Files in a directory are files: split-looking names are not opened as sets (each once).
  Write("ev/img.001", "a pam@example.com");
  Write("ev/img.002", "b pam@example.com");
  ASSERT_EQ(Scan(P("ev") + " --jsonl").code, 0);
  EXPECT_EQ(Read("out/email_histogram.txt"), "n=2\tpam@example.com\nn=1\tkate@example.com\n");
  EXPECT_NE(Read("out/email.txt").find("\nmail/inbox:2\tkate@example.com"), std::string::npos);
  EXPECT_NE(Read("out/hits.jsonl").find("\"source\":\"notes.txt\""), std::string::npos);
}

TEST_F(Cli, SharedDataImages) {
  fs::path data = fs::path(EVIDEX_SOURCE_DIR) / "../shared/data/images";
  if (!fs::exists(data)) GTEST_SKIP() << "../shared/data/images not present (fresh clone without shared data)";
  // The dfvfs syslog in every container: the same hits, found through each decoder.
  for (const char* f : {"syslog", "syslog.gz", "syslog.zlib", "syslog.zip", "ext2.E01", "ext2.splitraw.000"}) {
    fs::remove_all(dir_ / "out");
    Outcome r = Scan((data / f).string());
    EXPECT_EQ(r.code, 0) << f << ": " << r.out;
  }
  fs::remove_all(dir_ / "out");
  EXPECT_EQ(Scan((data / "corrupt1.gz").string()).code, 0);
  fs::remove_all(dir_ / "out");
  EXPECT_EQ(Scan((data / "bogus.001").string()).code, 0);
}

}  // namespace
