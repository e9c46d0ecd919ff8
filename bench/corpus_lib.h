// The benchmark corpus: a synthetic, disk-like image with planted artifacts and its ground truth,
// and the checker that compares a scanner's hits.jsonl with that truth.
//
// Generation is deterministic by seed (our own PRNG, no std:: distributions), streams its output
// in blocks (memory does not grow with the image size) and mixes random bytes, zero runs,
// English-like ASCII and UTF-16LE text, gzip members, zlib streams and ZIP files (deflated,
// stored, and with a gzip member inside an entry). Artifacts are planted in the text; some
// straddle each multiple of the scanner's 16 MiB page. Invalid look-alikes (bad checksums, bogus
// TLDs, octets > 255) are planted too: a scanner must not report them.
#ifndef EVIDEX_BENCH_CORPUS_LIB_H_
#define EVIDEX_BENCH_CORPUS_LIB_H_

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "core/status.h"

namespace evidex::bench {

// Scanner page size: artifacts are planted across each multiple of it.
inline constexpr uint64_t kPageSize = 16ull * 1024 * 1024;

// xoshiro256** seeded through splitmix64: the same numbers on every platform and library.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  // Uniform-ish in [0, n) by multiply-shift (n > 0); deterministic, bias negligible here.
  uint64_t Below(uint64_t n) { return uint64_t((unsigned __int128)Next() * n >> 64); }
  // Inclusive range.
  uint64_t Range(uint64_t lo, uint64_t hi) { return lo + Below(hi - lo + 1); }
  bool Chance(double p) { return double(Next() >> 11) * 0x1.0p-53 < p; }
  // Log-uniform in [lo, hi]: many small regions, some big ones.
  uint64_t LogRange(uint64_t lo, uint64_t hi);
  void Fill(void* buf, size_t n);

 private:
  uint64_t s_[4];
};

// One planted artifact. `written` is the text as planted (ASCII; widened when in UTF-16LE); it is
// not part of truth.jsonl but lets tests find the artifact in the image.
struct TruthRecord {
  std::string kind;
  std::string normalized;
  std::string written;
  bool valid = true;
  std::string placement;  // plain utf16le gzip zlib zip-deflate zip-stored nested edge edge-utf16le
  uint64_t offset = 0;    // of the artifact, or of its outermost container (gzip member, zlib
                          // stream, ZIP local file header)
};

std::string TruthToJson(const TruthRecord& r);  // one line, no newline
std::optional<TruthRecord> TruthFromJson(std::string_view line);

// Where the generator's output goes.
class CorpusSink {
 public:
  virtual ~CorpusSink() = default;
  virtual Status Write(std::string_view bytes) = 0;
  virtual Status Truth(const TruthRecord& record) = 0;
};

struct CorpusOptions {
  uint64_t size = 1ull << 30;
  uint64_t seed = 42;
};

struct CorpusStats {
  uint64_t bytes_random = 0, bytes_zero = 0, bytes_text = 0, bytes_compressed = 0;
  uint64_t text_decoded = 0;  // bytes of text inside compressed containers
  uint64_t gzip_members = 0, zlib_streams = 0, zip_files = 0, zip_entries = 0;
  uint64_t edges = 0;
  std::map<std::string, uint64_t> valid_by_kind, invalid_by_kind;
};

// Generates options.size bytes into sink. Same options, same bytes and truth.
Status GenerateCorpus(const CorpusOptions& options, CorpusSink* sink, CorpusStats* stats);

// Writes DIR/corpus.img and DIR/truth.jsonl (through .tmp files renamed when complete) and
// DIR/corpus.json (size, seed, counts).
Status GenerateCorpusToDir(const CorpusOptions& options, const std::string& dir,
                           CorpusStats* stats);

// "1G", "512M", "20MiB", "64K", "12345" -> bytes (powers of 1024).
std::optional<uint64_t> ParseSize(std::string_view text);

struct CheckOptions {
  double min_recall = 0.99;
  bool json = false;
  int examples = 5;  // missing / unexpected values listed per kind in the text report
};

// Compares hits (JSON lines with kind and normalized) with the truth. Writes the report to out.
// Returns 0 when every kind's recall >= min_recall and no look-alike was reported, 1 when not,
// 2 on a usage or I/O error (message in *error).
int CheckHits(const std::string& truth_path, const std::string& hits_path,
              const CheckOptions& options, std::ostream& out, std::string* error);

}  // namespace evidex::bench

#endif  // EVIDEX_BENCH_CORPUS_LIB_H_
