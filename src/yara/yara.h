// YARA rules (libyara 4.2) on file content: compile an examiner's rule file or directory once,
// then scan any number of files with it, from any number of threads.
//
// What a scan sees. A file of up to ScanOptions::whole_limit bytes is scanned as one block, held
// in memory: every rule behaves as with the `yara` command. A larger file is scanned in blocks of
// ScanOptions::block_size bytes through a YARA memory-block iterator, so that it is never held
// whole in memory. YARA scans each block on its own and gives its matches at the block's base
// offset: a string that spans two blocks is NOT found (YARA does not join blocks; see its
// documentation of YR_MEMORY_BLOCK_ITERATOR), and after the blocks have gone by, the condition
// reads (uint32(x), modules such as pe) see the first block only — header checks work, reads
// further on are undefined. `filesize` is the file's size in both cases.
//
// Ownership and thread safety: Rules is immutable once compiled; Scan may be called from any
// number of threads at once (each call has its own YR_SCANNER). A Stream is used by one thread.
// yr_initialize / yr_finalize are handled here, once per process.
//
// Failure: a rule that does not compile is kInvalidArgument naming the file and line; a scan that
// runs past its timeout is kLimit; a read error from the caller is returned as it came.
#ifndef EVIDEX_YARA_YARA_H_
#define EVIDEX_YARA_YARA_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

struct YR_RULES;

namespace evidex::yara {

inline constexpr size_t kMaxMatchData = 64;  // bytes of each matched string kept

struct StringMatch {
  std::string id;       // "$a"
  uint64_t offset = 0;  // in the file
  uint64_t length = 0;  // of the match
  std::string data;     // the matched bytes, at most kMaxMatchData
};

struct Match {
  std::string rule, ns;  // ns: "default" unless the rules say otherwise
  std::vector<std::string> tags;
  std::map<std::string, std::string> meta;  // integers and booleans as text ("1", "true")
  std::vector<StringMatch> strings;         // in rule order, then offset order
  bool strings_truncated = false;           // more than ScanOptions::max_strings were found
};

struct ScanOptions {
  uint64_t whole_limit = uint64_t(256) << 20;  // files up to this size: one block, in memory
  size_t block_size = size_t(16) << 20;        // larger files: blocks of this size
  int timeout_seconds = 60;                    // per scan (per file); 0: none
  size_t max_strings = 100;                    // string matches kept per rule
  size_t max_rules = 1000;                     // matching rules kept per file
};

// Reads the next bytes of the content into `buf`, in order; returns how many (0 at the end).
using ReadFn = std::function<Result<size_t>(std::span<std::byte> buf)>;

class Rules {
 public:
  // Compiles a rule file, or every .yar / .yara file under a directory (in sorted path order)
  // into one rule set. A missing path is kNotFound; an empty directory kInvalidArgument.
  static Result<std::unique_ptr<Rules>> Compile(const std::string& path);
  ~Rules();
  Rules(const Rules&) = delete;
  Rules& operator=(const Rules&) = delete;

  size_t rule_count() const { return rule_count_; }
  const std::vector<std::string>& files() const { return files_; }

  // The rules matching `data` (scanned as one block, whatever its size).
  Result<std::vector<Match>> Scan(std::span<const std::byte> data, const ScanOptions& options) const;
  // The rules matching content of `size` bytes pulled through `read` (whole or in blocks, as
  // the header says). Memory: `size` bytes up to whole_limit, two blocks beyond.
  Result<std::vector<Match>> Scan(uint64_t size, const ReadFn& read, const ScanOptions& options) const;

 private:
  Rules() = default;
  YR_RULES* rules_ = nullptr;
  size_t rule_count_ = 0;
  std::vector<std::string> files_;
};

// The same scan, fed by a caller that pushes the content in pieces as it reads it (to hash it,
// say) instead of being pulled. Up to whole_limit the pieces are collected and scanned at
// Finish; beyond, the scan runs on a thread of its own that takes the pieces block by block.
class Stream {
 public:
  Stream(const Rules& rules, uint64_t size, const ScanOptions& options);
  ~Stream();  // finishes the scan when Finish was not called
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  void Write(std::span<const std::byte> piece);
  // The content ended (or the caller gives up: `error` not OK, returned as the result).
  Result<std::vector<Match>> Finish(const Status& error = Status::Ok());

 private:
  struct Bridge;
  const Rules& rules_;
  uint64_t size_;
  ScanOptions options_;
  std::vector<std::byte> whole_;
  std::unique_ptr<Bridge> bridge_;
  bool finished_ = false;
};

}  // namespace evidex::yara

#endif  // EVIDEX_YARA_YARA_H_
