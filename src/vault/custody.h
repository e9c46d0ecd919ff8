// The chain of custody: a per-case, append-only, hash-chained and signed list of records.
//
// A record's canonical form (docs/FORMATS.md, "Custody record") is the JSON object of its fields
// below except "hash" and "signature", keys sorted, no whitespace, UTF-8 (nlohmann::json::dump()
// of an object built from them). hash = SHA-256 of "evidex-custody-v1\n" + canonical form, hex.
// signature = Ed25519 by the signer over the ASCII hash hex. The first record of a case has
// prev_hash = 64 zeros. Records are numbered from 1 without gaps.
//
// The chain's head (case, last seq, last hash) is also signed and kept beside the records, so
// that deleting the last records is detected too: CustodyHead.
#ifndef EVIDEX_VAULT_CUSTODY_H_
#define EVIDEX_VAULT_CUSTODY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "vault/keys.h"

namespace evidex::vault {

// Actions (issue 3): acquired, verified, scanned, exported, packaged, transferred, received,
// disposed, viewed; plus case-created and note.
struct CustodyRecord {
  std::string case_uuid;   // the case's UUID (stable across workspaces, unlike its local id)
  int64_t seq = 0;         // 1, 2, 3, ... within the case
  std::string time;        // UTC, RFC 3339 with milliseconds: "2026-12-02T04:10:00.123Z"
  std::string actor;       // the person (examiner) acting
  std::string unit;        // the unit whose key signs, e.g. "Cybercrime Unit, Colombo (LK)"
  std::string action;      // see above
  std::string evidence;    // the evidence UUID, "" for case-level records
  nlohmann::json details = nlohmann::json::object();  // action-specific (hashes, paths, ...)
  std::string prev_hash;   // hex, 64 zeros for seq 1
  std::string signer;      // PublicKey::Text() of the signing key
  std::string hash;        // computed by Seal
  std::string signature;   // hex, computed by Seal

  std::string Canonical() const;          // the canonical JSON (without hash and signature)
  std::string ComputeHash() const;        // hex SHA-256 as above
  nlohmann::json ToJson() const;          // every field, for custody.jsonl and --json
  static Result<CustodyRecord> FromJson(const nlohmann::json& j);
};

// Fills prev_hash from `previous` (nullptr: first record), seq, signer, hash and signature.
void Seal(CustodyRecord& record, const CustodyRecord* previous, const SigningKey& key);

struct CustodyHead {
  std::string case_uuid;
  int64_t seq = 0;
  std::string hash;
  std::string signer;
  std::string signature;  // over "evidex-custody-head-v1\n" + case_uuid + "\n" + seq + "\n" + hash
  nlohmann::json ToJson() const;
  static Result<CustodyHead> FromJson(const nlohmann::json& j);
};
CustodyHead SignHead(const CustodyRecord& last, const SigningKey& key);
// True when the head's signature verifies and its signer is accepted by `trusted`.
bool VerifyHead(const CustodyHead& head, const std::function<bool(const PublicKey&)>& trusted);

// What VerifyChain found. ok == problems.empty().
struct ChainProblem {
  int64_t seq;          // the first record concerned (as stored; for a deletion, the next one)
  std::string kind;     // "edited", "deleted", "inserted", "reordered", "bad-signature",
                        // "unknown-signer", "truncated" (head says more records exist)
  std::string message;  // one line for people: "record 7 was edited (its hash does not match)"
};
struct ChainReport {
  int64_t records = 0;
  std::vector<ChainProblem> problems;
  bool ok() const { return problems.empty(); }
};

// Checks records in stored order: numbering, prev_hash links, each hash, each signature (the
// signer must be accepted by `trusted`), and the head when given. Names the first record that was
// edited, deleted, inserted or reordered.
ChainReport VerifyChain(const std::vector<CustodyRecord>& records,
                        const std::optional<CustodyHead>& head,
                        const std::function<bool(const PublicKey&)>& trusted);

// UTC now as RFC 3339 with milliseconds.
std::string UtcNow();

}  // namespace evidex::vault

#endif  // EVIDEX_VAULT_CUSTODY_H_
