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
// scheme would pay at the first page after each scan. Finish also recounts the evidence's kinds
// (case_evidence_kinds) and adds new artifacts to the trigram index (artifact_text).
//
// Plans (ListCaseArtifacts; the bounds are case_artifact_page.h's ArtifactPlanLimits). A page
// is read through one of three drivers, always in the same order with the same cursors:
//   summary:  per kind, the summary's index range of the sort key from the boundary, testing each
//             row (the text, and for an evidence an evidence_artifacts primary-key probe) until
//             the page is full: about limit / (share of rows kept) rows per kind.
//   evidence: the evidence's rows through evidence_artifacts_evidence (case, evidence, count,
//             artifact), joined with the summary: walked in order when the sort is its
//             occurrences, otherwise read whole and sorted. Chosen when the evidence holds fewer
//             than small_evidence artifacts (the read costs all of them, whatever the kind), or
//             for the occurrence order (no summary index has it per evidence).
//   text:     the artifact_text trigram matches of the needle within the kind's rowid range
//             (the rowid carries the kind's code above the artifact id), joined with the summary
//             (and the evidence), tested exactly (instr: the index folds more than ASCII) and
//             sorted. Chosen per kind when the matches are fewer than sqrt((limit + 1) * rows)
//             and text_candidates; a kind without a match is skipped; a needle of 1-2
//             characters has no trigram and is always walked. A text-filtered walk reads at most
//             4 times its expected rows (at least 2,000; walk_budget), and a page it leaves short
//             is read through the matches: the matches may bunch far from the boundary.
// Totals: without text, exact from case_artifact_kinds / case_evidence_kinds. With text, exact
// through the trigram matches; otherwise counted up to text_total_cap (total_exact false past it).
//
// Measured (bench/artifact_page_bench.cc --walks 10, 20 threads, 2-core machine; p50 / p95).
// SQLite, 5M occurrences (2.29M artifacts, 11 evidence items), 2026-12-03 with the kind in the
// trigram rowid, bounded text walks and the total carried in the cursor: whole case 4.9 / 35 ms,
// kind 0.3 / 11 ms, evidence 2.6 / 56 ms, text 33 / 699 ms (161 calls; single-threaded 12 / 57
// ms, was 27 / 93 ms with a `kind` column in the trigram index), evidence+text 71 / 396 ms (6
// calls). Session 9: a text-filtered walk stops at the page's last match (it had sorted its whole
// budget), and the store-wide occurrences are summed for a page's rows only: a text walk's page
// 21 -> 3 ms single-threaded; through the web API every class is now under 200 ms at p95. Finish of the populate 79.4 s against 49.5 s without the summary
// (one run each). PostgreSQL, 2M occurrences (922k artifacts), session 5: whole case 21 / 49 ms,
// kind 4.5 / 20 ms, evidence 19 / 113 ms, text 79 / 555 ms, evidence+text 240 / 1842 ms (13
// calls). Still slow: a needle common in the store but rare in this case; an evidence whose rows
// lie far from the start of the walked order (its new artifacts have neighbouring ids: up to
// seconds for one page under the cases order; bounding that walk and reading the evidence's rows
// instead measured worse at p95, so it is not bounded); a 1-2 character needle rare in the case.
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
  Result<std::optional<CaseArtifact>> GetCaseArtifact(int64_t case_id, int64_t artifact_id);

 private:
  // kNotFound for an unknown case; CheckEvidenceInCase's refusals for an evidence not of it.
  Status CheckScope(int64_t case_id, int64_t evidence_id);
  // Rows per kind of the case (evidence_id 0) or of one evidence, by kind.
  Result<std::vector<std::pair<std::string, uint64_t>>> KindCounts(int64_t case_id,
                                                                   int64_t evidence_id);
  // `driver` is the plan's Driver (sqlite_case_artifacts.cc).
  // `text_range` narrows the text driver's trigram matches to the kind ("" every kind);
  // `budget` > 0 bounds a text-filtered walk of the summary to that many rows of the kind.
  Result<std::vector<CaseArtifact>> Fetch(int64_t case_id, const ArtifactQuery& query, int driver,
                                          const std::string& text_range, uint64_t budget,
                                          const std::string& kind, ArtifactQuery::Sort sort,
                                          const CaseArtifact* after, bool descending, size_t limit);

  Db* db_;
};

}  // namespace evidex::store

#endif  // EVIDEX_STORE_SQLITE_CASE_ARTIFACTS_H_
