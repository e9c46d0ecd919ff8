// Internal to vault/ (its tests and the acquisition benchmark): the knobs of the acquisition
// pipeline and an entry point that takes an already open Source, so that tests can inject read
// errors and the benchmark can compare block sizes.
#ifndef EVIDEX_VAULT_ACQUIRE_INTERNAL_H_
#define EVIDEX_VAULT_ACQUIRE_INTERNAL_H_

#include <cstddef>
#include <functional>
#include <memory>

#include "io/source.h"
#include "vault/acquire.h"

namespace evidex::vault {

struct AcquireTuning {
  size_t block_size = 1u << 20;  // bytes per read; a multiple of 32 KiB (the E01 chunk)
  size_t read_ahead_blocks = 8;  // blocks the reader may be ahead of the slowest hash
  size_t verify_lag = 2u << 20;  // copy mode: bytes written before a range is read back
  int e01_threads = 0;           // E01 compression threads; 0: one per CPU
  HashThreads hash_threads = HashThreads::kAuto;
  size_t salvage_block = 64u << 10;  // after a read error: re-read in pieces of this size, then
                                     // sector by sector (512 bytes) where a piece fails
  // When non-zero, a regular raw source file is mapped (acquire_map.h) this many bytes at a time
  // and its blocks read from the page cache in place; 0: pread into the pool's blocks. Off by
  // default: on the benchmark it used as much CPU as the copy it spares (page tables
  // filled and torn down, O_DIRECT pinning file pages, 4 KiB pages instead of the pool's huge
  // pages) — docs/PERFORMANCE.md, "Acquisition"; acquire_bench --map-window 32 turns it on.
  size_t map_window = 0;
  // Tests: called on the reading thread after each window of the mapped source was mapped.
  std::function<void(uint64_t offset)> on_map_window;
};

// Acquire() after its checks: `source` was opened from options.source_path (whose identity is
// checked again at the end, and after any read error, to tell a vanished or changed source from
// bad sectors).
Result<AcquireResult> AcquireSource(const AcquireOptions& options, std::unique_ptr<Source> source,
                                    const AcquireTuning& tuning,
                                    const std::function<void(const AcquireProgress&)>& progress);

// Acquire() with explicit tuning.
Result<AcquireResult> AcquireTuned(const AcquireOptions& options, const AcquireTuning& tuning,
                                   const std::function<void(const AcquireProgress&)>& progress);

}  // namespace evidex::vault

#endif  // EVIDEX_VAULT_ACQUIRE_INTERNAL_H_
