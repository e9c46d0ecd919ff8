// Writing an E01 (EnCase 6 EWF) set through libewf, its chunks compressed on several threads.
//
// libewf compresses each 32 KiB chunk on the caller's thread; here the chunks of each block are
// compressed (deflate in zlib format, as libewf would, with libdeflate at the same level number:
// fast = 1, best = 9) by a small pool of threads while the next blocks are read and hashed, and
// libewf only writes the finished chunks, in order (libewf_handle_write_chunk). A chunk whose
// first and last 512 bytes do not compress is stored raw without trying the rest. The header carries
// the case values, the acquiring software
// ("evidex <version>") and, at Finish, the MD5 and SHA-1 of the media, so that ewfinfo shows them
// and ewfverify checks them. Read errors of the source are recorded as acquiry errors (sectors).
//
// E01 stores whole sectors: the media size must be a multiple of 512 bytes (every device is; a
// file of another size is refused — store it with --mode copy). Segment files are named
// <base>.E01, <base>.E02, …
//
// One thread uses a writer (Append, AddReadError, Finish); the compression threads are internal.
// Destroying a writer that was not finished closes libewf without finalizing: the caller removes
// the files (they are written in a vault tmp/ directory).
#ifndef EVIDEX_VAULT_E01_WRITER_H_
#define EVIDEX_VAULT_E01_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "core/hash.h"
#include "core/hash_multi.h"
#include "core/status.h"

namespace evidex::vault {

struct E01Options {
  std::string case_number, evidence_number, examiner, description, notes;
  std::string model, serial_number;  // of the source device, "" when unknown
  int compression = 1;               // 0 none, 1 fast, 2 best (libewf's levels)
  uint64_t segment_size = 0;         // bytes per segment file; 0: libewf's default (1.4 GiB)
  int threads = 0;                   // compression threads; 0: one per CPU
};

class E01Writer {
 public:
  // Creates <base>.E01 for a medium of `media_size` bytes.
  static Result<std::unique_ptr<E01Writer>> Create(const std::string& base, uint64_t media_size,
                                                   const E01Options& options);
  ~E01Writer();
  E01Writer(const E01Writer&) = delete;
  E01Writer& operator=(const E01Writer&) = delete;

  // Appends the block's bytes (contiguous blocks from offset 0; a block's size must be a
  // multiple of the 32 KiB chunk size except for the last one). Errors: "vault disk full
  // writing …", libewf failures.
  Status Append(std::shared_ptr<const Block> block);
  // Records [offset, offset + length) as unreadable in the source (stored as acquiry errors).
  void AddReadError(uint64_t offset, uint64_t length);
  // Writes what is left, stores the digests (MD5 and SHA-1; EWF has no place for SHA-256),
  // finalizes and closes the set.
  Status Finish(const Digests& digests);

  uint64_t written() const { return written_; }
  static constexpr uint32_t kBytesPerSector = 512;
  static constexpr uint32_t kSectorsPerChunk = 64;
  static constexpr uint32_t kChunkSize = kBytesPerSector * kSectorsPerChunk;

 private:
  struct Impl;
  explicit E01Writer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  uint64_t written_ = 0;
};

}  // namespace evidex::vault

#endif  // EVIDEX_VAULT_E01_WRITER_H_
