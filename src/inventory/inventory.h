// A file inventory of one source: every file and directory of every filesystem inside it
// (fs::Walk), with each regular file's content read once for what is asked — MD5 / SHA-1 /
// SHA-256 and the type by content (libmagic), ssdeep and TLSH, YARA rules — and its digests
// looked up in the hash sets. What `evidex files` prints or stores, and what `evidex scan
// --skip-known` uses to find known-good files.
//
// Content whose extents cover the file is read by worker threads straight from the source
// (Source::ReadAt is thread-safe; TSK is not), so reading runs on every CPU while the walk goes
// on; other content (NTFS resident, compressed, sparse) is read through TSK on the walking
// thread. Entries are handed to `each` on the calling thread, in walk order, each once its
// content is done.
#ifndef EVIDEX_INVENTORY_INVENTORY_H_
#define EVIDEX_INVENTORY_INVENTORY_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/hash.h"
#include "core/status.h"
#include "fs/filesystem.h"
#include "hashset/hashset.h"
#include "io/source.h"
#include "yara/yara.h"

namespace evidex::inventory {

// Fuzzy hashes say little about small files: ssdeep and TLSH are computed from 4 KiB on.
constexpr uint64_t kFuzzyMinSize = 4096;

struct Options {
  bool deleted = true;   // deleted entries too
  bool hash = true;      // MD5, SHA-1, SHA-256, hash-set look-ups
  // With hash: which of them (HashSet bits, core/hash.h; the others are left ""). `scan
  // --skip-known` computes only those its sets hold.
  unsigned algorithms = kHashAll;
  bool magic = true;     // with hash: the type by content (libmagic on the first 4 KiB)
  bool fuzzy = false;    // ssdeep and TLSH of files of at least kFuzzyMinSize bytes
  bool extents = false;  // keep Entry::file.extents for the caller even when no content is read
  const yara::Rules* rules = nullptr;  // YARA rules run on every file's content
  yara::ScanOptions yara;
  // Hash sets the digests are looked up in (with hash); may be null.
  const std::vector<std::unique_ptr<hashset::HashSet>>* sets = nullptr;
  unsigned threads = 0;  // content readers; 0: one per CPU
  const std::atomic<bool>* cancel = nullptr;  // stops the walk when it becomes true
};

struct Entry {
  std::string fs;       // "fat16@1048576": the filesystem's type and byte offset in the source
  std::string fs_type;  // "fat16"
  uint64_t fs_offset = 0;
  fs::FileEntry file;
  bool read = false;  // a regular file whose content was read (or tried)
  std::string error;  // the content could not be read whole: why ("" when it could)
  Digests digests;    // with hash, when read without error
  std::array<std::vector<uint8_t>, 3> raw;  // the same, raw
  std::string mime;
  std::string ssdeep, tlsh;                   // with fuzzy; "" for small or uniform content
  std::vector<hashset::SetMatch> matches;     // hash sets holding it
  std::vector<yara::Match> yara;
  std::string yara_error;  // the YARA scan failed (a timeout) though the content was read
  bool Alert() const;      // in an alert set
  bool Known() const;      // in a known-good set (and in no alert set)
};

struct Progress {
  uint64_t bytes_read = 0;  // content bytes read so far
  uint64_t entries = 0;
  const std::string* path = nullptr;  // the entry just walked
};

// Walks `source`; calls `each` for every entry in walk order (it returns false to stop) and
// `progress` (may be empty) after each entry walked, both on the calling thread. Errors as
// fs::Walk.
Result<fs::WalkReport> Run(Source& source, const Options& options,
                           const std::function<bool(Entry&)>& each,
                           const std::function<void(const Progress&)>& progress = {});

}  // namespace evidex::inventory

#endif  // EVIDEX_INVENTORY_INVENTORY_H_
