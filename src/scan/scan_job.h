// A whole scan: evidence items in, output files out, pages spread over worker threads.
//
// RunScan enumerates each SOURCE (a directory gives one item per file), reads every item in
// pages of `page_size` bytes with `lead` bytes before and `margin` bytes after, hands pages to
// `threads` workers and writes their hits in source order, so the output is identical for any
// thread count. Memory stays bounded: at most threads + 3 pages are in flight.
// Unreadable regions of a source are read around in 64 KiB blocks (zero-filled and counted as
// bad bytes) so one bad sector does not end the scan.
// Byte ranges of a source can be left out (ScanJobOptions::skip, e.g. the content of known-good
// files): they read as zeros to the engine, and pages inside them are not read at all.
#ifndef EVIDEX_SCAN_SCAN_JOB_H_
#define EVIDEX_SCAN_SCAN_JOB_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "io/source.h"
#include "scan/engine.h"
#include "scan/output.h"

namespace evidex::scan {

struct SourceReport;

// Receives every hit, page by page in source order, on the thread that called RunScan (so the
// order is the output files' order for any -j). A non-OK Status stops the scan like an output
// error does. `scanners` names hit.scanner.
using HitSink = std::function<Status(const SourceReport& source, std::span<const Hit> hits,
                                     std::span<const ScannerDef* const> scanners)>;

// Where a byte of a source lies in the files of the filesystems inside it, for hits.jsonl (the
// caller builds one per source, e.g. from fs::FileMap; see HitPlace in output.h).
using LocatorFactory =
    std::function<std::unique_ptr<HitLocator>(Source& source, SourceReport& report)>;

// Bytes [offset, offset + length) of a source.
struct ByteRange {
  uint64_t offset = 0, length = 0;
};

// Ranges of a source not to scan, e.g. the content of files in a known-good hash set. Called once
// per source, after it is opened (and after the LocatorFactory), on the thread that called
// RunScan; `source` is the source itself, unaffected by the ranges. The ranges may come in any
// order, overlap, or reach past the source's end: the job clamps them to the source, sorts and
// merges them. Their bytes are replaced by zeros before matching, in each page with its lead and
// margin and in what decoders read on from the source, so nothing is found in them and no
// artifact spans into them (hits starting in them are dropped too, for a keyword pattern that
// matches zeros). A page whose keep bytes all lie in them is not read at all, nor is a skipped
// stretch at either end of a read or of 64 KiB or more inside it; unread bytes are never counted
// as unreadable. Counted in SourceReport::bytes_skipped.
using SkipFactory = std::function<std::vector<ByteRange>(Source& source, SourceReport& report)>;

struct ScanJobOptions {
  std::vector<std::string> sources;
  // Names heading the forensic paths of each source when there are several (default: the path
  // as given); a case scan names them by evidence ("E1", "E2").
  std::vector<std::string> source_names;
  std::string outdir;
  int threads = 1;
  bool jsonl = false;
  EngineOptions engine;
  size_t page_size = 16u << 20;
  // Only artifacts need the margin (decoders read on from the source), so it is small: bytes in
  // it are read and matched twice.
  size_t margin = 64u << 10;
  std::string command_line;
  // When set and it becomes true (e.g. from a SIGINT handler), no new page is read; pages in
  // flight finish and everything found so far is written. The summary says `interrupted`.
  const std::atomic<bool>* cancel = nullptr;
  // Optional: hits also go here (a case scan stores them); see HitSink.
  HitSink hit_sink;
  // Optional: each source's hits are placed in its files (hits.jsonl "file" / "area").
  LocatorFactory locator;
  // Optional: each source's ranges not to scan (`evidex scan --skip-known`); see SkipFactory.
  SkipFactory skip;
};

struct ScanProgress {
  uint64_t bytes_done = 0;  // skipped bytes included, so that it reaches bytes_total
  uint64_t bytes_total = 0;
  uint64_t hits = 0;
  double seconds = 0;
};

struct SourceReport {
  std::string path;         // as given, or the file inside a directory
  std::string name;         // name heading forensic paths ("" for a single source)
  size_t source = 0;        // index in ScanJobOptions::sources
  std::string relative;     // the file's path inside a directory source ("" otherwise)
  std::string description;  // Source::Describe()
  uint64_t size = 0;
  uint64_t bytes_scanned = 0;  // skipped bytes excluded: a whole scan has scanned + skipped = size
  uint64_t bytes_skipped = 0;  // inside the ranges of ScanJobOptions::skip, not matched
  uint64_t bad_bytes = 0;   // unreadable, zero-filled
  std::vector<std::string> errors;
  bool opened = false;
};

struct ScanSummary {
  std::vector<SourceReport> sources;
  std::vector<std::string> errors;       // one line each, naming the source
  std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>> counts;  // scanner -> (hits, utf16)
  PageStats decoders;
  uint64_t bytes_scanned = 0;  // the sources' sums
  uint64_t bytes_skipped = 0;
  uint64_t hits = 0;
  double seconds = 0;
  int threads = 0;
  bool interrupted = false;
  // 0 done; 2 a source could not be read at all; 3 finished with unreadable parts.
  int exit_code = 0;
};

// Runs the scan. A non-OK Status means no scan happened or the output could not be written
// (bad options, no writable OUTDIR); unreadable evidence is reported in ScanSummary instead.
// `progress` is called from the calling thread about every 200 ms (may be empty).
Result<ScanSummary> RunScan(const ScanJobOptions& options,
                            const std::function<void(const ScanProgress&)>& progress);

// report.json's content for a finished scan.
std::string ReportJson(const ScanJobOptions& options, const ScanSummary& summary);

}  // namespace evidex::scan

#endif  // EVIDEX_SCAN_SCAN_JOB_H_
