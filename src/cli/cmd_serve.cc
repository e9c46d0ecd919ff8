// `evidex serve` (the HTTP API and web UI, src/server) and `evidex user` (its accounts).
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/vault_cli.h"
#include "server/http_util.h"
#include "server/server.h"
#include "server/users.h"

namespace evidex::cli {
namespace {

server::Server* g_server = nullptr;

// The web UI the build puts beside the binary (build/web-ui for build/src/cli/evidex), when it
// holds index.html; else "" (the API only).
std::string DefaultWebRoot() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  std::filesystem::path dir = exe.parent_path() / ".." / ".." / "web-ui";
  if (!std::filesystem::is_regular_file(dir / "index.html", ec)) return {};
  return std::filesystem::canonical(dir, ec).string();
}

void StopServer(int) {
  if (g_server != nullptr) g_server->Stop();
}

class ServeCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "serve", "serve the web UI and its HTTP API (docs/API.md) on this workspace");
    cmd->add_option("--listen", listen_, "address:port to listen on (default 127.0.0.1:8080)");
    cmd->add_option("--tls-cert", options_.tls_cert, "PEM certificate: serve HTTPS");
    cmd->add_option("--tls-key", options_.tls_key, "PEM private key of --tls-cert");
    cmd->add_option("--web-root", options_.web_root,
                    "the built web UI (web/dist; default: web-ui beside the build's src/)");
    cmd->add_option("--evidence-root", options_.evidence_roots,
                    "a directory the API may acquire evidence from (repeatable; none: no "
                    "acquisition over the API)");
    cmd->add_option("--idle-timeout", options_.idle_timeout_minutes,
                    "minutes without a request before a session ends (default 30)");
    cmd->add_option("--threads", options_.threads, "request workers: connections served at once (default 128; a browser keeps up to 6)");
    cmd->add_option("--query-slots", options_.query_slots,
                    "requests doing store work at once, the rest queued in arrival order "
                    "(default: one per CPU)")
        ->check(CLI::Range(1, 1024));
    cmd->add_flag("-q,--quiet", options_.quiet, "no banner");
    AddPassphraseOption(cmd, &options_.passphrase_file);
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    size_t colon = listen_.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      PrintError("--listen takes ADDRESS:PORT, e.g. 127.0.0.1:8080");
      return kExitUsage;
    }
    options_.host = listen_.substr(0, colon);
    if (options_.host.size() > 2 && options_.host.front() == '[' && options_.host.back() == ']')
      options_.host = options_.host.substr(1, options_.host.size() - 2);
    try {
      options_.port = std::stoi(listen_.substr(colon + 1));
    } catch (const std::exception&) {
      options_.port = -1;
    }
    if (options_.port < 0 || options_.port > 65535) {
      PrintError("--listen: bad port in " + listen_);
      return kExitUsage;
    }
    if (options_.web_root.empty()) options_.web_root = DefaultWebRoot();
    options_.data_dir = WorkspaceDir(global.data);
    options_.db = global.db;
    Result<std::unique_ptr<server::Server>> s = server::Server::Create(options_);
    if (!s.ok()) {
      PrintError(s.status());
      if (s.status().code() == Code::kCorrupt) return kExitAuth;
      if (s.status().code() == Code::kInvalidArgument) return kExitUsage;
      return StoreExit(s.status());
    }
    std::unique_ptr<server::Server> srv = std::move(s).value();
    if (Status st = srv->Bind(); !st.ok()) {
      PrintError(st);
      return kExitOutput;
    }
    if (!srv->initial_admin_password().empty())
      std::printf(
          "created the account 'admin' with the one-time password\n\n    %s\n\n"
          "(shown once; it must be changed at the first sign-in)\n",
          srv->initial_admin_password().c_str());
    if (options_.web_root.empty())
      std::fprintf(stderr,
                   "evidex serve: the web UI was not found beside this binary; serving the API "
                   "only (give --web-root DIR, the built web UI: web/dist)\n");
    if (!options_.quiet)
      std::printf("evidex serve: %s://%s:%d/ %s%s on %s\n",
                  options_.tls_cert.empty() ? "http" : "https", options_.host.c_str(), srv->port(),
                  options_.web_root.empty() ? "(API only)" : "web UI from ",
                  options_.web_root.c_str(), options_.data_dir.c_str());
    std::fflush(stdout);
    g_server = srv.get();
    std::signal(SIGINT, StopServer);
    std::signal(SIGTERM, StopServer);
    Status st = srv->Run();
    g_server = nullptr;
    if (!st.ok()) {
      PrintError(st);
      return kExitOutput;
    }
    return kExitOk;
  }

 private:
  std::string listen_ = "127.0.0.1:8080";
  server::ServeOptions options_;
};

class UserCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("user", "the accounts of evidex serve");
    cmd->require_subcommand(1);
    add_ = cmd->add_subcommand("add", "add an account (prints a one-time password)");
    add_->add_option("NAME", name_, "login: 1-64 of a-z 0-9 . _ -")->required();
    add_->add_option("--role", role_, "admin, examiner, investigator, prosecutor or viewer")
        ->required()
        ->check(CLI::IsMember({"admin", "examiner", "investigator", "prosecutor", "viewer"}));
    add_->add_option("--display-name", display_, "as shown and recorded, e.g. \"Insp. A. Perera\"");
    list_ = cmd->add_subcommand("list", "list the accounts");
    list_->add_flag("--json", json_, "print JSON");
    for (const char* verb : {"disable", "enable", "reset-password"}) {
      CLI::App* sub = cmd->add_subcommand(
          verb, std::string(verb) == "reset-password"
                    ? "give the account a new one-time password (its sessions end)"
                    : std::string(verb) + " the account" +
                          (std::string(verb) == "disable" ? " (its sessions end)" : ""));
      sub->add_option("NAME", name_, "login")->required();
      verbs_.push_back(sub);
    }
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    store::Store& store = ws->store();
    if (add_->parsed()) {
      Result<server::NewUser> u =
          server::CreateUser(store, name_, display_, *store::ParseRole(role_), "");
      if (!u.ok()) {
        PrintError(u.status().code() == Code::kInvalidArgument && server::ValidUserName(name_)
                       ? "a user named " + name_ + " exists"
                       : u.status().message());
        return u.status().code() == Code::kInvalidArgument ? kExitUsage : StoreExit(u.status());
      }
      std::printf(
          "added %s (%s) with the one-time password\n\n    %s\n\n"
          "(shown once; it must be changed at the first sign-in)\n",
          u->user.name.c_str(), role_.c_str(), u->password.c_str());
      return kExitOk;
    }
    if (list_->parsed()) {
      Result<std::vector<store::User>> users = store.ListUsers();
      if (!users.ok()) {
        PrintError(users.status());
        return StoreExit(users.status());
      }
      if (json_) {
        nlohmann::json out = nlohmann::json::array();
        for (const store::User& u : *users) out.push_back(server::UserJson(u));
        std::printf("%s\n", out.dump(2).c_str());
        return kExitOk;
      }
      std::vector<std::vector<std::string>> rows{
          {"name", "role", "state", "created", "display name"}};
      for (const store::User& u : *users)
        rows.push_back({u.name, store::RoleName(u.role),
                        u.disabled               ? "disabled"
                        : u.must_change_password ? "one-time password"
                                                 : "active",
                        u.created, u.display_name});
      PrintTable(rows);
      return kExitOk;
    }
    Result<std::optional<store::User>> found = store.FindUser(name_);
    if (!found.ok()) {
      PrintError(found.status());
      return StoreExit(found.status());
    }
    if (!found->has_value()) {
      PrintError("no user " + name_ + " (see 'evidex user list')");
      return kExitUsage;
    }
    store::User u = **found;
    if (verbs_[2]->parsed()) {
      Result<std::string> password = server::ResetPassword(store, u);
      if (!password.ok()) {
        PrintError(password.status());
        return StoreExit(password.status());
      }
      std::printf("new one-time password for %s\n\n    %s\n\n(shown once; its sessions end)\n",
                  u.name.c_str(), password->c_str());
      return kExitOk;
    }
    bool disable = verbs_[0]->parsed();
    if (Status st = server::SetDisabled(store, u, disable); !st.ok()) {
      PrintError(st);
      return StoreExit(st);
    }
    std::printf("%s %s\n", u.name.c_str(), disable ? "disabled (its sessions end)" : "enabled");
    return kExitOk;
  }

 private:
  CLI::App *add_ = nullptr, *list_ = nullptr;
  std::vector<CLI::App*> verbs_;
  std::string name_, role_, display_;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeServeCommand() { return std::make_unique<ServeCommand>(); }
std::unique_ptr<Command> MakeUserCommand() { return std::make_unique<UserCommand>(); }

}  // namespace evidex::cli
