// The Sleuth Kit plumbing shared by Walk and UnallocatedRuns (tsk_internal.h).
#include "fs/tsk_internal.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <type_traits>

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
