// OpenSource() dispatch, the memory source and EnumerateEvidence().
#include "io/source.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "io/os.h"
#include "io/sources_internal.h"

namespace evidex {
namespace {

class MemorySource : public Source {
 public:
  MemorySource(std::string bytes, std::string description)
      : bytes_(std::move(bytes)), description_(std::move(description)) {}

  uint64_t Size() const override { return bytes_.size(); }

  Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override {
    if (offset >= bytes_.size()) return size_t{0};
    size_t n = std::min<size_t>(out.size(), bytes_.size() - static_cast<size_t>(offset));
    if (n > 0) std::memcpy(out.data(), bytes_.data() + offset, n);
    return n;
  }

  std::string Describe() const override { return description_; }

 private:
  const std::string bytes_;
  const std::string description_;
};

}  // namespace

std::unique_ptr<Source> MakeMemorySource(std::string bytes, std::string description) {
  return std::make_unique<MemorySource>(std::move(bytes), std::move(description));
}

Result<std::unique_ptr<Source>> OpenRawFile(const std::string& path) {
  return io_internal::OpenRawSource(path);
}

Result<std::unique_ptr<Source>> OpenSource(const std::string& path) {
  if (path.empty()) return InvalidArgument("empty evidence path");
  Result<os::FileInfo> info = os::Stat(path, /*follow_symlinks=*/true);
  if (!info.ok())
    return Status(info.status().code(), "cannot open " + path + ": " + info.status().message());
  if (info->kind == os::FileKind::kDirectory) {
    return InvalidArgument(path + " is a directory (directories are enumerated, not opened)");
  }
  if (info->kind != os::FileKind::kRegular && info->kind != os::FileKind::kBlockDevice) {
    return Unsupported("cannot open " + path + ": not a regular file or block device");
  }
  if (info->kind == os::FileKind::kRegular && io_internal::LooksLikeEwf(path)) {
    return io_internal::OpenEwfSource(path);
  }
  std::string base;
  uint64_t first = 0;
  int width = 0;
  if (info->kind == os::FileKind::kRegular &&
      io_internal::ParseSplitRawName(path, &base, &first, &width)) {
    return io_internal::OpenSplitRawSource(path);
  }
  return io_internal::OpenRawSource(path);
}

Result<Enumeration> EnumerateEvidence(const std::string& path) {
  if (path.empty()) return InvalidArgument("empty evidence path");
  Result<os::FileInfo> info = os::Stat(path, /*follow_symlinks=*/true);
  if (!info.ok()) return info.status();
  Enumeration result;
  if (info->kind != os::FileKind::kDirectory) {
    result.items.push_back(EvidenceItem{path, ""});
    return result;
  }
  // Depth-first walk without recursion; (disk path, relative path) of directories still to list.
  std::vector<std::pair<std::string, std::string>> pending;
  pending.emplace_back(path, "");
  bool top = true;
  while (!pending.empty()) {
    auto [dir, rel_dir] = std::move(pending.back());
    pending.pop_back();
    Result<std::vector<std::string>> names = os::ListDirectory(dir);
    if (!names.ok()) {
      if (top) return names.status();  // the named directory itself cannot be read
      result.errors.push_back(names.status());
      continue;
    }
    top = false;
    std::sort(names->begin(), names->end());
    std::vector<std::pair<std::string, std::string>> subdirs;
    for (const std::string& name : *names) {
      std::string child = os::JoinPath(dir, name);
      std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
      Result<os::FileInfo> child_info = os::Stat(child, /*follow_symlinks=*/false);
      if (!child_info.ok()) {
        if (child_info.status().code() != Code::kNotFound) {  // vanished while walking: skip
          result.errors.push_back(child_info.status());
        }
        continue;
      }
      if (child_info->kind == os::FileKind::kDirectory) {
        subdirs.emplace_back(std::move(child), std::move(rel));
      } else if (child_info->kind == os::FileKind::kRegular) {
        Status readable = os::CheckReadable(child);
        if (readable.ok()) {
          result.items.push_back(EvidenceItem{child, rel});
        } else if (readable.code() != Code::kNotFound) {
          result.errors.push_back(readable);
        }
      }
      // Symbolic links, FIFOs, sockets and devices inside a directory are not evidence files.
    }
    // Pushed in reverse so that subdirectories are walked in name order (errors come out in a
    // stable order).
    pending.insert(pending.end(), std::make_move_iterator(subdirs.rbegin()),
                   std::make_move_iterator(subdirs.rend()));
  }
  std::sort(result.items.begin(), result.items.end(),
            [](const EvidenceItem& a, const EvidenceItem& b) { return a.relative < b.relative; });
  return result;
}

}  // namespace evidex
