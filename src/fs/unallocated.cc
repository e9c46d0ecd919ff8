// UnallocatedRuns: the bytes of a source that no allocated file or filesystem structure holds.
//
// The source is found as Walk finds it (internal::ForEachRegion: partition table, then each
// partition, or the whole source). Every filesystem TSK opens claims a span of the source,
// [offset, offset + block_count * block_size) cut at its partition's and the source's end; inside
// it the runs are TSK's unallocated blocks (tsk_fs_block_walk with UNALLOC | AONLY: addresses and
// flags only, one TSK_FS_BLOCK for the whole walk, no block content read), a block at address A
// being the bytes [offset + A * block_size, + block_size). Every byte outside the spans is in a
// run with fs "".
//
// The work is bounded by the source: the block walk never goes past the span, so a corrupt
// superblock that claims 2^40 blocks in a 1 MiB source costs at most 1 MiB / block size calls.
// Runs are emitted as they are found (a pending run grows while blocks stay contiguous), so
// memory does not grow with the filesystem either.
#include <tsk/libtsk.h>

#include <algorithm>
#include <string>

#include "fs/filesystem.h"
#include "fs/tsk_internal.h"

namespace evidex::fs {
namespace {

using internal::FsPtr;
using internal::Image;

// Gathers runs in source order, merging contiguous runs of one filesystem, and gives each to
// the caller's function once it can grow no more.
class RunSink {
 public:
  explicit RunSink(const std::function<bool(const ByteRun&)>& each, WalkReport& report)
      : each_(each), report_(report) {}

  bool stopped() const { return stopped_; }
  // Where the runs reached so far end: nothing before it is given again.
  uint64_t cursor() const { return cursor_; }

  // Bytes [cursor, end) outside every filesystem.
  void OutsideUpTo(uint64_t end) {
    if (end <= cursor_) return;
    Add(cursor_, end - cursor_, "");
    cursor_ = end;
  }

  // Bytes [offset, offset + length) of the filesystem `fs`; offset >= cursor().
  void Add(uint64_t offset, uint64_t length, const std::string& fs) {
    if (stopped_ || length == 0) return;
    if (pending_.length > 0 && pending_.offset + pending_.length == offset && pending_.fs == fs) {
      pending_.length += length;
    } else {
      Flush();
      if (stopped_) return;
      pending_.offset = offset;
      pending_.length = length;
      pending_.fs.assign(fs);  // keeps its capacity: no allocation per run
    }
    cursor_ = std::max(cursor_, offset + length);
  }

  // Bytes up to `end` are claimed by a filesystem (given as runs or not).
  void ClaimUpTo(uint64_t end) { cursor_ = std::max(cursor_, end); }

  void Flush() {
    if (stopped_ || pending_.length == 0) return;
    ++report_.entries;
    if (!each_(pending_)) stopped_ = true;
    pending_.length = 0;
  }

 private:
  const std::function<bool(const ByteRun&)>& each_;
  WalkReport& report_;
  ByteRun pending_;
  uint64_t cursor_ = 0;
  bool stopped_ = false;
};

struct BlockWalk {
  RunSink& sink;
  const std::string& fs;  // "type@offset"
  uint64_t fs_offset;
  uint64_t block_size;
  uint64_t to;             // the end of the filesystem's span
  uint64_t listed_to = 0;  // the end of the last unallocated block given
};

TSK_WALK_RET_ENUM VisitBlock(const TSK_FS_BLOCK* block, void* ptr) {
  auto& w = *static_cast<BlockWalk*>(ptr);
  if (!(block->flags & TSK_FS_BLOCK_FLAG_UNALLOC)) return TSK_WALK_CONT;
  uint64_t start, end;
  if (__builtin_mul_overflow(uint64_t(block->addr), w.block_size, &start) ||
      __builtin_add_overflow(start, w.fs_offset, &start) ||
      __builtin_add_overflow(start, w.block_size, &end))
    return TSK_WALK_STOP;  // past any source: the span's cut stops the walk before this
  // Never before what was given already (TSK walks in address order; a filesystem overlapping
  // the one before it starts at the cursor).
  start = std::max(start, w.sink.cursor());
  end = std::min(end, w.to);
  if (start < end) {
    w.sink.Add(start, end - start, w.fs);
    w.listed_to = end;
  }
  return w.sink.stopped() ? TSK_WALK_STOP : TSK_WALK_CONT;
}

// Gives the unallocated runs of the filesystem `fs` (described by `info`), inside [cursor, end of
// its span). False when the caller stopped.
bool FileSystemRuns(Image& image, TSK_FS_INFO* fs, const FileSystem& info, uint64_t span_end,
                    RunSink& sink, WalkReport& report) {
  const std::string name = info.type + "@" + std::to_string(info.offset);
  const std::string what = info.type + " at byte " + std::to_string(info.offset);
  const uint64_t from = std::max(sink.cursor(), info.offset);
  if (from > info.offset) {
    report.notes.push_back(what +
                           ": overlaps the filesystem before it; its unallocated blocks "
                           "are listed from byte " +
                           std::to_string(from));
  }
  sink.OutsideUpTo(info.offset);
  const uint64_t bs = fs->block_size;
  if (bs == 0 || from >= span_end) {
    sink.ClaimUpTo(span_end);
    return !sink.stopped();
  }
  // The last block with a byte in the span (TSK's addresses count from the filesystem's start),
  // and not past the last whole block the source holds (last_block_act): TSK's block walk fails
  // at the first block past it, even for addresses only. The part of a block cut by the end of
  // the source stays the filesystem's, and in no run.
  const uint64_t span_last = (span_end - info.offset - 1) / bs;
  const uint64_t first = uint64_t(fs->first_block);
  const uint64_t last =
      std::min({uint64_t(fs->last_block), uint64_t(fs->last_block_act), span_last});
  if (first <= last) {
    BlockWalk w{sink, name, info.offset, bs, span_end};
    const uint64_t failures_before = image.read_failures();
    const int flags = TSK_FS_BLOCK_WALK_FLAG_UNALLOC | TSK_FS_BLOCK_WALK_FLAG_META |
                      TSK_FS_BLOCK_WALK_FLAG_CONT | TSK_FS_BLOCK_WALK_FLAG_AONLY;
    tsk_error_reset();
    const uint8_t failed = tsk_fs_block_walk(fs, TSK_DADDR_T(first), TSK_DADDR_T(last),
                                             TSK_FS_BLOCK_WALK_FLAG_ENUM(flags), VisitBlock, &w);
    if (sink.stopped()) {
      tsk_error_reset();
      return false;
    }
    if (failed) {
      const std::string why = internal::TakeTskError();
      report.notes.push_back(
          what + ": unallocated blocks not listed" +
          (w.listed_to > 0 ? " after byte " + std::to_string(w.listed_to) : std::string()) +
          " (TSK block walk: " + why + ")");
    }
    const uint64_t read_failures = image.read_failures() - failures_before;
    if (read_failures > 0) {
      report.notes.push_back(what + ": " + std::to_string(read_failures) +
                             " source reads failed while reading which blocks are allocated "
                             "(unallocated runs may be missing)");
    }
  }
  tsk_error_reset();
  sink.ClaimUpTo(span_end);
  return !sink.stopped();
}

}  // namespace

Result<WalkReport> UnallocatedRuns(Source& source,
                                   const std::function<bool(const ByteRun&)>& each) {
  WalkReport report;
  RunSink sink(each, report);
  const uint64_t size = source.Size();
  Status s = internal::ForEachRegion(
      source, &report,
      [&](Image& image, uint64_t offset, int64_t partition, const std::string& where,
          const std::string& if_none) {
        FsPtr fs = internal::OpenFileSystem(image, offset, partition, where, if_none, &report);
        if (fs == nullptr) return true;  // its bytes stay outside every filesystem
        const FileSystem& info = report.filesystems.back();
        uint64_t span_end = size;
        if (partition >= 0) {
          const Partition& p = report.partitions[size_t(partition)];
          if (p.length < span_end - std::min(span_end, p.start)) span_end = p.start + p.length;
        }
        uint64_t fs_bytes;
        if (!__builtin_mul_overflow(info.block_count, uint64_t(info.block_size), &fs_bytes) &&
            fs_bytes < span_end - std::min(span_end, offset))
          span_end = offset + fs_bytes;
        return FileSystemRuns(image, fs.get(), info, span_end, sink, report);
      });
  if (!s.ok()) return s;
  sink.OutsideUpTo(size);
  sink.Flush();
  return report;
}

}  // namespace evidex::fs
