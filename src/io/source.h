// Evidence sources: read-only byte streams with random access.
//
// A Source is what the scanner, the vault and the filesystem layer read evidence through. Every
// implementation opens its underlying files read-only (O_RDONLY | O_CLOEXEC); nothing in io/ ever
// writes to evidence. ReadAt is safe to call from several threads at once (implementations that
// wrap a non-thread-safe library serialize internally).
//
// OpenSource() recognizes, in this order: a directory (refused: use EnumerateEvidence), an E01 set
// (libewf signature; later segments found from the first), a split raw set (a name ending in
// .000 or .001; parts numbered consecutively), anything else as raw bytes (regular file or block
// device).
#ifndef EVIDEX_IO_SOURCE_H_
#define EVIDEX_IO_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace evidex {

class Source {
 public:
  virtual ~Source() = default;
  // Total size in bytes (for an E01: the media size).
  virtual uint64_t Size() const = 0;
  // Reads up to out.size() bytes at `offset` into `out`. Returns the count read; it is short only
  // at the end of the source. A read error returns a Status naming the source and the offset.
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) = 0;
  // One line for people and reports: "raw file /x/disk.dd", "E01 set /x/a.E01 (3 segments)".
  virtual std::string Describe() const = 0;
};

// An in-memory source, for tests and for decoded data.
std::unique_ptr<Source> MakeMemorySource(std::string bytes, std::string description = "memory");

// Opens one evidence path (not a directory), read-only.
Result<std::unique_ptr<Source>> OpenSource(const std::string& path);

// Opens one file or device as raw bytes, whatever its name or signature: the files found in a
// directory are scanned as the files they are (a directory of split parts is not a set).
Result<std::unique_ptr<Source>> OpenRawFile(const std::string& path);

// One item to scan: a path on disk and the name it carries in forensic paths ("" for a single
// evidence file; the path relative to the directory for a directory's files).
struct EvidenceItem {
  std::string path;
  std::string relative;
};

struct Enumeration {
  std::vector<EvidenceItem> items;
  std::vector<Status> errors;  // unreadable entries met while walking (each names its path)
};

// A file, device, split set or E01 set gives one item; a directory gives one item per regular
// file under it (symbolic links are not followed), sorted by relative path, so that output does
// not depend on directory order. A missing path is an error.
Result<Enumeration> EnumerateEvidence(const std::string& path);

}  // namespace evidex

#endif  // EVIDEX_IO_SOURCE_H_
