// Known-file hash sets: NSRL, hashdeep lists, Project VIC / CAID exports and plain lists,
// compiled once into a file that is memory-mapped for look-ups (docs/FORMATS.md, "Hash sets").
//
// A set has one category for all its digests — known-good (files to leave out) or alert (files
// to flag at once) — and a table of up to 255 labels ("malware", "VICS category 1: ..."); each
// digest carries the number of its label. MD5, SHA-1 and SHA-256 digests are kept in one sorted
// section per algorithm with a bucket index on their leading bits, so that a look-up reads the
// index and then one or two cache lines of digests: tens of millions of look-ups per second, and
// 50 million SHA-1 values take 1.06 GB (21 bytes each, plus the index).
//
// Thread safety: a HashSet is immutable once opened; Find may be called from any number of
// threads. A Builder is used by one thread.
#ifndef EVIDEX_HASHSET_HASHSET_H_
#define EVIDEX_HASHSET_HASHSET_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace evidex::hashset {

enum class Algorithm : uint8_t { kMd5 = 0, kSha1 = 1, kSha256 = 2 };
inline constexpr int kAlgorithms = 3;
constexpr size_t DigestSize(Algorithm a) {
  return a == Algorithm::kMd5 ? 16 : a == Algorithm::kSha1 ? 20 : 32;
}
const char* AlgorithmName(Algorithm a);  // "md5", "sha1", "sha256"
// The algorithm of a hex digest of this many characters (32, 40, 64), or none.
std::optional<Algorithm> AlgorithmForHexLength(size_t hex_chars);
// Decodes exactly DigestSize(a) * 2 hex digits (either case) into out; false otherwise.
bool ParseHexDigest(std::string_view hex, Algorithm a, uint8_t* out);
std::string HexDigest(const uint8_t* digest, Algorithm a);  // lower case

enum class Category : uint8_t { kKnownGood = 0, kAlert = 1 };
const char* CategoryName(Category c);                        // "known", "alert"
std::optional<Category> ParseCategory(std::string_view name);  // "known"/"known-good", "alert"

// What a set is; written in the file's header.
struct SetInfo {
  std::string id;            // a UUID, given by the caller (the file is <id>.evhs)
  std::string name;          // "NSRL RDS 2024.03.1 modern"
  Category category = Category::kKnownGood;
  std::string description;
  std::string format;        // the importer's: "nsrl-rds3", "hashdeep", "list", "vics"
  std::string source_file;   // as given at import
  std::string source_sha256;
  std::string imported;      // UTC, ISO 8601
  std::vector<std::string> labels;  // label 0 is the set's default label ("" when none)
  std::array<uint64_t, kAlgorithms> counts{};  // distinct digests per algorithm (set by Write)
};

class Builder {
 public:
  explicit Builder(SetInfo info);
  ~Builder();
  // The number of `label` in the set's label table, added when new (at most 255 labels:
  // beyond, kLimit).
  Result<uint8_t> Label(std::string_view label);
  // Adds one digest (DigestSize(a) bytes). The same digest added twice is kept once, with the
  // lower label number.
  void Add(Algorithm a, const uint8_t* digest, uint8_t label = 0);
  uint64_t added() const { return added_; }
  const SetInfo& info() const { return info_; }
  SetInfo& info() { return info_; }
  // Sorts, removes duplicates and writes the set to `path` (through a temporary file renamed
  // into place, so a reader never sees half a set). Memory: the digests added, once more while
  // writing at most one algorithm's section.
  Status Write(const std::string& path);

 private:
  SetInfo info_;
  std::array<std::vector<uint8_t>, kAlgorithms> digests_;  // digest bytes + 1 label byte each
  uint64_t added_ = 0;
};

class HashSet {
 public:
  // Maps the file read-only and checks its header and section sizes (a damaged or truncated
  // file is kCorrupt, another format kInvalidArgument).
  static Result<std::unique_ptr<HashSet>> Open(const std::string& path);
  ~HashSet();
  HashSet(const HashSet&) = delete;
  HashSet& operator=(const HashSet&) = delete;

  const SetInfo& info() const { return info_; }
  // The label number of the digest, or -1 when the set does not hold it.
  int Find(Algorithm a, const uint8_t* digest) const;
  // Find for n digests laid end to end (DigestSize(a) bytes each), into labels[0..n). Faster
  // than n calls when n is more than a few: the index entries and records of a group of digests
  // are asked for from memory together, so their cache misses overlap instead of adding up.
  void FindMany(Algorithm a, const uint8_t* digests, size_t n, int* labels) const;
  // Bytes mapped (what the set costs in memory once its pages are in).
  uint64_t mapped_bytes() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  HashSet() = default;
  struct Section {
    const uint8_t* records = nullptr;  // count records of DigestSize + 1 bytes, sorted
    const uint32_t* buckets = nullptr; // (1 << bits) + 1 start indices (record numbers / 1)
    uint64_t count = 0;
    int bits = 0;
  };
  SetInfo info_;
  std::string path_;
  const uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  std::array<Section, kAlgorithms> sections_{};
};

// Every set file (*.evhs) in `dir`, alert sets first, then by name; none when `dir` does not
// exist. A damaged set file is an error: a set that silently stopped matching would hide alerts.
Result<std::vector<std::unique_ptr<HashSet>>> OpenSets(const std::string& dir);

struct SetMatch {
  const HashSet* set;
  std::string label;
};
// The sets holding `digest`, in the order of `sets`.
std::vector<SetMatch> FindInSets(const std::vector<std::unique_ptr<HashSet>>& sets, Algorithm a,
                                 const uint8_t* digest);
// The sets holding any of a file's digests (raw MD5, SHA-1 and SHA-256, in Algorithm order; an
// empty one is not looked up), each set once with the label of the first digest it holds.
std::vector<SetMatch> FindFileInSets(const std::vector<std::unique_ptr<HashSet>>& sets,
                                     const std::array<std::vector<uint8_t>, kAlgorithms>& digests);

}  // namespace evidex::hashset

#endif  // EVIDEX_HASHSET_HASHSET_H_
