// Fuzzes the filesystem walk and the unallocated-space walk (fs/filesystem.h): the input is a disk
// or volume image, read from memory. Whatever the bytes: no crash, hang or unbounded work; every
// entry has a path under '/', its extents lie inside its filesystem, and the report counts the
// entries given; unallocated runs are non-empty, inside the source, in order, disjoint, and
// those of one filesystem never touch.
#include <cstdint>
#include <string>

#include "fs/filesystem.h"
#include "io/source.h"

namespace {

// Inputs past this are not walked (the seeds are at most a few hundred KiB).
constexpr size_t kMaxInput = size_t(1) << 20;
// Content read per file and per input: a corrupt size can claim exabytes of sparse content.
constexpr uint64_t kMaxFileBytes = uint64_t(4) << 20;
constexpr uint64_t kMaxTotalBytes = uint64_t(64) << 20;
// Entries visited per input.
constexpr uint64_t kMaxEntries = 20000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  std::unique_ptr<evidex::Source> source =
      evidex::MakeMemorySource(std::string(reinterpret_cast<const char*>(data), size));
  evidex::fs::WalkOptions options;
  options.deleted = true;
  options.extents = true;
  uint64_t entries = 0, total = 0;
  evidex::Result<evidex::fs::WalkReport> r = evidex::fs::Walk(
      *source, options,
      [&](const evidex::fs::FileSystem& fs, const evidex::fs::FileEntry& e,
          evidex::fs::ContentReader& content) {
        ++entries;
        if (e.path.empty() || e.path[0] != '/' || e.name.empty()) __builtin_trap();
        if (fs.offset >= size) __builtin_trap();
        // Extents lie inside the file and inside the filesystem's span (a block map pointing
        // elsewhere gives none).
        uint64_t fs_end;
        if (__builtin_mul_overflow(fs.block_count, uint64_t(fs.block_size), &fs_end) ||
            __builtin_add_overflow(fs_end, fs.offset, &fs_end))
          fs_end = UINT64_MAX;
        for (const evidex::fs::Extent& x : e.extents) {
          if (x.length == 0 || x.file_offset + x.length > e.size) __builtin_trap();
          if (x.source_offset < fs.offset || x.source_offset + x.length > fs_end) __builtin_trap();
        }
        uint64_t read = 0;
        if (e.type == evidex::fs::FileEntry::Type::kRegular && total < kMaxTotalBytes) {
          (void)content.Read([&](std::span<const std::byte> piece) {
            read += piece.size();
            total += piece.size();
            return read < kMaxFileBytes && total < kMaxTotalBytes;
          });
          if (read > e.size) __builtin_trap();
        }
        return entries < kMaxEntries;
      });
  if (!r.ok()) __builtin_trap();  // a memory source is always readable at its start
  if (r->entries != entries) __builtin_trap();
  for (const evidex::fs::FileSystem& fs : r->filesystems)
    if (fs.partition >= int64_t(r->partitions.size())) __builtin_trap();

  uint64_t runs = 0, end = 0;
  std::string last_fs;
  evidex::Result<evidex::fs::WalkReport> u =
      evidex::fs::UnallocatedRuns(*source, [&](const evidex::fs::ByteRun& run) {
        if (run.length == 0 || run.offset < end || run.offset + run.length > size) __builtin_trap();
        if (runs > 0 && run.offset == end && run.fs == last_fs) __builtin_trap();  // not merged
        if (!run.fs.empty() && run.fs.find('@') == std::string::npos) __builtin_trap();
        end = run.offset + run.length;
        last_fs = run.fs;
        return ++runs < kMaxEntries;
      });
  if (!u.ok()) __builtin_trap();
  if (u->entries != runs) __builtin_trap();
  return 0;
}
