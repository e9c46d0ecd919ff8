// The subcommands of `evidex`. Each cmd_*.cc defines one factory; main.cc lists them in
// kCommands. A Command adds its CLI11 subcommand (with its options bound to its own members) in
// Setup; main parses once and calls Run on the one that was chosen.
#ifndef EVIDEX_CLI_COMMANDS_H_
#define EVIDEX_CLI_COMMANDS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <atomic>
#include <functional>

#include "scan/scan_job.h"
#include "store/store.h"
#include "vault/acquire.h"
#include "vault/keys.h"

namespace evidex::cli {

// What every command may use: global options parsed by main.
struct GlobalOptions {
  std::string data;  // --data DIR (empty: EVIDEX_DATA or ./evidex-data; see WorkspaceDir)
  std::string db;    // --db LOCATION ($EVIDEX_DB): the store, when not the workspace's own
  std::string command_line;
};

class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand (and its nested subcommands) to `app`; returns it.
  virtual CLI::App* Setup(CLI::App& app) = 0;
  // Runs after parsing when this command was chosen; returns the exit code.
  virtual int Run(const GlobalOptions& global) = 0;
};

// `evidex scan --case` on stored evidence with the default scanners, for commands that chain a
// scan (acquire --scan). Returns scan's exit code.
struct StoredScanRequest {
  std::string case_name;
  std::vector<std::string> evidence;  // "E1", ...
  std::string outdir, examiner;
  std::optional<vault::SigningKey> key;  // already loaded (no second passphrase prompt)
  const vault::SigningKey* borrowed_key = nullptr;  // or one the caller keeps (outlives the call)
  bool quiet = false, json = false;
  // A caller other than the command line (the server's scan job) gives its own cancellation flag
  // (else SIGINT/SIGTERM, g_cancel) and progress callback (else the terminal's progress line).
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const scan::ScanProgress&)> progress;
};
int ScanStoredEvidence(const GlobalOptions& global, StoredScanRequest request);

// An acquisition's outcome as stored: `row` (state acquiring) completed from `r`, and its signed
// "acquired" record (cmd_acquire.cc; the server's acquisition job records the same).
store::Evidence CompletedEvidence(const store::Evidence& row, const vault::AcquireResult& r,
                                  const std::string& started);
vault::CustodyRecord AcquiredRecord(const store::Evidence& e, const vault::AcquireResult& r,
                                    const std::string& unit, const std::string& description);

std::unique_ptr<Command> MakeScannersCommand();  // cmd_scan.cc
std::unique_ptr<Command> MakeScanCommand();      // cmd_scan.cc
std::unique_ptr<Command> MakeInitCommand();      // cmd_workspace.cc
std::unique_ptr<Command> MakeCaseCommand();      // cmd_workspace.cc
std::unique_ptr<Command> MakeCustodyCommand();   // cmd_custody.cc
std::unique_ptr<Command> MakeAcquireCommand();   // cmd_acquire.cc
std::unique_ptr<Command> MakePackageCommand();         // cmd_package.cc
std::unique_ptr<Command> MakeVerifyPackageCommand();   // cmd_package.cc
std::unique_ptr<Command> MakeReceiveCommand();         // cmd_package.cc
std::unique_ptr<Command> MakeExportCommand();          // cmd_evidence.cc
std::unique_ptr<Command> MakeDisposeCommand();         // cmd_evidence.cc
std::unique_ptr<Command> MakeSearchCommand();          // cmd_artifacts.cc
std::unique_ptr<Command> MakeCorrelateCommand();       // cmd_artifacts.cc
std::unique_ptr<Command> MakeArtifactsCommand();       // cmd_artifacts.cc
std::unique_ptr<Command> MakeHitsCommand();            // cmd_artifacts.cc
std::unique_ptr<Command> MakeWatchlistCommand();       // cmd_artifacts.cc
std::unique_ptr<Command> MakeHashsetCommand();         // cmd_hashset.cc
std::unique_ptr<Command> MakeFilesCommand();           // cmd_files.cc
std::unique_ptr<Command> MakeTimelineCommand();        // cmd_files.cc
std::unique_ptr<Command> MakeSimilarCommand();         // cmd_files.cc
std::unique_ptr<Command> MakeServeCommand();           // cmd_serve.cc
std::unique_ptr<Command> MakeUserCommand();            // cmd_serve.cc
std::unique_ptr<Command> MakeDirectoryCommand();       // cmd_coop.cc
std::unique_ptr<Command> MakeRequestCommand();         // cmd_coop.cc

}  // namespace evidex::cli

#endif  // EVIDEX_CLI_COMMANDS_H_
