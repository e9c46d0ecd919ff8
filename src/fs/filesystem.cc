// Walk: partitions and filesystems through The Sleuth Kit. TSK reads the evidex Source through an
// external image (tsk_img_open_external, in tsk_internal.cc, shared with UnallocatedRuns), so TSK
// never opens a file itself. Every TSK object is held by a unique_ptr with TSK's own close
// function; TSK's thread-local error text is taken (and reset) right after the call that failed
// and turned into a note or a Status.
//
// TSK keeps per-image state (its read cache, each open filesystem's caches) without locks that
// would make two walks of one image safe: one Walk per Source at a time (filesystem.h).
//
// Choices (docs/FORMATS.md, "Filesystems (read)"):
// * With WalkOptions::deleted, orphan files (metadata that no name points to) are listed under
//   /$OrphanFiles, as TSK presents them; without it they are left out (NOORPHAN, which also
//   spares the inode scan that finding them costs). They are found by internal::FindOrphans, to
//   TSK's rules, not by TSK's own search (tsk_internal.cc says why), when the walk meets
//   $OrphanFiles: the unallocated metadata met under names until then is what TSK would know.
//   (TSK lists $OrphanFiles after every other root entry but those it puts last, names starting
//   "pagefile" or "hiberfil": what is under such a directory is not known to be named yet.)
// * TSK's virtual entries ($MBR, $FAT1, $FAT2: the filesystem's own structures, not files) and
//   FAT/exFAT volume-label directory entries (the label goes to FileSystem::label) are not listed.
// * A directory met again under a second path (only a corrupt filesystem does that: FAT entries
//   aliasing one cluster) is listed but its contents are not listed again; TSK itself only stops
//   a directory from containing its own ancestors.
// * A file whose block map is corrupt (TSK cannot load it, or it puts content outside the
//   filesystem) has no extents; its content is read through TSK, which says what is wrong. An
//   allocated one is named in a note (the first kMaxCorruptMapNotes of a filesystem; the others
//   are counted); a deleted file's map may just be stale. The block maps of ext2/3 inodes are
//   loaded by tsk_internal.cc, not by TSK, whose loader takes from seconds to hours over a big
//   (or a corrupt) file.
// * An ext inode kept from TSK (internal::ExtInodeRefusal: ext4 inline data claiming more than
//   the inode holds, which TSK would allocate) is to TSK an inode it cannot read: a name pointing
//   to it is listed without metadata or content, an allocated one named in a note (as corrupt
//   block maps, the first kMaxCorruptMapNotes); the orphan search skips it, with a note. So is
//   an ext directory whose entries are kept from TSK (internal::ExtDirectoryRefusal: claiming
//   more than its filesystem, which TSK would read through): listed, its entries not.
#include "fs/filesystem.h"

#include <tsk/libtsk.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "fs/tsk_internal.h"

namespace evidex::fs {
namespace {

using internal::DirPtr;
using internal::FsPtr;
using internal::Image;
using internal::IsFatFamily;
using internal::IsLabelEntry;
using internal::TakeTskError;

// ContentReader::Read gives content in pieces of this size.
constexpr size_t kReadPiece = size_t(1) << 20;
// Entries under directories met again (see above) that may be skipped before the walk of that
// filesystem is given up: TSK would otherwise spend time exponential in the aliasing.
constexpr uint64_t kMaxRevisitedEntries = 100000;
// Files named in notes for a corrupt block map, per filesystem; the others are counted. As many
// again for inodes kept from TSK.
constexpr uint64_t kMaxCorruptMapNotes = 10;

// ---- small helpers -------------------------------------------------------------------------

// FAT and exFAT keep wall-clock times without a zone; TSK 4.11 turns them into seconds with
// mktime(), i.e. as the process's local time. Undone here so that the seconds are the wall
// clock read as UTC, whatever TZ is (no global TZ change).
int64_t FatWallClockAsUtc(int64_t tsk_seconds) {
  time_t t = time_t(tsk_seconds);
  struct tm tm;
  if (localtime_r(&t, &tm) == nullptr) return tsk_seconds;
  return int64_t(timegm(&tm));
}

Timestamp MakeTime(TSK_FS_TYPE_ENUM type, int64_t seconds, uint32_t nanoseconds) {
  Timestamp ts;
  // TSK leaves a time the filesystem does not keep (FAT's ctime, ext2/3's crtime) at 0; a real
  // time of exactly 1970-01-01 00:00:00 is indistinguishable from it and also reported unset.
  if (seconds == 0 && nanoseconds == 0) return ts;
  ts.seconds = IsFatFamily(type) ? FatWallClockAsUtc(seconds) : seconds;
  ts.nanoseconds = nanoseconds;
  ts.set = true;
  return ts;
}

FileEntry::Type EntryType(const TSK_FS_FILE* file) {
  if (file->meta != nullptr) {
    switch (file->meta->type) {
      case TSK_FS_META_TYPE_REG:
        return FileEntry::Type::kRegular;
      case TSK_FS_META_TYPE_DIR:
      case TSK_FS_META_TYPE_VIRT_DIR:
        return FileEntry::Type::kDirectory;
      case TSK_FS_META_TYPE_LNK:
        return FileEntry::Type::kSymlink;
      default:
        return FileEntry::Type::kOther;
    }
  }
  switch (file->name->type) {
    case TSK_FS_NAME_TYPE_REG:
      return FileEntry::Type::kRegular;
    case TSK_FS_NAME_TYPE_DIR:
    case TSK_FS_NAME_TYPE_VIRT_DIR:
      return FileEntry::Type::kDirectory;
    case TSK_FS_NAME_TYPE_LNK:
      return FileEntry::Type::kSymlink;
    default:
      return FileEntry::Type::kOther;
  }
}

// The default data attribute's runs, in the source. Resident, compressed and encrypted content,
// sparse and filler runs have none; content past the initialized size reads as zeros, so runs
// are cut there. A block map that TSK finds corrupt, or that puts content outside the
// filesystem, gives no extents (the content is then read through TSK, which says what is wrong)
// and returns why, for a note; "" otherwise.
std::string FillExtents(TSK_FS_FILE* file, std::vector<Extent>* out) {
  const TSK_FS_ATTR* attr = tsk_fs_file_attr_get(file);
  if (attr == nullptr) {
    const bool corrupt = tsk_error_get_errno() == TSK_ERR_FS_INODE_COR;
    std::string why = TakeTskError();
    return corrupt ? "block map not read (TSK: " + why + ")" : "";
  }
  if (!(attr->flags & TSK_FS_ATTR_NONRES) || (attr->flags & (TSK_FS_ATTR_COMP | TSK_FS_ATTR_ENC)))
    return "";
  if (attr->nrd.skiplen != 0 || attr->size <= 0) return "";
  const TSK_FS_INFO* fs = file->fs_info;
  const uint64_t bs = fs->block_size;
  const uint64_t fs_blocks = uint64_t(fs->last_block) + 1;
  uint64_t end = uint64_t(attr->size);
  if (attr->nrd.initsize > 0 && uint64_t(attr->nrd.initsize) < end)
    end = uint64_t(attr->nrd.initsize);
  for (const TSK_FS_ATTR_RUN* run = attr->nrd.run; run != nullptr; run = run->next) {
    if (run->flags & (TSK_FS_ATTR_RUN_FLAG_FILLER | TSK_FS_ATTR_RUN_FLAG_SPARSE |
                      TSK_FS_ATTR_RUN_FLAG_ENCRYPTED))
      continue;
    uint64_t file_offset, length, source_offset;
    if (__builtin_mul_overflow(uint64_t(run->offset), bs, &file_offset) || file_offset >= end)
      continue;  // past the content (TSK's runs may go on to the end of a block tree)
    if (run->len == 0) continue;
    if (run->addr >= fs_blocks || run->len > fs_blocks - run->addr ||
        __builtin_mul_overflow(uint64_t(run->len), bs, &length) ||
        __builtin_mul_overflow(uint64_t(run->addr), bs, &source_offset) ||
        __builtin_add_overflow(source_offset, uint64_t(fs->offset), &source_offset)) {
      out->clear();
      return "blocks " + std::to_string(run->addr) + " to " +
             std::to_string(run->addr + (run->len - 1)) + " are past the filesystem's " +
             std::to_string(fs_blocks);
    }
    length = std::min(length, end - file_offset);
    if (!out->empty() && out->back().file_offset + out->back().length == file_offset &&
        out->back().source_offset + out->back().length == source_offset) {
      out->back().length += length;  // TSK splits runs at its own boundaries; join them
    } else {
      out->push_back({file_offset, source_offset, length});
    }
  }
  return "";
}

class TskContentReader final : public ContentReader {
 public:
  TskContentReader(TSK_FS_FILE* file, const std::string& path, Image& image,
                   std::vector<char>& buffer, uint64_t* content_read_failures)
      : file_(file),
        path_(path),
        image_(image),
        buffer_(buffer),
        content_read_failures_(content_read_failures) {}

  Status Read(const std::function<bool(std::span<const std::byte>)>& sink) override {
    if (file_->meta == nullptr) return Status::Ok();  // a name without metadata: no content
    const TSK_OFF_T size = file_->meta->size;
    for (TSK_OFF_T offset = 0; offset < size;) {
      const size_t want = size_t(std::min<TSK_OFF_T>(TSK_OFF_T(buffer_.size()), size - offset));
      const uint64_t failures = image_.read_failures();
      ssize_t n = tsk_fs_file_read(file_, offset, buffer_.data(), want, TSK_FS_FILE_READ_FLAG_NONE);
      const std::string where = "cannot read " + path_ + " at byte " + std::to_string(offset) +
                                " of " + std::to_string(size) + ": ";
      if (image_.read_failures() != failures) {
        // TSK fills blocks it could not read with zeros and carries on: not content.
        *content_read_failures_ += image_.read_failures() - failures;
        std::string why = TakeTskError();
        return IoError(where + (why == "unknown TSK error" ? "the source could not be read" : why));
      }
      if (n <= 0) return Corrupt(where + (n < 0 ? TakeTskError() : "no more content"));
      if (!sink(std::span<const std::byte>(reinterpret_cast<const std::byte*>(buffer_.data()),
                                           size_t(n))))
        return Status::Ok();
      offset += n;
    }
    return Status::Ok();
  }

 private:
  TSK_FS_FILE* file_;
  const std::string& path_;
  Image& image_;
  std::vector<char>& buffer_;
  uint64_t* content_read_failures_;
};

// ---- the walk ------------------------------------------------------------------------------

using EachFn = std::function<bool(const FileSystem&, const FileEntry&, ContentReader&)>;

struct WalkState {
  const WalkOptions& options;
  const EachFn& each;
  Image& image;
  TSK_FS_INFO* fs;
  const FileSystem& info;
  WalkReport& report;
  std::vector<char>& buffer;
  FileEntry entry{};  // reused: its strings and extents keep their capacity
  // Directory (DirectoryKey) -> the path it was first listed at.
  std::unordered_map<uint64_t, std::string> directories{};
  std::string skip_prefix{};  // TSK's a_path form ("a/b/"): a revisited directory's contents
  uint64_t revisited = 0;
  uint64_t content_read_failures = 0;  // source read failures met by ContentReader::Read
  bool stopped_by_caller = false;
  bool stopped_revisits = false;
  std::string what;           // the filesystem in notes: "ext4 at byte 1048576"
  uint64_t corrupt_maps = 0;  // allocated files whose block map gave no extents
  uint64_t refused = 0;       // allocated names of inodes kept from TSK
  // With deleted: the unallocated metadata met under names (TSK's list_inum_named), which are
  // not orphans.
  std::unordered_set<TSK_INUM_T> unalloc_named{};
};

// Finds the orphan files before TSK enters $OrphanFiles, with notes for what the search met.
void SearchOrphans(WalkState& st) {
  const internal::OrphanSearch found = internal::FindOrphans(st.fs, st.unalloc_named);
  if (!found.error.empty()) {
    st.report.notes.push_back(st.what + ": the search for orphan files met an error (TSK: " +
                              found.error + "); orphan files may be missing");
  }
  if (found.refused > 0) {
    st.report.notes.push_back(
        st.what + ": the search for orphan files skipped " + std::to_string(found.refused) +
        (found.refused == 1 ? " unallocated inode" : " unallocated inodes") + " kept from TSK (" +
        found.first_refused + (found.refused > 1 ? "; …" : "") + ")");
  }
}

// What identifies a directory's contents: its metadata address, but on FAT/exFAT (where the
// address is the directory entry's slot, different for two entries naming one cluster) its first
// cluster's sector.
uint64_t DirectoryKey(TSK_FS_FILE* file) {
  if (IsFatFamily(file->fs_info->ftype) && file->meta != nullptr) {
    const TSK_FS_ATTR* attr = tsk_fs_file_attr_get(file);
    if (attr != nullptr && (attr->flags & TSK_FS_ATTR_NONRES) && attr->nrd.run != nullptr)
      return uint64_t(1) << 63 | uint64_t(attr->nrd.run->addr);
    tsk_error_reset();
  }
  return file->name->meta_addr;
}

TSK_WALK_RET_ENUM VisitEntry(TSK_FS_FILE* file, const char* dir_path, void* ptr) {
  auto& st = *static_cast<WalkState*>(ptr);
  if (file == nullptr || file->name == nullptr || file->name->name == nullptr) return TSK_WALK_CONT;
  if (st.options.deleted) {
    if (file->meta != nullptr && (file->meta->flags & TSK_FS_META_FLAG_UNALLOC))
      st.unalloc_named.insert(file->meta->addr);
    // TSK lists $OrphanFiles (nearly) last in the root directory, and enters it after this call.
    if (dir_path != nullptr && *dir_path == '\0' &&
        file->name->meta_addr == TSK_FS_ORPHANDIR_INUM(st.fs) && file->meta != nullptr &&
        file->meta->type == TSK_FS_META_TYPE_VIRT_DIR)
      SearchOrphans(st);
  }
  const char* name = file->name->name;
  if (*name == '\0' || TSK_FS_ISDOT(name)) return TSK_WALK_CONT;
  if (file->meta != nullptr &&
      (file->meta->type == TSK_FS_META_TYPE_VIRT ||
       (file->meta->type == TSK_FS_META_TYPE_VIRT_DIR && !st.options.deleted)))
    return TSK_WALK_CONT;
  if (IsLabelEntry(st.fs->ftype, name)) return TSK_WALK_CONT;
  std::string_view parent = dir_path != nullptr ? dir_path : "";

  if (!st.skip_prefix.empty()) {
    if (parent.substr(0, st.skip_prefix.size()) == st.skip_prefix) {
      if (++st.revisited > kMaxRevisitedEntries) {
        st.stopped_revisits = true;
        return TSK_WALK_STOP;
      }
      return TSK_WALK_CONT;
    }
    st.skip_prefix.clear();
  }

  FileEntry& e = st.entry;
  e.name = name;
  e.path.assign("/").append(parent).append(name);
  e.type = EntryType(file);
  e.address = file->name->meta_addr;
  e.deleted = (file->name->flags & TSK_FS_NAME_FLAG_UNALLOC) ||
              (file->meta != nullptr && (file->meta->flags & TSK_FS_META_FLAG_UNALLOC));
  e.extents.clear();
  if (const TSK_FS_META* m = file->meta; m != nullptr) {
    const TSK_FS_TYPE_ENUM t = st.fs->ftype;
    e.size = m->size > 0 ? uint64_t(m->size) : 0;
    e.modified = MakeTime(t, m->mtime, m->mtime_nano);
    e.accessed = MakeTime(t, m->atime, m->atime_nano);
    e.changed = MakeTime(t, m->ctime, m->ctime_nano);
    e.created = MakeTime(t, m->crtime, m->crtime_nano);
    if (m->type == TSK_FS_META_TYPE_DIR && !e.deleted && TSK_FS_TYPE_ISEXT(st.fs->ftype)) {
      const std::string why = internal::ExtDirectoryRefusal(st.fs, e.address);
      if (!why.empty() && ++st.refused <= kMaxCorruptMapNotes) {
        st.report.notes.push_back(st.what + ": " + e.path + " (metadata address " +
                                  std::to_string(e.address) + "): " + why +
                                  "; its entries are not read");
      }
    }
    if (st.options.extents && m->type != TSK_FS_META_TYPE_VIRT_DIR) {
      const std::string why = FillExtents(file, &e.extents);
      // A deleted file's block map may be stale (its blocks since reused): not worth a note.
      if (!why.empty() && !e.deleted && ++st.corrupt_maps <= kMaxCorruptMapNotes) {
        st.report.notes.push_back(st.what + ": " + e.path + " (metadata address " +
                                  std::to_string(e.address) + "): " + why +
                                  "; no extents, its content is read through TSK");
      }
    }
  } else {
    e.size = 0;
    e.modified = e.accessed = e.changed = e.created = Timestamp{};
    if (!e.deleted && e.address != 0 && TSK_FS_TYPE_ISEXT(st.fs->ftype)) {
      const std::string why = internal::ExtInodeRefusal(st.fs, e.address);
      if (!why.empty() && ++st.refused <= kMaxCorruptMapNotes) {
        st.report.notes.push_back(st.what + ": " + e.path + " (metadata address " +
                                  std::to_string(e.address) + "): " + why +
                                  "; not read: listed without metadata or content");
      }
    }
  }

  if (e.type == FileEntry::Type::kDirectory) {
    auto [it, inserted] = st.directories.try_emplace(DirectoryKey(file), e.path);
    if (!inserted && it->second != e.path) {
      // Listed, but what TSK finds below it again is not.
      st.skip_prefix.assign(parent).append(name).append("/");
    }
  }

  TskContentReader reader(file, e.path, st.image, st.buffer, &st.content_read_failures);
  ++st.report.entries;
  if (!st.each(st.info, e, reader)) {
    st.stopped_by_caller = true;
    return TSK_WALK_STOP;
  }
  return TSK_WALK_CONT;
}

class Walker {
 public:
  Walker(Image& image, const WalkOptions& options, const EachFn& each, WalkReport& report)
      : image_(image), options_(options), each_(each), report_(report), buffer_(kReadPiece) {}

  // Opens and walks the filesystem at `offset`; `where` names the region in notes. False when
  // the caller stopped the walk.
  bool TryFileSystem(uint64_t offset, int64_t partition, const std::string& where,
                     const std::string& if_none) {
    FsPtr fs = internal::OpenFileSystem(image_, offset, partition, where, if_none, &report_);
    if (fs == nullptr) return true;
    const FileSystem& info = report_.filesystems.back();

    int flags = TSK_FS_DIR_WALK_FLAG_RECURSE | TSK_FS_DIR_WALK_FLAG_ALLOC;
    flags |= options_.deleted ? TSK_FS_DIR_WALK_FLAG_UNALLOC : TSK_FS_DIR_WALK_FLAG_NOORPHAN;
    const std::string what = info.type + " at byte " + std::to_string(offset);
    WalkState st{.options = options_,
                 .each = each_,
                 .image = image_,
                 .fs = fs.get(),
                 .info = info,
                 .report = report_,
                 .buffer = buffer_,
                 .what = what};
    const uint64_t failures_before = image_.read_failures();
    const uint8_t failed =
        tsk_fs_dir_walk(fs.get(), fs->root_inum, TSK_FS_DIR_WALK_FLAG_ENUM(flags), VisitEntry, &st);
    if (st.corrupt_maps > kMaxCorruptMapNotes) {
      report_.notes.push_back(what + ": " + std::to_string(st.corrupt_maps - kMaxCorruptMapNotes) +
                              " more files whose block map is corrupt (no extents)");
    }
    if (st.refused > kMaxCorruptMapNotes) {
      report_.notes.push_back(what + ": " + std::to_string(st.refused - kMaxCorruptMapNotes) +
                              " more files or directories kept from TSK (no metadata, or no "
                              "entries)");
    }
    if (st.stopped_by_caller) {
      tsk_error_reset();
      return false;
    }
    if (st.stopped_revisits) {
      report_.notes.push_back(what + ": walk stopped after " +
                              std::to_string(kMaxRevisitedEntries) +
                              " entries under directories met twice (a corrupt directory tree)");
    } else if (failed) {
      report_.notes.push_back(what + ": not walked whole: " + TakeTskError());
    }
    const uint64_t walk_failures =
        image_.read_failures() - failures_before - st.content_read_failures;
    if (walk_failures > 0) {
      report_.notes.push_back(what + ": " + std::to_string(walk_failures) +
                              " source reads failed while listing it (entries may be missing)");
    }
    tsk_error_reset();
    return true;
  }

 private:
  Image& image_;
  const WalkOptions& options_;
  const EachFn& each_;
  WalkReport& report_;
  std::vector<char> buffer_;
};

}  // namespace

Result<WalkReport> Walk(Source& source, const WalkOptions& options, const EachFn& each) {
  WalkReport report;
  std::unique_ptr<Walker> walker;  // made at the first region: it holds a 1 MiB buffer
  Status s = internal::ForEachRegion(
      source, &report,
      [&](Image& image, uint64_t offset, int64_t partition, const std::string& where,
          const std::string& if_none) {
        if (walker == nullptr) walker = std::make_unique<Walker>(image, options, each, report);
        return walker->TryFileSystem(offset, partition, where, if_none);
      });
  if (!s.ok()) return s;
  return report;
}

}  // namespace evidex::fs
