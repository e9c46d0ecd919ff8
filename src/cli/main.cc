// evidex: the command line. One subcommand per job (cmd_*.cc), thin over the modules.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/version.h"

int main(int argc, char** argv) {
  using namespace evidex::cli;
  CLI::App app{"evidex: evidence vault and scanner for cybercrime units (version " EVIDEX_VERSION ")"};
  app.require_subcommand(1);
  app.set_version_flag("--version", EVIDEX_VERSION);
  GlobalOptions global;
  app.add_option("--data", global.data,
                 "workspace directory (default: $EVIDEX_DATA, else ./evidex-data)")
      ->envname("EVIDEX_DATA");
  app.add_option("--db", global.db,
                 "the store: postgresql://user@host:port/db (with init: the workspace keeps it; "
                 "default: the workspace's SQLite file)")
      ->envname("EVIDEX_DB");
  for (int i = 0; i < argc; ++i) global.command_line += (i ? " " : "") + std::string(argv[i]);

  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(MakeScannersCommand());
  commands.push_back(MakeScanCommand());
  commands.push_back(MakeInitCommand());
  commands.push_back(MakeCaseCommand());
  commands.push_back(MakeAcquireCommand());
  commands.push_back(MakeCustodyCommand());
  commands.push_back(MakePackageCommand());
  commands.push_back(MakeVerifyPackageCommand());
  commands.push_back(MakeReceiveCommand());
  commands.push_back(MakeExportCommand());
  commands.push_back(MakeDisposeCommand());
  commands.push_back(MakeSearchCommand());
  commands.push_back(MakeCorrelateCommand());
  commands.push_back(MakeArtifactsCommand());
  commands.push_back(MakeHitsCommand());
  commands.push_back(MakeWatchlistCommand());
  commands.push_back(MakeHashsetCommand());
  commands.push_back(MakeFilesCommand());
  commands.push_back(MakeTimelineCommand());
  commands.push_back(MakeSimilarCommand());
  commands.push_back(MakeServeCommand());
  commands.push_back(MakeUserCommand());
  commands.push_back(MakeDirectoryCommand());
  commands.push_back(MakeRequestCommand());
  std::vector<CLI::App*> subs;
  for (auto& c : commands) subs.push_back(c->Setup(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  for (size_t i = 0; i < commands.size(); ++i)
    if (subs[i]->parsed()) return commands[i]->Run(global);
  return kExitUsage;
}
