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

SignedReference FindSignedReference(const std::vector<vault::CustodyRecord>& records,
                                    const store::Evidence& row) {
  SignedReference ref;
  std::vector<const vault::CustodyRecord*> placed;
  for (const vault::CustodyRecord& r : records)
    if ((r.action == "acquired" || r.action == "received") && r.evidence == row.uuid)
      placed.push_back(&r);
  if (placed.empty()) return ref;
  auto digests_of = [](const nlohmann::json& j) {
    return Digests{Field(j, "md5"), Field(j, "sha1"), Field(j, "sha256")};
  };
  auto size_of = [](const nlohmann::json& j) -> std::optional<uint64_t> {
    auto s = j.find("size");
    if (s == j.end() || !s->is_number_unsigned()) return std::nullopt;
    return s->get<uint64_t>();
  };
  const vault::CustodyRecord& last = *placed.back();
  ref.found = true;
  ref.digests = digests_of(last.details);
  ref.size = size_of(last.details);
  ref.stored_path = Field(last.details, "stored_path");
  ref.mode = Field(last.details, "mode");
  ref.action = last.action;
  ref.seq = last.seq;
  for (const vault::CustodyRecord* r : placed)
    if (ref.problem.empty() &&
        (digests_of(r->details) != ref.digests || size_of(r->details) != ref.size))
      ref.problem = "its signed records " + std::to_string(r->seq) + " and " +
                    std::to_string(last.seq) + " disagree on its hashes";
  if (ref.problem.empty() &&
      (ref.digests != Digests{row.md5, row.sha1, row.sha256} || ref.size != row.size ||
       ref.stored_path != row.stored_path || ref.mode != row.mode))
    ref.problem = "its row differs from its signed \"" + last.action + "\" record (record " +
                  std::to_string(last.seq) + "): the store was edited";
  return ref;
}

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
  SignedReference ref = FindSignedReference(*records, u.row);
  if (!ref.found || !ref.problem.empty()) {
    PrintError(u.row.Name() + ": " +
               (ref.found ? ref.problem : "no custody record says it was acquired") +
               "; run 'evidex custody verify " + c.number + "'");
    *exit_code = kExitVerifyFailed;
    return std::nullopt;
  }
  u.signed_digests = ref.digests;
  u.acquired_seq = ref.seq;
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
  auto on_progress = [&](const vault::AcquireProgress& p) {
    progress.Update(p.bytes_done, p.bytes_total, "verifying " + e.row.Name());
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
