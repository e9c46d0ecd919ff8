// Internal to vault/: a regular source file mapped read-only (MAP_SHARED, PROT_READ), handed out
// as Blocks that point straight into the page cache, so the acquisition's hashes, its writer
// (O_DIRECT from the mapped pages) and its read-back comparison read the source's bytes without
// the kernel copying them into our buffers first (docs/PERFORMANCE.md, "Acquisition").
//
// The file is mapped in windows (tuning.map_window bytes); a window is unmapped when the last
// block viewing it is released. View() fills the page tables of a block's range first
// (MADV_POPULATE_READ), on the reading thread: the consumers never fault, and a range that
// cannot be read (a bad sector, or the file shrank) fails there, without a signal — the caller
// then reads that range with pread, so read errors are found and reported as on the read path.
//
// A page can still fail after it was handed out: the file truncated under us (its pages are
// taken out of every mapping) or the page cache dropped a page whose re-read then fails. The
// access would raise SIGBUS. A process-wide SIGBUS handler (installed once, thread-safe,
// chaining to the previous handler for addresses not in a window) maps zero-filled memory over
// the rest of that window and marks the SourceMap damaged(): the consumer reads zeros instead of
// dying, and the acquisition must then discard everything computed (AcquireSource does: the
// source changed, or could not be read; nothing is stored).
//
// Thread safety: View() is called by one thread (the reader); damaged() and the blocks from any.
// Evidence is only ever opened O_RDONLY and mapped PROT_READ.
#ifndef EVIDEX_VAULT_ACQUIRE_MAP_H_
#define EVIDEX_VAULT_ACQUIRE_MAP_H_

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/hash_multi.h"
#include "core/status.h"

namespace evidex::vault {

class SourceMap {
 public:
  // Opens `path` read-only. Fails (the caller then reads with pread) when it is not a regular
  // file, not the file `expected` describes (device and inode: replaced since it was opened), or
  // not `size` bytes long. `window` bytes are mapped at a time (rounded up to whole pages).
  static Result<std::unique_ptr<SourceMap>> Open(const std::string& path,
                                                 const struct stat& expected, uint64_t size,
                                                 size_t window);
  ~SourceMap();
  SourceMap(const SourceMap&) = delete;
  SourceMap& operator=(const SourceMap&) = delete;

  // A block viewing [offset, offset + length) of the file, its page tables filled; `keep` is held
  // until the block is released. nullptr when the range could not be mapped or read (the caller
  // reads it with pread instead).
  std::shared_ptr<const Block> View(uint64_t offset, size_t length,
                                    std::shared_ptr<const void> keep);

  // Whether a handed-out page failed (see above): the bytes read from it were zeros.
  bool damaged() const { return state_->damaged.load(std::memory_order_acquire); }
  uint64_t viewed_bytes() const { return viewed_; }      // bytes handed out as views
  uint64_t fallback_bytes() const { return fallback_; }  // bytes View() refused

  // Tests: called on the reading thread after each new window was mapped (its file offset).
  std::function<void(uint64_t)> on_window;

  struct State {
    std::atomic<bool> damaged{false};
  };

 private:
  struct Window;
  SourceMap(int fd, uint64_t size, size_t window);

  int fd_;
  const uint64_t size_;
  const size_t window_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::shared_ptr<Window> current_;
  uint64_t viewed_ = 0, fallback_ = 0;
};

}  // namespace evidex::vault

#endif  // EVIDEX_VAULT_ACQUIRE_MAP_H_
