#include "fs/file_map.h"

#include <algorithm>

namespace evidex::fs {

Result<std::unique_ptr<FileMap>> FileMap::Build(Source& source, WalkReport* report_out) {
  std::unique_ptr<FileMap> map(new FileMap());
  WalkOptions options;
  options.deleted = true;
  options.extents = true;
  uint64_t last_fs = UINT64_MAX;
  Result<WalkReport> report = Walk(source, options, [&](const FileSystem& f, const FileEntry& e,
                                                         ContentReader&) {
    if (f.offset != last_fs || map->filesystems_.empty()) {
      map->filesystems_.push_back({f.offset, f.offset + uint64_t(f.block_size) * f.block_count,
                                   f.type + "@" + std::to_string(f.offset)});
      last_fs = f.offset;
    }
    if (e.type != FileEntry::Type::kRegular || e.extents.empty()) return true;
    const uint32_t index = uint32_t(map->paths_.size());
    map->paths_.push_back(e.path);
    map->deleted_.push_back(e.deleted);
    std::vector<Interval>& into = e.deleted ? map->deleted_intervals_ : map->live_;
    for (const Extent& x : e.extents)
      if (x.length > 0) into.push_back({x.source_offset, x.source_offset + x.length, x.file_offset, index});
    return true;
  });
  if (!report.ok()) return report.status();
  // Filesystems with no entry given to `each` still count as filesystems.
  for (const FileSystem& f : report->filesystems) {
    bool known = std::any_of(map->filesystems_.begin(), map->filesystems_.end(),
                             [&](const FsRange& r) { return r.begin == f.offset; });
    if (!known)
      map->filesystems_.push_back({f.offset, f.offset + uint64_t(f.block_size) * f.block_count,
                                   f.type + "@" + std::to_string(f.offset)});
  }
  std::sort(map->filesystems_.begin(), map->filesystems_.end(),
            [](const FsRange& a, const FsRange& b) { return a.begin < b.begin; });
  Normalize(&map->live_);
  Normalize(&map->deleted_intervals_);
  if (report_out != nullptr) *report_out = std::move(*report);
  return map;
}

// Sorted by begin; an interval overlapping the one before it is cut to start after it (the first
// file listed keeps shared blocks: hard links, or a damaged filesystem's cross-links).
void FileMap::Normalize(std::vector<Interval>* v) {
  std::sort(v->begin(), v->end(), [](const Interval& a, const Interval& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.file < b.file;
  });
  std::vector<Interval> out;
  out.reserve(v->size());
  for (Interval x : *v) {
    if (!out.empty() && x.begin < out.back().end) {
      if (x.end <= out.back().end) continue;
      x.file_offset += out.back().end - x.begin;
      x.begin = out.back().end;
    }
    out.push_back(x);
  }
  v->swap(out);
}

const FileMap::Interval* FileMap::Find(const std::vector<Interval>& v, uint64_t offset) {
  auto it = std::upper_bound(v.begin(), v.end(), offset,
                             [](uint64_t o, const Interval& x) { return o < x.begin; });
  if (it == v.begin()) return nullptr;
  --it;
  return offset < it->end ? &*it : nullptr;
}

bool FileMap::Locate(uint64_t offset, Place* place) const {
  auto fs = std::upper_bound(filesystems_.begin(), filesystems_.end(), offset,
                             [](uint64_t o, const FsRange& r) { return o < r.begin; });
  if (fs == filesystems_.begin() || offset >= std::prev(fs)->end) return false;
  const FsRange& range = *std::prev(fs);
  const Interval* hit = Find(live_, offset);
  if (hit == nullptr) hit = Find(deleted_intervals_, offset);
  place->fs = range.tag;
  place->path = nullptr;
  place->file_offset = 0;
  place->deleted = false;
  if (hit != nullptr) {
    place->path = &paths_[hit->file];
    place->file_offset = hit->file_offset + (offset - hit->begin);
    place->deleted = deleted_[hit->file];
  }
  return true;
}

}  // namespace evidex::fs
