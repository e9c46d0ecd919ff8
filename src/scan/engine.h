// The scan engine: Hyperscan passes over a page's bytes and text, validation, recursion into
// decoders.
//
// An Engine is built once from the enabled scanners (and keywords) into three Hyperscan
// block-mode databases: the decoders' signatures and the keywords, matched over the raw bytes;
// the scanners' patterns, matched over the page's printable-ASCII runs; and the same patterns
// plus the keywords, over its UTF-16LE runs narrowed to ASCII (text_runs.h). The Engine is
// immutable and shared by all threads. Each thread makes its own Worker (scratch space, inflate
// state, buffers) and calls ScanPage on pages read from a source.
//
// A page is a buffer holding [lead | keep | margin] bytes of the source: hits are reported only
// when they start inside keep, so a hit that crosses into the margin is found whole, exactly
// once. Decoders (gzip, zlib, ZIP) found in keep are decoded, reading past the buffer from the
// source when the stream continues there, and their output is scanned the same way, recursively,
// within the limits of EngineOptions. Output does not depend on how pages are spread on threads.
#ifndef EVIDEX_SCAN_ENGINE_H_
#define EVIDEX_SCAN_ENGINE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "io/source.h"
#include "scan/hit.h"
#include "scan/scanner.h"

namespace evidex::scan {

struct Keyword {
  std::string text;     // a literal, or a regular expression when is_regex
  bool is_regex = false;
  bool caseless = false;
};

// Parses a keywords file: one keyword per line; "/regex/" or "/regex/i" is a regular
// expression (i: case-insensitive), anything else a literal; empty lines and lines starting with
// "#" are skipped ("\#" for a literal starting with #). `caseless` applies to every line.
Result<std::vector<Keyword>> ParseKeywords(std::string_view file_text, bool caseless);

struct EngineOptions {
  std::vector<std::string> scanners;  // names to enable; empty: every default scanner
  std::vector<Keyword> keywords;      // non-empty enables the "keyword" scanner
  int max_depth = 5;                  // decoders nested at most this deep
  uint64_t max_stream_bytes = 256ull << 20;   // decoded output of one stream
  uint64_t max_page_decoded = 1024ull << 20;  // decoded output below one top-level page
};

struct PageStats {
  uint64_t streams_decoded = 0;   // decoder streams that produced output
  uint64_t bytes_decoded = 0;
  uint64_t limits_hit = 0;        // streams cut by a size limit
  uint64_t corrupt_streams = 0;   // streams that ended in an error after producing output
};

struct Page {
  std::span<const uint8_t> data;  // the buffer
  uint64_t data_offset = 0;       // source offset of data[0]
  size_t keep_begin = 0;          // index into data
  size_t keep_end = 0;
  Source* source = nullptr;       // to read streams that continue past data (may be null)
};

class Engine;

class Worker {
 public:
  virtual ~Worker() = default;
  // Appends the page's hits to *hits in a deterministic order (by offset).
  virtual void ScanPage(const Page& page, std::vector<Hit>* hits, PageStats* stats) = 0;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Create(const EngineOptions& options);
  virtual ~Engine() = default;

  // Enabled scanners in output order (the keyword scanner last when enabled).
  virtual std::span<const ScannerDef* const> scanners() const = 0;
  virtual std::unique_ptr<Worker> NewWorker() const = 0;
  // The longest artifact of any enabled scanner: pages need at least this much lead and margin.
  virtual size_t max_artifact_len() const = 0;
};

}  // namespace evidex::scan

#endif  // EVIDEX_SCAN_ENGINE_H_
