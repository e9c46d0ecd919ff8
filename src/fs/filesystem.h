// Volumes and filesystems inside an evidence source, through The Sleuth Kit (libtsk): partition
// tables (DOS/MBR, GPT, and the others TSK reads), and the files and directories of every
// filesystem TSK reads (NTFS, FAT12/16/32, exFAT, ext2/3/4, HFS+, ISO 9660), deleted entries
// included (docs/ARCHITECTURE.md, "Filesystems").
//
// The source is any evidex Source (raw, split raw, E01), read-only: TSK reads it through
// tsk_img_open_external, so TSK never opens evidence files itself.
//
// Thread safety: one Walk per Source at a time; Walk calls `each` on the calling thread.
#ifndef EVIDEX_FS_FILESYSTEM_H_
#define EVIDEX_FS_FILESYSTEM_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "io/source.h"

namespace evidex::fs {

struct Partition {
  uint32_t slot = 0;          // TSK's partition address
  uint64_t start = 0;         // byte offset in the source
  uint64_t length = 0;        // bytes
  std::string scheme;         // "dos", "gpt", "mac", "bsd", "sun"
  std::string description;    // TSK's: "NTFS / exFAT (0x07)", "Linux filesystem", "Unallocated"
  bool allocated = true;      // false: a gap or unallocated region TSK lists
};

struct FileSystem {
  uint64_t offset = 0;        // byte offset in the source
  std::string type;           // "ntfs", "fat12", "fat16", "fat32", "exfat", "ext2", "ext3",
                              // "ext4", "hfs", "iso9660", ... (TSK's short name, lower case)
  std::string label;          // volume label when the filesystem has one
  uint32_t block_size = 0;
  uint64_t block_count = 0;
  int64_t partition = -1;     // index into WalkReport::partitions, or -1 (no partition table)
};

struct Timestamp {
  int64_t seconds = 0;        // since 1970-01-01 UTC
  uint32_t nanoseconds = 0;
  bool set = false;           // false: the filesystem does not keep this time for the entry
};

// A run of a file's content in the source (what maps a scan hit at a source offset to the file
// and the offset inside it). Resident (NTFS) and compressed/encoded content has none.
struct Extent {
  uint64_t file_offset = 0;
  uint64_t source_offset = 0;
  uint64_t length = 0;
};

struct FileEntry {
  std::string path;           // from the filesystem's root, '/'-separated, UTF-8: "/Users/a/x.doc"
  std::string name;           // the last component
  enum class Type { kRegular, kDirectory, kSymlink, kOther } type = Type::kOther;
  uint64_t size = 0;          // bytes of content
  uint64_t address = 0;       // metadata address: MFT entry, inode, FAT directory-entry address
  bool deleted = false;       // its name or its metadata is unallocated
  Timestamp modified, accessed, changed, created;  // M, A, C (metadata change), B (birth)
  std::vector<Extent> extents;  // filled when WalkOptions::extents
};

// The content of the entry being visited; valid only during the `each` call it is given to.
class ContentReader {
 public:
  virtual ~ContentReader() = default;
  // Reads the content in order, in pieces, to `sink` (which returns false to stop). Deleted
  // files are read as TSK recovers them (their blocks may since have been reused). An error
  // (unreadable source, corrupt runs) is returned after the pieces read before it.
  virtual Status Read(const std::function<bool(std::span<const std::byte>)>& sink) = 0;
};

struct WalkOptions {
  bool deleted = true;        // also deleted (unallocated) names and metadata
  bool extents = false;       // fill FileEntry::extents
};

struct WalkReport {
  std::vector<Partition> partitions;    // empty when the source has no partition table
  std::vector<FileSystem> filesystems;  // every one opened, in source order
  // Why a region was not walked, one line each: "partition 3 at byte 1048576 (Linux, 200 MiB):
  // no filesystem TSK reads (an encrypted volume?); its bytes are scanned raw", a corrupt
  // partition table, a filesystem TSK opened but could not walk whole.
  std::vector<std::string> notes;
  uint64_t entries = 0;                 // entries given to `each`
};

// Finds the partitions and filesystems of `source` and calls `each` for every file and
// directory entry of every filesystem ('.' and '..' left out), in directory order, stopping
// when `each` returns false. Without a partition table the whole source is tried as one
// filesystem. A source holding no filesystem TSK reads is not an error: the report then has
// none and a note. Errors: the source unreadable at its start (kIoError). Never hangs on a
// filesystem whose directories loop (each directory is visited once).
Result<WalkReport> Walk(Source& source, const WalkOptions& options,
                        const std::function<bool(const FileSystem&, const FileEntry&,
                                                 ContentReader&)>& each);

// A run of source bytes that no allocated file or filesystem structure holds: a filesystem's
// unallocated blocks (TSK's block walk, TSK_FS_BLOCK_WALK_FLAG_UNALLOC), and bytes outside every
// filesystem TSK opened (unpartitioned gaps, partitions with no filesystem TSK reads, the whole
// source when it holds none). Contiguous blocks are merged into one run.
struct ByteRun {
  uint64_t offset = 0;   // in the source
  uint64_t length = 0;
  std::string fs;        // "ext4@1048576" (type@offset as elsewhere), or "" outside filesystems
};
// Calls `each` for every run in source order; stops when it returns false. Errors as Walk.
//
// Runs are disjoint, non-empty, inside the source, and two runs of one `fs` never touch (runs
// with fs "" included). A filesystem holds the bytes from its offset to its end (block count x
// block size), cut at its partition's end and the source's end; the bytes outside every such
// span are fs "" runs, partition-table sectors and volume slack included. Where two corrupt
// partitions overlap, the earlier filesystem keeps the shared bytes. The report is Walk's
// (partitions, filesystems, notes) with `entries` the runs given to `each`; a filesystem whose
// block walk TSK cannot do (or finish) gets a note, and no runs past where it failed. Streams:
// memory does not grow with the size of a filesystem, and the work is bounded by the size of
// the source, whatever a corrupt filesystem claims.
Result<WalkReport> UnallocatedRuns(Source& source, const std::function<bool(const ByteRun&)>& each);

}  // namespace evidex::fs

#endif  // EVIDEX_FS_FILESYSTEM_H_
