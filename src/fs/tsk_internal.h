// Internal to src/fs: what Walk (filesystem.cc) and UnallocatedRuns (unallocated.cc) share about
// The Sleuth Kit — the external image TSK reads an evidex Source through, RAII for TSK objects,
// TSK's error text, and the search for partitions and filesystems. Not a public header.
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
// why)]; its bytes are scanned raw" and returns null.
FsPtr OpenFileSystem(Image& image, uint64_t offset, int64_t partition, const std::string& where,
                     const std::string& if_none, WalkReport* report);

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
