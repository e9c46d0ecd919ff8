// Shared pieces of the evidex command line: exit codes, sizes, progress lines, the workspace
// option. Every subcommand lives in its own cmd_*.cc and is listed in commands.h.
#ifndef EVIDEX_CLI_COMMON_H_
#define EVIDEX_CLI_COMMON_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace evidex::cli {

// Exit codes, the same for every subcommand (README, "Exit codes").
constexpr int kExitOk = 0;
constexpr int kExitUsage = 1;          // bad option or argument, unknown case/evidence name
constexpr int kExitSource = 2;         // a source could not be read at all
constexpr int kExitPartial = 3;        // finished with unreadable parts
constexpr int kExitOutput = 4;         // output, vault or store could not be written (disk full...)
constexpr int kExitVerifyFailed = 5;   // integrity check failed: hash mismatch, broken custody
                                       // chain, bad signature, tampered package, unknown key
constexpr int kExitAuth = 6;           // wrong passphrase, key not readable
constexpr int kExitWorkspace = 7;      // no workspace, store at a newer schema, store locked
constexpr int kExitInterrupted = 130;  // Ctrl-C / SIGTERM

// Maps a Status from the modules to an exit code: kInvalidArgument and kNotFound → usage,
// kIoError → output, kCorrupt → verify-failed, others → output. Commands with finer needs
// choose themselves.
int ExitCodeFor(const Status& status);

// Prints "evidex: <message>" on stderr (and keeps it for an ErrorCapture of this thread).
void PrintError(const std::string& message);

// While alive, keeps the first message PrintError prints on this thread (still printed): how a
// caller that runs a command in-process (the server's scan job) learns its one-line error.
class ErrorCapture {
 public:
  ErrorCapture();
  ~ErrorCapture();
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;
  const std::string& first() const { return first_; }  // "" when nothing was printed

 private:
  friend void PrintError(const std::string& message);
  ErrorCapture* outer_;
  std::string first_;
};
inline void PrintError(const Status& status) { PrintError(status.message()); }

// "123", "4K", "16M", "2G" (also KiB/MiB/GiB) → bytes.
bool ParseSize(const std::string& text, uint64_t* out);
// "1.5 GiB".
std::string HumanBytes(double bytes);

// One progress line on a terminal: "\r 42.0%  1.2 GiB / 3.0 GiB  512 MB/s  ETA 0:00:04  <extra>".
// Does nothing when stderr is not a terminal or quiet is set. Finish() ends the line. The rate
// is measured from construction or the last Restart() unless the caller gives the seconds.
class ProgressLine {
 public:
  explicit ProgressLine(bool quiet);
  bool enabled() const { return enabled_; }
  void Restart() { start_ = std::chrono::steady_clock::now(); }
  void Update(uint64_t done, uint64_t total, double seconds, const std::string& extra = "");
  void Update(uint64_t done, uint64_t total, const std::string& extra);
  void Finish();

 private:
  bool enabled_;
  bool printed_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Set by SIGINT/SIGTERM once InstallCancelHandler() ran; long jobs poll it.
extern std::atomic<bool> g_cancel;
void InstallCancelHandler();

// The workspace directory: --data DIR, else $EVIDEX_DATA, else ./evidex-data.
std::string WorkspaceDir(const std::string& data_option);

}  // namespace evidex::cli

#endif  // EVIDEX_CLI_COMMON_H_
