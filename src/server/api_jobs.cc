// Acquisition, verification and scans as jobs, and the job endpoints (docs/API.md, "Jobs").
// The work is the command line's: vault::Acquire with the CLI's evidence row and "acquired"
// record, cli::ScanStoredEvidence for scans, the signed hashes of cli::ResolveUsableEvidence for
// verification; each job borrows its own store connection.
#include <algorithm>
#include <cctype>
#include <filesystem>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/evidence_cli.h"
#include "core/version.h"
#include "server/api.h"
#include "vault/acquire.h"
#include "vault/custody.h"

namespace evidex::server {
namespace {

using Method = Api::Method;

// A scan of `names` in case `c` as `evidex scan --case` runs it, with the job's progress and
// cancel flag, signed with the server's key.
JobOutcome RunStoredScan(Api& api, JobContext& ctx, const store::Case& c,
                         const std::vector<std::string>& names, const std::string& actor) {
  std::string stamp = vault::UtcNow();
  std::erase(stamp, ':');
  std::string number = c.number;
  for (char& ch : number)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '-';
  cli::GlobalOptions global;
  global.data = api.options().data_dir;
  global.db = api.options().db;
  global.command_line = "evidex serve: scan by " + actor;
  cli::StoredScanRequest req;
  req.case_name = c.number;
  req.evidence = names;
  req.outdir = api.options().data_dir + "/scans/" + number + "-api-" + stamp + "-" + RandomToken(4);
  req.examiner = actor;
  req.borrowed_key = &api.key();
  req.quiet = true;
  req.cancel = &ctx.cancel_flag();
  req.progress = [&ctx](const scan::ScanProgress& p) { ctx.Progress(p.bytes_done, p.bytes_total); };
  // The scan reports its errors as the command line does (PrintError, on this thread).
  cli::ErrorCapture errors;
  int rc = cli::ScanStoredEvidence(global, std::move(req));
  JobOutcome out;
  out.result = {{"exit_code", rc}};
  if (ctx.cancelled()) {
    out.state = "cancelled";
    out.message = "cancelled; what was found so far is stored (scan status interrupted)";
  } else if (rc != 0 && rc != 3) {
    out.state = "failed";
    out.message = errors.first().empty()
                      ? "the scan failed (exit code " + std::to_string(rc) + "; see the server log)"
                      : "the scan failed: " + errors.first();
  } else {
    out.message = rc == 3 ? "complete, with unreadable parts" : "complete";
  }
  return out;
}

// The case of a scan request's evidence: the complete items named, or all complete ones.
std::optional<std::vector<std::string>> ScanTargets(Call& call, const store::Case& c,
                                                    const nlohmann::json& body, uint64_t* total) {
  Result<std::vector<store::Evidence>> items = call.store().ListEvidence(c.id);
  if (!items.ok()) {
    SendStatus(call.res, items.status(), "reading the evidence");
    return std::nullopt;
  }
  std::vector<std::string> names;
  nlohmann::json wanted = body.value("evidence", nlohmann::json::array());
  if (!wanted.is_array() || wanted.size() > 1000) {
    SendError(call.res, 400, "bad_request", "evidence is a list of names (E1, ...)");
    return std::nullopt;
  }
  for (const nlohmann::json& w : wanted) {
    std::optional<std::string> name =
        w.is_string() ? ParseEvidenceName(w.get<std::string>()) : std::nullopt;
    if (!name) {
      SendError(call.res, 400, "bad_request", "evidence is a list of names (E1, ...)");
      return std::nullopt;
    }
    if (std::find(names.begin(), names.end(), *name) == names.end()) names.push_back(*name);
  }
  std::vector<std::string> out;
  *total = 0;
  for (const store::Evidence& e : *items) {
    bool named = std::find(names.begin(), names.end(), e.Name()) != names.end();
    if (!names.empty() && !named) continue;
    if (e.state != store::EvidenceState::kComplete) {
      if (named) {
        SendError(call.res, 400, "bad_request", e.Name() + " is not complete");
        return std::nullopt;
      }
      continue;
    }
    out.push_back(e.Name());
    *total += e.size;
  }
  if (out.size() != names.size() && !names.empty()) {
    SendError(call.res, 404, "not_found", "no such evidence in this case");
    return std::nullopt;
  }
  if (out.empty()) {
    SendError(call.res, 400, "bad_request", "the case has no complete evidence to scan");
    return std::nullopt;
  }
  return out;
}

void StartScan(Api& api, Call& call) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c || !api.Require(call, Right::kScan)) return;
  nlohmann::json body = nlohmann::json::object();
  if (!call.req.body.empty()) {
    std::optional<nlohmann::json> parsed = JsonBody(call.req, call.res);
    if (!parsed) return;
    body = *parsed;
  }
  uint64_t total = 0;
  std::optional<std::vector<std::string>> names = ScanTargets(call, *c, body, &total);
  if (!names) return;
  JobInfo info;
  info.kind = "scan";
  info.case_id = c->id;
  info.case_number = c->number;
  info.evidence = *names;
  info.user = call.user.name;
  info.bytes_total = total;
  std::string actor = call.Actor();
  JobInfo job = api.jobs().Start(info, [&api, c = *c, names = *names, actor](JobContext& ctx) {
    return RunStoredScan(api, ctx, c, names, actor);
  });
  SendJson(call.res, 202, JobJson(job));
}

bool Inside(const std::filesystem::path& p, const std::filesystem::path& dir) {
  return std::mismatch(dir.begin(), dir.end(), p.begin(), p.end()).first == dir.end();
}

// Whether the API may acquire `source` (absolute): its real path (symbolic links followed) lies
// inside one of the --evidence-root directories (canonical, see Server::Create), outside the
// workspace and the server's own key files, and is a regular file, a block device or a
// directory. Sets `*real` and returns the HTTP status to answer otherwise (403, or 400 for a
// path inside a root that does not exist) with `*reason`. The reasons never tell whether a path
// outside the roots exists.
int CheckSource(const ServeOptions& options, const std::string& source, std::string* real,
                std::string* reason) {
  namespace fs = std::filesystem;
  if (options.evidence_roots.empty()) {
    *reason = "acquisition over the API needs evidex serve --evidence-root DIR";
    return 403;
  }
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::path(source), ec);
  bool in_root = false;
  if (!ec)
    for (const std::string& root : options.evidence_roots) in_root = in_root || Inside(p, root);
  if (!in_root) {
    *reason = "the source is not inside a directory given to evidex serve --evidence-root";
    return 403;
  }
  fs::path workspace = fs::weakly_canonical(options.data_dir, ec);
  if (ec || Inside(p, workspace)) {
    *reason = "the source lies inside the workspace, which is never acquired";
    return 403;
  }
  for (const std::string& secret : {options.tls_key, options.tls_cert, options.passphrase_file})
    if (!secret.empty() && fs::weakly_canonical(secret, ec) == p) {
      *reason = "the source is one of the server's own key files";
      return 403;
    }
  fs::file_status st = fs::status(p, ec);
  if (ec || !fs::exists(st)) {
    *reason = "source does not exist on the server";
    return 400;
  }
  if (!fs::is_regular_file(st) && !fs::is_block_file(st) && !fs::is_directory(st)) {
    *reason = "the source is not a regular file, a block device or a directory";
    return 403;
  }
  *real = p.string();
  return 0;
}

struct AcquireRequest {
  std::string source, label, mode;
  bool scan = false;
};

// The acquisition as `evidex acquire` does it: a new evidence row, the locked acquisition, the
// completed row and its signed "acquired" record in one transaction; a failure marks the row
// failed. Then the scan when asked for.
JobOutcome AcquireItem(Api& api, JobContext& ctx, const store::Case& c, const AcquireRequest& a,
                       const std::string& actor, std::string* acquired) {
  JobOutcome out;
  auto fail = [&out](const std::string& state, const std::string& message) {
    out.state = state;
    out.message = message;
    return out;
  };
  Result<StorePool::Lease> lease = api.pool().Take();
  if (!lease.ok()) return fail("failed", "the store could not be opened");
  vault::Workspace& ws = lease->ws();
  if (Status st = ws.store().CheckChainEnd(c.id, api.key().public_key()); !st.ok())
    return fail("failed", st.message());
  store::Evidence row;
  row.uuid = store::NewUuid();
  Result<vault::FileLock> lock = ws.TryLock(row.uuid);
  if (!lock.ok()) return fail("failed", lock.status().message());
  row.case_id = c.id;
  row.label = a.label;
  row.mode = a.mode;
  row.source_path = a.source;
  row.examiner = actor;
  row.started = vault::UtcNow();
  row.tool = "evidex";
  row.tool_version = EVIDEX_VERSION;
  row.state = store::EvidenceState::kAcquiring;
  Result<store::Evidence> added = ws.store().AddEvidence(row);
  if (!added.ok()) return fail("failed", added.status().message());
  row = *added;
  out.result = {{"evidence", row.Name()}};
  vault::AcquireOptions options;
  options.source_path = a.source;
  options.mode = a.mode == "reference" ? vault::AcquireMode::kReference
                 : a.mode == "e01"     ? vault::AcquireMode::kE01
                                       : vault::AcquireMode::kCopy;
  options.vault_dir = ws.vault_dir();
  options.case_number = c.number;
  options.evidence_number = row.Name();
  options.examiner = actor;
  options.description = a.label;
  options.notes = "evidex case " + c.number + ", evidence " + row.Name() + " (" + row.uuid + ")";
  options.cancel = &ctx.cancel_flag();
  Result<vault::AcquireResult> result = vault::Acquire(
      options,
      [&ctx](const vault::AcquireProgress& p) { ctx.Progress(p.bytes_done, p.bytes_total); });
  auto mark_failed = [&]() {
    row.state = store::EvidenceState::kFailed;
    row.finished = vault::UtcNow();
    (void)ws.store().UpdateEvidence(row);
  };
  if (!result.ok() || ctx.cancelled()) {
    mark_failed();
    if (ctx.cancelled()) return fail("cancelled", row.Name() + ": cancelled, marked failed");
    return fail("failed", row.Name() + ": " + result.status().message());
  }
  store::Evidence e = cli::CompletedEvidence(row, *result, row.started);
  vault::CustodyRecord rec = cli::AcquiredRecord(e, *result, api.unit().Display(), "");
  rec.details["via"] = "evidex serve";
  Status st = ws.store().Transaction([&]() -> Status {
    EVIDEX_RETURN_IF_ERROR(ws.store().UpdateEvidence(e));
    return ws.store().AppendCustody(c.id, rec, api.key()).status();
  });
  if (!st.ok()) {
    mark_failed();
    return fail("failed", row.Name() + ": " + st.message());
  }
  out.result = {{"evidence", e.Name()},
                {"sha256", e.sha256},
                {"size", e.size},
                {"bad_sectors", e.bad_sectors}};
  out.message = e.Name() + " acquired";
  *acquired = e.Name();
  return out;
}

JobOutcome RunAcquire(Api& api, JobContext& ctx, const store::Case& c, const AcquireRequest& a,
                      const std::string& actor) {
  std::string name;
  JobOutcome out = AcquireItem(api, ctx, c, a, actor, &name);
  if (name.empty() || !a.scan) return out;
  JobOutcome scanned = RunStoredScan(api, ctx, c, {name}, actor);
  scanned.result["evidence"] = name;
  scanned.result["acquired"] = out.result;
  scanned.message = out.message + "; scan " + scanned.message;
  return scanned;
}

void StartAcquire(Api& api, Call& call) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c || !api.Require(call, Right::kAcquire)) return;
  std::optional<nlohmann::json> body = JsonBody(call.req, call.res);
  if (!body) return;
  std::optional<std::string> source = StringField(*body, "source", true);
  std::optional<std::string> label = StringField(*body, "label", true);
  std::optional<std::string> mode = StringField(*body, "mode", false, "copy");
  nlohmann::json scan = body->value("scan", nlohmann::json(false));
  if (!source || !label || !mode || label->empty() || label->size() > 256 || !scan.is_boolean() ||
      (*mode != "copy" && *mode != "reference" && *mode != "e01"))
    return SendError(call.res, 400, "bad_request",
                     "takes {\"source\", \"label\", \"mode\": copy|reference|e01, \"scan\": bool}");
  // The source is a path on the server, named by a user with the right to acquire: it must be
  // absolute and lie inside an evidence root (CheckSource); what it is (image, device, E01 set)
  // vault::Acquire decides. The job reads the real path checked here, not the one named.
  if (!std::filesystem::path(*source).is_absolute() || source->find('\0') != std::string::npos)
    return SendError(call.res, 400, "bad_request", "source must be an absolute path on the server");
  std::string real, reason;
  if (int status = CheckSource(api.options(), *source, &real, &reason); status != 0)
    return SendError(call.res, status, status == 403 ? "forbidden" : "bad_request", reason);
  AcquireRequest a{real, *label, *mode, scan.get<bool>()};
  JobInfo info;
  info.kind = "acquire";
  info.case_id = c->id;
  info.case_number = c->number;
  info.user = call.user.name;
  std::string actor = call.Actor();
  JobInfo job = api.jobs().Start(info, [&api, c = *c, a, actor](JobContext& ctx) {
    return RunAcquire(api, ctx, c, a, actor);
  });
  SendJson(call.res, 202, JobJson(job));
}

// Re-hashes the stored copy (or the referenced source) and compares with the signed hashes;
// records "verified" or "verification-failed".
JobOutcome RunVerify(Api& api, JobContext& ctx, const store::Case& c, const std::string& name,
                     const std::string& actor) {
  JobOutcome out;
  Result<StorePool::Lease> lease = api.pool().Take();
  if (!lease.ok()) return {"failed", "the store could not be opened", nullptr};
  vault::Workspace& ws = lease->ws();
  int exit_code = 0;
  std::optional<cli::UsableEvidence> e = cli::ResolveUsableEvidence(ws, c, name, &exit_code);
  if (!e)
    return {"failed",
            name + " cannot be verified: its row and signed records disagree or it is incomplete",
            nullptr};
  Result<Digests> now = vault::RehashStored(
      ws.vault_dir(),
      e->mode == vault::AcquireMode::kReference ? e->row.source_path : e->row.stored_path, e->mode,
      [&ctx](const vault::AcquireProgress& p) { ctx.Progress(p.bytes_done, p.bytes_total); },
      kHashAll, &ctx.cancel_flag());
  if (ctx.cancelled()) return {"cancelled", "cancelled; nothing recorded", nullptr};
  bool ok = now.ok() && *now == e->signed_digests;
  vault::CustodyRecord r;
  r.actor = actor;
  r.unit = api.unit().Display();
  r.action = ok ? "verified" : "verification-failed";
  r.evidence = e->row.uuid;
  r.details = {{"name", e->row.Name()},
               {"sha256_signed", e->signed_digests.sha256},
               {"sha256_now", now.ok() ? nlohmann::json(now->sha256) : nlohmann::json(nullptr)},
               {"md5_match", now.ok() && now->md5 == e->signed_digests.md5},
               {"sha1_match", now.ok() && now->sha1 == e->signed_digests.sha1},
               {"sha256_match", now.ok() && now->sha256 == e->signed_digests.sha256},
               {"error", now.ok() ? "" : now.status().message()},
               {"via", "evidex serve"}};
  Result<vault::CustodyRecord> sealed = ws.store().AppendCustody(c.id, r, api.key());
  out.result = {{"evidence", name}, {"ok", ok}, {"recorded", sealed.ok()}};
  if (!ok) {
    out.state = "failed";
    out.message = now.ok() ? name + "'s bytes no longer match its signed hashes"
                           : name + " cannot be re-read: " + now.status().message();
  } else {
    out.message = name + " verified: all three hashes match the signed ones";
  }
  if (!sealed.ok()) {
    out.state = "failed";
    out.message += "; the custody record could not be written: " + sealed.status().message();
  }
  return out;
}

void StartVerify(Api& api, Call& call) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c || !api.Require(call, Right::kAcquire)) return;
  std::optional<store::Evidence> e = api.OpenEvidence(call, *c, call.Param(2));
  if (!e) return;
  if (e->state != store::EvidenceState::kComplete)
    return SendError(call.res, 400, "bad_request", "only complete evidence can be verified");
  JobInfo info;
  info.kind = "verify";
  info.case_id = c->id;
  info.case_number = c->number;
  info.evidence = {e->Name()};
  info.user = call.user.name;
  info.bytes_total = e->size;
  std::string actor = call.Actor();
  JobInfo job = api.jobs().Start(info, [&api, c = *c, name = e->Name(), actor](JobContext& ctx) {
    return RunVerify(api, ctx, c, name, actor);
  });
  SendJson(call.res, 202, JobJson(job));
}

// The job of path parameter 1 when the user sees its case; 400 / 404 sent otherwise.
std::optional<JobInfo> PathJob(Api& api, Call& call) {
  std::optional<int64_t> id = ParseId(call.Param(1));
  if (!id) {
    SendError(call.res, 400, "bad_request", "a job is named by its id (digits)");
    return std::nullopt;
  }
  std::optional<JobInfo> job = api.jobs().Get(*id);
  bool all = false;
  std::set<int64_t> cases = api.VisibleCases(call, &all);
  if (!job || (!all && !cases.count(job->case_id))) {
    SendError(call.res, 404, "not_found", "no such job");
    return std::nullopt;
  }
  return job;
}

}  // namespace

void RegisterJobRoutes(Api& api) {
  api.Route(Method::kPost, "/cases/([^/]+)/evidence",
            [&api](Call& call) { StartAcquire(api, call); });
  api.Route(Method::kPost, "/cases/([^/]+)/evidence/([^/]+)/verify",
            [&api](Call& call) { StartVerify(api, call); });
  api.Route(Method::kPost, "/cases/([^/]+)/scans", [&api](Call& call) { StartScan(api, call); });
  api.Route(Method::kGet, "/cases/([^/]+)/scans", [&api](Call& call) {
    std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
    if (!c) return;
    Result<std::vector<store::ScanRecord>> scans = call.store().ListScans(c->id);
    Result<std::vector<store::Evidence>> items = call.store().ListEvidence(c->id);
    if (!scans.ok() || !items.ok())
      return SendStatus(call.res, Internal("read"), "reading the scans");
    std::map<int64_t, std::string> names;
    for (const store::Evidence& e : *items) names[e.id] = e.Name();
    std::string now = vault::UtcNow();
    nlohmann::json out = nlohmann::json::array();
    for (const store::ScanRecord& s : *scans) out.push_back(ScanJson(s, names[s.evidence_id], now));
    api.Audit(call, *c, "scans");
    SendJson(call.res, 200, out);
  });
  api.Route(Method::kGet, "/jobs", [&api](Call& call) {
    bool all = false;
    std::set<int64_t> cases = api.VisibleCases(call, &all);
    std::optional<int64_t> only;
    if (call.req.has_param("case")) {
      only = ParseId(Query(call.req, "case"));
      if (!only) return SendError(call.res, 400, "bad_request", "case is a local id (digits)");
    }
    nlohmann::json out = nlohmann::json::array();
    for (const JobInfo& j : api.jobs().List(cases, all))
      if (!only || j.case_id == *only) out.push_back(JobJson(j));
    SendJson(call.res, 200, out);
  });
  api.Route(Method::kGet, "/jobs/([^/]+)", [&api](Call& call) {
    if (std::optional<JobInfo> job = PathJob(api, call)) SendJson(call.res, 200, JobJson(*job));
  });
  api.Route(Method::kPost, "/jobs/([^/]+)/cancel", [&api](Call& call) {
    std::optional<JobInfo> job = PathJob(api, call);
    if (!job) return;
    // Cancelling is the right of whoever may start that kind of job.
    if (!api.Require(call, job->kind == "scan" ? Right::kScan : Right::kAcquire)) return;
    api.jobs().Cancel(job->id);
    SendJson(call.res, 202, JobJson(*api.jobs().Get(job->id)));
  });
}

}  // namespace evidex::server
