// The Sleuth Kit plumbing shared by Walk and UnallocatedRuns (tsk_internal.h).
#include "fs/tsk_internal.h"

#include <tsk/fs/tsk_ext2fs.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <type_traits>
#include <vector>

// libtsk's own functions from its tsk_fs_i.h, tsk_fatfs.h and tsk_vs_i.h, which are not installed
// (exported by libtsk 4.11): the attribute builders its filesystem loaders use, what its orphan
// search uses, and its partition-table readers.
extern "C" {
struct FATFS_INFO;  // starts with its TSK_FS_INFO
TSK_FS_ATTR_RUN* tsk_fs_attr_run_alloc();
TSK_FS_ATTRLIST* tsk_fs_attrlist_alloc();
TSK_FS_ATTR* tsk_fs_attrlist_getnew(TSK_FS_ATTRLIST* list, TSK_FS_ATTR_FLAG_ENUM type);
void tsk_fs_attrlist_markunused(TSK_FS_ATTRLIST* list);
uint8_t tsk_fs_attr_set_run(TSK_FS_FILE* file, TSK_FS_ATTR* attr, TSK_FS_ATTR_RUN* runs,
                            const char* name, TSK_FS_ATTR_TYPE_ENUM type, uint16_t id,
                            TSK_OFF_T size, TSK_OFF_T init_size, TSK_OFF_T alloc_size,
                            TSK_FS_ATTR_FLAG_ENUM flags, uint32_t compsize);
void tsk_fs_meta_reset(TSK_FS_META* meta);
TSK_FS_DIR* tsk_fs_dir_alloc(TSK_FS_INFO* fs, TSK_INUM_T addr, size_t count);
uint8_t tsk_fs_name_copy(TSK_FS_NAME* to, const TSK_FS_NAME* from);
uint8_t fatfs_dir_buf_add(FATFS_INFO* fatfs, TSK_INUM_T par_inum, TSK_INUM_T dir_inum);
TSK_VS_INFO* tsk_vs_dos_open(TSK_IMG_INFO* image, TSK_DADDR_T offset, uint8_t test);
TSK_VS_INFO* tsk_vs_bsd_open(TSK_IMG_INFO* image, TSK_DADDR_T offset);
TSK_VS_INFO* tsk_vs_gpt_open(TSK_IMG_INFO* image, TSK_DADDR_T offset);
TSK_VS_INFO* tsk_vs_sun_open(TSK_IMG_INFO* image, TSK_DADDR_T offset);
TSK_VS_INFO* tsk_vs_mac_open(TSK_IMG_INFO* image, TSK_DADDR_T offset);
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
using FileAddMetaFn = uint8_t (*)(TSK_FS_INFO*, TSK_FS_FILE*, TSK_INUM_T);
using InodeWalkFn = uint8_t (*)(TSK_FS_INFO*, TSK_INUM_T, TSK_INUM_T, TSK_FS_META_FLAG_ENUM,
                                TSK_FS_META_WALK_CB, void*);
using DirOpenMetaFn = TSK_RETVAL_ENUM (*)(TSK_FS_INFO*, TSK_FS_DIR**, TSK_INUM_T, int);

// TSK's ext2/3/4 functions that evidex puts its own in front of (one set for every ext
// filesystem, taken from the first opened), for what is left to them.
struct TskExtFunctions {
  LoadAttrsFn load_attrs = nullptr;
  FileAddMetaFn file_add_meta = nullptr;
  InodeWalkFn inode_walk = nullptr;
  DirOpenMetaFn dir_open_meta = nullptr;
};
TskExtFunctions tsk_ext;
std::once_flag tsk_ext_once;

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
  const LoadAttrsFn tsk_load = tsk_ext.load_attrs;
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

// ---- ext4 inline data; directory sizes ----------------------------------------------------
//
// TSK 4.11 reads an inode (ext2fs_dinode_copy, for a lookup and for each inode of an inode walk)
// and, when it is flagged inline data (EXT2_INLINE_DATA: the content is inside the inode, 60
// bytes in the block pointers and the rest in its system.data extended attribute), at once gives
// it its content as a resident attribute (ext4_load_attrs_inline): it allocates a buffer of the
// size the inode claims, zeroes it twice, and tsk_fs_attr_set_str copies it into a second one.
// The size is not checked: a corrupt inode claiming gigabytes costs gigabytes and seconds, for
// every lookup of it (fs_walk_fuzz: 1.9 GB and 30 s; 8 GB and 2 minutes for 16 such inodes).
// Real inline content is never larger than its inode, so an inode flagged inline data that
// claims more is kept from TSK, as an inode TSK cannot read (ExtInodeRefusal): evidex checks it
// before TSK's lookup (file_add_meta) and before TSK's inode walk reads it (the walk is run on
// the ranges between such inodes). Real inline files stay with TSK.
//
// TSK 4.11 also reads a directory (ext2fs_dir_open_meta) block by block through all the size it
// claims, holes and all: a corrupt directory claiming 4 GiB (its 32-bit size) costs 5 seconds of
// parsing zeros, for each such directory (fs_walk_fuzz: orphan directories). A directory larger
// than its filesystem (what the source holds of it) is not real: its entries are kept from TSK
// (ExtDirectoryRefusal), as a directory TSK cannot read.

// Fields of TSK's ext structures (arrays of bytes in the filesystem's order).
uint16_t Get16(TSK_ENDIAN_ENUM endian, const uint8_t* p) {
  return endian == TSK_BIG_ENDIAN ? uint16_t(p[0] << 8 | p[1]) : uint16_t(p[1] << 8 | p[0]);
}
uint32_t Get32(TSK_ENDIAN_ENUM endian, const uint8_t* p) {
  return endian == TSK_BIG_ENDIAN
             ? uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]
             : uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0];
}

// Where a block group keeps its inodes (from its descriptor), kept across the inodes of a walk.
struct GroupInodes {
  uint64_t group = UINT64_MAX;
  bool readable = false;  // its descriptor read, its inode table inside the filesystem
  TSK_INUM_T first = 0;   // its first inode
  uint64_t table = 0;     // the block of its inode table
  uint64_t bitmap = 0;    // the block of its inode bitmap
};

// Reads the first bytes of inode `inum` (an ext2fs_inode; the rest zeros) where TSK's
// ext2fs_dinode_load reads it: the inode table of its group, from the group descriptor as
// ext2fs_group_load reads it. False where TSK's own read fails (TSK then says why itself).
bool ReadExtInode(TSK_FS_INFO* fs, TSK_INUM_T inum, GroupInodes* cache, ext2fs_inode* out) {
  const auto* ext = reinterpret_cast<const EXT2FS_INFO*>(fs);
  const ext2fs_sb* sb = ext->fs;
  if (inum < fs->first_inum || inum >= fs->last_inum) return false;  // last_inum: $OrphanFiles
  const uint32_t per_group = Get32(fs->endian, sb->s_inodes_per_group);
  if (per_group == 0) return false;
  const uint64_t group = (inum - fs->first_inum) / per_group;
  if (group >= ext->groups_count) return false;
  if (cache->group != group) {
    *cache = {.group = group};
    size_t gd_size = Get16(fs->endian, sb->s_desc_size);
    const bool wide = fs->ftype == TSK_FS_TYPE_EXT4 &&
                      (Get32(fs->endian, sb->s_feature_incompat) & EXT2FS_FEATURE_INCOMPAT_64BIT) &&
                      gd_size >= 64;
    const size_t size = wide ? sizeof(ext4fs_gd) : sizeof(ext2fs_gd);
    gd_size = std::max(gd_size, size);
    ext4fs_gd gd{};  // an ext2fs_gd is its first 32 bytes
    if (tsk_fs_read(fs, ext->groups_offset + TSK_OFF_T(group * gd_size),
                    reinterpret_cast<char*>(&gd), size) != ssize_t(size)) {
      tsk_error_reset();
      return false;
    }
    const uint64_t table = wide
                               ? ext4_getu64(fs->endian, gd.bg_inode_table_hi, gd.bg_inode_table_lo)
                               : Get32(fs->endian, gd.bg_inode_table_lo);
    const uint64_t bitmap =
        wide ? ext4_getu64(fs->endian, gd.bg_inode_bitmap_hi, gd.bg_inode_bitmap_lo)
             : Get32(fs->endian, gd.bg_inode_bitmap_lo);
    if (table > uint64_t(fs->last_block)) return false;
    *cache = {group, true, 1 + TSK_INUM_T(per_group) * group, table, bitmap};
  }
  if (!cache->readable) return false;
  const uint64_t index = inum - cache->first;
  const TSK_OFF_T at = TSK_OFF_T(cache->table * fs->block_size + index * ext->inode_size);
  *out = {};
  const size_t len = std::min<size_t>(ext->inode_size, sizeof(ext2fs_inode));
  if (tsk_fs_read(fs, at, reinterpret_cast<char*>(out), len) != ssize_t(len)) {
    tsk_error_reset();
    return false;
  }
  return true;
}

// The size of an inode as ext2fs_dinode_copy makes it: 32 bits, but 64 for regular files on a
// filesystem with large files.
uint64_t ExtInodeSize(const TSK_FS_INFO* fs, const ext2fs_inode& inode) {
  const auto* ext = reinterpret_cast<const EXT2FS_INFO*>(fs);
  uint64_t size = Get32(fs->endian, inode.i_size);
  if ((Get16(fs->endian, inode.i_mode) & EXT2_IN_FMT) == EXT2_IN_REG &&
      (Get32(fs->endian, ext->fs->s_feature_ro_compat) & EXT2FS_FEATURE_RO_COMPAT_LARGE_FILE))
    size += uint64_t(Get32(fs->endian, inode.i_size_high)) << 32;
  return size;
}

// ExtDirectoryRefusal on a filesystem known to be ext.
std::string DirectoryRefusal(TSK_FS_INFO* fs, TSK_INUM_T inum) {
  GroupInodes cache;
  ext2fs_inode inode;
  if (!ReadExtInode(fs, inum, &cache, &inode)) return "";
  if (Get32(fs->endian, inode.i_flags) & EXT2_INLINE_DATA) return "";  // read from the inode
  const uint64_t size = ExtInodeSize(fs, inode);
  // The filesystem's bytes in the source (a corrupt block count can claim more).
  const uint64_t blocks = uint64_t(std::min(fs->last_block_act, fs->last_block)) + 1;
  const uint64_t holds =
      blocks > UINT64_MAX / fs->block_size ? UINT64_MAX : blocks * fs->block_size;
  if (size <= holds) return "";
  return "directory inode " + std::to_string(inum) + " claims " + std::to_string(size) +
         " bytes (" + HumanSize(size) + "), more than its filesystem holds (" + HumanSize(holds) +
         ")";
}

// ExtInodeRefusal on a filesystem known to be ext; the inode read is left in `inode`.
std::string Refusal(TSK_FS_INFO* fs, TSK_INUM_T inum, GroupInodes* cache, ext2fs_inode* inode) {
  if (!ReadExtInode(fs, inum, cache, inode)) return "";
  // Whether TSK 4.11 looks at the extents flag first or not, an inode with both is corrupt.
  if (!(Get32(fs->endian, inode->i_flags) & EXT2_INLINE_DATA)) return "";
  const auto* ext = reinterpret_cast<const EXT2FS_INFO*>(fs);
  const uint64_t size = ExtInodeSize(fs, *inode);
  if (size <= ext->inode_size) return "";
  return "inode " + std::to_string(inum) + " is flagged ext4 inline data but claims " +
         std::to_string(size) + " bytes (" + HumanSize(size) + "), more than its " +
         std::to_string(ext->inode_size) + "-byte inode holds";
}

// In place of TSK's inode lookup on ext2/3/4 filesystems. 0 on success, 1 with TSK's error set.
uint8_t ExtFileAddMeta(TSK_FS_INFO* fs, TSK_FS_FILE* file, TSK_INUM_T inum) {
  GroupInodes cache;
  ext2fs_inode inode;
  const std::string why = Refusal(fs, inum, &cache, &inode);
  if (why.empty()) return tsk_ext.file_add_meta(fs, file, inum);
  if (file != nullptr && file->meta != nullptr) tsk_fs_meta_reset(file->meta);  // as TSK leaves it
  tsk_error_reset();
  tsk_error_set_errno(TSK_ERR_FS_INODE_COR);
  tsk_error_set_errstr("%s", why.c_str());
  return 1;
}

// In place of TSK's directory reader on ext2/3/4 filesystems.
TSK_RETVAL_ENUM ExtDirOpenMeta(TSK_FS_INFO* fs, TSK_FS_DIR** dir, TSK_INUM_T inum, int depth) {
  const std::string why = DirectoryRefusal(fs, inum);
  if (why.empty()) return tsk_ext.dir_open_meta(fs, dir, inum, depth);
  tsk_error_reset();
  tsk_error_set_errno(TSK_ERR_FS_INODE_COR);
  tsk_error_set_errstr("%s", why.c_str());
  return TSK_COR;
}

// Passes each file of TSK's inode walk on and keeps what the callback said.
struct MetaRelay {
  TSK_FS_META_WALK_CB each;
  void* ptr;
  TSK_WALK_RET_ENUM last = TSK_WALK_CONT;
};

TSK_WALK_RET_ENUM RelayMeta(TSK_FS_FILE* file, void* ptr) {
  auto* relay = static_cast<MetaRelay*>(ptr);
  relay->last = relay->each(file, relay->ptr);
  return relay->last;
}

// Whether TSK's inode walk with `flags` gives inode `inum` (read into `inode`, of the group in
// `cache`) to its callback, as ext2fs_inode_walk decides: by its bit in the group's inode bitmap
// and whether it is used (ctime set). True when the bitmap cannot be read.
bool WalkGives(TSK_FS_INFO* fs, TSK_INUM_T inum, const ext2fs_inode& inode,
               const GroupInodes& cache, int flags) {
  if (flags & TSK_FS_META_FLAG_ORPHAN) {
    flags = (flags | TSK_FS_META_FLAG_UNALLOC | TSK_FS_META_FLAG_USED) &
            ~(TSK_FS_META_FLAG_ALLOC | TSK_FS_META_FLAG_UNUSED);
  }
  if (!(flags & (TSK_FS_META_FLAG_ALLOC | TSK_FS_META_FLAG_UNALLOC)))
    flags |= TSK_FS_META_FLAG_ALLOC | TSK_FS_META_FLAG_UNALLOC;
  if (!(flags & (TSK_FS_META_FLAG_USED | TSK_FS_META_FLAG_UNUSED)))
    flags |= TSK_FS_META_FLAG_USED | TSK_FS_META_FLAG_UNUSED;
  const uint64_t index = inum - cache.first;
  uint8_t bits = 0;
  if (cache.bitmap > uint64_t(fs->last_block) ||
      tsk_fs_read(fs, TSK_OFF_T(cache.bitmap * fs->block_size + index / 8),
                  reinterpret_cast<char*>(&bits), 1) != 1) {
    tsk_error_reset();
    return true;
  }
  const bool allocated = bits >> (index % 8) & 1;
  const bool used = Get32(fs->endian, inode.i_ctime) != 0;
  return (flags & (allocated ? TSK_FS_META_FLAG_ALLOC : TSK_FS_META_FLAG_UNALLOC)) &&
         (flags & (used ? TSK_FS_META_FLAG_USED : TSK_FS_META_FLAG_UNUSED));
}

// TSK's ext inode walk over [start, end], run on the ranges between the inodes Refusal keeps
// from it. Those the walk would have given to its callback are counted in `search` when given.
// 0 on success (or stopped by the callback), 1 with TSK's error set.
uint8_t WalkExtInodes(TSK_FS_INFO* fs, TSK_INUM_T start, TSK_INUM_T end,
                      TSK_FS_META_FLAG_ENUM flags, TSK_FS_META_WALK_CB each, void* ptr,
                      OrphanSearch* search) {
  if (start < fs->first_inum || start > end || end > fs->last_inum)
    return tsk_ext.inode_walk(fs, start, end, flags, each, ptr);  // which says what is wrong
  MetaRelay relay{each, ptr};
  // TSK's walk of [from, to]; false when the walk is over (stopped, or failed: *failed).
  uint8_t failed = 0;
  auto piece = [&](TSK_INUM_T from, TSK_INUM_T to) {
    failed = tsk_ext.inode_walk(fs, from, to, flags, RelayMeta, &relay);
    return failed == 0 && relay.last == TSK_WALK_CONT;
  };
  // Inodes past the groups there are: TSK cannot read them either (a corrupt inode count).
  const auto* ext = reinterpret_cast<const EXT2FS_INFO*>(fs);
  const uint64_t per_group = Get32(fs->endian, ext->fs->s_inodes_per_group);
  const TSK_INUM_T last = std::min<TSK_INUM_T>(
      {end, fs->last_inum - 1, TSK_INUM_T(uint64_t(ext->groups_count) * per_group)});
  GroupInodes cache;
  ext2fs_inode inode;
  TSK_INUM_T from = start;
  for (TSK_INUM_T inum = start; inum <= last; ++inum) {
    const std::string why = Refusal(fs, inum, &cache, &inode);
    if (why.empty()) continue;
    if (search != nullptr && WalkGives(fs, inum, inode, cache, flags) && search->refused++ == 0)
      search->first_refused = why;
    if (inum > from && !piece(from, inum - 1)) return failed;
    from = inum + 1;
  }
  if (from <= end) piece(from, end);
  return failed;
}

// In place of TSK's inode walk on ext2/3/4 filesystems.
uint8_t ExtInodeWalk(TSK_FS_INFO* fs, TSK_INUM_T start, TSK_INUM_T end, TSK_FS_META_FLAG_ENUM flags,
                     TSK_FS_META_WALK_CB each, void* ptr) {
  return WalkExtInodes(fs, start, end, flags, each, ptr, nullptr);
}

bool IsGuardedExt(const TSK_FS_INFO* fs) {
  return fs != nullptr && TSK_FS_TYPE_ISEXT(fs->ftype) && fs->file_add_meta == ExtFileAddMeta;
}

// Puts LoadExtAttrs, ExtFileAddMeta, ExtInodeWalk and ExtDirOpenMeta in the place of TSK's
// functions on an ext2/3/4 filesystem just opened.
void GuardExtFileSystem(TSK_FS_INFO* fs) {
  std::call_once(tsk_ext_once, [fs] {
    tsk_ext = {fs->load_attrs, fs->file_add_meta, fs->inode_walk, fs->dir_open_meta};
  });
  // Every ext filesystem has TSK's one set; were one ever another, TSK keeps its own.
  if (fs->load_attrs == tsk_ext.load_attrs) fs->load_attrs = LoadExtAttrs;
  if (fs->file_add_meta == tsk_ext.file_add_meta && fs->inode_walk == tsk_ext.inode_walk &&
      fs->dir_open_meta == tsk_ext.dir_open_meta) {
    fs->file_add_meta = ExtFileAddMeta;
    fs->inode_walk = ExtInodeWalk;
    fs->dir_open_meta = ExtDirOpenMeta;
  }
}

// ---- orphan files --------------------------------------------------------------------------
//
// TSK's orphan search (tsk_fs_dir_find_orphans) is done here, to its rules: an orphan is
// unallocated, used metadata (tsk_fs_meta_walk with UNALLOC | USED) that no name met by the walk
// points to and that is not in the tree of an orphan directory (each orphan directory's tree is
// walked, UNALLOC only, up to an allocated entry or one met before); it is named as TSK names it
// (OrphanFile-N, or the name its metadata keeps), and on FAT its parent is recorded as TSK does.
// Not TSK's own because TSK 4.11:
// * takes the orphans met in an orphan directory's tree back out of the top level, moving the
//   last entry into each one's place, and the last entry can itself be one to take out: an
//   orphan directory whose tree leads back to itself (an entry naming it; a corrupt directory).
//   tsk_fs_name_copy then copies that name onto itself (a strncpy of a buffer onto itself, which
//   glibc does harmlessly but is undefined: AddressSanitizer stops there; fs_walk_fuzz found it
//   with a FAT image), and the directory is lost with all under it, or, moved into an earlier
//   place, is not checked again and stays. Here a directory's own tree never hides it;
// * adds each orphan with tsk_fs_dir_add, which compares it with every one before it (but on
//   FAT): time quadratic in the orphans.
// The orphans are given to TSK in fs->orphan_dir, the copy TSK keeps of a search it has made.

struct OrphanFinder {
  struct Found {
    std::string name;
    TSK_INUM_T addr;
    uint32_t seq;
  };
  TSK_FS_INFO* fs;
  const std::unordered_set<TSK_INUM_T>& named;
  OrphanSearch* out;
  std::vector<Found> found{};
  std::unordered_set<TSK_INUM_T> in_trees{};  // met in an orphan directory's tree
  TSK_INUM_T tree_root = 0;                   // the orphan directory whose tree is walked

  void TakeError() {
    std::string why = TakeTskError();
    if (out->error.empty()) out->error = std::move(why);
  }
  bool IsFat() const { return TSK_FS_TYPE_ISFAT(fs->ftype); }
};

// For each entry of an orphan directory's tree (TSK's load_orphan_dir_walk_cb).
TSK_WALK_RET_ENUM MarkOrphanTree(TSK_FS_FILE* file, const char*, void* ptr) {
  auto& f = *static_cast<OrphanFinder*>(ptr);
  if (file == nullptr) return TSK_WALK_ERROR;
  if (file->name != nullptr && file->name->name != nullptr && TSK_FS_ISDOT(file->name->name))
    return TSK_WALK_CONT;
  const TSK_FS_META* meta = file->meta;
  if (meta == nullptr) return TSK_WALK_CONT;
  // An allocated entry (the directory's blocks since reused) or one met before (a loop) ends
  // the tree, as in TSK.
  if (meta->flags & TSK_FS_META_FLAG_ALLOC) return TSK_WALK_STOP;
  if (meta->addr == f.tree_root) return TSK_WALK_CONT;
  if (!f.in_trees.insert(meta->addr).second) return TSK_WALK_STOP;
  if (f.IsFat() && TSK_FS_IS_DIR_META(meta->type) && file->name != nullptr &&
      fatfs_dir_buf_add(reinterpret_cast<FATFS_INFO*>(f.fs), file->name->par_addr, meta->addr))
    f.TakeError();
  return TSK_WALK_CONT;
}

// For each unallocated, used metadata structure (TSK's find_orphan_meta_walk_cb).
TSK_WALK_RET_ENUM AddOrphan(TSK_FS_FILE* file, void* ptr) {
  auto& f = *static_cast<OrphanFinder*>(ptr);
  const TSK_FS_META* meta = file != nullptr ? file->meta : nullptr;
  if (meta == nullptr) return TSK_WALK_CONT;
  const TSK_INUM_T addr = meta->addr;
  if (f.named.count(addr) != 0 || f.in_trees.count(addr) != 0) return TSK_WALK_CONT;
  std::string name;
  if (meta->name2 != nullptr && meta->name2->name[0] != '\0') {
    name.assign(meta->name2->name, strnlen(meta->name2->name, sizeof meta->name2->name));
  } else {
    name = "OrphanFile-" + std::to_string(addr);
  }
  // TSK's sequence number for the name: one less (NTFS increments it when freeing an entry).
  f.found.push_back({std::move(name), addr, meta->seq - 1});
  if (f.IsFat() &&
      fatfs_dir_buf_add(reinterpret_cast<FATFS_INFO*>(f.fs), TSK_FS_ORPHANDIR_INUM(f.fs), addr))
    f.TakeError();
  if (meta->type == TSK_FS_META_TYPE_DIR) {
    f.tree_root = addr;
    const auto flags =
        TSK_FS_DIR_WALK_FLAG_ENUM(TSK_FS_DIR_WALK_FLAG_UNALLOC | TSK_FS_DIR_WALK_FLAG_RECURSE |
                                  TSK_FS_DIR_WALK_FLAG_NOORPHAN);
    if (tsk_fs_dir_walk(f.fs, addr, flags, MarkOrphanTree, &f)) f.TakeError();
    f.tree_root = 0;
  }
  return TSK_WALK_CONT;
}

}  // namespace

std::string ExtInodeRefusal(TSK_FS_INFO* fs, TSK_INUM_T inum) {
  if (!IsGuardedExt(fs)) return "";
  GroupInodes cache;
  ext2fs_inode inode;
  return Refusal(fs, inum, &cache, &inode);
}

std::string ExtDirectoryRefusal(TSK_FS_INFO* fs, TSK_INUM_T inum) {
  return IsGuardedExt(fs) ? DirectoryRefusal(fs, inum) : "";
}

OrphanSearch FindOrphans(TSK_FS_INFO* fs, const std::unordered_set<TSK_INUM_T>& named) {
  OrphanSearch out;
  if (fs == nullptr || fs->orphan_dir != nullptr) return out;
  OrphanFinder f{.fs = fs, .named = named, .out = &out};
  tsk_error_reset();
  const auto flags = TSK_FS_META_FLAG_ENUM(TSK_FS_META_FLAG_UNALLOC | TSK_FS_META_FLAG_USED);
  const uint8_t failed =
      IsGuardedExt(fs)
          ? WalkExtInodes(fs, fs->first_inum, fs->last_inum, flags, AddOrphan, &f, &out)
          : tsk_fs_meta_walk(fs, fs->first_inum, fs->last_inum, flags, AddOrphan, &f);
  if (failed) f.TakeError();

  // $OrphanFiles: the orphans outside every orphan directory's tree, in the order found.
  size_t top = 0;
  for (const OrphanFinder::Found& o : f.found) top += f.in_trees.count(o.addr) == 0;
  TSK_FS_DIR* dir = tsk_fs_dir_alloc(fs, TSK_FS_ORPHANDIR_INUM(fs), std::max<size_t>(top, 1));
  if (dir == nullptr) {
    f.TakeError();
    return out;
  }
  for (const OrphanFinder::Found& o : f.found) {
    if (f.in_trees.count(o.addr) != 0) continue;
    TSK_FS_NAME name{};
    name.tag = TSK_FS_NAME_TAG;
    name.name = const_cast<char*>(o.name.c_str());  // only read
    name.name_size = o.name.size() + 1;
    name.meta_addr = o.addr;
    name.meta_seq = o.seq;
    name.par_addr = TSK_FS_ORPHANDIR_INUM(fs);
    name.flags = TSK_FS_NAME_FLAG_UNALLOC;
    name.type = TSK_FS_NAME_TYPE_UNDEF;
    if (tsk_fs_name_copy(&dir->names[dir->names_used], &name)) {
      f.TakeError();
      break;
    }
    ++dir->names_used;
  }
  fs->orphan_dir = dir;
  out.orphans = dir->names_used;
  return out;
}

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
  if (TSK_FS_TYPE_ISEXT(fs->ftype)) GuardExtFileSystem(fs.get());
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

namespace {

// tsk_vs_open(image, 0, TSK_VS_TYPE_DETECT), to its rules, but closing the tables it drops:
// TSK 4.11 drops a DOS table without closing it when a BSD label takes the place of it, and when
// it is a GPT disk's protective MBR (so at every walk of a GPT disk). Where tables of two kinds
// are found, or none, TSK's own detection is run, for what it says.
TSK_VS_INFO* OpenVolumeSystem(TSK_IMG_INFO* image) {
  VsPtr found;
  bool dos = false;
  if (VsPtr vs{tsk_vs_dos_open(image, 0, 1)}) {  // 1: as DETECT tries it
    found = std::move(vs);
    dos = true;
  }
  tsk_error_reset();
  if (VsPtr vs{tsk_vs_bsd_open(image, 0)}) {  // first before DOS: its sector has the DOS magic
    found = std::move(vs);
    dos = false;
  }
  tsk_error_reset();
  if (VsPtr vs{tsk_vs_gpt_open(image, 0)}; vs != nullptr && !(dos && vs->is_backup)) {
    if (dos) {
      for (const TSK_VS_PART_INFO* p = found->part_list; p != nullptr; p = p->next) {
        if (p->desc != nullptr && std::strncmp(p->desc, "GPT Safety", 10) == 0 && p->start <= 63) {
          found.reset();  // the protective MBR
          break;
        }
      }
    }
    if (found != nullptr) return tsk_vs_open(image, 0, TSK_VS_TYPE_DETECT);
    found = std::move(vs);
  }
  tsk_error_reset();
  for (auto open : {tsk_vs_sun_open, tsk_vs_mac_open}) {
    if (VsPtr vs{open(image, 0)}) {
      if (found != nullptr) return tsk_vs_open(image, 0, TSK_VS_TYPE_DETECT);
      found = std::move(vs);
    }
    tsk_error_reset();
  }
  if (found == nullptr) return tsk_vs_open(image, 0, TSK_VS_TYPE_DETECT);
  return found.release();
}

}  // namespace

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

  VsPtr vs(OpenVolumeSystem(image.get()));
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
