// Evidence packages: one signed archive that carries a case's evidence (or only its hashes), its
// chain of custody, a CASE/UCO manifest and a transfer certificate, for a prosecutor or a foreign
// authority; and the verifier that checks all of it offline. Layout: package_format.h and
// docs/FORMATS.md, "Evidence package".
//
// The library works on plain data (PackageInput) so that it does not depend on the store: the
// CLI (cmd_package.cc) loads the case, evidence and custody from the workspace.
//
// WritePackage writes `path`.partial, fsyncs it and renames it to `path`: a kill at any moment
// leaves no file under the final name, only a .partial that the next run replaces. Evidence bytes
// are streamed (1 MiB blocks) and re-hashed while written; evidence whose bytes no longer match its
// recorded hashes is refused (Code::kCorrupt) and nothing is left behind.
//
// VerifyPackage reads the archive once, streaming: every member is hashed as it is read, evidence
// is never held in memory (only the small members are, up to 256 MiB each). It returns a report
// of named checks; report.ok() only when every check passed. It returns a Status only when the
// file cannot be opened at all (Code::kNotFound / kIoError), when cancelled (kLimit), or when a
// sink failed (its Status: the receiving side's problem, e.g. a full disk); anything wrong inside
// the file is a failed check. Evidence members can also be handed to sinks (for `receive`).
//
// Thread safety: the functions share no state; a PackageReport is a plain value.
#ifndef EVIDEX_VAULT_PACKAGE_H_
#define EVIDEX_VAULT_PACKAGE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/hash.h"
#include "core/status.h"
#include "vault/custody.h"
#include "vault/keys.h"

namespace evidex::vault {

struct PackageUnit {
  std::string name;     // "Cybercrime Unit, Colombo"
  std::string country;  // "LK"
};

struct PackageCase {
  std::string uuid;  // stable across workspaces
  std::string number, title, offence, examiner, created;
};

// How an evidence item's bytes go into the package.
enum class EvidenceData {
  kNone,  // hashes only (--no-data, or not available)
  kRaw,   // the evidence's bytes as read by io::OpenSource(data_path): a stored raw object or a
          // referenced source (raw file, split raw set, device); written as evidence/<sha256>.raw
  kE01,   // the stored E01 set as it is (data_path: its first segment, image.E01; the others
          // are found beside it): evidence/<sha256>.E01, .E02, ...
};

struct PackageEvidence {
  std::string uuid;
  std::string label;        // "Laptop HDD"
  std::string number;       // evidence / exhibit number, may be ""
  std::string description;  // the source's description at acquisition
  std::string mode;         // "copy", "reference", "e01"
  uint64_t size = 0;        // bytes of the evidence (the media for E01)
  Digests digests;          // MD5, SHA-1, SHA-256 of those bytes, as recorded at acquisition
  std::string acquired_started, acquired_finished, examiner;
  EvidenceData data = EvidenceData::kNone;
  std::string data_path;  // see EvidenceData
  // Filled by the writer and by the reader (package.json):
  std::string member;        // "evidence/<sha256>.raw" (or .E01), "" when not included
  int segments = 0;          // members: 1 for raw, the segment count of an E01 set
  uint64_t member_size = 0;  // bytes of all its members
  Digests member_digests;    // of the raw member's bytes (== digests when intact)
};

struct PackageInput {
  PackageUnit unit;
  PackageCase case_info;
  std::vector<PackageEvidence> evidence;
  // The case's whole chain, in order (it must be complete to be verifiable), usually ending with
  // the "packaged" record; the head is signed by the writer over the last record.
  std::vector<CustodyRecord> custody;
  bool include_data = true;
  std::string packaged_by;  // the person packaging
  std::string recipient;    // "" when not named
  std::string created;      // UTC RFC 3339; empty: now
  std::string tool;         // "evidex 0.1.0"
};

struct PackageProgress {
  uint64_t bytes_done = 0, bytes_total = 0;
  std::string member;
};

struct PackageOptions {
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const PackageProgress&)> progress;
};

struct PackageResult {
  std::string path;
  std::string digest;  // SHA-256 of SHA256SUMS: the package digest (on the certificate)
  uint64_t bytes = 0;  // size of the archive
  std::vector<std::string> members;
};

// Writes the package. Errors: kInvalidArgument (nothing to package, no custody), kNotFound /
// kIoError (evidence unreadable, output not writable), kCorrupt (evidence bytes do not match the
// recorded hashes), kLimit (cancelled). On error nothing is left at `path` or `path`.partial.
Result<PackageResult> WritePackage(const PackageInput& input, const SigningKey& key,
                                   const std::string& path, const PackageOptions& options);

// One line of the verification report.
struct PackageCheck {
  enum class State { kOk, kFailed, kSkipped };
  std::string name;  // "archive", "format", "signature", "sums", "certificates",
                     // "evidence <label>", "manifest", "custody", "agreement"
  State state = State::kOk;
  std::string message;  // one line for people
};

struct PackageReport {
  std::string path;
  int version = 0;
  std::string created, tool;
  PackageUnit unit;
  std::optional<PublicKey> signer;
  std::string digest;  // SHA-256 of SHA256SUMS as read
  bool data_included = false;
  PackageCase case_info;
  std::vector<PackageEvidence> evidence;
  std::vector<CustodyRecord> custody;
  std::optional<CustodyHead> head;
  std::vector<PublicKey> record_signers;  // keys the package vouches for in the chain
  std::string packaged_by, recipient;
  std::vector<PackageCheck> checks;
  // Filled when VerifyOptions::extract_dir was given: member name → file written there.
  std::vector<std::pair<std::string, std::string>> extracted;

  bool ok() const;
  std::string FirstFailure() const;  // the first failed check's message, "" when ok
  nlohmann::json ToJson() const;
};

// Receives one evidence member's bytes while the package is verified (receive: into the vault).
// The reader writes to it in order and calls Finish after the last byte; an error from either
// stops the pass. The factory's caller owns the sinks: what was received counts only once the
// whole report is ok.
class MemberSink {
 public:
  virtual ~MemberSink() = default;
  virtual Status Write(const std::byte* data, size_t size) = 0;
  virtual Status Finish() = 0;
};
// Called when member `segment` (0-based) of `item` starts; nullptr: not wanted.
using SinkFactory =
    std::function<Result<MemberSink*>(const PackageEvidence& item, int segment, uint64_t size)>;

struct VerifyOptions {
  std::optional<PublicKey> expected_key;  // --key: the package must be signed by this key
  // Asked as soon as package.json names the signer; false stops reading early (receive: an
  // unknown sender's evidence is not copied).
  std::function<bool(const PublicKey&)> signer_trusted;
  SinkFactory sink;         // when set: evidence members are also given to sinks
  std::string extract_dir;  // when set (and no sink): evidence members are written (and
                            // fsynced) here under their base names
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const PackageProgress&)> progress;
};

Result<PackageReport> VerifyPackage(const std::string& path, const VerifyOptions& options);

// Re-reads an extracted evidence file as evidence (io::OpenSource: an E01 through libewf) and
// compares the size and MD5/SHA-1/SHA-256 of its bytes with the item's. kCorrupt when they differ.
Status VerifyMedia(const std::string& file, const PackageEvidence& e,
                   const std::atomic<bool>* cancel = nullptr);

// The member name an evidence item gets in a package ("evidence/<sha256>.raw", "….E01").
std::string EvidenceMemberName(const PackageEvidence& e);
// All its members: one for raw, `segments` for an E01 set (.E01, .E02, … .E99, .EAA, …).
std::vector<std::string> EvidenceMembers(const PackageEvidence& e);
// The extension of E01 segment `index` (1-based): "E01" … "E99", "EAA" … "EZZ", "FAA" … .
std::string EwfSegmentExtension(int index);

}  // namespace evidex::vault

#endif  // EVIDEX_VAULT_PACKAGE_H_
