// Using stored evidence from other commands (scan --case, export, dispose): find an item of a
// case, the bytes to read, and the hashes its signed custody record gives — never only the
// evidence row, which anyone with sqlite3 can edit.
#ifndef EVIDEX_CLI_EVIDENCE_CLI_H_
#define EVIDEX_CLI_EVIDENCE_CLI_H_

#include <optional>
#include <string>

#include "core/hash.h"
#include "store/store.h"
#include "vault/acquire.h"
#include "vault/workspace.h"

namespace evidex::cli {

struct UsableEvidence {
  store::Evidence row;
  vault::AcquireMode mode = vault::AcquireMode::kCopy;
  std::string path;    // what io::OpenSource reads: the vault object, the E01 set, or the source
  Digests signed_digests;  // from the last "acquired" record of the item
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
