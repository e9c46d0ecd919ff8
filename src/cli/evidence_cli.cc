#include "cli/evidence_cli.h"

#include <chrono>

#include "cli/common.h"
#include "cli/vault_cli.h"
#include "core/hash_multi.h"

namespace evidex::cli {
namespace {

std::string Field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::optional<UsableEvidence> ResolveUsableEvidence(vault::Workspace& ws, const store::Case& c,
                                                    const std::string& name, int* exit_code) {
  Result<std::optional<store::Evidence>> found = ws.store().FindEvidence(c.id, name);
  if (!found.ok()) {
    PrintError(found.status());
    *exit_code = StoreExit(found.status());
    return std::nullopt;
  }
  if (!found->has_value()) {
    PrintError("no evidence " + name + " in case " + c.number + " (see 'evidex case show " +
               c.number + "')");
    *exit_code = kExitUsage;
    return std::nullopt;
  }
  UsableEvidence u;
  u.row = **found;
  if (u.row.state != store::EvidenceState::kComplete) {
    PrintError(u.row.Name() + " of case " + c.number + " is " + StateText(u.row) +
               ": only complete evidence can be used");
    *exit_code = kExitUsage;
    return std::nullopt;
  }
  Result<std::vector<vault::CustodyRecord>> records = ws.store().ListCustody(c.id);
  if (!records.ok()) {
    PrintError(records.status());
    *exit_code = StoreExit(records.status());
    return std::nullopt;
  }
  const vault::CustodyRecord* acquired = nullptr;
  for (const vault::CustodyRecord& r : *records)
    if (r.action == "acquired" && r.evidence == u.row.uuid) acquired = &r;
  if (acquired == nullptr) {
    PrintError(u.row.Name() + " has no \"acquired\" custody record (run 'evidex custody verify " +
               c.number + "')");
    *exit_code = kExitVerifyFailed;
    return std::nullopt;
  }
  const nlohmann::json& d = acquired->details;
  u.signed_digests = {Field(d, "md5"), Field(d, "sha1"), Field(d, "sha256")};
  u.acquired_seq = acquired->seq;
  if (u.signed_digests != Digests{u.row.md5, u.row.sha1, u.row.sha256} ||
      Field(d, "stored_path") != u.row.stored_path || Field(d, "mode") != u.row.mode) {
    PrintError(u.row.Name() + "'s row differs from its signed \"acquired\" record (record " +
               std::to_string(acquired->seq) + "): the store was edited; run 'evidex custody verify " +
               c.number + "'");
    *exit_code = kExitVerifyFailed;
    return std::nullopt;
  }
  if (u.row.mode == "reference") {
    u.mode = vault::AcquireMode::kReference;
    u.path = u.row.source_path;
  } else if (u.row.mode == "copy" || u.row.mode == "e01") {
    u.mode = u.row.mode == "copy" ? vault::AcquireMode::kCopy : vault::AcquireMode::kE01;
    u.path = ws.vault_dir() + "/" + u.row.stored_path;
  } else {
    PrintError(u.row.Name() + ": unknown acquisition mode '" + u.row.mode + "'");
    *exit_code = kExitVerifyFailed;
    return std::nullopt;
  }
  return u;
}

bool ReverifyEvidence(vault::Workspace& ws, const UsableEvidence& e, bool quiet, int* exit_code) {
  ProgressLine progress(quiet);
  auto started = std::chrono::steady_clock::now();
  auto on_progress = [&](const vault::AcquireProgress& p) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    progress.Update(p.bytes_done, p.bytes_total, s, "verifying " + e.row.Name());
  };
  Result<Digests> now = vault::RehashStored(
      ws.vault_dir(), e.mode == vault::AcquireMode::kReference ? e.row.source_path : e.row.stored_path,
      e.mode, on_progress, kHashAll, &g_cancel);
  progress.Finish();
  if (!now.ok()) {
    PrintError(e.row.Name() + " cannot be re-read: " + now.status().message());
    *exit_code = kExitSource;
    return false;
  }
  if (*now != e.signed_digests) {
    PrintError(e.row.Name() + "'s bytes no longer match its signed hashes (SHA-256 recorded " +
               e.signed_digests.sha256 + ", now " + now->sha256 + ")");
    *exit_code = kExitVerifyFailed;
    return false;
  }
  return true;
}

}  // namespace evidex::cli
