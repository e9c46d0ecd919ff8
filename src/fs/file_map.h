// Which file of which filesystem holds a byte of a source: built once from a Walk with extents,
// then answered for any offset (the scan maps each hit to its file with it, as bulk_extractor's
// identify_filenames does after the fact). Immutable once built: Locate may be called from any
// thread.
#ifndef EVIDEX_FS_FILE_MAP_H_
#define EVIDEX_FS_FILE_MAP_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "fs/filesystem.h"

namespace evidex::fs {

struct Place {
  std::string fs;              // "ext4@1048576": the filesystem's type and byte offset
  const std::string* path = nullptr;  // the file's path, or nullptr: in no file's content
  uint64_t file_offset = 0;    // offset of the byte inside the file
  bool deleted = false;        // the file is deleted
};

class FileMap {
 public:
  // Walks `source` (names and metadata only; no content read). Files whose content has extents
  // are mapped; an allocated file's extents win over a deleted one's where they overlap (a
  // deleted file's blocks may belong to a live file by now).
  static Result<std::unique_ptr<FileMap>> Build(Source& source, WalkReport* report = nullptr);

  // The file holding source byte `offset`; Place::path nullptr when the byte is inside a
  // filesystem but in no file's content (free space, slack, filesystem structures); false when
  // it is in no filesystem at all.
  bool Locate(uint64_t offset, Place* place) const;
  bool empty() const { return filesystems_.empty(); }
  size_t files() const { return paths_.size(); }

 private:
  struct Interval {
    uint64_t begin, end;   // source bytes [begin, end)
    uint64_t file_offset;  // of `begin`
    uint32_t file;         // index into paths_ and deleted_
  };
  struct FsRange {
    uint64_t begin, end;
    std::string tag;
  };
  static void Normalize(std::vector<Interval>* v);
  static const Interval* Find(const std::vector<Interval>& v, uint64_t offset);

  std::vector<std::string> paths_;
  std::vector<bool> deleted_;
  std::vector<FsRange> filesystems_;
  std::vector<Interval> live_, deleted_intervals_;
};

}  // namespace evidex::fs

#endif  // EVIDEX_FS_FILE_MAP_H_
