// The Sleuth Kit plumbing shared by Walk and UnallocatedRuns (tsk_internal.h).
#include "fs/tsk_internal.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <vector>

// libtsk's own attribute builders (its tsk_fs_i.h, which is not installed; exported by libtsk
// 4.11): what its filesystem loaders make a file's attributes with.
extern "C" {
TSK_FS_ATTR_RUN* tsk_fs_attr_run_alloc();
TSK_FS_ATTRLIST* tsk_fs_attrlist_alloc();
TSK_FS_ATTR* tsk_fs_attrlist_getnew(TSK_FS_ATTRLIST* list, TSK_FS_ATTR_FLAG_ENUM type);
void tsk_fs_attrlist_markunused(TSK_FS_ATTRLIST* list);
uint8_t tsk_fs_attr_set_run(TSK_FS_FILE* file, TSK_FS_ATTR* attr, TSK_FS_ATTR_RUN* runs,
                            const char* name, TSK_FS_ATTR_TYPE_ENUM type, uint16_t id,
                            TSK_OFF_T size, TSK_OFF_T init_size, TSK_OFF_T alloc_size,
                            TSK_FS_ATTR_FLAG_ENUM flags, uint32_t compsize);
}

namespace evidex::fs::internal {

// The external image: TSK_IMG_INFO first (TSK casts to it), then what the read callback needs.
// TSK_IMG_INFO holds TSK's 2 MiB read cache, so this lives on the heap.
struct ExternalImage {
  TSK_IMG_INFO info;
  Source* source = nullptr;
  uint64_t read_failures = 0;  // Source reads that failed (TSK may go on with zeros instead)
};
static_assert(std::is_standard_layout_v<ExternalImage>);

std::string TakeTskError() {
  const char* e = tsk_error_get();
  std::string s = e != nullptr && *e != '\0' ? e : "unknown TSK error";
  tsk_error_reset();
  std::replace(s.begin(), s.end(), '\n', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

namespace {

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

}  // namespace

Result<std::unique_ptr<Image>> Image::Open(Source& source) {
  auto image = std::unique_ptr<Image>(new Image);
  image->ext_ = std::make_unique<ExternalImage>();  // value-initialized: TSK's cache empty
  image->ext_->source = &source;
  image->ext_->info.tag = TSK_IMG_INFO_TAG;
  const uint64_t size = std::min<uint64_t>(source.Size(), uint64_t(INT64_MAX));
  if (tsk_img_open_external(&image->ext_->info, TSK_OFF_T(size), kSectorSize, ReadImage, CloseImage,
                            ImageStat) == nullptr) {
    image->ext_.reset();
    return Internal("TSK cannot open " + source.Describe() + ": " + TakeTskError());
  }
  return image;
}

Image::~Image() {
  if (ext_ != nullptr) tsk_img_close(&ext_->info);
}

TSK_IMG_INFO* Image::get() { return &ext_->info; }
uint64_t Image::read_failures() const { return ext_->read_failures; }

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

bool IsFatFamily(TSK_FS_TYPE_ENUM t) { return TSK_FS_TYPE_ISFAT(t) || t == TSK_FS_TYPE_EXFAT; }

constexpr std::string_view kLabelEntrySuffix = " (Volume Label Entry)";

bool IsLabelEntry(TSK_FS_TYPE_ENUM t, std::string_view name) {
  return IsFatFamily(t) && name.size() >= kLabelEntrySuffix.size() &&
         name.substr(name.size() - kLabelEntrySuffix.size()) == kLabelEntrySuffix;
}

namespace {

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

// ---- ext2/3/4 block maps -------------------------------------------------------------------
//
// TSK 4.11 turns an inode's block pointers into runs (tsk_fs_unix_make_data_run) in time
// quadratic in the runs: tsk_fs_attr_append_run walks the whole list at every append, as the
// list's end pointer is left behind. And it makes a run for every pointer of each indirect tree
// it enters, past the file's end too, so a file that reaches its triple-indirect pointer (past
// 64 MiB with 1 KiB blocks, past 4 GiB with 4 KiB ones) gets 65,536 or 1,048,576 runs: 15
// seconds or hours, for a valid file — and as long for a corrupt inode that only claims such a
// size. Those inodes (TSK_FS_META_CONTENT_TYPE_DEFAULT: block pointers, not extents or inline
// data) are mapped here instead, in one pass that stops at the file's last block, and given to
// TSK as their attributes, laid out as TSK's own loader lays them out (the default attribute;
// the indirect blocks as TSK_FS_ATTR_TYPE_UNIX_INDIR). TSK's reads, its directory listing and
// Walk's extents then all use them. Other inodes stay with TSK's loader.
//
// Two bounds no real filesystem reaches make a block map corrupt (TSK_ERR_FS_INODE_COR, or
// TSK_ERR_FS_RECOVER for a deleted inode, as TSK says): more blocks than the filesystem has
// (data and indirect blocks; holes do not count), and more indirect blocks read than the source
// holds of the filesystem (a real file reads each of its own once). So the work for one inode
// is bounded by the source, whatever size it claims.

using LoadAttrsFn = uint8_t (*)(TSK_FS_FILE*);

// TSK's ext2/3/4 loader (one function for every ext filesystem), for the inodes left to it.
std::atomic<LoadAttrsFn> tsk_ext_load_attrs{nullptr};

// The ext2/3 inode's 12 direct pointers, then single, double and triple indirect.
constexpr int kDirectPointers = 12;
constexpr int kInodePointers = kDirectPointers + 3;

// A run list being built for an attribute; appends in constant time, joining what continues the
// last run. Frees what it still holds.
class RunList {
 public:
  RunList() = default;
  RunList(const RunList&) = delete;
  RunList& operator=(const RunList&) = delete;
  ~RunList() { tsk_fs_attr_run_free(head_); }

  // `len` blocks from `addr`; 0 is a hole. False when out of memory (TSK's error set).
  bool Add(TSK_DADDR_T addr, TSK_DADDR_T len) {
    if (tail_ != nullptr) {
      const bool tail_hole = tail_->flags & TSK_FS_ATTR_RUN_FLAG_SPARSE;
      if (addr == 0 ? tail_hole : !tail_hole && tail_->addr + tail_->len == addr) {
        tail_->len += len;
        blocks_ += len;
        return true;
      }
    }
    TSK_FS_ATTR_RUN* run = tsk_fs_attr_run_alloc();
    if (run == nullptr) return false;
    run->offset = blocks_;
    run->addr = addr;
    run->len = len;
    run->flags = addr == 0 ? TSK_FS_ATTR_RUN_FLAG_SPARSE : TSK_FS_ATTR_RUN_FLAG_NONE;
    (tail_ != nullptr ? tail_->next : head_) = run;
    tail_ = run;
    blocks_ += len;
    return true;
  }
  TSK_DADDR_T blocks() const { return blocks_; }
  TSK_FS_ATTR_RUN* Release() {
    TSK_FS_ATTR_RUN* head = head_;
    head_ = tail_ = nullptr;
    return head;
  }

 private:
  TSK_FS_ATTR_RUN* head_ = nullptr;
  TSK_FS_ATTR_RUN* tail_ = nullptr;
  TSK_DADDR_T blocks_ = 0;
};

// Maps the first `blocks` blocks of one inode. Each call returns false with TSK's error set.
class BlockMapper {
 public:
  BlockMapper(TSK_FS_INFO* fs, TSK_INUM_T inum, uint64_t blocks)
      : fs_(fs),
        inum_(inum),
        per_block_(fs->block_size / 4),
        want_(blocks),
        blocks_left_(fs->block_count),
        reads_left_(uint64_t(std::min(fs->last_block_act, fs->last_block)) + 1) {}

  bool more() const { return mapped_ < want_; }
  RunList& data() { return data_; }
  RunList& indirect() { return indirect_; }

  // A pointer to one data block.
  bool Direct(TSK_DADDR_T addr) {
    if (addr != 0 && !Count()) return false;
    if (!data_.Add(addr, 1)) return false;
    ++mapped_;
    return true;
  }

  // A pointer to an indirect block of `level` (1: single, 2: double, 3: triple).
  bool Indirect(int level, TSK_DADDR_T addr) {
    if (addr == 0) {  // a hole as long as what the block would have mapped
      uint64_t span = 1;
      for (int i = 0; i < level; ++i) span *= per_block_;  // at most 2^42 (64 KiB blocks)
      const uint64_t hole = std::min(span, want_ - mapped_);
      if (!data_.Add(0, hole) || !indirect_.Add(0, 1)) return false;
      mapped_ += hole;
      return true;
    }
    if (addr > fs_->last_block) {  // as TSK's loader
      return Corrupt("indirect block address too large: " + std::to_string(addr));
    }
    if (reads_left_ == 0) {
      return Corrupt(
          "more indirect blocks read than the source holds of the filesystem (at block " +
          std::to_string(addr) + ")");
    }
    --reads_left_;
    if (!Count() || !indirect_.Add(addr, 1)) return false;
    std::vector<uint8_t>& buf = buffers_[level - 1];
    buf.resize(fs_->block_size);
    const ssize_t n = tsk_fs_read_block(fs_, addr, reinterpret_cast<char*>(buf.data()), buf.size());
    if (n != ssize_t(buf.size())) {
      if (n >= 0) {
        tsk_error_reset();
        tsk_error_set_errno(TSK_ERR_FS_READ);
      }
      tsk_error_set_errstr2("ext block map of inode %" PRIuINUM ": indirect block %" PRIuDADDR,
                            inum_, addr);
      return false;
    }
    for (uint64_t i = 0; i < per_block_ && more(); ++i) {
      const uint8_t* p = buf.data() + 4 * i;
      const TSK_DADDR_T next = fs_->endian == TSK_BIG_ENDIAN
                                   ? TSK_DADDR_T(uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 |
                                                 uint32_t(p[2]) << 8 | p[3])
                                   : TSK_DADDR_T(uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 |
                                                 uint32_t(p[1]) << 8 | p[0]);
      if (!(level == 1 ? Direct(next) : Indirect(level - 1, next))) return false;
    }
    return true;
  }

 private:
  // One more block (data or indirect) held by the file.
  bool Count() {
    if (blocks_left_ == 0) {
      return Corrupt("more blocks than the filesystem's " + std::to_string(fs_->block_count));
    }
    --blocks_left_;
    return true;
  }

  bool Corrupt(const std::string& why) {
    tsk_error_reset();
    tsk_error_set_errno(TSK_ERR_FS_INODE_COR);
    tsk_error_set_errstr("ext block map of inode %" PRIuINUM ": %s", inum_, why.c_str());
    return false;
  }

  TSK_FS_INFO* fs_;
  TSK_INUM_T inum_;
  uint64_t per_block_;  // pointers in an indirect block
  uint64_t want_;
  uint64_t mapped_ = 0;
  uint64_t blocks_left_;
  uint64_t reads_left_;
  std::vector<uint8_t> buffers_[3];  // one per indirect level, sized when first read into
  RunList data_, indirect_;
};

// Gives `runs` to a new attribute of `file`; false with TSK's error set.
bool AddAttribute(TSK_FS_FILE* file, RunList& runs, TSK_FS_ATTR_TYPE_ENUM type, TSK_OFF_T size,
                  TSK_OFF_T alloc_size) {
  TSK_FS_ATTR* attr = tsk_fs_attrlist_getnew(file->meta->attr, TSK_FS_ATTR_NONRES);
  if (attr == nullptr) return false;
  TSK_FS_ATTR_RUN* head = runs.Release();
  if (tsk_fs_attr_set_run(file, attr, head, nullptr, type, TSK_FS_ATTR_ID_DEFAULT, size, size,
                          alloc_size, TSK_FS_ATTR_FLAG_ENUM(0), 0)) {
    tsk_fs_attr_run_free(head);  // refused before it took them
    return false;
  }
  return true;
}

// In place of TSK's load_attrs on ext2/3/4 filesystems (see above). 0 on success, 1 with TSK's
// error set, as TSK's loaders.
uint8_t LoadExtAttrs(TSK_FS_FILE* file) {
  const LoadAttrsFn tsk_load = tsk_ext_load_attrs.load();
  TSK_FS_META* meta = file != nullptr ? file->meta : nullptr;
  TSK_FS_INFO* fs = file != nullptr ? file->fs_info : nullptr;
  if (meta == nullptr || fs == nullptr || meta->content_type != TSK_FS_META_CONTENT_TYPE_DEFAULT ||
      meta->content_ptr == nullptr || meta->content_len < kInodePointers * sizeof(TSK_DADDR_T) ||
      fs->block_size < 4 || fs->block_size % 4 != 0)
    return tsk_load(file);
  tsk_error_reset();
  if (meta->attr != nullptr && meta->attr_state == TSK_FS_META_ATTR_STUDIED) return 0;
  if (meta->attr_state == TSK_FS_META_ATTR_ERROR) return 1;
  if (meta->attr != nullptr) {
    tsk_fs_attrlist_markunused(meta->attr);
  } else if ((meta->attr = tsk_fs_attrlist_alloc()) == nullptr) {
    return 1;
  }

  const uint64_t bs = fs->block_size;
  const TSK_OFF_T size = meta->size;
  const uint64_t blocks = size > 0 ? (uint64_t(size) - 1) / bs + 1 : 0;
  const auto* pointers = static_cast<const TSK_DADDR_T*>(meta->content_ptr);
  BlockMapper map(fs, meta->addr, blocks);
  bool ok = true;
  // TSK sign-extends the inode's pointers (tsk_gets32); they are unsigned 32-bit.
  auto pointer = [&](int i) { return pointers[i] & 0xFFFFFFFFu; };
  for (int i = 0; ok && map.more() && i < kDirectPointers; ++i) ok = map.Direct(pointer(i));
  for (int level = 1; ok && map.more() && level <= 3; ++level)
    ok = map.Indirect(level, pointer(kDirectPointers + level - 1));
  if (ok) {
    TSK_OFF_T alloc_size = std::max<TSK_OFF_T>(size, 0);
    if (blocks <= uint64_t(INT64_MAX) / bs)
      alloc_size = std::max(alloc_size, TSK_OFF_T(blocks * bs));
    ok = AddAttribute(file, map.data(), TSK_FS_ATTR_TYPE_DEFAULT, size, alloc_size);
  }
  if (ok && map.indirect().blocks() > 0) {
    const TSK_OFF_T bytes = TSK_OFF_T(map.indirect().blocks() * bs);
    ok = AddAttribute(file, map.indirect(), TSK_FS_ATTR_TYPE_UNIX_INDIR, bytes, bytes);
  }
  if (!ok) {
    meta->attr_state = TSK_FS_META_ATTR_ERROR;
    if (meta->flags & TSK_FS_META_FLAG_UNALLOC) tsk_error_set_errno(TSK_ERR_FS_RECOVER);
    return 1;
  }
  meta->attr_state = TSK_FS_META_ATTR_STUDIED;
  return 0;
}

// Puts LoadExtAttrs in the place of TSK's loader on an ext2/3/4 filesystem just opened.
void ReplaceExtLoader(TSK_FS_INFO* fs) {
  LoadAttrsFn expected = nullptr;
  tsk_ext_load_attrs.compare_exchange_strong(expected, fs->load_attrs);
  // Every ext filesystem has TSK's one loader; were it ever another, TSK keeps its own.
  if (fs->load_attrs == tsk_ext_load_attrs.load()) fs->load_attrs = LoadExtAttrs;
}

}  // namespace

FsPtr OpenFileSystem(Image& image, uint64_t offset, int64_t partition, const std::string& where,
                     const std::string& if_none, WalkReport* report) {
  FsPtr fs(tsk_fs_open_img(image.get(), TSK_OFF_T(offset), TSK_FS_TYPE_DETECT));
  if (fs == nullptr) {
    const uint32_t err = tsk_error_get_errno();
    std::string why = TakeTskError();
    std::string note = where + ": " + if_none;
    if (err != TSK_ERR_FS_UNKTYPE) note += " (TSK: " + why + ")";
    report->notes.push_back(note + "; its bytes are scanned raw");
    return nullptr;
  }
  if (TSK_FS_TYPE_ISEXT(fs->ftype)) ReplaceExtLoader(fs.get());
  FileSystem info;
  info.offset = offset;
  const char* name = tsk_fs_type_toname(fs->ftype);
  info.type = Lower(name != nullptr ? name : "unknown");
  info.label = VolumeLabel(fs.get());
  info.block_size = fs->block_size;
  info.block_count = uint64_t(fs->block_count);
  info.partition = partition;
  report->filesystems.push_back(std::move(info));
  return fs;
}

Status ForEachRegion(Source& source, WalkReport* report, const RegionFn& each) {
  const uint64_t size = source.Size();
  {
    std::byte probe[kSectorSize];
    Result<size_t> n =
        source.ReadAt(0, std::span<std::byte>(probe, std::min<uint64_t>(size, sizeof probe)));
    if (!n.ok())
      return IoError("cannot read the start of " + source.Describe() + ": " + n.status().message());
  }
  if (size == 0) {
    report->notes.push_back("the source is empty: no partition table or filesystem");
    return Status::Ok();
  }
  tsk_error_reset();
  Result<std::unique_ptr<Image>> opened = Image::Open(source);
  if (!opened.ok()) return opened.status();
  Image& image = **opened;

  VsPtr vs(tsk_vs_open(image.get(), 0, TSK_VS_TYPE_DETECT));
  if (vs == nullptr) {
    const uint32_t err = tsk_error_get_errno();
    std::string why = TakeTskError();
    if (err != 0 && err != TSK_ERR_VS_UNKTYPE) {  // 0: TSK found no table (DETECT)
      report->notes.push_back("partition table not read (TSK: " + why +
                              "); the whole source is tried as one filesystem");
    }
    each(image, 0, -1, "the source (" + HumanSize(size) + ")",
         "no partition table or filesystem TSK reads");
    return Status::Ok();
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
    report->partitions.push_back(std::move(p));
  }
  tsk_error_reset();
  for (size_t i = 0; i < report->partitions.size(); ++i) {
    const Partition p = report->partitions[i];  // a copy: notes grow the report
    if (!p.allocated) continue;
    std::string where =
        "partition " + std::to_string(p.slot) + " at byte " + std::to_string(p.start) + " (" +
        (p.description.empty() ? scheme : p.description) + ", " + HumanSize(p.length) + ")";
    if (p.start >= size) {
      report->notes.push_back(where + ": starts past the end of the source (" + HumanSize(size) +
                              "): a truncated image or a corrupt partition table");
      continue;
    }
    if (p.length > size - p.start) {
      report->notes.push_back(where + ": ends past the end of the source (" + HumanSize(size) +
                              "): a truncated image or a corrupt partition table");
    }
    if (!each(image, p.start, int64_t(i), where, "no filesystem TSK reads (an encrypted volume?)"))
      break;
  }
  return Status::Ok();
}

}  // namespace evidex::fs::internal
