// `evidex package`, `verify-package` and `receive` end to end, as an operator runs them: two
// workspaces (the sending and the receiving unit), real tools to check what evidex claims
// (tar, sha256sum, pdftotext, ewfverify), every bad input of the issue, and kill -9 at random
// moments during package and receive.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "shell_test_util.h"

namespace {

namespace fs = std::filesystem;

using evidex::testing::Outcome;
using evidex::testing::RandomBytes;
using evidex::testing::Sh;

bool Have(const std::string& tool) { return Sh("command -v " + tool + " >/dev/null").code == 0; }

std::string Q(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class PackageCli : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/evidex-pkgcli-XXXXXX";
    dir_ = mkdtemp(tmpl);
    ::setenv("EVIDEX_PASSPHRASE", "correct horse", 1);
    ASSERT_EQ(Run("a", "init --unit 'Cybercrime Unit, Colombo' --country LK --no-passphrase").code,
              0);
    ASSERT_EQ(
        Run("b", "init --unit 'National Cyber Unit, Accra' --country GH --no-passphrase").code, 0);
    ASSERT_EQ(Run("a",
                  "case new --number 2026/041 --title 'Fraudulent invoices' --offence fraud "
                  "--examiner 'A. Perera'")
                  .code,
              0);
  }
  void TearDown() override {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir_, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }
  void Write(const std::string& name, const std::string& data) {
    std::ofstream(dir_ / name, std::ios::binary) << data;
  }
  std::string Read(const std::string& path) const {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // evidex with workspace `ws` ("" for none); stderr joined to stdout.
  Outcome Run(const std::string& ws, const std::string& args) {
    std::string data = ws.empty() ? "" : " --data " + Q(P(ws));
    return Sh(std::string(EVIDEX_BIN) + data + " " + args + " 2>&1");
  }
  // Acquires `bytes` (written to a file named `name`) into case 2026/041 of workspace a.
  void Acquire(const std::string& name, const std::string& bytes, const std::string& label,
               const std::string& mode = "copy") {
    Write(name, bytes);
    Outcome r = Run("a", "acquire 2026/041 " + Q(P(name)) + " --label " + Q(label) + " --mode " +
                             mode + " --quiet");
    ASSERT_EQ(r.code, 0) << r.out;
  }
  std::string Sha256(const std::string& path) {
    return Sh("sha256sum " + Q(path)).out.substr(0, 64);
  }
  std::string PubA() const { return (dir_ / "a" / "unit.pub").string(); }
  std::string PubB() const { return (dir_ / "b" / "unit.pub").string(); }

  fs::path dir_;
};

TEST_F(PackageCli, PackageVerifyReceiveAndCustodyVerifyThere) {
  const std::string disk = RandomBytes(3 << 20, 1), usb = RandomBytes(700000, 2);
  Acquire("disk.raw", disk, "Laptop HDD");
  Acquire("usb.raw", usb, "USB stick");
  Outcome r =
      Run("a", "package 2026/041 -o " + Q(P("case.tar")) + " --to 'Prosecutor, Accra' --json");
  ASSERT_EQ(r.code, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  const std::string digest = j["digest"];
  EXPECT_FALSE(fs::exists(P("case.tar.partial")));

  // Without evidex: tar and sha256sum.
  fs::create_directory(P("x"));
  ASSERT_EQ(Sh("tar -xf " + Q(P("case.tar")) + " -C " + Q(P("x"))).code, 0);
  Outcome sums = Sh("cd " + Q(P("x")) + " && sha256sum -c SHA256SUMS 2>&1");
  EXPECT_EQ(sums.code, 0) << sums.out;
  EXPECT_EQ(Sha256(P("x/SHA256SUMS")), digest);
  EXPECT_EQ(Read(P("x/evidence/" + Sha256(P("disk.raw")) + ".raw")), disk);
  // The certificate names the hashes and the digest.
  const std::string html = Read(P("x/certificate.html"));
  EXPECT_NE(html.find(Sha256(P("usb.raw"))), std::string::npos);
  EXPECT_NE(html.find(digest), std::string::npos);
  if (Have("pdftotext")) {
    std::string text = Sh("pdftotext -layout " + Q(P("x/certificate.pdf")) + " -").out;
    EXPECT_NE(text.find(Sha256(P("disk.raw"))), std::string::npos) << text;
    EXPECT_NE(text.find(Sh("md5sum " + Q(P("usb.raw"))).out.substr(0, 32)), std::string::npos);
    EXPECT_NE(text.find(digest), std::string::npos);
  }

  // verify-package: anywhere, no workspace.
  r = Run("", "verify-package " + Q(P("case.tar")));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("VERIFIED"), std::string::npos);
  EXPECT_NE(r.out.find("not pinned"), std::string::npos);
  r = Run("", "verify-package " + Q(P("case.tar")) + " --key " + Q(PubA()));
  EXPECT_EQ(r.code, 0) << r.out;
  r = Run("", "verify-package " + Q(P("case.tar")) + " --key " + Q(PubB()));
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_NE(r.out.find("not by the expected key"), std::string::npos) << r.out;
  r = Run("", "verify-package " + Q(P("case.tar")) + " --json");
  ASSERT_EQ(r.code, 0);
  EXPECT_EQ(nlohmann::json::parse(r.out)["ok"], true);

  // The sender's chain now ends with packaged and transferred.
  r = Run("a", "custody show 2026/041");
  EXPECT_NE(r.out.find("packaged"), std::string::npos);
  EXPECT_NE(r.out.find("transferred"), std::string::npos);
  EXPECT_EQ(Run("a", "custody verify 2026/041").code, 0);

  // receive: an unknown sender is refused until its key is accepted explicitly.
  r = Run("b", "receive " + Q(P("case.tar")) + " --examiner 'K. Mensah'");
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_NE(r.out.find("--trust-key ed25519:"), std::string::npos) << r.out;
  EXPECT_EQ(Run("b", "case list").out.find("2026/041"), std::string::npos);
  r = Run("b", "receive " + Q(P("case.tar")) + " --examiner 'K. Mensah' --trust-key " + Q(PubA()));
  ASSERT_EQ(r.code, 0) << r.out;
  r = Run("b", "custody verify 2026/041");
  EXPECT_EQ(r.code, 0) << r.out;
  r = Run("b", "custody show 2026/041");
  EXPECT_NE(r.out.find("received"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("received from Cybercrime Unit, Colombo (LK), verified"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(digest), std::string::npos);
  // The evidence is in B's vault, byte for byte.
  EXPECT_EQ(Read(P("b/vault/objects/" + Sha256(P("disk.raw")).substr(0, 2) + "/" +
                   Sha256(P("disk.raw")) + ".raw")),
            disk);
  // Again: nothing twice.
  r = Run("b", "receive " + Q(P("case.tar")));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("already holds"), std::string::npos) << r.out;
  // The sender is known now: a second package from A needs no --trust-key.
  ASSERT_EQ(Run("a", "case new --number 2026/042 --title 'Second' --examiner 'A. Perera'").code, 0);
  Write("s.raw", RandomBytes(10000, 9));
  ASSERT_EQ(Run("a", "acquire 2026/042 " + Q(P("s.raw")) + " --label S --quiet").code, 0);
  ASSERT_EQ(Run("a", "package 2026/042 -o " + Q(P("second.tar"))).code, 0);
  r = Run("b", "receive " + Q(P("second.tar")));
  EXPECT_EQ(r.code, 0) << r.out;
  // B sends the first case on (to C): its package carries A's records and B's "received".
  r = Run("b", "package 2026/041 -o " + Q(P("onward.tar")));
  ASSERT_EQ(r.code, 0) << r.out;
  r = Run("", "verify-package " + Q(P("onward.tar")) + " --key " + Q(PubB()));
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST_F(PackageCli, E01EvidenceTravelsAndStaysAVerifiableE01) {
  if (!Have("ewfverify")) GTEST_SKIP() << "ewfverify (ewf-tools) not installed";
  const std::string media = RandomBytes(512 * 4000, 3);
  Acquire("media.raw", media, "Phone dump", "e01");
  ASSERT_EQ(Run("a", "package 2026/041 -o " + Q(P("e01.tar"))).code, 0);
  Outcome r = Run("", "verify-package " + Q(P("e01.tar")));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("E01 set"), std::string::npos) << r.out;
  r = Run("b", "receive " + Q(P("e01.tar")) + " --trust-key " + Q(PubA()) + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  // The set lives in a new directory here: custody verify takes the "received" record as its
  // reference and re-hashes the media through libewf.
  r = Run("b", "custody verify 2026/041");
  EXPECT_EQ(r.code, 0) << r.out;
  // The received set is an E01 that ewfverify accepts, with the media's MD5.
  Outcome found = Sh("find " + Q(P("b/vault/objects")) + " -name image.E01");
  std::string e01 = found.out.substr(0, found.out.find('\n'));
  ASSERT_FALSE(e01.empty());
  Outcome v = Sh("ewfverify -q " + Q(e01) + " 2>&1");
  EXPECT_EQ(v.code, 0) << v.out;
  Write("m.raw", media);
  std::string md5 = Sh("md5sum " + Q(P("m.raw"))).out.substr(0, 32);
  EXPECT_NE(Sh("ewfinfo " + Q(e01) + " 2>&1").out.find(md5), std::string::npos);
}

TEST_F(PackageCli, ReferencedEvidenceTravelsAsBytes) {
  const std::string bytes = RandomBytes(250000, 13);
  Acquire("ref.raw", bytes, "Server image", "reference");
  ASSERT_EQ(Run("a", "package 2026/041 -o " + Q(P("ref.tar"))).code, 0);
  EXPECT_EQ(Run("", "verify-package " + Q(P("ref.tar"))).code, 0);
  Outcome r = Run("b", "receive " + Q(P("ref.tar")) + " --trust-key " + Q(PubA()));
  ASSERT_EQ(r.code, 0) << r.out;
  r = Run("b", "custody verify 2026/041");
  EXPECT_EQ(r.code, 0) << r.out;  // a copy here, checked against its "received" record
  // The referenced source changed after acquisition: A refuses to package it.
  Write("ref.raw", RandomBytes(250000, 14));
  r = Run("a", "package 2026/041 -o " + Q(P("ref2.tar")));
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_FALSE(fs::exists(P("ref2.tar")));
}

TEST_F(PackageCli, NoDataCarriesHashesOnly) {
  Acquire("disk.raw", RandomBytes(400000, 4), "Laptop HDD");
  ASSERT_EQ(Run("a", "package 2026/041 --no-data -o " + Q(P("h.tar"))).code, 0);
  EXPECT_LT(fs::file_size(P("h.tar")), 400000u);
  Outcome r = Run("", "verify-package " + Q(P("h.tar")));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("not included"), std::string::npos) << r.out;
  r = Run("b", "receive " + Q(P("h.tar")) + " --trust-key " + Q(PubA()));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("hashes only"), std::string::npos) << r.out;
  EXPECT_EQ(Run("b", "custody verify 2026/041").code, 0);
}

TEST_F(PackageCli, OnlyTheNamedEvidence) {
  Acquire("one.raw", RandomBytes(5000, 5), "One");
  Acquire("two.raw", RandomBytes(6000, 6), "Two");
  ASSERT_EQ(Run("a", "package 2026/041 --evidence E2 -o " + Q(P("two.tar"))).code, 0);
  Outcome r = Run("", "verify-package " + Q(P("two.tar")) + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["evidence"].size(), 1u);
  EXPECT_EQ(j["evidence"][0]["label"], "Two");
  EXPECT_EQ(Run("a", "package 2026/041 --evidence E9 -o " + Q(P("none.tar"))).code, 1);
  EXPECT_FALSE(fs::exists(P("none.tar")));
}

// Flips one byte at `offset` of a copy of the package.
std::string Flip(const std::string& bytes, size_t offset) {
  std::string b = bytes;
  b[offset] = char(b[offset] ^ 0x01);
  return b;
}

TEST_F(PackageCli, TamperedPackagesAreRefusedAndNothingIsRecorded) {
  const std::string disk = RandomBytes(2 << 20, 7);
  Acquire("disk.raw", disk, "Laptop HDD");
  ASSERT_EQ(Run("a", "package 2026/041 -o " + Q(P("case.tar"))).code, 0);
  const std::string good = Read(P("case.tar"));
  struct Case {
    const char* what;
    size_t offset;
  };
  // Offsets of a manifest byte and of a custody byte: find them in the archive's bytes.
  size_t manifest_at = good.find("uco-observable:File");
  size_t custody_at = good.find("\"action\":\"acquired\"");
  size_t evidence_at = good.find(disk.substr(1 << 20, 64));
  ASSERT_NE(manifest_at, std::string::npos);
  ASSERT_NE(custody_at, std::string::npos);
  ASSERT_NE(evidence_at, std::string::npos);
  for (const Case& c : {Case{"evidence", evidence_at + 10}, Case{"manifest", manifest_at + 5},
                        Case{"custody", custody_at + 12}}) {
    SCOPED_TRACE(c.what);
    Write("bad.tar", Flip(good, c.offset));
    Outcome r = Run("", "verify-package " + Q(P("bad.tar")));
    EXPECT_EQ(r.code, 5) << r.out;
    EXPECT_NE(r.out.find("NOT VERIFIED"), std::string::npos);
    r = Run("b", "receive " + Q(P("bad.tar")) + " --trust-key " + Q(PubA()));
    EXPECT_EQ(r.code, 5) << r.out;
    EXPECT_NE(r.out.find("nothing was received"), std::string::npos) << r.out;
    EXPECT_EQ(Run("b", "case list").out.find("2026/041"), std::string::npos);
    Outcome objects = Sh("find " + Q(P("b/vault/objects")) + " -type f 2>/dev/null | wc -l");
    EXPECT_EQ(std::atoi(objects.out.c_str()), 0) << "evidence entered the vault";
  }
  // The sender's chain is untouched by all this and a good receive still works.
  EXPECT_EQ(Run("b", "receive " + Q(P("case.tar")) + " --trust-key " + Q(PubA())).code, 0);
}

TEST_F(PackageCli, NewerFormatVersionIsRefused) {
  Acquire("disk.raw", RandomBytes(3000, 8), "Laptop HDD");
  ASSERT_EQ(Run("a", "package 2026/041 -o " + Q(P("case.tar"))).code, 0);
  fs::create_directory(P("x"));
  ASSERT_EQ(Sh("tar -xf " + Q(P("case.tar")) + " -C " + Q(P("x"))).code, 0);
  // Re-pack in the same order with "version": 2 (as a future evidex would write).
  std::string list = Sh("tar -tf " + Q(P("case.tar"))).out;
  std::string pkg = Read(P("x/package.json"));
  size_t at = pkg.find("\"version\": 1");
  ASSERT_NE(at, std::string::npos);
  pkg.replace(at, 12, "\"version\": 2");
  fs::permissions(P("x/package.json"), fs::perms::owner_write, fs::perm_options::add);
  Write("x/package.json", pkg);
  std::string members;
  std::istringstream in(list);
  for (std::string line; std::getline(in, line);) members += " " + Q(line);
  ASSERT_EQ(Sh("cd " + Q(P("x")) + " && tar --format=pax -cf ../v2.tar" + members).code, 0);
  Outcome r = Run("", "verify-package " + Q(P("v2.tar")));
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_NE(r.out.find("version 2 is newer than this evidex reads"), std::string::npos) << r.out;
  r = Run("b", "receive " + Q(P("v2.tar")) + " --trust-key " + Q(PubA()));
  EXPECT_EQ(r.code, 5) << r.out;
}

TEST_F(PackageCli, BadInputs) {
  Acquire("disk.raw", RandomBytes(300000, 10), "Laptop HDD");
  ASSERT_EQ(Run("a", "package 2026/041 -o " + Q(P("case.tar"))).code, 0);
  const std::string good = Read(P("case.tar"));
  Write("cut.tar", good.substr(0, good.size() / 2));
  Outcome r = Run("", "verify-package " + Q(P("cut.tar")));
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_NE(r.out.find("truncated"), std::string::npos) << r.out;
  Write("junk.bin", RandomBytes(50000, 11));
  r = Run("", "verify-package " + Q(P("junk.bin")));
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_NE(r.out.find("not a tar archive"), std::string::npos) << r.out;
  // A member name that is not UTF-8 (found by package_fuzz): a report, not a crash, even as JSON.
  fs::create_directory(P("odd"));
  Write("odd/bad\xc6name", "x");
  ASSERT_EQ(Sh("cd " + Q(P("odd")) + " && tar -cf ../odd.tar *").code, 0);
  r = Run("", "verify-package --json " + Q(P("odd.tar")));
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out.substr(0, r.out.rfind('}') + 1))["ok"], false) << r.out;
  Write("empty.tar", "");
  EXPECT_EQ(Run("", "verify-package " + Q(P("empty.tar"))).code, 5);
  r = Run("", "verify-package " + Q(P("missing.tar")));
  EXPECT_EQ(r.code, 1) << r.out;
  r = Run("", "verify-package " + Q(P("case.tar")) + " --key nonsense");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("not a public key"), std::string::npos);
  // Existing output: refused, untouched.
  r = Run("a", "package 2026/041 -o " + Q(P("case.tar")));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_EQ(Read(P("case.tar")), good);
  EXPECT_EQ(Run("a", "package 2026/999 -o " + Q(P("n.tar"))).code, 1);
  // Evidence altered in the vault since acquisition: not packaged, exit 5, nothing recorded.
  Outcome objects = Sh("find " + Q(P("a/vault/objects")) + " -name '*.raw'");
  std::string object = objects.out.substr(0, objects.out.find('\n'));
  fs::permissions(object, fs::perms::owner_write, fs::perm_options::add);
  std::string bytes = Read(object);
  std::ofstream(object, std::ios::binary | std::ios::trunc) << Flip(bytes, 5);
  std::string before = Run("a", "custody show 2026/041").out;
  r = Run("a", "package 2026/041 -o " + Q(P("altered.tar")));
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_NE(r.out.find("no longer match"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(P("altered.tar")));
  EXPECT_FALSE(fs::exists(P("altered.tar.partial")));
  EXPECT_EQ(Run("a", "custody show 2026/041").out, before);
}

// kill -9 at random moments: never a file under the final name that does not verify, never a
// half-imported case; running again completes.
TEST_F(PackageCli, KillDuringPackageAndReceive) {
  Acquire("big.raw", RandomBytes(24 << 20, 12), "Big disk");
  std::mt19937 rng(1234);
  auto run_killed = [&](const std::string& ws, const std::string& args, int max_ms) {
    std::string cmd =
        std::string(EVIDEX_BIN) + " --data " + Q(P(ws)) + " " + args + " >/dev/null 2>&1";
    pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), (char*)nullptr);
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % max_ms));
    ::kill(pid, SIGKILL);
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFSIGNALED(st);  // false: it finished before the kill
  };
  int killed = 0;
  for (int i = 0; i < 6; ++i) {
    std::string out = P("k" + std::to_string(i) + ".tar");
    killed += run_killed("a", "package 2026/041 -q -o " + Q(out), 400);
    if (fs::exists(out)) {
      EXPECT_EQ(Run("", "verify-package " + Q(out)).code, 0) << "a package under its final name";
    }
    EXPECT_EQ(Run("a", "custody verify 2026/041").code, 0) << "iteration " << i;
  }
  // A package to receive, then receive killed at random moments.
  fs::remove(P("r.tar"));
  ASSERT_EQ(Run("a", "package 2026/041 -q -o " + Q(P("r.tar"))).code, 0);
  bool done = false;
  for (int i = 0; i < 6 && !done; ++i) {
    bool was_killed =
        run_killed("b", "receive -q " + Q(P("r.tar")) + " --trust-key " + Q(PubA()), 600);
    killed += was_killed;
    Outcome list = Run("b", "case list");
    if (list.out.find("2026/041") != std::string::npos) {
      // Imported: then completely (chain, evidence, received record).
      EXPECT_EQ(Run("b", "custody verify 2026/041").code, 0);
      EXPECT_NE(Run("b", "custody show 2026/041").out.find("received from"), std::string::npos);
      done = true;
    }
  }
  if (!done) {
    Outcome r = Run("b", "receive -q " + Q(P("r.tar")) + " --trust-key " + Q(PubA()));
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(Run("b", "custody verify 2026/041").code, 0);
  }
  // tmp/ leftovers of killed runs hold no committed evidence and are cleaned by the next run.
  EXPECT_GT(killed, 0) << "no run was killed: the evidence is too small to test this";
}

}  // namespace
