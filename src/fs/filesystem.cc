// Walk: partitions and filesystems through The Sleuth Kit. TSK reads the evidex Source through an
// external image (tsk_img_open_external), so TSK never opens a file itself. Every TSK object is
// held by a unique_ptr with TSK's own close function; TSK's thread-local error text is taken (and
// reset) right after the call that failed and turned into a note or a Status.
//
// TSK keeps per-image state (its read cache, each open filesystem's caches) without locks that
// would make two walks of one image safe: one Walk per Source at a time (filesystem.h).
//
// Choices (docs/FORMATS.md, "Filesystems (read)"):
// * With WalkOptions::deleted, orphan files (metadata TSK finds that no name points to) are
//   listed under /$OrphanFiles, as TSK presents them; without it they are left out (NOORPHAN,
//   which also spares TSK the inode scan that finding them costs).
// * TSK's virtual entries ($MBR, $FAT1, $FAT2: the filesystem's own structures, not files) and
//   FAT/exFAT volume-label directory entries (the label goes to FileSystem::label) are not listed.
// * A directory met again under a second path (only a corrupt filesystem does that: FAT entries
//   aliasing one cluster) is listed but its contents are not listed again; TSK itself only stops
//   a directory from containing its own ancestors.
#include "fs/filesystem.h"

#include <tsk/libtsk.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <memory>
#include <string_view>
#include <unordered_map>

namespace evidex::fs {
namespace {

// ContentReader::Read gives content in pieces of this size.
constexpr size_t kReadPiece = size_t(1) << 20;
// The sector size TSK is told (evidex sources carry none; partition tables say 512 here).
constexpr unsigned kSectorSize = 512;
// Entries under directories met again (see above) that may be skipped before the walk of that
// filesystem is given up: TSK would otherwise spend time exponential in the aliasing.
constexpr uint64_t kMaxRevisitedEntries = 100000;

// ---- TSK errors and RAII -------------------------------------------------------------------

// TSK's last error on this thread, one line, and resets it.
std::string TakeTskError() {
  const char* e = tsk_error_get();
  std::string s = e != nullptr && *e != '\0' ? e : "unknown TSK error";
  tsk_error_reset();
  std::replace(s.begin(), s.end(), '\n', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

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

// The external image: TSK_IMG_INFO first (TSK casts to it), then what the read callback needs.
// TSK_IMG_INFO holds TSK's 2 MiB read cache, so this lives on the heap.
struct ExternalImage {
  TSK_IMG_INFO info;
  Source* source = nullptr;
  uint64_t read_failures = 0;  // Source reads that failed (TSK may go on with zeros instead)
};
static_assert(std::is_standard_layout_v<ExternalImage>);

ssize_t ReadImage(TSK_IMG_INFO* img, TSK_OFF_T offset, char* buf, size_t len) {
  auto* ext = reinterpret_cast<ExternalImage*>(img);
  if (offset < 0) {
    tsk_error_reset();
    tsk_error_set_errno(TSK_ERR_IMG_READ_OFF);
    tsk_error_set_errstr("negative offset %" PRIdOFF, offset);
    return -1;
  }
  size_t done = 0;
  while (done < len) {
    Result<size_t> n = ext->source->ReadAt(
        uint64_t(offset) + done,
        std::span<std::byte>(reinterpret_cast<std::byte*>(buf) + done, len - done));
    if (!n.ok()) {
      ++ext->read_failures;
      tsk_error_reset();
      tsk_error_set_errno(TSK_ERR_IMG_READ);
      tsk_error_set_errstr("%s", n.status().message().c_str());
      return -1;
    }
    if (*n == 0) break;
    done += *n;
  }
  return ssize_t(done);
}

void CloseImage(TSK_IMG_INFO*) {}  // the memory is the Image's
void ImageStat(TSK_IMG_INFO*, FILE*) {}

class Image {
 public:
  static Result<std::unique_ptr<Image>> Open(Source& source) {
    auto image = std::unique_ptr<Image>(new Image);
    image->ext_ = std::make_unique<ExternalImage>();  // value-initialized: TSK's cache empty
    image->ext_->source = &source;
    image->ext_->info.tag = TSK_IMG_INFO_TAG;
    const uint64_t size = std::min<uint64_t>(source.Size(), uint64_t(INT64_MAX));
    if (tsk_img_open_external(&image->ext_->info, TSK_OFF_T(size), kSectorSize, ReadImage,
                              CloseImage, ImageStat) == nullptr) {
      image->ext_.reset();
      return Internal("TSK cannot open " + source.Describe() + ": " + TakeTskError());
    }
    return image;
  }
  ~Image() {
    if (ext_ != nullptr) tsk_img_close(&ext_->info);
  }
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  TSK_IMG_INFO* get() { return &ext_->info; }
  uint64_t read_failures() const { return ext_->read_failures; }

 private:
  Image() = default;
  std::unique_ptr<ExternalImage> ext_;
};

// ---- small helpers -------------------------------------------------------------------------

std::string HumanSize(uint64_t bytes) {
  static const char* const kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  double v = double(bytes);
  while (v >= 1024 && unit < 6) {
    v /= 1024;
    ++unit;
  }
  char buf[40];
  if (unit == 0 || v == double(uint64_t(v))) {
    std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(v), kUnits[unit]);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  }
  return buf;
}

std::string Lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Printable ASCII/UTF-8 label bytes, trailing spaces and NULs dropped.
std::string CleanLabel(std::string_view raw) {
  std::string s;
  for (char c : raw) {
    if (c == '\0') break;
    s += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::string Utf16LeToUtf8(const uint8_t* p, size_t n) {
  std::string out;
  for (size_t i = 0; i + 1 < n; i += 2) {
    uint32_t c = uint32_t(p[i]) | uint32_t(p[i + 1]) << 8;
    if (c == 0) break;
    if (c >= 0xD800 && c < 0xDC00 && i + 3 < n) {
      uint32_t lo = uint32_t(p[i + 2]) | uint32_t(p[i + 3]) << 8;
      if (lo >= 0xDC00 && lo < 0xE000) {
        c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
        i += 2;
      }
    }
    if (c >= 0xD800 && c < 0xE000) c = 0xFFFD;
    if (c < 0x80) {
      out += char(c);
    } else if (c < 0x800) {
      out += char(0xC0 | c >> 6);
      out += char(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += char(0xE0 | c >> 12);
      out += char(0x80 | (c >> 6 & 0x3F));
      out += char(0x80 | (c & 0x3F));
    } else {
      out += char(0xF0 | c >> 18);
      out += char(0x80 | (c >> 12 & 0x3F));
      out += char(0x80 | (c >> 6 & 0x3F));
      out += char(0x80 | (c & 0x3F));
    }
  }
  return out;
}

bool IsFatFamily(TSK_FS_TYPE_ENUM t) { return TSK_FS_TYPE_ISFAT(t) || t == TSK_FS_TYPE_EXFAT; }

// TSK's name for a FAT/exFAT volume-label directory entry: "LABEL (Volume Label Entry)".
constexpr std::string_view kLabelEntrySuffix = " (Volume Label Entry)";

bool IsLabelEntry(TSK_FS_TYPE_ENUM t, std::string_view name) {
  return IsFatFamily(t) && name.size() >= kLabelEntrySuffix.size() &&
         name.substr(name.size() - kLabelEntrySuffix.size()) == kLabelEntrySuffix;
}

std::string ReadLabelBytes(TSK_FS_INFO* fs, TSK_OFF_T offset, size_t len) {
  std::string raw(len, '\0');
  ssize_t n = tsk_fs_read(fs, offset, raw.data(), len);
  if (n != ssize_t(len)) {
    tsk_error_reset();
    return "";
  }
  return CleanLabel(raw);
}

std::string VolumeLabel(TSK_FS_INFO* fs) {
  const TSK_FS_TYPE_ENUM t = fs->ftype;
  if (TSK_FS_TYPE_ISEXT(t)) return ReadLabelBytes(fs, 1024 + 120, 16);          // s_volume_name
  if (TSK_FS_TYPE_ISISO9660(t)) return ReadLabelBytes(fs, 16 * 2048 + 40, 32);  // PVD volume id
  if (IsFatFamily(t)) {
    // The root directory's label entry (what Windows shows and changes), else the boot sector's.
    DirPtr root(tsk_fs_dir_open_meta(fs, fs->root_inum));
    if (root != nullptr) {
      for (size_t i = 0; i < tsk_fs_dir_getsize(root.get()); ++i) {
        const TSK_FS_NAME* n = tsk_fs_dir_get_name(root.get(), i);
        if (n == nullptr || n->name == nullptr || !(n->flags & TSK_FS_NAME_FLAG_ALLOC)) continue;
        std::string_view name = n->name;
        if (IsLabelEntry(t, name))
          return CleanLabel(name.substr(0, name.size() - kLabelEntrySuffix.size()));
      }
    }
    tsk_error_reset();
    if (t == TSK_FS_TYPE_EXFAT) return "";
    std::string s = ReadLabelBytes(fs, t == TSK_FS_TYPE_FAT32 ? 71 : 43, 11);
    return s == "NO NAME" ? "" : s;
  }
  if (TSK_FS_TYPE_ISNTFS(t)) {
    FilePtr volume(tsk_fs_file_open_meta(fs, nullptr, 3));  // $Volume
    if (volume != nullptr) {
      const TSK_FS_ATTR* a =
          tsk_fs_file_attr_get_type(volume.get(), TSK_FS_ATTR_TYPE_NTFS_VNAME, 0, 0);
      if (a != nullptr && (a->flags & TSK_FS_ATTR_RES) && a->rd.buf != nullptr && a->size > 0)
        return Utf16LeToUtf8(a->rd.buf, std::min<size_t>(size_t(a->size), a->rd.buf_size));
    }
    tsk_error_reset();
  }
  return "";
}

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
// are cut there.
void FillExtents(TSK_FS_FILE* file, std::vector<Extent>* out) {
  const TSK_FS_ATTR* attr = tsk_fs_file_attr_get(file);
  if (attr == nullptr) {
    tsk_error_reset();
    return;
  }
  if (!(attr->flags & TSK_FS_ATTR_NONRES) || (attr->flags & (TSK_FS_ATTR_COMP | TSK_FS_ATTR_ENC)))
    return;
  if (attr->nrd.skiplen != 0 || attr->size <= 0) return;
  const TSK_FS_INFO* fs = file->fs_info;
  const uint64_t bs = fs->block_size;
  uint64_t end = uint64_t(attr->size);
  if (attr->nrd.initsize > 0 && uint64_t(attr->nrd.initsize) < end)
    end = uint64_t(attr->nrd.initsize);
  for (const TSK_FS_ATTR_RUN* run = attr->nrd.run; run != nullptr; run = run->next) {
    if (run->flags & (TSK_FS_ATTR_RUN_FLAG_FILLER | TSK_FS_ATTR_RUN_FLAG_SPARSE |
                      TSK_FS_ATTR_RUN_FLAG_ENCRYPTED))
      continue;
    uint64_t file_offset, length, source_offset;
    if (__builtin_mul_overflow(uint64_t(run->offset), bs, &file_offset) ||
        __builtin_mul_overflow(uint64_t(run->len), bs, &length) ||
        __builtin_mul_overflow(uint64_t(run->addr), bs, &source_offset) ||
        __builtin_add_overflow(source_offset, uint64_t(fs->offset), &source_offset))
      continue;
    if (file_offset >= end || length == 0) continue;
    length = std::min(length, end - file_offset);
    if (!out->empty() && out->back().file_offset + out->back().length == file_offset &&
        out->back().source_offset + out->back().length == source_offset) {
      out->back().length += length;  // TSK splits runs at its own boundaries; join them
    } else {
      out->push_back({file_offset, source_offset, length});
    }
  }
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
  FileEntry entry;  // reused: its strings and extents keep their capacity
  // Directory (DirectoryKey) -> the path it was first listed at.
  std::unordered_map<uint64_t, std::string> directories;
  std::string skip_prefix;  // TSK's a_path form ("a/b/"): a revisited directory's contents
  uint64_t revisited = 0;
  uint64_t content_read_failures = 0;  // source read failures met by ContentReader::Read
  bool stopped_by_caller = false;
  bool stopped_revisits = false;
};

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
    if (st.options.extents && m->type != TSK_FS_META_TYPE_VIRT_DIR) FillExtents(file, &e.extents);
  } else {
    e.size = 0;
    e.modified = e.accessed = e.changed = e.created = Timestamp{};
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
    FsPtr fs(tsk_fs_open_img(image_.get(), TSK_OFF_T(offset), TSK_FS_TYPE_DETECT));
    if (fs == nullptr) {
      const uint32_t err = tsk_error_get_errno();
      std::string why = TakeTskError();
      std::string note = where + ": " + if_none;
      if (err != TSK_ERR_FS_UNKTYPE) note += " (TSK: " + why + ")";
      report_.notes.push_back(note + "; its bytes are scanned raw");
      return true;
    }
    FileSystem info;
    info.offset = offset;
    const char* name = tsk_fs_type_toname(fs->ftype);
    info.type = Lower(name != nullptr ? name : "unknown");
    info.label = VolumeLabel(fs.get());
    info.block_size = fs->block_size;
    info.block_count = uint64_t(fs->block_count);
    info.partition = partition;
    report_.filesystems.push_back(info);

    int flags = TSK_FS_DIR_WALK_FLAG_RECURSE | TSK_FS_DIR_WALK_FLAG_ALLOC;
    flags |= options_.deleted ? TSK_FS_DIR_WALK_FLAG_UNALLOC : TSK_FS_DIR_WALK_FLAG_NOORPHAN;
    WalkState st{options_, each_,   image_, fs.get(), report_.filesystems.back(),
                 report_,  buffer_, {},     {},       {},
                 0,        0,       false,  false};
    const uint64_t failures_before = image_.read_failures();
    const uint8_t failed =
        tsk_fs_dir_walk(fs.get(), fs->root_inum, TSK_FS_DIR_WALK_FLAG_ENUM(flags), VisitEntry, &st);
    const std::string what = info.type + " at byte " + std::to_string(offset);
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
  const uint64_t size = source.Size();
  {
    std::byte probe[kSectorSize];
    Result<size_t> n =
        source.ReadAt(0, std::span<std::byte>(probe, std::min<uint64_t>(size, sizeof probe)));
    if (!n.ok())
      return IoError("cannot read the start of " + source.Describe() + ": " + n.status().message());
  }
  if (size == 0) {
    report.notes.push_back("the source is empty: no partition table or filesystem");
    return report;
  }
  tsk_error_reset();
  Result<std::unique_ptr<Image>> image = Image::Open(source);
  if (!image.ok()) return image.status();
  Walker walker(**image, options, each, report);

  VsPtr vs(tsk_vs_open((*image)->get(), 0, TSK_VS_TYPE_DETECT));
  if (vs == nullptr) {
    const uint32_t err = tsk_error_get_errno();
    std::string why = TakeTskError();
    if (err != 0 && err != TSK_ERR_VS_UNKTYPE) {  // 0: TSK found no table (DETECT)
      report.notes.push_back("partition table not read (TSK: " + why +
                             "); the whole source is tried as one filesystem");
    }
    walker.TryFileSystem(0, -1, "the source (" + HumanSize(size) + ")",
                         "no partition table or filesystem TSK reads");
    return report;
  }

  const char* scheme_name = tsk_vs_type_toname(vs->vstype);
  const std::string scheme = Lower(scheme_name != nullptr ? scheme_name : "unknown");
  const uint64_t unit = vs->block_size;
  for (TSK_PNUM_T i = 0; i < vs->part_count; ++i) {
    const TSK_VS_PART_INFO* part = tsk_vs_part_get(vs.get(), i);
    if (part == nullptr) continue;
    Partition p;
    p.slot = uint32_t(part->addr);
    p.start = uint64_t(vs->offset) + uint64_t(part->start) * unit;
    p.length = uint64_t(part->len) * unit;
    p.scheme = scheme;
    p.description = part->desc != nullptr ? part->desc : "";
    p.allocated = (part->flags & TSK_VS_PART_FLAG_ALLOC) && !(part->flags & TSK_VS_PART_FLAG_META);
    report.partitions.push_back(std::move(p));
  }
  tsk_error_reset();
  for (size_t i = 0; i < report.partitions.size(); ++i) {
    const Partition p = report.partitions[i];  // a copy: notes grow the report
    if (!p.allocated) continue;
    std::string where =
        "partition " + std::to_string(p.slot) + " at byte " + std::to_string(p.start) + " (" +
        (p.description.empty() ? scheme : p.description) + ", " + HumanSize(p.length) + ")";
    if (p.start >= size) {
      report.notes.push_back(where + ": starts past the end of the source (" + HumanSize(size) +
                             "): a truncated image or a corrupt partition table");
      continue;
    }
    if (p.length > size - p.start) {
      report.notes.push_back(where + ": ends past the end of the source (" + HumanSize(size) +
                             "): a truncated image or a corrupt partition table");
    }
    if (!walker.TryFileSystem(p.start, int64_t(i), where,
                              "no filesystem TSK reads (an encrypted volume?)"))
      break;
  }
  return report;
}

}  // namespace evidex::fs
