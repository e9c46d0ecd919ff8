// The kill test: `evidex acquire` of a 64 MiB file is killed with SIGKILL at pseudo-random
// moments (fixed seed; delays spread over a whole acquisition of that mode), 25 times, with new
// bytes each round so that kills land in writing new objects too. After each kill the store must
// pass PRAGMA integrity_check, no evidence row may be complete unless its object exists and (raw
// objects) re-hashes here with OpenSSL to its recorded SHA-256, `custody verify` must pass, and
// running the same acquisition again must complete, taking over the unfinished row.
// Labelled "slow" in CTest (tests/CMakeLists.txt): about 30-70 s on two busy cores.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "vault_cli_test_util.h"

namespace evidex::testing {
namespace {

constexpr int kKills = 25;
constexpr size_t kSize = 64u << 20;

class KillTest : public VaultCliTest {
 protected:
  // Starts evidex with `args` (no shell), output discarded; returns the child's pid.
  pid_t Start(const std::vector<std::string>& args) {
    pid_t pid = fork();
    if (pid == 0) {
      FILE* null = std::freopen("/dev/null", "w", stdout);
      null = std::freopen("/dev/null", "w", stderr);
      (void)null;
      unsetenv("EVIDEX_PASSPHRASE");
      std::vector<char*> argv;
      std::string bin = Evidex();
      argv.push_back(bin.data());
      std::vector<std::string> copy = args;
      for (std::string& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    return pid;
  }
  std::vector<std::string> AcquireArgs(const std::string& c, const std::string& mode) {
    return {"--data",  P("ws"),          "acquire", c,    P("big.raw"),
            "--label", "Seized " + mode, "--mode",  mode, "--quiet"};
  }
  // SHA-256 of a vault object, cached by path (objects are write-once).
  std::string ObjectSha256(const std::string& path) {
    auto it = cache_.find(path);
    if (it != cache_.end()) return it->second;
    std::string data = Read(path);
    return cache_[path] = OpenSslHex(EVP_sha256(), data);
  }
  // Every complete row of the store must have its bytes.
  void CheckCompleteRows(const std::string& when) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(P("ws/evidex.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT number, mode, stored_path, sha256, size FROM "
                                 "evidence WHERE state = 'complete'",
                                 -1, &st, nullptr),
              SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
      int64_t number = sqlite3_column_int64(st, 0);
      std::string mode = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
      std::string stored = reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
      std::string sha = reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
      EXPECT_EQ(uint64_t(sqlite3_column_int64(st, 4)), kSize) << when << " E" << number;
      std::string rel = "ws/vault/" + stored;
      ASSERT_TRUE(std::filesystem::exists(P(rel))) << when << " E" << number << " " << stored;
      // A raw object re-hashes here; an E01 set is re-read through libewf by custody verify.
      if (mode == "copy") {
        EXPECT_EQ(ObjectSha256(rel), sha) << when << " E" << number;
      }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  // Makes big.raw new content for round `round` (its first 8 bytes); returns its SHA-256.
  std::string Vary(uint64_t round) {
    std::string data = Read("big.raw");
    for (int k = 0; k < 8; ++k) data[k] = char(round >> (8 * k));
    Write("big.raw", data);
    return OpenSslHex(EVP_sha256(), data);
  }
  double Timed(const std::string& args) {
    auto t0 = std::chrono::steady_clock::now();
    Outcome r = Ev(args);
    EXPECT_EQ(r.code, 0) << args << "\n" << r.out;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  std::map<std::string, std::string> cache_;
};

TEST_F(KillTest, AcquireKilledAtRandomMomentsLeavesAConsistentWorkspace) {
  Write("big.raw", RandomBytes(kSize, 2026));
  ASSERT_EQ(Ev("init --unit \"Kill Test Unit\" --country LK --no-passphrase").code, 0);
  ASSERT_EQ(Ev("case new --number K --title \"Kill test\" --examiner E").code, 0);

  // Undisturbed acquisitions of new content set the time scale of the kills, per mode.
  Vary(1000);
  double copy_time = Timed("acquire K " + P("big.raw") + " --label Reference --quiet");
  Vary(1001);
  double e01_time = Timed("acquire K " + P("big.raw") + " --label Reference --mode e01 --quiet");
  ASSERT_FALSE(HasFailure());

  std::mt19937 rng(20261202);
  std::uniform_real_distribution<double> fraction(0.0, 1.2);
  int killed_running = 0;
  // Rounds go on until kKills kills have hit a running acquisition (at most 3 * kKills rounds):
  // on a loaded machine the undisturbed times above say little, so a kill that comes too late
  // shortens the time scale of the next ones.
  double scale = 1.0;
  for (int i = 0; killed_running < kKills && i < 3 * kKills; ++i) {
    // New bytes each round, so the kill can land in writing a new object as well as anywhere
    // else; mostly copies, every fourth round an E01 (its own tmp set, compression threads).
    std::string want = Vary(uint64_t(i));
    std::string mode = i % 4 == 3 ? "e01" : "copy";
    auto delay =
        std::chrono::duration<double>(scale * fraction(rng) * (mode == "e01" ? e01_time : copy_time));
    std::string when = "kill " + std::to_string(i) + " (" + mode + ", after " +
                       std::to_string(delay.count()) + " s)";
    // A case per round keeps `custody verify CASE` re-hashing this round's evidence only.
    std::string c = "K" + std::to_string(i);
    ASSERT_EQ(Ev("case new --number " + c + " --title Round --examiner E").code, 0);
    pid_t pid = Start(AcquireArgs(c, mode));
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(delay);
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      killed_running += WIFSIGNALED(status);
    } else {
      scale *= 0.7;  // finished before the kill
    }

    EXPECT_EQ(SqlText("ws/evidex.db", "PRAGMA integrity_check"), "ok") << when;
    CheckCompleteRows(when);
    Outcome verify = Ev("custody verify " + c + " --quiet");
    EXPECT_EQ(verify.code, 0) << when << "\n" << verify.out;

    Outcome again = Ev("acquire " + c + " " + P("big.raw") + " --label \"Seized " + mode +
                       "\" --mode " + mode + " --json --quiet");
    ASSERT_EQ(again.code, 0) << when << "\n" << again.out;
    nlohmann::json e = nlohmann::json::parse(again.out);
    EXPECT_EQ(e["sha256"], want) << when;
    // The killed run's row was taken over: nothing unfinished is left behind.
    EXPECT_EQ(SqlInt("ws/evidex.db", "SELECT COUNT(*) FROM evidence WHERE state != 'complete'"), 0)
        << when;
    CheckCompleteRows(when + ", run again");
    if (HasFatalFailure()) return;
  }
  // The delays must really have hit running acquisitions, or the test proves nothing.
  EXPECT_GE(killed_running, kKills / 2) << "most kills landed after the process had finished";
  Outcome final_verify = Ev("custody verify --quiet");
  EXPECT_EQ(final_verify.code, 0) << final_verify.out;
  // No leftovers in the vault's tmp/ once acquisitions have run to completion after the kills.
  int leftovers = 0;
  if (std::filesystem::exists(P("ws/vault/tmp")))
    for (auto& entry : std::filesystem::directory_iterator(P("ws/vault/tmp"))) {
      (void)entry;
      ++leftovers;
    }
  EXPECT_EQ(leftovers, 0);
  std::printf("kill test: %d of %d kills hit a running acquisition (copy %.2f s, e01 %.2f s)\n",
              killed_running, kKills, copy_time, e01_time);
}

}  // namespace
}  // namespace evidex::testing
