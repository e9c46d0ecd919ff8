// Internal to the SQLite back end: scans, artifacts, correlation and watchlists (store.h, "Scans
// and artifacts" and "Watchlists"; schema v2 in sqlite_store.cc, layout in docs/FORMATS.md).
//
// SqliteArtifacts works on the store's connection and runs its writes through the store's
// Transaction (so they join a transaction the caller opened). It is owned by SqliteStore and used
// by the same one thread; a ScanWriter it creates borrows the connection and must not outlive it.
//
// Decisions the contract leaves open (store.h):
// - An artifact's cases and occurrences are not stored with it: they are read from its
//   evidence_artifacts rows (one range of a covering index), which ScanWriter::Finish writes, so
//   Finish and a superseding BeginScan write no artifact row. Until Finish a scan's artifacts are
//   not found by search, Sightings, Correlate or watch hits, and a scan killed before Finish keeps
//   its committed occurrences (its "running" row shows how far it came) but they count nowhere
//   until it is run again, which removes them.
// - Artifacts are never deleted (a concurrent writer's id cache stays valid); one no case holds any
//   more has no evidence_artifacts row and is not returned by any search. Ids are in first-seen
//   order (the values new to a batch in (kind, value) order), so by-id structures append.
// - Occurrences "in path order" are in the order the scan reported them, which is source order
//   (scan_job.h); across evidence, by evidence id.
// - FindArtifactsBySuffix with a kind other than "email", "domain" or "" is kInvalidArgument.
// - A ScanWriter whose scan was superseded meanwhile (the same evidence scanned again elsewhere)
//   fails its next write with kInvalidArgument and writes nothing more.
// - A ScanWriter commits its own batches: its writes inside Store::Transaction are refused
//   (kInvalidArgument). BeginScan may join one.
// - The scan writer waits up to kWriterLockWaitSeconds for the write lock (another process's
//   Finish may hold it for seconds), not only the busy timeout.
// - Batches: "committed at most every ~1 s or ~100,000 occurrences" is read as a bound on how
//   often: a batch is committed a second after the previous one, or at 500,000 occurrences /
//   64 MiB buffered. Finish is one transaction (last batch, occurrence index, counts, hits).
// - Limits of 0 (prefix and suffix search, Occurrences, Correlate) mean no limit.
//
// Cost (measured with bench/store_bench.cc, 100 cases, ~250 scans): ingest is bound by the random
// inserts of new values into the artifacts' unique (kind, value) and suffix (rvalue) indexes and,
// for values already known, into evidence_artifacts' by-artifact index. Each commit (a scan's
// Finish, at least) rewrites every page it touched, about one per new value once a scan's new
// values are fewer than the index's pages: 1M occurrences write ~2 GB for a 150 MB store, 5M
// ~12 GB for 0.8 GB. Ingest CPU (process, shared 2-core machine): 1M 6.7 s, 5M 40 s (were 8.9 s
// and 55 s with the counts on the artifact rows); wall 80-130k/s at 1M and 5M. Reaching far more
// needs those two indexes written in sorted runs (a small recent level merged into larger ones),
// not one random insert per new value per commit.
// Search, Sightings, Occurrences, Correlate and watchlist matching are index look-ups and stay in
// milliseconds (Correlate, watchlists: seconds at a million); counting an artifact's cases reads
// its evidence_artifacts range, so a prefix or suffix search sorting millions of artifacts by
// cases costs one more seek per artifact.
#ifndef EVIDEX_STORE_SQLITE_ARTIFACTS_H_
#define EVIDEX_STORE_SQLITE_ARTIFACTS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite.h"
#include "store/store.h"

namespace evidex::store {

constexpr int kWriterLockWaitSeconds = 120;

// Runs a body in the store's transaction (joining one that is open).
using TransactionRunner = std::function<Status(const std::function<Status()>&)>;

// Runs `body` in the store's transaction, waiting up to kWriterLockWaitSeconds for the write lock
// (sqlite_artifacts.cc says why). `may_nest`: whether a transaction the caller opened may hold it
// (a writer's batches may not: what they wrote must be committed when the call returns).
Status WithWriteLock(Db& db, const TransactionRunner& transaction,
                     const std::function<Status()>& body, bool may_nest = false);

// OK when evidence `evidence_id` exists and belongs to case `case_id`: kNotFound, or
// kInvalidArgument naming both, otherwise (BeginScan, BeginFiles).
Status CheckEvidenceInCase(Db& db, int64_t evidence_id, int64_t case_id);

class SqliteArtifacts {
 public:
  SqliteArtifacts(Db* db, TransactionRunner transaction)
      : db_(db), transaction_(std::move(transaction)) {}

  Result<std::unique_ptr<ScanWriter>> BeginScan(ScanRecord scan);
  Result<std::vector<ScanRecord>> ListScans(int64_t case_id);
  Result<std::vector<Artifact>> FindArtifacts(const std::string& kind, const std::string& value);
  Result<std::vector<Artifact>> FindArtifactsByPrefix(const std::string& kind,
                                                      const std::string& prefix, size_t limit);
  Result<std::vector<Artifact>> FindArtifactsBySuffix(const std::string& kind,
                                                      const std::string& suffix, size_t limit);
  Result<std::vector<Sighting>> Sightings(int64_t artifact_id);
  Result<std::vector<OccurrenceOut>> Occurrences(int64_t artifact_id, int64_t evidence_id,
                                                 size_t limit);
  Result<std::vector<Correlation>> Correlate(int64_t case_id, const CorrelateOptions& options);
  Status ForEachCaseArtifact(
      int64_t case_id,
      const std::function<bool(const Artifact&, uint64_t occurrences_in_case)>& each);
  Result<uint64_t> CountCases();
  Result<Watchlist> AddWatchlist(Watchlist list, std::span<const Indicator> indicators);
  Result<std::vector<Watchlist>> ListWatchlists();
  Status RemoveWatchlist(int64_t id);
  Result<std::vector<WatchHit>> ListHits(int64_t case_id);

 private:
  // Sightings of one artifact; only case `only_case` when != 0, none of `except_case` when != 0.
  Result<std::vector<Sighting>> SightingsWhere(int64_t artifact_id, int64_t only_case,
                                               int64_t except_case, size_t limit);
  Result<std::vector<Artifact>> FindRange(const std::string& kind, const std::string& lo,
                                          const std::string& hi, bool reversed, size_t limit);
  Status Supersede(int64_t evidence_id, int64_t case_id);

  Db* db_;
  TransactionRunner transaction_;
};

}  // namespace evidex::store

#endif  // EVIDEX_STORE_SQLITE_ARTIFACTS_H_
