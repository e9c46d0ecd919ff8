// `evidex init` (create the workspace and the unit key) and `evidex case new|list|show`.
#include <cstdio>
#include <filesystem>
#include <map>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/vault_cli.h"
#include "vault/custody.h"
#include "vault/workspace.h"

namespace evidex::cli {
namespace {

class InitCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "init", "create a workspace (store, vault) and the unit's Ed25519 signing key");
    cmd->add_option("--unit", unit_, "the unit's name, e.g. \"Cybercrime Unit, Colombo\"")
        ->required();
    cmd->add_option("--country", country_, "ISO 3166-1 alpha-2 code, e.g. LK")->required();
    cmd->add_flag("--no-passphrase", no_passphrase_,
                  "keep the signing key unencrypted in a file only its owner can read (0600)");
    AddPassphraseOption(cmd, &passphrase_file_);
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    std::string dir = WorkspaceDir(global.data);
    vault::InitOptions options;
    options.unit_name = unit_;
    options.country = country_;
    options.store_location = global.db;
    if (!no_passphrase_) {
      Result<std::string> p = vault::ObtainPassphrase(
          passphrase_file_, "New passphrase for the unit key: ", /*confirm=*/true);
      if (!p.ok()) {
        PrintError(p.status().message() + " (or choose --no-passphrase)");
        return kExitUsage;
      }
      options.passphrase = std::move(p).value();
    }
    Result<vault::Workspace> ws = vault::Workspace::Init(dir, options);
    if (options.passphrase) std::fill(options.passphrase->begin(), options.passphrase->end(), 0);
    if (!ws.ok()) {
      PrintError(ws.status());
      std::error_code ec;
      if (std::filesystem::exists(std::filesystem::path(dir) / "evidex.db", ec))
        return kExitWorkspace;
      return StoreExit(ws.status());
    }
    Result<vault::PublicKey> pk = vault::PublicKey::Parse(ws->unit().public_key);
    std::printf("workspace created at %s\n", dir.c_str());
    std::printf("unit:    %s\n", ws->unit().Display().c_str());
    std::printf("key:     %s (fingerprint %s)\n", ws->unit().public_key.c_str(),
                pk.ok() ? pk->Fingerprint().c_str() : "?");
    if (no_passphrase_)
      std::printf("         %s is NOT encrypted: it is protected only by its file mode (0600)\n",
                  ws->key_path().c_str());
    else
      std::printf("         %s is encrypted with your passphrase (Argon2id)\n",
                  ws->key_path().c_str());
    std::printf("give %s to those who must verify your evidence packages\n",
                ws->pub_path().c_str());
    return kExitOk;
  }

 private:
  std::string unit_, country_, passphrase_file_;
  bool no_passphrase_ = false;
};

class CaseCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("case", "create, list and show cases");
    cmd->require_subcommand(1);
    new_ = cmd->add_subcommand("new", "open a new case (custody record \"case-created\")");
    new_->add_option("--number", number_, "the unit's case number, unique, e.g. 2026/041")
        ->required();
    new_->add_option("--title", title_, "a short title")->required();
    new_->add_option("--offence", offence_, "the offence(s) investigated");
    new_->add_option("--examiner", examiner_, "the examiner in charge")->required();
    new_->add_flag("--json", json_, "print the case as JSON");
    AddPassphraseOption(new_, &passphrase_file_);
    list_ = cmd->add_subcommand("list", "list the cases");
    list_->add_flag("--json", json_, "print JSON");
    show_ = cmd->add_subcommand("show", "show a case and its evidence with hashes and state");
    show_->add_option("CASE", case_, "case number or local id")->required();
    show_->add_flag("--json", json_, "print JSON");
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    if (new_->parsed()) return New(*ws);
    if (list_->parsed()) return List(*ws);
    return Show(*ws);
  }

 private:
  int New(vault::Workspace& ws) {
    int exit_code = kExitOk;
    if (number_.empty() || title_.empty() || examiner_.empty()) {
      PrintError("--number, --title and --examiner must not be empty");
      return kExitUsage;
    }
    std::optional<vault::SigningKey> key = LoadKey(ws, passphrase_file_, &exit_code);
    if (!key) return exit_code;
    store::Case c;
    c.number = number_;
    c.title = title_;
    c.offence = offence_;
    c.examiner = examiner_;
    Status st = ws.store().Transaction([&]() -> Status {
      Result<store::Case> added = ws.store().AddCase(c);
      if (!added.ok()) return added.status();
      c = *added;
      vault::CustodyRecord r;
      r.actor = examiner_;
      r.unit = ws.unit().Display();
      r.action = "case-created";
      r.details = {{"number", c.number},
                   {"title", c.title},
                   {"offence", c.offence},
                   {"examiner", c.examiner}};
      return ws.store().AppendCustody(c.id, r, *key).status();
    });
    if (!st.ok()) {
      PrintError(st);
      return StoreExit(st);
    }
    if (json_)
      std::printf("%s\n", CaseJson(c).dump(2).c_str());
    else
      std::printf("case %s created (local id %lld)\n", c.number.c_str(), (long long)c.id);
    return kExitOk;
  }

  int List(vault::Workspace& ws) {
    Result<std::vector<store::Case>> cases = ws.store().ListCases();
    if (!cases.ok()) {
      PrintError(cases.status());
      return StoreExit(cases.status());
    }
    nlohmann::json out = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows{
        {"ID", "NUMBER", "TITLE", "OFFENCE", "EXAMINER", "CREATED", "STATUS", "EVIDENCE"}};
    for (const store::Case& c : *cases) {
      Result<std::vector<store::Evidence>> ev = ws.store().ListEvidence(c.id);
      if (!ev.ok()) {
        PrintError(ev.status());
        return StoreExit(ev.status());
      }
      size_t complete = 0;
      for (const store::Evidence& e : *ev) complete += e.state == store::EvidenceState::kComplete;
      nlohmann::json j = CaseJson(c);
      j["evidence"] = ev->size();
      j["evidence_complete"] = complete;
      out.push_back(j);
      std::string count = std::to_string(ev->size());
      if (complete != ev->size())
        count += " (" + std::to_string(ev->size() - complete) + " incomplete)";
      rows.push_back({std::to_string(c.id), c.number, c.title, c.offence, c.examiner,
                      c.created.substr(0, 10), c.status, count});
    }
    if (json_)
      std::printf("%s\n", out.dump(2).c_str());
    else if (cases->empty())
      std::printf("no cases yet (evidex case new --number ... --title ... --examiner ...)\n");
    else
      PrintTable(rows);
    return kExitOk;
  }

  int Show(vault::Workspace& ws) {
    int exit_code = kExitOk;
    std::optional<store::Case> c = ResolveCase(ws, case_, &exit_code);
    if (!c) return exit_code;
    Result<std::vector<store::Evidence>> ev = ws.store().ListEvidence(c->id);
    Result<std::optional<vault::CustodyHead>> head = ws.store().GetCustodyHead(c->id);
    if (!ev.ok() || !head.ok()) {
      const Status& st = !ev.ok() ? ev.status() : head.status();
      PrintError(st);
      return StoreExit(st);
    }
    int64_t records = head->has_value() ? (*head)->seq : 0;
    Result<std::vector<store::ScanRecord>> scans = ws.store().ListScans(c->id);
    if (!scans.ok()) {
      PrintError(scans.status());
      return StoreExit(scans.status());
    }
    const std::string now = vault::UtcNow();
    auto evidence_name = [&](int64_t id) {
      for (const store::Evidence& e : *ev)
        if (e.id == id) return e.Name();
      return std::string("?");
    };
    if (json_) {
      nlohmann::json j = CaseJson(*c);
      j["evidence"] = nlohmann::json::array();
      for (const store::Evidence& e : *ev) j["evidence"].push_back(EvidenceJson(e));
      j["custody_records"] = records;
      j["scans"] = nlohmann::json::array();
      for (const store::ScanRecord& s : *scans)
        j["scans"].push_back({{"id", s.id},
                              {"uuid", s.uuid},
                              {"evidence", evidence_name(s.evidence_id)},
                              {"status", store::EffectiveScanStatus(s, now)},
                              {"started", s.started},
                              {"finished", s.finished},
                              {"bytes_done", s.bytes_done},
                              {"bytes_total", s.bytes_total},
                              {"occurrences", s.occurrences},
                              {"artifacts", s.artifacts},
                              {"parameters", nlohmann::json::parse(s.parameters, nullptr, false)},
                              {"error", s.error}});
      std::printf("%s\n", j.dump(2).c_str());
      return kExitOk;
    }
    std::printf("case %s (local id %lld)\n", c->number.c_str(), (long long)c->id);
    PrintTable({{"  title", c->title},
                {"  offence", c->offence},
                {"  examiner", c->examiner},
                {"  created", c->created},
                {"  status", c->status},
                {"  uuid", c->uuid},
                {"  custody",
                 std::to_string(records) + " records (evidex custody show " + c->number + ")"}});
    if (ev->empty()) {
      std::printf("\nno evidence yet (evidex acquire %s SOURCE --label ...)\n", c->number.c_str());
      return kExitOk;
    }
    std::printf("\n");
    std::vector<std::vector<std::string>> rows{
        {"EVIDENCE", "LABEL", "MODE", "SIZE", "STATE", "ACQUIRED", "EXAMINER"}};
    for (const store::Evidence& e : *ev)
      rows.push_back({e.Name(), e.label, e.mode, HumanBytes(double(e.size)), StateText(e),
                      e.finished.empty() ? e.started : e.finished, e.examiner});
    PrintTable(rows);
    for (const store::Evidence& e : *ev) {
      std::printf("\n%s %s\n", e.Name().c_str(), e.label.c_str());
      std::vector<std::vector<std::string>> d{{"  source", e.source_path}};
      if (!e.source_description.empty()) d.push_back({"  description", e.source_description});
      if (!e.device_model.empty() || !e.device_serial.empty())
        d.push_back({"  device", e.device_model + " " + e.device_serial});
      if (e.state == store::EvidenceState::kComplete || e.state == store::EvidenceState::kDisposed) {
        if (e.state == store::EvidenceState::kDisposed)
          d.push_back({"  state", "disposed (see its custody record); the hashes it had:"});
        d.push_back({"  size", std::to_string(e.size) + " bytes"});
        d.push_back({"  md5", e.md5});
        d.push_back({"  sha1", e.sha1});
        d.push_back({"  sha256", e.sha256});
        if (!e.stored_path.empty()) d.push_back({"  stored", "vault/" + e.stored_path});
      } else {
        d.push_back({"  state", StateText(e) + ": no hashes recorded; run the acquisition again"});
      }
      d.push_back({"  uuid", e.uuid});
      PrintTable(d);
    }
    if (!scans->empty()) {
      std::printf("\nstored scans (evidex correlate %s; evidex artifacts %s)\n", c->number.c_str(),
                  c->number.c_str());
      std::vector<std::vector<std::string>> rows{
          {"SCAN", "EVIDENCE", "STATUS", "STARTED", "SCANNED", "OCCURRENCES", "ARTIFACTS"}};
      for (const store::ScanRecord& s : *scans) {
        std::string status = store::EffectiveScanStatus(s, now);
        if (status == "interrupted")
          status += " (run the scan again: it replaces this one)";
        rows.push_back({std::to_string(s.id), evidence_name(s.evidence_id), status, s.started,
                        HumanBytes(double(s.bytes_done)) + " / " + HumanBytes(double(s.bytes_total)),
                        std::to_string(s.occurrences), std::to_string(s.artifacts)});
      }
      PrintTable(rows);
    }
    return kExitOk;
  }

  CLI::App *new_ = nullptr, *list_ = nullptr, *show_ = nullptr;
  std::string number_, title_, offence_, examiner_, case_, passphrase_file_;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeInitCommand() { return std::make_unique<InitCommand>(); }
std::unique_ptr<Command> MakeCaseCommand() { return std::make_unique<CaseCommand>(); }

}  // namespace evidex::cli
