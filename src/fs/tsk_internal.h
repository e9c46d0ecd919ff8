// Internal to src/fs: what Walk (filesystem.cc) and UnallocatedRuns (unallocated.cc) share about
// The Sleuth Kit — the external image TSK reads an evidex Source through, RAII for TSK objects,
// TSK's error text, the search for partitions and filesystems, what hostile ext inodes are kept
// from TSK, and the search for orphan files. Not a public header.
//
// TSK keeps per-image state (its read cache, each open filesystem's caches) without locks: one
// Image, and everything opened from it, is used by one thread at a time.
#ifndef EVIDEX_FS_TSK_INTERNAL_H_
#define EVIDEX_FS_TSK_INTERNAL_H_

#include <tsk/libtsk.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/status.h"
#include "fs/filesystem.h"
#include "io/source.h"

namespace evidex::fs::internal {

// The sector size TSK is told (evidex sources carry none; partition tables say 512 here).
inline constexpr unsigned kSectorSize = 512;

// TSK's last error on this thread, one line, and resets it.
std::string TakeTskError();

struct VsCloser {
  void operator()(TSK_VS_INFO* p) const { tsk_vs_close(p); }
};
struct FsCloser {
  void operator()(TSK_FS_INFO* p) const { tsk_fs_close(p); }
};
struct FileCloser {
  void operator()(TSK_FS_FILE* p) const { tsk_fs_file_close(p); }
};
struct DirCloser {
  void operator()(TSK_FS_DIR* p) const { tsk_fs_dir_close(p); }
};
using VsPtr = std::unique_ptr<TSK_VS_INFO, VsCloser>;
using FsPtr = std::unique_ptr<TSK_FS_INFO, FsCloser>;
using FilePtr = std::unique_ptr<TSK_FS_FILE, FileCloser>;
using DirPtr = std::unique_ptr<TSK_FS_DIR, DirCloser>;

struct ExternalImage;

// A Source as a TSK image (tsk_img_open_external): TSK reads through Source::ReadAt and never
// opens a file itself. The Source must outlive the Image.
class Image {
 public:
  static Result<std::unique_ptr<Image>> Open(Source& source);
  ~Image();
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  TSK_IMG_INFO* get();
  // Source reads that failed so far (TSK is told, but may go on with zeros instead).
  uint64_t read_failures() const;

 private:
  Image() = default;
  std::unique_ptr<ExternalImage> ext_;
};

// "1 MiB", "200 MiB", "1.5 GiB".
std::string HumanSize(uint64_t bytes);

bool IsFatFamily(TSK_FS_TYPE_ENUM t);
// TSK's name for a FAT/exFAT volume-label directory entry: "LABEL (Volume Label Entry)".
bool IsLabelEntry(TSK_FS_TYPE_ENUM t, std::string_view name);

// Opens the filesystem at `offset` of `image` and appends its description to
// report->filesystems. When there is none TSK reads, appends the note "WHERE: IF_NONE[ (TSK:
// why)]; its bytes are scanned raw" and returns null. On ext2/3/4, evidex's functions take the
// place of some of TSK's: the block-map loader, and the guards below (tsk_internal.cc).
FsPtr OpenFileSystem(Image& image, uint64_t offset, int64_t partition, const std::string& where,
                     const std::string& if_none, WalkReport* report);

// ---- what TSK is kept from --------------------------------------------------------------------

// Why inode `inum` of the ext2/3/4 filesystem `fs` is kept from TSK, or "" (not ext, not kept, or
// unreadable: TSK then says why itself). A kept inode is to TSK an inode it cannot read
// (TSK_ERR_FS_INODE_COR): a name pointing to it is listed without metadata, an inode walk skips
// it. Kept: an inode flagged ext4 inline data (content inside the inode) that claims more content
// than its inode holds, for which TSK 4.11 allocates and zeroes the claimed size, twice, whatever
// it is (gigabytes; see tsk_internal.cc).
std::string ExtInodeRefusal(TSK_FS_INFO* fs, TSK_INUM_T inum);

// Why the entries of directory `inum` of the ext2/3/4 filesystem `fs` are kept from TSK, or "".
// Kept: those of a directory that claims more bytes than its filesystem holds (in the source: a
// corrupt block count can claim more), which TSK 4.11 would read block by block, holes and all
// (seconds for each). To TSK the directory is then one it cannot read: listed, its entries not.
std::string ExtDirectoryRefusal(TSK_FS_INFO* fs, TSK_INUM_T inum);

// What FindOrphans did.
struct OrphanSearch {
  uint64_t orphans = 0;       // listed at the top of $OrphanFiles
  uint64_t refused = 0;       // unallocated, used inodes skipped: ExtInodeRefusal keeps them
  std::string first_refused;  // why the first of them is kept: "inode 45 is flagged …"
  std::string error;          // the first TSK error met (the search goes on where it can)
};

// Finds the orphan files of `fs` (unallocated metadata no name points to) and leaves them where
// TSK's directory walk takes them from when it enters $OrphanFiles (fs->orphan_dir), so that TSK
// never runs its own search (tsk_fs_dir_find_orphans; why not: tsk_internal.cc). `named` holds
// the addresses of the unallocated metadata the walk met under a name (TSK's list_inum_named).
// To be called when the walk meets $OrphanFiles, before TSK enters it; does nothing when `fs`
// already has its orphans.
OrphanSearch FindOrphans(TSK_FS_INFO* fs, const std::unordered_set<TSK_INUM_T>& named);

// Called for every region of the source that may hold a filesystem: `offset` in the source,
// `partition` an index into report->partitions or -1 (no partition table: the whole source),
// `where` the region named for notes, `if_none` what a note says when no filesystem is there.
// Returns false to stop.
using RegionFn = std::function<bool(Image& image, uint64_t offset, int64_t partition,
                                    const std::string& where, const std::string& if_none)>;

// Opens `source` as a TSK image, reads its partition table into report->partitions (notes for a
// table TSK could not read and for partitions past the end of the source) and calls `each` for
// every allocated partition, in source order, or once for the whole source when it has no
// table. An empty source gives a note and no call. Errors: the source unreadable at its start
// (kIoError), TSK unable to open the image (kInternal).
Status ForEachRegion(Source& source, WalkReport* report, const RegionFn& each);

}  // namespace evidex::fs::internal

#endif  // EVIDEX_FS_TSK_INTERNAL_H_
