// `evidex directory` (the 24/7 directory) and `evidex request` (cooperation requests written from
// a case): thin over src/coop/ (directory.h, request.h, service.h) and src/coop/docs/ (render.h).
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/vault_cli.h"
#include "coop/directory.h"
#include "coop/docs/render.h"
#include "coop/docs/translations.h"
#include "coop/document_of.h"
#include "coop/request.h"
#include "coop/service.h"
#include "vault/custody.h"

namespace evidex::cli {
namespace {

using nlohmann::json;

int64_t NowSeconds() { return int64_t(std::time(nullptr)); }
std::string Today() { return coop::FormatUtc(NowSeconds()).substr(0, 10); }

// Who acts: --examiner, else $EVIDEX_EXAMINER, else the login name.
std::string Actor(const std::string& option) {
  if (!option.empty()) return option;
  if (const char* e = std::getenv("EVIDEX_EXAMINER"); e && *e) return e;
  if (const char* u = std::getenv("USER"); u && *u) return u;
  return "unknown";
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

bool WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), std::streamsize(data.size()));
  return bool(out);
}

// ---- evidex directory ----
class DirectoryCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("directory", "the 24/7 directory of points of contact");
    cmd->require_subcommand(1);
    add_ = cmd->add_subcommand("add", "add or replace an entry");
    add_->add_option("KEY", e_.key, "the entry's key, e.g. LK-CID-247")->required();
    add_->add_option("--country", e_.country, "ISO 3166-1 alpha-2, e.g. LK")->required();
    add_->add_option("--authority", e_.authority, "the authority")->required();
    add_->add_option("--unit", e_.unit, "the unit");
    add_->add_option("--phone", e_.phones, "a 24/7 phone (repeatable)");
    add_->add_option("--email", e_.email, "e-mail");
    add_->add_option("--pgp-key", e_.pgp_key, "OpenPGP key or fingerprint");
    add_->add_option("--hours", e_.hours, "office hours in its time zone: 24/7 (default) or e.g. \"Mon-Fri 08:00-17:00\"");
    add_->add_option("--time-zone", e_.time_zone, "IANA time zone, e.g. Asia/Colombo")->required();
    add_->add_option("--language", e_.languages, "a language accepted, ISO 639-1 (repeatable)");
    add_->add_option("--channel", e_.channels, "email, portal, phone or federation (repeatable)");
    add_->add_option("--legal-basis", e_.legal_bases, "budapest, protocol2, untoc, bilateral, reciprocity, eu-2023-1543, us-2703f (repeatable)");
    add_->add_flag("--art35", e_.budapest_art35, "the Budapest Convention Art. 35 point");
    add_->add_flag("--g7", e_.g7, "the G7 24/7 network point");
    add_->add_flag("--central-authority", e_.central_authority, "a central authority for MLA");
    add_->add_flag("--own", e_.own, "this unit's own card (requests are sent from it)");
    add_->add_option("--verified", e_.last_verified, "date last verified, YYYY-MM-DD (default today)");
    add_->add_option("--source", e_.source, "who or what confirmed it")->required();
    import_ = cmd->add_subcommand("import", "import a CSV or JSON directory file (all or nothing)");
    import_->add_option("FILE", file_, "the file")->required();
    import_->add_option("--signature", sig_file_, "the detached signature of a CSV file (default FILE.sig when present)");
    import_->add_flag("--unsigned", unsigned_, "accept a file without a signature (typed from a published list)");
    list_ = cmd->add_subcommand("list", "list entries");
    list_->add_option("--country", country_, "only this country");
    list_->add_option("--language", language_, "only entries accepting this language");
    list_->add_flag("--open-now", open_now_, "only entries open now in their own time zone");
    list_->add_flag("--json", json_, "print JSON");
    show_ = cmd->add_subcommand("show", "show one entry");
    show_->add_option("KEY", key_, "the entry's key")->required();
    show_->add_flag("--json", json_, "print JSON");
    export_ = cmd->add_subcommand("export", "export the directory, signed with the unit's key");
    export_->add_option("FILE", file_, "the file to write (.json or .csv; a CSV gets FILE.sig)")->required();
    AddPassphraseOption(export_, &passphrase_file_);
    remove_ = cmd->add_subcommand("remove", "remove an entry");
    remove_->add_option("KEY", key_, "the entry's key")->required();
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    store::Store& store = ws->store();
    const std::string today = Today();
    if (add_->parsed()) {
      if (e_.last_verified.empty()) e_.last_verified = today;
      Status st = coop::PutEntries(store, {e_}, today);
      if (!st.ok()) {
        PrintError(st);
        return st.code() == Code::kInvalidArgument ? kExitUsage : StoreExit(st);
      }
      std::printf("directory entry %s stored\n", e_.key.c_str());
      return kExitOk;
    }
    if (import_->parsed()) return Import(*ws, today);
    if (export_->parsed()) return Export(*ws);
    if (remove_->parsed()) {
      Status st = store.DeleteDirectoryEntry(key_);
      if (!st.ok()) {
        PrintError(st.code() == Code::kNotFound ? "no directory entry " + key_ : st.message());
        return st.code() == Code::kNotFound ? kExitUsage : StoreExit(st);
      }
      std::printf("directory entry %s removed\n", key_.c_str());
      return kExitOk;
    }
    Result<std::vector<coop::DirectoryEntry>> entries = coop::ListEntries(store, country_);
    if (!entries.ok()) {
      PrintError(entries.status());
      return StoreExit(entries.status());
    }
    const int64_t now = NowSeconds();
    std::vector<coop::DirectoryEntry> chosen;
    for (const coop::DirectoryEntry& e : *entries) {
      if (show_->parsed() && e.key != key_) continue;
      if (!language_.empty() && std::find(e.languages.begin(), e.languages.end(), language_) == e.languages.end()) continue;
      if (open_now_ && coop::OpenAt(e, now) != true) continue;
      chosen.push_back(e);
    }
    if (show_->parsed() && chosen.empty()) {
      PrintError("no directory entry " + key_ + " (see evidex directory list)");
      return kExitUsage;
    }
    if (json_) {
      json out = json::array();
      for (const coop::DirectoryEntry& e : chosen) {
        json j = coop::ToJson(e);
        j["stale"] = coop::IsStale(e, today);
        std::optional<bool> open = coop::OpenAt(e, now);
        j["open_now"] = open ? json(*open) : json();
        out.push_back(j);
      }
      std::printf("%s\n", (show_->parsed() ? out[0] : out).dump(2).c_str());
      return kExitOk;
    }
    if (show_->parsed()) {
      const coop::DirectoryEntry& e = chosen.front();
      json j = coop::ToJson(e);
      for (auto it = j.begin(); it != j.end(); ++it) {
        std::string v = it->is_string() ? it->get<std::string>() : it->dump();
        std::printf("%-18s %s\n", it.key().c_str(), v.c_str());
      }
      std::optional<bool> open = coop::OpenAt(e, now);
      std::printf("%-18s %s\n", "open now", open ? (*open ? "yes" : "no") : "unknown");
      if (coop::IsStale(e, today)) std::printf("STALE: last verified %s, over 6 months ago\n", e.last_verified.c_str());
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows{{"key", "country", "open now", "verified", "authority"}};
    for (const coop::DirectoryEntry& e : chosen) {
      std::optional<bool> open = coop::OpenAt(e, now);
      rows.push_back({e.key, e.country, open ? (*open ? "yes" : "no") : "?",
                      e.last_verified + (coop::IsStale(e, today) ? " (stale)" : ""),
                      e.authority + (e.own ? " [own]" : "")});
    }
    PrintTable(rows);
    return kExitOk;
  }

 private:
  int Import(vault::Workspace& ws, const std::string& today) {
    std::string data;
    if (!ReadFile(file_, &data)) {
      PrintError("cannot read " + file_);
      return kExitSource;
    }
    coop::ParsedDirectory parsed = coop::ParseDirectoryFile(data, today);
    std::string sig_path = sig_file_;
    if (sig_path.empty() && access((file_ + ".sig").c_str(), R_OK) == 0) sig_path = file_ + ".sig";
    if (!sig_path.empty()) {
      std::string sig;
      if (!ReadFile(sig_path, &sig)) {
        PrintError("cannot read " + sig_path);
        return kExitSource;
      }
      if (Status st = coop::ApplyDetachedSignature(sig, data, &parsed); !st.ok()) {
        PrintError(sig_path + ": " + st.message());
        return kExitVerifyFailed;
      }
    }
    if (!parsed.problems.empty()) {
      for (const coop::ImportProblem& p : parsed.problems)
        std::fprintf(stderr, "%s: %s: %s\n", file_.c_str(), p.where.c_str(), p.message.c_str());
      PrintError(std::to_string(parsed.problems.size()) + " problem(s) in " + file_ + ": nothing imported");
      return kExitUsage;
    }
    std::string signed_by;
    if (parsed.signature.empty()) {
      if (!unsigned_) {
        PrintError(file_ + " is not signed: nothing imported (--unsigned to accept it)");
        return kExitVerifyFailed;
      }
    } else {
      // The signer must be this unit or a unit whose key was accepted (evidex receive --trust-key).
      Result<vault::PublicKey> key = vault::PublicKey::Parse(parsed.signer);
      Result<store::Unit> unit = ws.store().GetUnit();
      Result<std::vector<store::KnownKey>> known = ws.store().ListKnownKeys();
      bool trusted = false;
      bool self = key.ok() && unit.ok() && unit->public_key == key->Text();
      if (self) { trusted = true; signed_by = unit->Display(); }
      if (key.ok() && known.ok() && !self)
        for (const store::KnownKey& k : *known)
          if (k.public_key == key->Text()) { trusted = true; signed_by = k.unit + " (" + k.country + ")"; }
      // Another unit's own card is not ours: requests are sent from this unit's card only.
      if (trusted && !self)
        for (coop::DirectoryEntry& e : parsed.entries) e.own = false;
      if (!key.ok() || !trusted) {
        PrintError(file_ + " is signed by " + parsed.signer + ", a key this workspace does not know: nothing imported");
        return kExitVerifyFailed;
      }
      if (!coop::SignatureValid(parsed, *key)) {
        PrintError(file_ + ": the signature does not match the file: nothing imported");
        return kExitVerifyFailed;
      }
    }
    Status st = coop::PutEntries(ws.store(), parsed.entries, today);
    if (!st.ok()) {
      PrintError(st);
      return StoreExit(st);
    }
    std::printf("imported %zu entries from %s (%s)\n", parsed.entries.size(), file_.c_str(),
                signed_by.empty() ? "unsigned" : ("signed by " + signed_by).c_str());
    return kExitOk;
  }

  int Export(vault::Workspace& ws) {
    int exit_code = kExitOk;
    Result<std::vector<coop::DirectoryEntry>> entries = coop::ListEntries(ws.store(), "");
    if (!entries.ok()) {
      PrintError(entries.status());
      return StoreExit(entries.status());
    }
    Result<store::Unit> unit = ws.store().GetUnit();
    if (!unit.ok()) {
      PrintError(unit.status());
      return StoreExit(unit.status());
    }
    std::optional<vault::SigningKey> key = LoadKey(ws, passphrase_file_, &exit_code);
    if (!key) return exit_code;
    const std::string signer = key->public_key().Text();
    bool csv = file_.size() > 4 && file_.compare(file_.size() - 4, 4, ".csv") == 0;
    std::string data = csv ? coop::ToCsv(*entries)
                           : coop::SignedJsonExport(*entries, unit->Display(), vault::UtcNow(), *key, signer);
    if (!WriteFile(file_, data) || (csv && !WriteFile(file_ + ".sig", coop::DetachedSignature(data, *key, signer)))) {
      PrintError("cannot write " + file_);
      return kExitOutput;
    }
    std::printf("exported %zu entries to %s%s, signed by %s\n", entries->size(), file_.c_str(),
                csv ? (" and " + file_ + ".sig").c_str() : "", signer.c_str());
    return kExitOk;
  }

  CLI::App *add_ = nullptr, *import_ = nullptr, *list_ = nullptr, *show_ = nullptr,
           *export_ = nullptr, *remove_ = nullptr;
  coop::DirectoryEntry e_;
  std::string file_, sig_file_, country_, language_, key_, passphrase_file_;
  bool unsigned_ = false, open_now_ = false, json_ = false;
};

// ---- evidex request ----
class RequestCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("request", "cooperation requests: preservation, emergency, MLA, EPOC, EPOC-PR");
    cmd->require_subcommand(1);
    cmd->add_option("--examiner", examiner_, "who acts (default $EVIDEX_EXAMINER or $USER)");
    new_ = cmd->add_subcommand("new", "write a draft from a case");
    new_->add_option("--case", case_, "the case")->required();
    new_->add_option("--type", type_, "preservation, emergency, mla, epoc or epoc-pr")->required();
    new_->add_option("--to", to_, "the addressee's directory key")->required();
    new_->add_option("--identifier", identifiers_, "an artifact of the case: its id, KIND:VALUE or a value (repeatable)");
    new_->add_option("--category", category_, "their data category: subscriber, identification, traffic, content");
    new_->add_option("--language", language_, "the requesting side's language (default en)");
    new_->add_option("--target-language", target_language_, "the addressee's language (default its first)");
    new_->add_flag("--json", json_, "print JSON");
    list_ = cmd->add_subcommand("list", "list requests");
    list_->add_option("--case", case_, "only this case");
    list_->add_flag("--json", json_, "print JSON");
    show_ = cmd->add_subcommand("show", "show a request, its problems and its history");
    show_->add_option("REQUEST", name_, "its id or reference (REF@VERSION for one version)")->required();
    show_->add_flag("--json", json_, "print JSON");
    set_ = cmd->add_subcommand("set", "change fields of a draft (of a finalized request: a new version)");
    set_->add_option("REQUEST", name_, "its id or reference")->required();
    set_->add_option("FIELD_VALUE", pairs_, "FIELD VALUE pairs, e.g. summary \"...\" identifiers/0/port 443");
    set_->add_option("--file", file_, "a JSON merge patch of the document");
    check_ = cmd->add_subcommand("check", "list every missing or inconsistent field (exit 1 when any)");
    check_->add_option("REQUEST", name_, "its id or reference")->required();
    check_->add_flag("--json", json_, "print JSON");
    check_->add_option("--language", language_, "the language of the messages (ar, en, es, fr, ru, zh; default en)");
    finalize_ = cmd->add_subcommand("finalize", "check, freeze and sign; recorded in the case's custody");
    finalize_->add_option("REQUEST", name_, "its id or reference")->required();
    AddPassphraseOption(finalize_, &passphrase_file_);
    mark_ = cmd->add_subcommand("mark", "record that a request was sent, acknowledged, answered, refused, withdrawn or expired");
    mark_->add_option("REQUEST", name_, "its id or reference")->required();
    mark_->add_option("STATE", state_, "sent, acknowledged, answered, refused, withdrawn, expired")->required();
    mark_->add_option("--note", note_, "e.g. \"sent by e-mail to ...\"");
    AddPassphraseOption(mark_, &passphrase_file_);
    due_ = cmd->add_subcommand("due", "requests whose clock runs out soon or ran out");
    due_->add_option("--within", within_, "e.g. 7d, 12h (default 7d)");
    due_->add_option("--case", case_, "only this case");
    due_->add_flag("--json", json_, "print JSON");
    extend_ = cmd->add_subcommand("extend", "write the request to extend a running preservation");
    extend_->add_option("REQUEST", name_, "its id or reference")->required();
    follow_ = cmd->add_subcommand("follow-up", "write the MLA request that follows a preservation");
    follow_->add_option("REQUEST", name_, "its id or reference")->required();
    render_ = cmd->add_subcommand("render", "write the request as PDF, DOCX or JSON");
    render_->add_option("REQUEST", name_, "its id or reference")->required();
    render_->add_option("-o,--output", file_, "the file; its extension (.pdf, .docx, .json) chooses the format")->required();
    render_->add_option("--language", language_, "the language (default the addressee's: target_language)");
    render_->add_option("--bilingual", second_, "a second language side by side (e.g. the requesting side's)");
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    store::Store& store = ws->store();
    actor_ = Actor(examiner_);
    today_ = Today();
    if (new_->parsed()) return New(*ws);
    if (list_->parsed()) return List(*ws);
    if (due_->parsed()) return ListDue(*ws);
    Result<store::CoopRequest> r = coop::FindRequest(store, name_);
    if (!r.ok()) return Fail(r.status());
    if (show_->parsed()) return Show(store, *r);
    if (check_->parsed()) return CheckOne(store, *r);
    if (set_->parsed()) return Set(store, *r);
    if (finalize_->parsed() || mark_->parsed()) {
      std::optional<vault::SigningKey> key = LoadKey(*ws, passphrase_file_, &exit_code);
      if (!key) return exit_code;
      Result<store::Unit> unit = store.GetUnit();
      if (!unit.ok()) return Fail(unit.status());
      coop::Signer signer{&*key, key->public_key().Text(), unit->Display()};
      Result<store::CoopRequest> done =
          finalize_->parsed() ? coop::Finalize(store, *r, signer, actor_, today_)
                              : coop::Transition(store, *r, state_, note_, actor_, NowSeconds(), signer);
      if (!done.ok()) return Fail(done.status());
      std::printf("%s v%d is %s%s\n", done->reference.c_str(), done->version, done->state.c_str(),
                  done->due.empty() ? "" : ("; clock ends " + done->due).c_str());
      return kExitOk;
    }
    if (extend_->parsed() || follow_->parsed()) {
      Result<store::CoopRequest> made = extend_->parsed() ? coop::Extend(store, *r, actor_, today_)
                                                         : coop::FollowUp(store, *r, actor_, today_);
      if (!made.ok()) return Fail(made.status());
      std::printf("draft %s (id %lld), %s of %s; see evidex request check %s\n", made->reference.c_str(),
                  (long long)made->id, extend_->parsed() ? "extension" : "MLA follow-up",
                  r->reference.c_str(), made->reference.c_str());
      return kExitOk;
    }
    return Render(store, *r);
  }

 private:
  int Fail(const Status& st) {
    PrintError(st);
    if (st.code() == Code::kInvalidArgument || st.code() == Code::kNotFound) return kExitUsage;
    return StoreExit(st);
  }

  int New(vault::Workspace& ws) {
    int exit_code = kExitOk;
    std::optional<store::Case> c = ResolveCase(ws, case_, &exit_code);
    if (!c) return exit_code;
    coop::NewRequestArgs args;
    args.case_id = c->id;
    args.type = type_;
    args.to = to_;
    args.identifiers = identifiers_;
    args.category = category_;
    args.language = language_.empty() ? "en" : language_;
    args.target_language = target_language_;
    args.actor = actor_;
    args.today = today_;
    Result<store::CoopRequest> r = coop::NewRequest(ws.store(), args);
    if (!r.ok()) return Fail(r.status());
    if (json_) {
      std::printf("%s\n", coop::RequestJson(*r).dump(2).c_str());
      return kExitOk;
    }
    std::printf("draft %s (id %lld), %s to %s, from case %s\n", r->reference.c_str(), (long long)r->id,
                r->type.c_str(), to_.c_str(), c->number.c_str());
    PrintProblems(ws.store(), *r, false);
    return kExitOk;  // the draft exists; `check` is the command whose exit code says complete
  }

  int List(vault::Workspace& ws) {
    int exit_code = kExitOk;
    int64_t case_id = 0;
    if (!ResolveCaseFilter(ws, case_, &case_id, &exit_code)) return exit_code;
    Result<std::vector<store::CoopRequest>> all = ws.store().ListCoopRequests(case_id);
    if (!all.ok()) return Fail(all.status());
    if (json_) {
      json out = json::array();
      for (const store::CoopRequest& r : *all) out.push_back(coop::RequestJson(r));
      std::printf("%s\n", out.dump(2).c_str());
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows{{"id", "reference", "v", "type", "state", "due", "to"}};
    for (const store::CoopRequest& r : *all) {
      json d = json::parse(r.doc, nullptr, false);
      std::string to = d.is_discarded() ? "" : d["addressee"].value("key", "");
      rows.push_back({std::to_string(r.id), r.reference, std::to_string(r.version), r.type, r.state, r.due, to});
    }
    PrintTable(rows);
    return kExitOk;
  }

  int ListDue(vault::Workspace& ws) {
    int exit_code = kExitOk;
    int64_t case_id = 0;
    if (!ResolveCaseFilter(ws, case_, &case_id, &exit_code)) return exit_code;
    std::optional<int64_t> within = coop::ParseDuration(within_.empty() ? "7d" : within_);
    if (!within) {
      PrintError("--within takes a duration such as 7d, 12h, 2w");
      return kExitUsage;
    }
    Result<std::vector<coop::DueItem>> due = coop::Due(ws.store(), case_id, NowSeconds(), *within);
    if (!due.ok()) return Fail(due.status());
    if (json_) {
      json out = json::array();
      for (const coop::DueItem& d : *due) {
        json j = coop::RequestJson(d.request);
        j["overdue"] = d.overdue;
        out.push_back(j);
      }
      std::printf("%s\n", out.dump(2).c_str());
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows{{"reference", "type", "state", "due", ""}};
    for (const coop::DueItem& d : *due)
      rows.push_back({d.request.reference, d.request.type, d.request.state, d.request.due, d.overdue ? "OVERDUE" : ""});
    PrintTable(rows);
    return kExitOk;
  }

  int PrintProblems(store::Store& store, const store::CoopRequest& r, bool as_json) {
    Result<coop::Translations> lang = coop::Translations::ForLanguage(language_.empty() ? "en" : language_);
    if (!lang.ok()) return Fail(lang.status());
    Result<std::vector<coop::Problem>> problems = coop::CheckRequest(store, r, today_);
    if (!problems.ok()) return Fail(problems.status());
    for (coop::Problem& p : *problems) p.message = coop::Describe(p, *lang);
    if (as_json) {
      json out = json::array();
      for (const coop::Problem& p : *problems)
        out.push_back({{"field", p.field}, {"code", p.code}, {"args", p.args}, {"message", p.message}});
      std::printf("%s\n", out.dump(2).c_str());
    } else if (problems->empty()) {
      std::printf("complete: ready to finalize\n");
    } else {
      std::printf("%zu field%s missing or wrong:\n", problems->size(), problems->size() == 1 ? "" : "s");
      for (const coop::Problem& p : *problems) std::printf("  %-34s %s\n", p.field.c_str(), p.message.c_str());
    }
    return problems->empty() ? kExitOk : kExitUsage;
  }

  int Show(store::Store& store, const store::CoopRequest& r) {
    Result<std::vector<store::CoopEvent>> events = store.ListCoopEvents(r.id);
    if (!events.ok()) return Fail(events.status());
    if (json_) {
      json j = coop::RequestJson(r);
      j["history"] = json::array();
      for (const store::CoopEvent& e : *events)
        j["history"].push_back({{"seq", e.seq}, {"time", e.time}, {"actor", e.actor}, {"state", e.state}, {"note", e.note}});
      std::printf("%s\n", j.dump(2).c_str());
      return kExitOk;
    }
    std::printf("%s v%d  %s  %s%s\n", r.reference.c_str(), r.version, r.type.c_str(), r.state.c_str(),
                r.due.empty() ? "" : ("  clock ends " + r.due).c_str());
    json d = json::parse(r.doc, nullptr, false);
    std::printf("%s\n", d.is_discarded() ? r.doc.c_str() : d.dump(2).c_str());
    std::printf("history:\n");
    for (const store::CoopEvent& e : *events)
      std::printf("  %s  %-12s %s%s\n", e.time.c_str(), e.state.c_str(), e.actor.c_str(),
                  e.note.empty() ? "" : (": " + e.note).c_str());
    if (r.state == "draft") PrintProblems(store, r, false);
    return kExitOk;
  }

  int CheckOne(store::Store& store, const store::CoopRequest& r) { return PrintProblems(store, r, json_); }

  int Set(store::Store& store, const store::CoopRequest& r) {
    json doc = json::parse(r.doc, nullptr, false);
    if (doc.is_discarded()) return Fail(Corrupt("the stored document is not JSON"));
    json before = doc;
    if (pairs_.size() % 2 != 0) {
      PrintError("set takes FIELD VALUE pairs");
      return kExitUsage;
    }
    for (size_t i = 0; i < pairs_.size(); i += 2)
      if (Status st = coop::SetField(&doc, pairs_[i], pairs_[i + 1]); !st.ok()) return Fail(st);
    if (!file_.empty()) {
      std::string text;
      if (!ReadFile(file_, &text)) {
        PrintError("cannot read " + file_);
        return kExitSource;
      }
      json patch = json::parse(text, nullptr, false);
      if (patch.is_discarded()) {
        PrintError(file_ + " is not JSON");
        return kExitUsage;
      }
      if (Status st = coop::Patch(&doc, patch); !st.ok()) return Fail(st);
    }
    // The whole change as one merge patch of the stored document.
    json change = json::object();
    for (auto it = doc.begin(); it != doc.end(); ++it)
      if (before[it.key()] != *it) change[it.key()] = *it;
    Result<store::CoopRequest> out = coop::EditRequest(store, r, change, actor_);
    if (!out.ok()) return Fail(out.status());
    if (out->id != r.id)
      std::printf("%s v%d is %s and stays as it is: the change is the new draft v%d (id %lld)\n",
                  r.reference.c_str(), r.version, r.state.c_str(), out->version, (long long)out->id);
    PrintProblems(store, *out, false);
    return kExitOk;
  }

  int Render(store::Store& store, const store::CoopRequest& r) {
    json d = json::parse(r.doc, nullptr, false);
    std::string lang = !language_.empty() ? language_ : d.is_discarded() ? "en" : d.value("target_language", "en");
    auto ends = [&](const char* ext) {
      size_t n = std::strlen(ext);
      return file_.size() > n && file_.compare(file_.size() - n, n, ext) == 0;
    };
    if (ends(".json")) {
      json j = coop::RequestJson(r);
      if (!WriteFile(file_, j.dump(2) + "\n")) return Fail(IoError("cannot write " + file_));
      std::printf("wrote %s\n", file_.c_str());
      return kExitOk;
    }
    if (!ends(".pdf") && !ends(".docx")) {
      PrintError("--output must end in .pdf, .docx or .json");
      return kExitUsage;
    }
    Result<coop::Translations> primary = coop::Translations::ForLanguage(lang);
    if (!primary.ok()) return Fail(primary.status());
    std::optional<coop::Translations> second;
    if (!second_.empty()) {
      Result<coop::Translations> t = coop::Translations::ForLanguage(second_);
      if (!t.ok()) return Fail(t.status());
      second = std::move(t).value();
    }
    std::string signer;
    if (!r.signature.empty()) {
      Result<store::Unit> unit = store.GetUnit();
      if (!unit.ok()) return Fail(unit.status());
      signer = unit->public_key + " / " + unit->Display();
    }
    coop::Document doc = coop::DocumentOf(r, signer);
    if (ends(".pdf")) {
      Status st = coop::RenderPdf(doc, *primary, second ? &*second : nullptr, file_);
      if (!st.ok()) return Fail(st);
    } else {
      Result<std::string> bytes = coop::RenderDocx(doc, *primary, second ? &*second : nullptr);
      if (!bytes.ok()) return Fail(bytes.status());
      if (!WriteFile(file_, *bytes)) return Fail(IoError("cannot write " + file_));
    }
    std::printf("wrote %s (%s%s)%s\n", file_.c_str(), lang.c_str(), second_.empty() ? "" : (" + " + second_).c_str(),
                r.state == "draft" ? ", marked DRAFT" : "");
    return kExitOk;
  }

  CLI::App *new_ = nullptr, *list_ = nullptr, *show_ = nullptr, *set_ = nullptr, *check_ = nullptr,
           *finalize_ = nullptr, *mark_ = nullptr, *due_ = nullptr, *extend_ = nullptr,
           *follow_ = nullptr, *render_ = nullptr;
  std::string examiner_, case_, type_, to_, category_, language_, target_language_, name_, file_,
      passphrase_file_, state_, note_, within_, second_, actor_, today_;
  std::vector<std::string> identifiers_, pairs_;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeDirectoryCommand() { return std::make_unique<DirectoryCommand>(); }
std::unique_ptr<Command> MakeRequestCommand() { return std::make_unique<RequestCommand>(); }

}  // namespace evidex::cli
