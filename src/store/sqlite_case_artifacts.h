// Internal to the SQLite back end: the case artifact table (store.h, "The case artifact table";
// schema v4 in sqlite_store.cc, layout in docs/FORMATS.md).
//
// The summary (case_artifacts: one row per case and artifact with its kind, value, occurrences in
// the case, evidence items holding it and store-wide cases; case_artifact_kinds: rows per case and
// kind) is maintained eagerly, in the transaction that changes evidence_artifacts: Finish adds the
// scan's evidence (AddEvidenceToCaseSummary), a superseding BeginScan removes the earlier one's
// (RemoveEvidenceFromCaseSummary). A lazy rebuild on a stale generation was rejected: `cases` of a
// case's rows changes whenever another case is scanned, so a store-wide generation would make the
// first page after any scan anywhere rebuild a case of millions of rows (seconds), while the eager
// cost is bounded by the scan's own artifacts (measured in bench/artifact_page_bench.cc).
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
  Result<uint64_t> Total(int64_t case_id, const ArtifactQuery& query);
  Result<std::vector<CaseArtifact>> Fetch(int64_t case_id, const ArtifactQuery& query,
                                          const std::string& kind, ArtifactQuery::Sort sort,
                                          const CaseArtifact* after, bool descending, size_t limit);

  Db* db_;
};

}  // namespace evidex::store

#endif  // EVIDEX_STORE_SQLITE_CASE_ARTIFACTS_H_
