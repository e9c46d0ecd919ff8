// Raw sources: one file or block device, and split raw sets (name.001, name.002, ...).
#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "io/os.h"
#include "io/sources_internal.h"

namespace evidex::io_internal {
namespace {

class RawSource : public Source {
 public:
  RawSource(std::string path, os::Fd fd, uint64_t size, bool device)
      : path_(std::move(path)), fd_(std::move(fd)), size_(size), device_(device) {}

  uint64_t Size() const override { return size_; }

  // pread() does not move a shared file offset, so concurrent calls need no lock.
  Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override {
    if (offset >= size_) return size_t{0};
    size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), size_ - offset));
    return os::PreadFull(fd_, path_, offset, out.first(want));
  }

  std::string Describe() const override {
    return std::string(device_ ? "raw device " : "raw file ") + path_;
  }

 private:
  const std::string path_;
  const os::Fd fd_;
  const uint64_t size_;
  const bool device_;
};

class SplitRawSource : public Source {
 public:
  struct Part {
    std::string path;
    os::Fd fd;
    uint64_t start = 0;  // offset of the part's first byte in the whole set
    uint64_t size = 0;
  };

  SplitRawSource(std::string first_path, std::vector<Part> parts)
      : first_path_(std::move(first_path)), parts_(std::move(parts)) {
    size_ = parts_.empty() ? 0 : parts_.back().start + parts_.back().size;
  }

  uint64_t Size() const override { return size_; }

  Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override {
    if (offset >= size_) return size_t{0};
    size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), size_ - offset));
    // The last part whose start is <= offset (0-length parts are passed over by the loop).
    auto it = std::upper_bound(parts_.begin(), parts_.end(), offset,
                               [](uint64_t off, const Part& p) { return off < p.start; });
    size_t i = static_cast<size_t>(it - parts_.begin()) - 1;
    size_t done = 0;
    while (done < want && i < parts_.size()) {
      const Part& p = parts_[i];
      uint64_t at = offset + done;
      if (at >= p.start + p.size) {
        ++i;
        continue;
      }
      uint64_t in_part = at - p.start;
      size_t n = static_cast<size_t>(std::min<uint64_t>(want - done, p.size - in_part));
      Result<size_t> got = os::PreadFull(p.fd, p.path, in_part, out.subspan(done, n));
      if (!got.ok()) {
        return Status(got.status().code(), "split raw set " + first_path_ + " at offset " +
                                               std::to_string(at) + ": " + got.status().message());
      }
      if (*got != n) {
        return IoError("split raw set " + first_path_ + ": part " + p.path +
                       " ended early at offset " + std::to_string(in_part + *got) + " (it was " +
                       std::to_string(p.size) + " bytes when opened)");
      }
      done += n;
      ++i;
    }
    return done;
  }

  std::string Describe() const override {
    return "split raw set " + first_path_ + " (" + std::to_string(parts_.size()) +
           (parts_.size() == 1 ? " part)" : " parts)");
  }

 private:
  const std::string first_path_;
  const std::vector<Part> parts_;
  uint64_t size_ = 0;
};

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Parses a decimal string of at most 19 digits (leading zeros allowed beyond that).
bool ParseNumber(const std::string& digits, uint64_t* value) {
  size_t first_nonzero = digits.find_first_not_of('0');
  if (first_nonzero == std::string::npos) {
    *value = 0;
    return true;
  }
  if (digits.size() - first_nonzero > 19) return false;
  uint64_t v = 0;
  for (size_t i = first_nonzero; i < digits.size(); ++i) v = v * 10 + (digits[i] - '0');
  *value = v;
  return true;
}

}  // namespace

Result<std::unique_ptr<Source>> OpenRawSource(const std::string& path) {
  Result<os::Fd> fd = os::OpenReadOnly(path);
  if (!fd.ok()) return fd.status();
  Result<uint64_t> size = os::SizeOf(*fd, path);
  if (!size.ok()) return size.status();
  bool device = os::IsBlockDevice(*fd);
  return std::unique_ptr<Source>(new RawSource(path, std::move(*fd), *size, device));
}

bool ParseSplitRawName(const std::string& path, std::string* base, uint64_t* first, int* width) {
  size_t dot = path.rfind('.');
  if (dot == std::string::npos || path.find('/', dot) != std::string::npos) return false;
  std::string digits = path.substr(dot + 1);
  if (digits.size() < 3 || !AllDigits(digits)) return false;
  uint64_t value = 0;
  if (!ParseNumber(digits, &value) || value > 1) return false;
  if (dot == 0 || path[dot - 1] == '/') return false;  // ".001" alone is not a set name
  *base = path.substr(0, dot);
  *first = value;
  *width = static_cast<int>(digits.size());
  return true;
}

std::string SplitPartName(const std::string& base, uint64_t number, int width) {
  std::string digits = std::to_string(number);
  if (static_cast<int>(digits.size()) < width) digits.insert(0, width - digits.size(), '0');
  return base + "." + digits;
}

Result<std::unique_ptr<Source>> OpenSplitRawSource(const std::string& first_part) {
  std::string base;
  uint64_t first = 0;
  int width = 0;
  if (!ParseSplitRawName(first_part, &base, &first, &width)) {
    return InvalidArgument(first_part + " is not the first part of a split raw set");
  }
  std::vector<SplitRawSource::Part> parts;
  uint64_t start = 0;
  uint64_t number = first;
  for (;; ++number) {
    std::string part_path = number == first ? first_part : SplitPartName(base, number, width);
    if (number != first) {
      Result<os::FileInfo> info = os::Stat(part_path, /*follow_symlinks=*/true);
      if (!info.ok() && info.status().code() == Code::kNotFound) break;  // end of the set
    }
    Result<os::Fd> fd = os::OpenReadOnly(part_path);
    if (!fd.ok()) {
      return Status(fd.status().code(),
                    "split raw set " + first_part + ": " + fd.status().message());
    }
    Result<uint64_t> size = os::SizeOf(*fd, part_path);
    if (!size.ok()) {
      return Status(size.status().code(),
                    "split raw set " + first_part + ": " + size.status().message());
    }
    SplitRawSource::Part part;
    part.path = part_path;
    part.fd = std::move(*fd);
    part.start = start;
    part.size = *size;
    start += *size;
    parts.push_back(std::move(part));
  }
  // `number` is the first missing part. A later part in the same directory means a gap.
  std::string dir = os::DirName(base);
  std::string stem = os::BaseName(base) + ".";
  Result<std::vector<std::string>> names = os::ListDirectory(dir);
  if (names.ok()) {
    uint64_t later = 0;
    std::string later_name;
    for (const std::string& name : *names) {
      if (name.size() < stem.size() + width || name.compare(0, stem.size(), stem) != 0) continue;
      std::string digits = name.substr(stem.size());
      uint64_t v = 0;
      if (!AllDigits(digits) || !ParseNumber(digits, &v) || v <= number) continue;
      if (later == 0 || v < later) {
        later = v;
        later_name = name;
      }
    }
    if (later != 0) {
      return NotFound("split raw set " + first_part + ": part " +
                      SplitPartName(base, number, width) + " is missing (" + later_name +
                      " exists)");
    }
  }
  return std::unique_ptr<Source>(new SplitRawSource(first_part, std::move(parts)));
}

}  // namespace evidex::io_internal
