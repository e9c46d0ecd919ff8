// Using stored evidence from other commands (scan --case, export, dispose): find an item of a
// case, the bytes to read, and the hashes its signed custody record gives — never only the
// evidence row, which anyone with sqlite3 can edit.
#ifndef EVIDEX_CLI_EVIDENCE_CLI_H_
#define EVIDEX_CLI_EVIDENCE_CLI_H_

#include <optional>
#include <string>
#include <vector>

#include "core/hash.h"
#include "store/store.h"
#include "vault/acquire.h"
#include "vault/custody.h"
#include "vault/workspace.h"

namespace evidex::cli {

// What an item's signed records say it is and where it lives: its "acquired" record here, or its
// "received" record (its place in this vault) when it came in a package. The last such record is
// the reference; all of them must agree on size and hashes.
struct SignedReference {
  bool found = false;
  Digests digests;
  std::optional<uint64_t> size;
  std::string stored_path, mode, action;
  int64_t seq = 0;
  std::string problem;  // "" when the records agree with each other and with `row`
};
SignedReference FindSignedReference(const std::vector<vault::CustodyRecord>& records,
                                    const store::Evidence& row);

struct UsableEvidence {
  store::Evidence row;
  vault::AcquireMode mode = vault::AcquireMode::kCopy;
  std::string path;    // what io::OpenSource reads: the vault object, the E01 set, or the source
  Digests signed_digests;  // from the item's signed reference record
  int64_t acquired_seq = 0;
};

// The complete item `name` ("E1", "1" or its UUID) of case `c`, with its signed hashes. Prints a
// one-line error and sets *exit_code (usage for an unknown or incomplete item, verify-failed when
// the row and its signed record disagree) on failure.
std::optional<UsableEvidence> ResolveUsableEvidence(vault::Workspace& ws, const store::Case& c,
                                                    const std::string& name, int* exit_code);

// Re-reads the item's bytes and compares all three hashes with the signed ones ("re-verified when
// used", for evidence kept by reference). Prints progress on a terminal unless quiet; on a
// mismatch prints which hash differs and sets *exit_code to kExitVerifyFailed.
bool ReverifyEvidence(vault::Workspace& ws, const UsableEvidence& e, bool quiet, int* exit_code);

}  // namespace evidex::cli

#endif  // EVIDEX_CLI_EVIDENCE_CLI_H_
