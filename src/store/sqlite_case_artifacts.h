// Internal to the SQLite back end: the case artifact table (store.h, "The case artifact table";
// schema v4 in sqlite_store.cc, layout in docs/FORMATS.md).
//
// The summary (case_artifacts: one row per case and artifact with its kind, value, occurrences in
// the case, evidence items holding it and store-wide cases; case_artifact_kinds: rows per case and
// kind) is maintained eagerly, in the transaction that changes evidence_artifacts: Finish adds the
// scan's evidence (AddEvidenceToCaseSummary), a superseding BeginScan removes the earlier one's
// (RemoveEvidenceFromCaseSummary).
//
// Eager, not a lazy rebuild when a generation counter says stale: `cases` of a case's rows changes
// whenever another case is scanned, so a store-wide generation would make the first page after
// any scan anywhere rebuild a case of millions of rows, while the eager cost is bounded by the
// scan's own artifacts. Measured (bench/artifact_page_bench.cc, shared 2-core machine): 2M
// occurrences (922k artifacts) into one case of 11 evidence items, ingest 18.7 s with the summary
// against 12.8-13.5 s without (Finish 14.4 s against 9-9.6 s), about 6 s per million artifacts;
// rebuilding a case of 2.29M artifacts in one statement costs 9.6 s CPU (26 s wall), which a lazy
// scheme would pay at the first page after each scan.
//
// Reads, 5M occurrences (2.29M artifacts), 20 threads each with its own connection: a page of the
// whole case p50 1.4 ms, p95 65 ms; with a kind filter p50 0.14 ms, p95 9 ms. The slow paths: a
// text filter reads every row of the case (about 0.5 s CPU per pass over 2.29M values, for the
// total and again for a rare needle's rows: 0.4-2 s a page), and a per-evidence page sorts the
// evidence's rows (280k-1M here: p50 0.65 s). Making those fast needs a trigram index of the
// values (FTS5 `trigram`) and per-evidence summary rows; neither is kept yet.
//
// Thread safety: as the store (one thread per connection).
#ifndef EVIDEX_STORE_SQLITE_CASE_ARTIFACTS_H_
#define EVIDEX_STORE_SQLITE_CASE_ARTIFACTS_H_

#include <string>
#include <utility>
#include <vector>

#include "store/sqlite.h"
#include "store/store.h"

namespace evidex::store {

// After evidence `evidence_id`'s evidence_artifacts rows of case `case_id` were written.
Status AddEvidenceToCaseSummary(Db& db, int64_t case_id, int64_t evidence_id);
// Before those rows are deleted.
Status RemoveEvidenceFromCaseSummary(Db& db, int64_t case_id, int64_t evidence_id);

class SqliteCaseArtifacts {
 public:
  explicit SqliteCaseArtifacts(Db* db) : db_(db) {}

  Result<ArtifactPage> ListCaseArtifacts(int64_t case_id, const ArtifactQuery& query);
  Result<std::vector<std::pair<std::string, uint64_t>>> CountCaseArtifactsByKind(
      int64_t case_id, int64_t evidence_id);

 private:
  // kNotFound for an unknown case; CheckEvidenceInCase's refusals for an evidence not of it.
  Status CheckScope(int64_t case_id, int64_t evidence_id);
  // Rows per kind of the case (evidence_id 0) or of one evidence, by kind.
  Result<std::vector<std::pair<std::string, uint64_t>>> KindCounts(int64_t case_id,
                                                                   int64_t evidence_id);
  // `driver` is the plan's Driver (sqlite_case_artifacts.cc).
  Result<std::vector<CaseArtifact>> Fetch(int64_t case_id, const ArtifactQuery& query, int driver,
                                          const std::string& kind, ArtifactQuery::Sort sort,
                                          const CaseArtifact* after, bool descending,
                                          size_t limit);

  Db* db_;
};

}  // namespace evidex::store

#endif  // EVIDEX_STORE_SQLITE_CASE_ARTIFACTS_H_
