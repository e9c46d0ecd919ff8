// Scan output: bulk_extractor-compatible feature files and histograms, and hits.jsonl.
//
// OutputWriter owns the files in OUTDIR. Hits are added in their final order (by source, then
// offset); histograms are kept in memory and written by Finish(). Not thread-safe: one writer
// thread adds hits. Errors (disk full, permission) are returned as Status and stop the writer.
// The lines themselves are rendered by RenderHits, which the scan workers call in parallel on
// their own page's hits, so that the one writer thread only appends finished text.
#ifndef EVIDEX_SCAN_OUTPUT_H_
#define EVIDEX_SCAN_OUTPUT_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "scan/histogram.h"
#include "scan/hit.h"
#include "scan/scanner.h"

namespace evidex::scan {

// bulk_extractor's escaping: valid UTF-8 is kept; bytes below 0x20, 0x7f, '\\' and bytes that do
// not form valid UTF-8 become \xHH (upper-case hex).
std::string EscapeFeature(std::string_view bytes);

// Where a hit's top-level offset lies in a filesystem inside the source.
struct HitPlace {
  std::string fs;                      // "ext4@1048576"
  const std::string* path = nullptr;   // the file, or nullptr: in no file's content ("unallocated")
  uint64_t file_offset = 0;
  bool deleted = false;
};
class HitLocator {
 public:
  virtual ~HitLocator() = default;
  // False when the offset is in no filesystem. Thread-safe (workers call it).
  virtual bool Locate(uint64_t offset, HitPlace* place) const = 0;
};

// A page's hits as the text of the output files: one feature-file blob per scanner and the
// hits.jsonl lines, in hit order.
struct RenderedHits {
  std::vector<std::string> features;  // indexed by scanner
  std::string jsonl;                  // empty unless jsonl was asked for
};
// `name` is the evidence item's name ("" for a single source); it heads the forensic path.
// `locator` (may be null) adds each hit's file to its hits.jsonl line.
void RenderHits(std::span<const Hit> hits, std::string_view name,
                std::span<const ScannerDef* const> scanners, bool jsonl, RenderedHits* out,
                const HitLocator* locator = nullptr);

class OutputWriter {
 public:
  struct Options {
    std::string outdir;
    bool jsonl = false;
    std::string banner_filename;  // the "# Filename:" header
  };
  static Result<std::unique_ptr<OutputWriter>> Open(const Options& options,
                                                    std::span<const ScannerDef* const> scanners);
  ~OutputWriter();

  // Appends a page's hits, rendered by RenderHits with the same scanners and jsonl option.
  Status AddPage(std::span<const Hit> hits, const RenderedHits& rendered);
  // One hit (renders it here).
  Status Add(const Hit& hit, std::string_view name);
  // Writes the histograms and closes every file.
  Status Finish();

  uint64_t count(size_t scanner) const { return counts_[scanner]; }
  uint64_t utf16_count(size_t scanner) const { return utf16_counts_[scanner]; }

 private:
  OutputWriter() = default;
  Status Write(FILE* f, std::string_view text, const std::string& file);

  Options options_;
  std::vector<const ScannerDef*> scanners_;
  std::vector<FILE*> feature_files_;
  FILE* jsonl_ = nullptr;
  std::vector<uint64_t> counts_, utf16_counts_;
  std::vector<Histogram> histograms_;
  RenderedHits one_;
  bool finished_ = false;
};

}  // namespace evidex::scan

#endif  // EVIDEX_SCAN_OUTPUT_H_
