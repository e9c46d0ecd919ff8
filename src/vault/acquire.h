// Acquisition: read a source once, read-only, computing MD5, SHA-1 and SHA-256 in the same pass
// (each hash on its own thread, in parallel with the read), and store it:
//   kCopy      — the bytes, in the content-addressed write-once vault (ObjectStore), as a raw image
//   kReference — nothing stored; the source is recorded in place and re-verified when used
//   kE01       — a compressed E01 written through libewf, metadata and hashes in its header
// After writing, the stored copy is re-read and its hashes compared (kCopy, kE01).
//
// Crash safety: everything is written under the vault's tmp/ first and moved into place with
// rename() only after fsync and verification, so a kill at any moment leaves either nothing or a
// complete, verified object; tmp/ leftovers are removed by the next acquisition (CleanTmp).
//
// Verification: kCopy reads each written range back from the vault's device while the
// acquisition goes on (O_DIRECT) and compares it byte for byte with the very bytes that were
// hashed; kE01 re-opens the finished set through libewf (chunk checksums) and re-computes its
// SHA-256. An existing identical object (kCopy dedup) is re-hashed before it is trusted.
// Directories are refused (acquire each file as its own evidence; see docs/FORMATS.md).
// Unreadable sectors are zero-filled (at 512-byte granularity), counted and listed; a source
// that vanishes, is replaced, changes size or is modified while read is an error and nothing is
// stored. Progress: phase "reading" while the source is read (kCopy's read-back runs within
// it), "verifying" while a finished E01 set or an already stored identical object is re-read.
// The implementation is in acquire.cc, object_store.h, e01_writer.h, device_info.h.
#ifndef EVIDEX_VAULT_ACQUIRE_H_
#define EVIDEX_VAULT_ACQUIRE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/hash.h"
#include "core/hash_multi.h"
#include "core/status.h"

namespace evidex::vault {

enum class AcquireMode { kCopy, kReference, kE01 };
const char* ModeName(AcquireMode m);  // "copy", "reference", "e01"

struct AcquireOptions {
  std::string source_path;  // anything io::OpenSource / EnumerateEvidence reads
  AcquireMode mode = AcquireMode::kCopy;
  std::string vault_dir;    // <workspace>/vault
  // For the E01 header (kE01) and the record:
  std::string case_number, evidence_number, examiner, description, notes;
  int e01_compression = 1;  // libewf compression level: 0 none, 1 fast, 2 best
  const std::atomic<bool>* cancel = nullptr;
  uint64_t e01_segment_size = 0;  // bytes per E01 segment file; 0: libewf's default (1.4 GiB)
};

struct ByteRange {
  uint64_t offset = 0, length = 0;
  bool operator==(const ByteRange&) const = default;
};

struct AcquireProgress {
  uint64_t bytes_done = 0, bytes_total = 0;
  double seconds = 0;
  const char* phase = "reading";  // "reading", "verifying"
};

struct AcquireResult {
  uint64_t size = 0;
  Digests digests;               // of the source's bytes (for a directory: see FORMATS.md)
  std::string source_description;  // Source::Describe(), plus device model and serial if readable
  std::string device_model, device_serial;  // "" when not a device or not readable
  std::string stored_path;       // relative to vault_dir ("objects/ab/cdef....raw", "....E01");
                                 // "" for kReference
  uint64_t stored_size = 0;
  bool verified = false;         // the stored copy was re-read and matched
  std::string started, finished; // UTC RFC 3339
  uint64_t bad_sectors = 0;      // zero-filled blocks (the acquisition is then partial)
  // Extensions (h2):
  std::vector<ByteRange> bad_ranges;  // the zero-filled bytes, merged, in order (512-byte sectors;
                                      // bad_sectors = their total length / 512)
  std::string first_read_error;       // the first read error met, "" when none
  bool deduplicated = false;          // kCopy: an identical object was in the vault already
};

// Acquires one source. Cancellation returns Code::kLimit ("interrupted") and leaves nothing.
Result<AcquireResult> Acquire(const AcquireOptions& options,
                              const std::function<void(const AcquireProgress&)>& progress);

// Re-reads a stored object or a referenced source and recomputes its digests (`which`: a HashSet;
// the others stay ""). A stored object (kCopy, kE01) must read without error; a referenced
// source is read as at acquisition, unreadable sectors zero-filled, so that a disk with known
// bad sectors still verifies when nothing else changed. `cancel` returns Code::kLimit.
Result<Digests> RehashStored(const std::string& vault_dir, const std::string& stored_path_or_source,
                             AcquireMode mode,
                             const std::function<void(const AcquireProgress&)>& progress,
                             unsigned which = kHashAll,
                             const std::atomic<bool>* cancel = nullptr);

}  // namespace evidex::vault

#endif  // EVIDEX_VAULT_ACQUIRE_H_
