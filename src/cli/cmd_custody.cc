// `evidex custody show CASE` and `evidex custody verify [CASE]`.
//
// verify re-checks, per case: the chain (numbering, links, hashes, signatures by trusted keys, the
// signed head) and every complete evidence item, whose bytes are re-read (vault::RehashStored) and
// compared with the hashes of its signed "acquired" (or "received") record — not only with the
// evidence row, which anyone with sqlite3 can edit. Only a case where all of it holds gets a
// "verified" record.
#include <chrono>
#include <cstdio>
#include <map>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/evidence_cli.h"
#include "cli/vault_cli.h"
#include "vault/acquire.h"
#include "vault/custody.h"
#include "vault/workspace.h"

namespace evidex::cli {
namespace {

// The evidence names of a case by UUID, for showing records.
std::map<std::string, std::string> EvidenceNames(const std::vector<store::Evidence>& ev) {
  std::map<std::string, std::string> names;
  for (const store::Evidence& e : ev) names[e.uuid] = e.Name();
  return names;
}

struct EvidenceCheck {
  std::string name, label, uuid, sha256;
  bool ok = true;
  bool skipped = false;  // not complete: nothing to verify
  std::string message;
};

struct CaseCheck {
  store::Case c;
  vault::ChainReport chain;
  std::vector<EvidenceCheck> evidence;
  bool recorded = false;
  bool ok() const {
    if (!chain.ok()) return false;
    for (const EvidenceCheck& e : evidence)
      if (!e.ok) return false;
    return true;
  }
};

class CustodyCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("custody", "show and verify the chain of custody");
    cmd->require_subcommand(1);
    show_ = cmd->add_subcommand("show", "print a case's custody records");
    show_->add_option("CASE", case_, "case number or local id")->required();
    show_->add_flag("--json", json_, "print JSON");
    verify_ = cmd->add_subcommand(
        "verify",
        "re-check chains, signatures and evidence bytes; record \"verified\" when all hold");
    verify_->add_option("CASE", case_, "case number or local id (default: every case)");
    verify_->add_option("--examiner", examiner_,
                        "who verifies (default: the case's examiner), for the record");
    verify_->add_flag("--json", json_, "print the results as JSON");
    verify_->add_flag("-q,--quiet", quiet_, "no progress line");
    AddPassphraseOption(verify_, &passphrase_file_);
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    return show_->parsed() ? Show(*ws) : Verify(*ws);
  }

 private:
  int Show(vault::Workspace& ws) {
    int exit_code = kExitOk;
    std::optional<store::Case> c = ResolveCase(ws, case_, &exit_code);
    if (!c) return exit_code;
    Result<std::vector<vault::CustodyRecord>> records = ws.store().ListCustody(c->id);
    Result<std::optional<vault::CustodyHead>> head = ws.store().GetCustodyHead(c->id);
    Result<std::vector<store::Evidence>> ev = ws.store().ListEvidence(c->id);
    for (const Status* st : {&records.status(), &head.status(), &ev.status()})
      if (!st->ok()) {
        PrintError(*st);
        return StoreExit(*st);
      }
    if (json_) {
      nlohmann::json j = {{"case", CaseJson(*c)}, {"records", nlohmann::json::array()}};
      for (const vault::CustodyRecord& r : *records) j["records"].push_back(r.ToJson());
      j["head"] = head->has_value() ? (*head)->ToJson() : nlohmann::json(nullptr);
      std::printf("%s\n", j.dump(2).c_str());
      return kExitOk;
    }
    std::map<std::string, std::string> names = EvidenceNames(*ev);
    std::printf("case %s: %zu custody records%s\n", c->number.c_str(), records->size(),
                head->has_value() ? "" : " (no signed head)");
    std::vector<std::vector<std::string>> rows{
        {"SEQ", "TIME (UTC)", "ACTION", "ACTOR", "EVIDENCE", "DETAILS"}};
    for (const vault::CustodyRecord& r : *records) {
      std::string evidence = r.evidence.empty()        ? "-"
                             : names.count(r.evidence) ? names[r.evidence]
                                                       : r.evidence;
      rows.push_back({std::to_string(r.seq), r.time, r.action, r.actor, evidence,
                      r.details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
    }
    PrintTable(rows);
    if (!records->empty())
      std::printf("signed by %s; head: record %lld, %s\n", records->back().signer.c_str(),
                  head->has_value() ? (long long)(*head)->seq : 0LL,
                  head->has_value() ? (*head)->hash.substr(0, 16).c_str() : "-");
    return kExitOk;
  }

  // Checks one case; store errors are returned, findings go into the CaseCheck.
  Status Check(vault::Workspace& ws, const std::function<bool(const vault::PublicKey&)>& trusted,
               CaseCheck& out, ProgressLine& progress) {
    std::vector<vault::CustodyRecord> records;
    std::optional<vault::CustodyHead> head;
    std::vector<store::Evidence> evidence;
    // Records, head and evidence rows as of one moment.
    EVIDEX_RETURN_IF_ERROR(ws.store().Transaction([&]() -> Status {
      Result<std::vector<vault::CustodyRecord>> r = ws.store().ListCustody(out.c.id);
      if (!r.ok()) return r.status();
      Result<std::optional<vault::CustodyHead>> h = ws.store().GetCustodyHead(out.c.id);
      if (!h.ok()) return h.status();
      Result<std::vector<store::Evidence>> e = ws.store().ListEvidence(out.c.id);
      if (!e.ok()) return e.status();
      records = std::move(r).value();
      head = std::move(h).value();
      evidence = std::move(e).value();
      return Status::Ok();
    }));
    out.chain = vault::VerifyChain(records, head, trusted);
    if (!head && !records.empty())
      out.chain.problems.insert(
          out.chain.problems.begin(),
          {records.back().seq, "truncated", "the chain's signed head is missing (deleted)"});
    if (records.empty() && !head)
      out.chain.problems.push_back(
          {1, "deleted", "the case has no custody records (its chain was deleted)"});
    if (head && head->case_uuid != out.c.uuid)
      out.chain.problems.push_back(
          {head->seq, "inserted",
           "the chain's head belongs to another case (" + head->case_uuid + ")"});
    for (const vault::CustodyRecord& r : records)
      if (r.case_uuid != out.c.uuid) {
        out.chain.problems.push_back(
            {r.seq, "inserted",
             "record " + std::to_string(r.seq) + " belongs to another case (" + r.case_uuid + ")"});
        break;
      }

    for (const store::Evidence& e : evidence) {
      EvidenceCheck check;
      check.name = e.Name();
      check.label = e.label;
      check.uuid = e.uuid;
      check.sha256 = e.sha256;
      if (e.state != store::EvidenceState::kComplete) {
        check.skipped = true;
        check.message = StateText(e) + ": not verified";
        out.evidence.push_back(check);
        continue;
      }
      auto fail = [&](std::string why) {
        if (check.ok) check.message = std::move(why);
        check.ok = false;
      };
      Digests recorded{e.md5, e.sha1, e.sha256};
      SignedReference ref = FindSignedReference(records, e);
      if (!ref.found) {
        fail("marked complete but no custody record says it was acquired");
      } else {
        if (!ref.problem.empty()) fail(ref.problem);
        recorded = ref.digests;  // compare the bytes with what was signed
      }
      Result<vault::AcquireMode> mode = ParseMode(e.mode);
      if (check.ok && mode.ok()) {
        progress.Restart();
        std::string what = e.Name() + " " + e.label;
        auto on_progress = [&](const vault::AcquireProgress& p) {
          progress.Update(p.bytes_done, p.bytes_total, "verifying " + what);
        };
        Result<Digests> now = vault::RehashStored(
            ws.vault_dir(), *mode == vault::AcquireMode::kReference ? e.source_path : e.stored_path,
            *mode, on_progress, kHashAll, &g_cancel);
        progress.Finish();
        if (!now.ok()) {
          fail("cannot be re-read: " + now.status().message());
        } else if (*now != recorded) {
          std::string which = now->sha256 != recorded.sha256 ? "SHA-256"
                              : now->sha1 != recorded.sha1   ? "SHA-1"
                                                             : "MD5";
          const std::string& was = which == "SHA-256" ? recorded.sha256
                                   : which == "SHA-1" ? recorded.sha1
                                                      : recorded.md5;
          const std::string& is = which == "SHA-256" ? now->sha256
                                  : which == "SHA-1" ? now->sha1
                                                     : now->md5;
          fail("its bytes no longer match: " + which + " recorded " + was + ", now " + is);
        }
      } else if (check.ok) {
        fail("unknown acquisition mode '" + e.mode + "'");
      }
      if (check.ok) check.message = "bytes match (SHA-256 " + recorded.sha256 + ")";
      out.evidence.push_back(check);
    }
    return Status::Ok();
  }

  static Result<vault::AcquireMode> ParseMode(const std::string& m) {
    if (m == "copy") return vault::AcquireMode::kCopy;
    if (m == "reference") return vault::AcquireMode::kReference;
    if (m == "e01") return vault::AcquireMode::kE01;
    return InvalidArgument("unknown mode " + m);
  }

  int Verify(vault::Workspace& ws) {
    int exit_code = kExitOk;
    std::vector<store::Case> cases;
    if (!case_.empty()) {
      std::optional<store::Case> c = ResolveCase(ws, case_, &exit_code);
      if (!c) return exit_code;
      cases.push_back(*c);
    } else {
      Result<std::vector<store::Case>> all = ws.store().ListCases();
      if (!all.ok()) {
        PrintError(all.status());
        return StoreExit(all.status());
      }
      cases = std::move(all).value();
    }
    Result<std::function<bool(const vault::PublicKey&)>> trusted = ws.TrustedSigners();
    if (!trusted.ok()) {
      PrintError(trusted.status());
      return StoreExit(trusted.status());
    }
    InstallCancelHandler();
    ProgressLine progress(quiet_ || json_);
    std::vector<CaseCheck> checks;
    std::optional<vault::SigningKey> key;
    bool all_ok = true;
    int key_exit = kExitOk;
    for (const store::Case& c : cases) {
      CaseCheck check;
      check.c = c;
      Status st = Check(ws, *trusted, check, progress);
      if (!st.ok()) {
        PrintError(st);
        return StoreExit(st);
      }
      if (g_cancel.load()) {
        PrintError("interrupted; nothing was recorded for case " + c.number);
        return kExitInterrupted;
      }
      if (check.ok()) {
        // Recorded only when everything holds; the key is loaded once, at the first such case.
        if (!key && key_exit == kExitOk) key = LoadKey(ws, passphrase_file_, &key_exit);
        if (key) {
          vault::CustodyRecord r;
          r.actor = examiner_.empty() ? c.examiner : examiner_;
          r.unit = ws.unit().Display();
          r.action = "verified";
          nlohmann::json items = nlohmann::json::array();
          for (const EvidenceCheck& e : check.evidence)
            if (!e.skipped)
              items.push_back({{"evidence", e.uuid}, {"name", e.name}, {"sha256", e.sha256}});
          r.details = {{"records_checked", check.chain.records}, {"evidence", items}};
          Result<vault::CustodyRecord> sealed = ws.store().AppendCustody(c.id, r, *key);
          if (!sealed.ok()) {
            PrintError(sealed.status());
            return StoreExit(sealed.status());
          }
          check.recorded = true;
        }
      } else {
        all_ok = false;
      }
      if (!json_) Print(check);
      checks.push_back(std::move(check));
    }
    if (json_) {
      nlohmann::json out = {{"ok", all_ok}, {"cases", nlohmann::json::array()}};
      for (const CaseCheck& k : checks) {
        nlohmann::json j = {{"case", k.c.number},
                            {"id", k.c.id},
                            {"ok", k.ok()},
                            {"records", k.chain.records},
                            {"recorded", k.recorded},
                            {"problems", nlohmann::json::array()},
                            {"evidence", nlohmann::json::array()}};
        for (const vault::ChainProblem& p : k.chain.problems)
          j["problems"].push_back({{"seq", p.seq}, {"kind", p.kind}, {"message", p.message}});
        for (const EvidenceCheck& e : k.evidence)
          j["evidence"].push_back({{"name", e.name},
                                   {"label", e.label},
                                   {"uuid", e.uuid},
                                   {"ok", e.ok},
                                   {"verified", e.ok && !e.skipped},
                                   {"message", e.message}});
        out["cases"].push_back(j);
      }
      std::printf("%s\n", out.dump(2).c_str());
    } else if (cases.empty()) {
      std::printf("no cases to verify\n");
    }
    if (!all_ok) return kExitVerifyFailed;
    return key_exit;
  }

  static void Print(const CaseCheck& k) {
    size_t verified = 0;
    for (const EvidenceCheck& e : k.evidence) verified += e.ok && !e.skipped;
    if (k.ok()) {
      std::printf("case %s: OK (%lld custody records, %zu evidence items re-hashed)%s\n",
                  k.c.number.c_str(), (long long)k.chain.records, verified,
                  k.recorded ? "" : "; not recorded");
    } else {
      std::printf("case %s: FAILED\n", k.c.number.c_str());
      if (!k.chain.ok()) {
        std::printf("  custody: %s\n", k.chain.problems[0].message.c_str());
        for (size_t i = 1; i < k.chain.problems.size(); ++i)
          std::printf("           then: %s\n", k.chain.problems[i].message.c_str());
      }
    }
    for (const EvidenceCheck& e : k.evidence)
      if (!e.ok || e.skipped || !k.ok())
        std::printf("  %s %s: %s\n", e.name.c_str(), e.label.c_str(),
                    e.ok && !e.skipped ? "bytes match" : e.message.c_str());
  }

  CLI::App *show_ = nullptr, *verify_ = nullptr;
  std::string case_, examiner_, passphrase_file_;
  bool json_ = false, quiet_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeCustodyCommand() { return std::make_unique<CustodyCommand>(); }

}  // namespace evidex::cli
