// `evidex acquire CASE SOURCE --label L [--mode copy|reference|e01]`.
//
// The order of events is what makes a kill at any moment safe:
//   1. the signing key is loaded (a wrong passphrase fails before hours of reading, not after);
//   2. the evidence row is written in state "acquiring" (or an earlier acquiring/failed row of the
//      same source and label is taken over), under an flock on its UUID so that two runs never
//      share a row — no custody record yet: nothing has been acquired;
//   3. vault::Acquire reads, hashes, stores and verifies (its own writes are atomic renames);
//   4. one transaction marks the row complete with every field and appends the signed
//      "acquired" record. Until that commits the row is not complete; after, it is.
// A failure or Ctrl-C marks the row "failed"; a kill leaves it "acquiring". Either way running
// the same command again takes the row over and completes it.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/vault_cli.h"
#include "core/version.h"
#include "vault/acquire.h"
#include "vault/custody.h"
#include "vault/workspace.h"

namespace evidex::cli {
namespace {

class AcquireCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "acquire",
        "acquire evidence into a case: one read, MD5+SHA-1+SHA-256, stored and verified");
    cmd->add_option("CASE", case_, "case number or local id")->required();
    cmd->add_option("SOURCE", source_, "raw image, device, split raw (.001) or E01 set")
        ->required();
    cmd->add_option("--label", label_, "what it is, e.g. \"Laptop HDD\"")->required();
    cmd->add_option("--mode", mode_,
                    "copy: into the vault; reference: record in place; e01: compressed E01 in "
                    "the vault (default copy)")
        ->check(CLI::IsMember({"copy", "reference", "e01"}));
    cmd->add_option("--examiner", examiner_, "who acquires (default: the case's examiner)");
    cmd->add_option("--description", description_, "free text for the record and E01 header");
    cmd->add_flag("--scan", scan_,
                  "then scan it with the default scanners and store its artifacts in the case");
    cmd->add_option("--scan-out", scan_out_,
                    "with --scan: the scan's output directory (default: "
                    "WORKSPACE/scans/CASE-EVIDENCE-TIME)");
    cmd->add_flag("--json", json_, "print the evidence as JSON");
    cmd->add_flag("-q,--quiet", quiet_, "no progress line");
    AddPassphraseOption(cmd, &passphrase_file_);
    return cmd;
  }

  int Run(const GlobalOptions& global) override;

 private:
  int Fail(vault::Workspace& ws, store::Evidence& e, const Status& why, int exit_code);

  std::string case_, source_, label_, mode_ = "copy", examiner_, description_, passphrase_file_;
  std::string scan_out_;
  bool json_ = false, quiet_ = false, scan_ = false;
};

vault::AcquireMode ModeOf(const std::string& m) {
  if (m == "reference") return vault::AcquireMode::kReference;
  if (m == "e01") return vault::AcquireMode::kE01;
  return vault::AcquireMode::kCopy;
}

// Exit code for a failed vault::Acquire. Its errors about the source name the source's path.
int AcquireExit(const Status& st, const std::string& source) {
  switch (st.code()) {
    case Code::kInvalidArgument:
      return kExitUsage;
    case Code::kNotFound:
    case Code::kUnsupported:
      return kExitSource;
    case Code::kCorrupt:
      return kExitVerifyFailed;  // the stored copy did not read back the same
    case Code::kIoError:
      return st.message().find(source) != std::string::npos ? kExitSource : kExitOutput;
    default:
      return kExitOutput;
  }
}

int AcquireCommand::Fail(vault::Workspace& ws, store::Evidence& e, const Status& why,
                         int exit_code) {
  PrintError(why);
  e.state = store::EvidenceState::kFailed;
  e.finished = vault::UtcNow();
  Status st = ws.store().UpdateEvidence(e);
  if (!st.ok())
    PrintError("could not mark " + e.Name() + " failed: " + st.message());
  else
    PrintError(e.Name() +
               " is marked failed (nothing recorded in custody); run the same "
               "command again to retry");
  return exit_code;
}

int AcquireCommand::Run(const GlobalOptions& global) {
  int exit_code = kExitOk;
  std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
  if (!ws) return exit_code;
  std::optional<store::Case> c = ResolveCase(*ws, case_, &exit_code);
  if (!c) return exit_code;
  if (label_.empty()) {
    PrintError("--label must not be empty");
    return kExitUsage;
  }
  std::error_code ec;
  std::string source = std::filesystem::absolute(source_, ec).lexically_normal().string();
  if (ec || !std::filesystem::exists(source, ec)) {
    PrintError("cannot read " + source_ + ": no such file or device");
    return kExitSource;
  }
  std::optional<vault::SigningKey> key = LoadKey(*ws, passphrase_file_, &exit_code);
  if (!key) return exit_code;
  std::string examiner = examiner_.empty() ? c->examiner : examiner_;
  // A chain that cannot take the "acquired" record is refused now, not after the acquisition.
  if (Status st = ws->store().CheckChainEnd(c->id, key->public_key()); !st.ok()) {
    PrintError(st);
    return StoreExit(st);
  }

  // 2. The row: an unfinished one for the same source, label and mode that nobody holds, or new.
  Result<std::vector<store::Evidence>> existing = ws->store().ListEvidence(c->id);
  if (!existing.ok()) {
    PrintError(existing.status());
    return StoreExit(existing.status());
  }
  std::optional<store::Evidence> row;
  vault::FileLock lock;
  for (const store::Evidence& e : *existing) {
    if ((e.state != store::EvidenceState::kAcquiring && e.state != store::EvidenceState::kFailed) ||
        e.label != label_ || e.source_path != source || e.mode != mode_)
      continue;
    Result<vault::FileLock> l = ws->TryLock(e.uuid);
    if (l.ok() && l->held()) {
      row = e;
      lock = std::move(l).value();
      break;
    }
  }
  std::string started = vault::UtcNow();
  if (row) {
    row->state = store::EvidenceState::kAcquiring;
    row->started = started;
    row->finished.clear();
    row->examiner = examiner;
    Status st = ws->store().UpdateEvidence(*row);
    if (!st.ok()) {
      PrintError(st);
      return StoreExit(st);
    }
    if (!quiet_ && !json_)
      std::fprintf(stderr, "evidex: taking over the unfinished acquisition %s of %s\n",
                   row->Name().c_str(), source.c_str());
  } else {
    store::Evidence e;
    e.uuid = store::NewUuid();
    Result<vault::FileLock> l = ws->TryLock(e.uuid);
    if (!l.ok()) {
      PrintError(l.status());
      return kExitOutput;
    }
    lock = std::move(l).value();
    e.case_id = c->id;
    e.label = label_;
    e.mode = mode_;
    e.source_path = source;
    e.examiner = examiner;
    e.started = started;
    e.tool = "evidex";
    e.tool_version = EVIDEX_VERSION;
    e.state = store::EvidenceState::kAcquiring;
    Result<store::Evidence> added = ws->store().AddEvidence(e);
    if (!added.ok()) {
      PrintError(added.status());
      return StoreExit(added.status());
    }
    row = *added;
  }

  // 3. Read, hash, store, verify.
  vault::AcquireOptions options;
  options.source_path = source;
  options.mode = ModeOf(mode_);
  options.vault_dir = ws->vault_dir();
  options.case_number = c->number;
  options.evidence_number = row->Name();
  options.examiner = examiner;
  options.description = description_.empty() ? label_ : description_;
  options.notes = "evidex case " + c->number + ", evidence " + row->Name() + " (" + row->uuid + ")";
  options.cancel = &g_cancel;
  InstallCancelHandler();
  ProgressLine progress(quiet_ || json_);
  auto t0 = std::chrono::steady_clock::now();
  Result<vault::AcquireResult> result =
      vault::Acquire(options, [&](const vault::AcquireProgress& p) {
        progress.Update(p.bytes_done, p.bytes_total, p.seconds,
                        std::string(p.phase) + " " + row->Name());
      });
  progress.Finish();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!result.ok()) {
    if (g_cancel.load())
      return Fail(*ws, *row, Status(Code::kLimit, "interrupted"), kExitInterrupted);
    return Fail(*ws, *row, result.status(), AcquireExit(result.status(), source));
  }
  if (g_cancel.load())
    return Fail(*ws, *row, Status(Code::kLimit, "interrupted"), kExitInterrupted);
  const vault::AcquireResult& r = *result;

  // 4. Complete and signed, in one transaction.
  store::Evidence e = CompletedEvidence(*row, r, started);
  vault::CustodyRecord rec = AcquiredRecord(e, r, ws->unit().Display(), description_);
  int64_t custody_seq = 0;
  Status st = ws->store().Transaction([&]() -> Status {
    EVIDEX_RETURN_IF_ERROR(ws->store().UpdateEvidence(e));
    Result<vault::CustodyRecord> sealed = ws->store().AppendCustody(c->id, rec, *key);
    if (!sealed.ok()) return sealed.status();
    custody_seq = sealed->seq;
    return Status::Ok();
  });
  if (!st.ok()) return Fail(*ws, *row, st, StoreExit(st));

  if (json_) {
    nlohmann::json j = EvidenceJson(e);
    j["case"] = c->number;
    j["verified"] = r.verified;
    j["seconds"] = seconds;
    j["custody_seq"] = custody_seq;
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("%s %s acquired into case %s (%s)\n", e.Name().c_str(), e.label.c_str(),
                c->number.c_str(), e.mode.c_str());
    char speed[96];
    std::snprintf(speed, sizeof speed, "%llu bytes (%s) in %.1f s, %.0f MB/s",
                  (unsigned long long)e.size, HumanBytes(double(e.size)).c_str(), seconds,
                  seconds > 0 ? double(e.size) / 1e6 / seconds : 0.0);
    std::vector<std::vector<std::string>> rows{
        {"  size", speed}, {"  md5", e.md5}, {"  sha1", e.sha1}, {"  sha256", e.sha256}};
    if (!e.stored_path.empty()) rows.push_back({"  stored", "vault/" + e.stored_path});
    rows.push_back({"  verified", r.verified ? "yes: the stored copy was re-read and matched"
                                             : "no stored copy (reference): re-verified by "
                                               "'evidex custody verify'"});
    if (!e.source_description.empty()) rows.push_back({"  source", e.source_description});
    rows.push_back({"  custody", "record " + std::to_string(custody_seq) + " (acquired)"});
    PrintTable(rows);
  }
  int exit = kExitOk;
  if (e.bad_sectors > 0) {
    PrintError(std::to_string(e.bad_sectors) + " unreadable sectors were zero-filled" +
               (r.first_read_error.empty() ? "" : " (first: " + r.first_read_error + ")"));
    exit = kExitPartial;
  }
  if (scan_) {
    StoredScanRequest req;
    req.case_name = c->number;
    req.evidence = {e.Name()};
    if (scan_out_.empty()) {
      std::string stamp = e.finished;
      std::erase(stamp, ':');
      std::string number = c->number;
      for (char& ch : number)
        if (ch == '/' || ch == ' ') ch = '-';
      scan_out_ = ws->dir() + "/scans/" + number + "-" + e.Name() + "-" + stamp;
    }
    req.outdir = scan_out_;
    req.examiner = examiner_;
    req.key = std::move(key);
    req.quiet = quiet_ || json_;
    int rc = ScanStoredEvidence(global, std::move(req));
    if (rc != kExitOk) return rc;
  }
  return exit;
}

}  // namespace

store::Evidence CompletedEvidence(const store::Evidence& row, const vault::AcquireResult& r,
                                  const std::string& started) {
  store::Evidence e = row;
  e.source_description = r.source_description;
  e.device_model = r.device_model;
  e.device_serial = r.device_serial;
  e.size = r.size;
  e.md5 = r.digests.md5;
  e.sha1 = r.digests.sha1;
  e.sha256 = r.digests.sha256;
  e.stored_path = r.stored_path;
  e.tool = "evidex";
  e.tool_version = EVIDEX_VERSION;
  e.started = r.started.empty() ? started : r.started;
  e.finished = r.finished.empty() ? vault::UtcNow() : r.finished;
  e.bad_sectors = r.bad_sectors;
  e.state = store::EvidenceState::kComplete;
  return e;
}

vault::CustodyRecord AcquiredRecord(const store::Evidence& e, const vault::AcquireResult& r,
                                    const std::string& unit, const std::string& description) {
  vault::CustodyRecord rec;
  rec.actor = e.examiner;
  rec.unit = unit;
  rec.action = "acquired";
  rec.evidence = e.uuid;
  rec.details = {{"name", e.Name()},
                 {"label", e.label},
                 {"mode", e.mode},
                 {"source", e.source_path},
                 {"source_description", e.source_description},
                 {"device_model", e.device_model},
                 {"device_serial", e.device_serial},
                 {"size", e.size},
                 {"md5", e.md5},
                 {"sha1", e.sha1},
                 {"sha256", e.sha256},
                 {"stored_path", e.stored_path},
                 {"stored_size", r.stored_size},
                 {"verified", r.verified},
                 {"bad_sectors", e.bad_sectors},
                 {"tool", e.tool},
                 {"tool_version", e.tool_version},
                 {"started", e.started},
                 {"finished", e.finished}};
  if (!description.empty()) rec.details["description"] = description;
  return rec;
}


std::unique_ptr<Command> MakeAcquireCommand() { return std::make_unique<AcquireCommand>(); }

}  // namespace evidex::cli
