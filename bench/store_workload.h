// The case-store workload: scan results for many cases, generated on the fly, and the ground truth
// the store benchmark checks its answers against (bench/store_bench.cc, docs/PERFORMANCE.md).
//
// Values. Every value is a function of one integer g, injective within its kind, so the truth
// needs no table of strings: g in [0, pool) is a shared value, drawn in every case by a Zipf-like
// law (log-uniform rank: a few values in most cases, most in one or two); g in [pool, pool + U)
// is a case-unique value (a fresh one, or a repeat of one of the case's recent ones); g from
// AbsentG() on is never stored (look-ups and watchlist indicators that must find nothing). The
// kind of g is a weighted hash of g (emails and domains most, then urls, IPs, phones, cards,
// IBANs, bitcoin and ethereum addresses); the value is in the scanner's normalized form.
//
// Occurrences. Case 0 is the "big" case: it gets exactly big_case_artifacts distinct artifacts
// (the correlate target); the other occurrences go to cases 1.. by log-uniform weights. Each case
// has 1 to 4 evidence items, each one stored scan; within an evidence the forensic paths grow
// ("123456789", "123-GZIP-45" inside a gzip member) and contexts are short printable ASCII.
//
// Deterministic: the same options give the same occurrences in the same order and the same truth,
// on every platform (bench::Rng, no std:: distributions). Memory: the truth holds 32 bytes per
// pool value and 2 bytes per case-unique value (50 M occurrences: about 130 MiB).
//
// Thread safety: none; one Workload per thread.
#ifndef EVIDEX_BENCH_STORE_WORKLOAD_H_
#define EVIDEX_BENCH_STORE_WORKLOAD_H_

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace evidex::bench {

inline constexpr int kMaxCases = 128;  // a case set is a 128-bit mask

struct WorkloadOptions {
  uint64_t occurrences = 50'000'000;
  int cases = 100;
  uint64_t seed = 42;
  uint64_t big_case_artifacts = 1'000'000;  // distinct artifacts of case 0
  uint64_t pool = 0;                        // shared values; 0: occurrences / 20
};

// One generated occurrence. Strings are reused from row to row (no allocation once warm).
struct WorkloadRow {
  const char* kind = "";
  std::string value, feature, path, context;
  bool utf16 = false;
};

// Where one row's value comes from: g (see above).
struct CaseSet {
  std::array<uint64_t, 2> bits{};
  void Set(int c) { bits[c >> 6] |= uint64_t(1) << (c & 63); }
  bool Has(int c) const { return bits[c >> 6] >> (c & 63) & 1; }
  int Count() const { return __builtin_popcountll(bits[0]) + __builtin_popcountll(bits[1]); }
};

struct WorkloadTruth {
  uint64_t pool = 0;
  std::vector<CaseSet> pool_cases;           // per pool value: the cases holding it
  std::vector<uint32_t> pool_occurrences;    // per pool value: in the whole store
  std::vector<uint32_t> pool_in_big;         // per pool value: in case 0
  std::vector<uint16_t> unique_occurrences;  // per case-unique value (saturates at 65535)
  struct CaseTruth {
    uint64_t occurrences = 0;
    uint64_t unique_first = 0, unique_end = 0;  // its case-unique values' g range
    uint64_t pool_distinct = 0;                 // filled by Finalize()
    std::vector<uint64_t> evidence_occurrences;
    uint64_t distinct() const { return unique_end - unique_first + pool_distinct; }
  };
  std::vector<CaseTruth> cases;
  // Filled by Finalize(): distinct artifacts, and how many artifacts are held by k cases.
  uint64_t occurrences = 0, distinct = 0;
  std::vector<uint64_t> artifacts_by_cases;  // [k] for k in 0..cases

  void Finalize();
  uint64_t UniqueEnd() const { return cases.empty() ? pool : cases.back().unique_end; }
  // One number over everything above: two passes over the workload must agree.
  uint64_t Digest() const;
};

// Receives the workload in order: cases from 0, evidence from 0 within a case, rows in batches.
class WorkloadSink {
 public:
  virtual ~WorkloadSink() = default;
  virtual Status BeginEvidence(int case_index, int evidence_index) = 0;
  virtual Status Rows(std::span<const WorkloadRow> rows) = 0;
  virtual Status EndEvidence() = 0;
};

class Workload {
 public:
  explicit Workload(const WorkloadOptions& options);
  const WorkloadOptions& options() const { return options_; }

  // Generates every occurrence into sink (rows in batches of at most batch_rows) and fills truth.
  // Stops at the sink's first error. progress(done) is called about every batch.
  Status Run(WorkloadSink* sink, size_t batch_rows, WorkloadTruth* truth,
             const std::function<void(uint64_t)>& progress = {});

  // The kind name and normalized value of g (the same as Run stores).
  const char* KindOf(uint64_t g) const;
  void Value(uint64_t g, std::string* out) const;
  // First g that no run stores (absent values are AbsentG() + i).
  uint64_t AbsentG() const { return pool_ + options_.occurrences + 1; }
  uint64_t pool() const { return pool_; }
  // "BENCH/001" for case 0.
  static std::string CaseNumber(int case_index);

 private:
  int KindIndex(uint64_t g) const;
  void Feature(int kind, uint64_t g, const std::string& value, uint64_t r, std::string* out) const;

  WorkloadOptions options_;
  uint64_t pool_;
  uint64_t salt_;  // from the seed: the value mapping differs between seeds
};

// "50M", "1m", "20k", "1.5M", "20000" -> a count (powers of 1000); 0 on a bad text.
uint64_t ParseCount(const std::string& text);

}  // namespace evidex::bench

#endif  // EVIDEX_BENCH_STORE_WORKLOAD_H_
