// The case artifact table on SQLite (sqlite_case_artifacts.h): the summary's maintenance and its
// keyset pages (case_artifact_page.h).
//
// Reads. A page over the whole case reads, per kind, one range of an index on (case_id, kind, sort
// key, artifact) from the boundary: limit + 1 rows, whatever the page's depth. A text filter
// (`instr(lower(value), needle)`: SQLite's lower() is ASCII-only, as the contract asks) is checked
// on the rows of that range until enough match, so a rare needle reads the kind's rows; its total
// is an exact COUNT over the case's rows. A per-evidence page reads the evidence's
// evidence_artifacts rows joined with the summary and sorts them (no index per evidence).
#include "store/sqlite_case_artifacts.h"

#include <set>

#include "store/case_artifact_page.h"
#include "store/sqlite_artifacts.h"
#include "store/store_common.h"

namespace evidex::store {
namespace {

// Rows per case and kind, recounted after each change of the case's summary (one pass over an
// index range of the case: milliseconds per hundred thousand rows, paid once per Finish).
Status RecountKinds(Db& db, int64_t case_id) {
  auto bind = [&](Statement& s) { s.Bind(1, case_id); };
  EVIDEX_RETURN_IF_ERROR(Exec(db, "DELETE FROM case_artifact_kinds WHERE case_id = ?1", bind));
  return Exec(db,
              "INSERT INTO case_artifact_kinds (case_id, kind, artifacts) "
              "SELECT case_id, kind, COUNT(*) FROM case_artifacts WHERE case_id = ?1 "
              "GROUP BY case_id, kind",
              bind);
}

// Adds `delta` to the store-wide `cases` of every other case's row of the artifacts `pairs_sql`
// selects as (case_id, artifact) (bound ?1 the case, ?2 the evidence).
Status AdjustOtherCases(Db& db, int64_t case_id, int64_t evidence_id, const char* pairs_sql,
                        int64_t delta) {
  std::set<std::pair<int64_t, int64_t>> pairs;
  EVIDEX_RETURN_IF_ERROR(Query(
      db, pairs_sql, [&](Statement& s) { s.Bind(1, case_id).Bind(2, evidence_id); },
      [&](const Statement& s) {
        pairs.emplace(s.Int(0), s.Int(1));
        return true;
      }));
  if (pairs.empty()) return Status::Ok();
  Result<Statement> update = db.Prepare(
      "UPDATE case_artifacts SET cases = cases + ?3 WHERE case_id = ?1 AND artifact = ?2");
  if (!update.ok()) return update.status();
  for (const auto& [other_case, artifact] : pairs) {
    update->Reset();
    update->Bind(1, other_case).Bind(2, artifact).Bind(3, delta);
    EVIDEX_RETURN_IF_ERROR(update->Run());
  }
  return Status::Ok();
}

// The summary row's columns a page reads, for ReadRow: the occurrences here are `occurrences`.
std::string RowColumns(const std::string& occurrences) {
  return "c.artifact, c.kind, c.value, c.cases, " + occurrences +
         ", c.evidence_count, (SELECT SUM(x.count) FROM evidence_artifacts x "
         "WHERE x.artifact = c.artifact)";
}

CaseArtifact ReadRow(const Statement& s) {
  CaseArtifact r;
  r.artifact.id = s.Int(0);
  r.artifact.kind = s.Text(1);
  r.artifact.value = s.Text(2);
  r.artifact.cases = uint64_t(s.Int(3));
  r.occurrences_here = uint64_t(s.Int(4));
  r.evidence_count = uint64_t(s.Int(5));
  r.artifact.occurrences = uint64_t(s.Int(6));
  return r;
}

// FROM and WHERE of a query's rows. Parameters: ?1 case, ?2 kind, ?3 needle, ?4 evidence.
std::string RowSource(const ArtifactQuery& q, bool by_kind) {
  std::string sql = q.evidence_id == 0 ? " FROM case_artifacts c WHERE c.case_id = ?1"
                                       : " FROM evidence_artifacts ea CROSS JOIN case_artifacts c "
                                         "ON c.case_id = ea.case_id AND c.artifact = ea.artifact "
                                         "WHERE ea.case_id = ?1 AND ea.evidence = ?4";
  if (by_kind) sql += " AND c.kind = ?2";
  if (!q.text.empty()) sql += " AND instr(lower(c.value), ?3) > 0";
  return sql;
}

// Binds those the statement uses (a parameter past its largest is an error).
void BindSource(Statement& s, int64_t case_id, const ArtifactQuery& q, const std::string& kind) {
  int n = s.ParameterCount();
  s.Bind(1, case_id);
  if (n >= 2) s.Bind(2, kind);
  if (n >= 3) s.Bind(3, TextNeedle(q.text));
  if (n >= 4) s.Bind(4, q.evidence_id);
}

}  // namespace

Status AddEvidenceToCaseSummary(Db& db, int64_t case_id, int64_t evidence_id) {
  // Artifacts new to the case count one more case in every other case holding them; found before
  // the case's own rows are written (a new one has no row yet).
  EVIDEX_RETURN_IF_ERROR(AdjustOtherCases(
      db, case_id, evidence_id,
      "SELECT o.case_id, o.artifact FROM evidence_artifacts ea "
      "CROSS JOIN evidence_artifacts o ON o.artifact = ea.artifact AND o.case_id <> ?1 "
      "WHERE ea.case_id = ?1 AND ea.evidence = ?2 AND NOT EXISTS "
      "(SELECT 1 FROM case_artifacts h WHERE h.case_id = ?1 AND h.artifact = ea.artifact)",
      +1));
  EVIDEX_RETURN_IF_ERROR(Exec(
      db,
      "INSERT INTO case_artifacts (case_id, artifact, kind, value, occurrences, evidence_count, "
      "cases) SELECT ?1, ea.artifact, a.kind, a.value, ea.count, 1, "
      "(SELECT COUNT(DISTINCT x.case_id) FROM evidence_artifacts x WHERE x.artifact = ea.artifact) "
      "FROM evidence_artifacts ea CROSS JOIN artifacts a ON a.id = ea.artifact "
      "WHERE ea.case_id = ?1 AND ea.evidence = ?2 "
      "ON CONFLICT (case_id, artifact) DO UPDATE SET "
      "occurrences = occurrences + excluded.occurrences, evidence_count = evidence_count + 1",
      [&](Statement& s) { s.Bind(1, case_id).Bind(2, evidence_id); }));
  return RecountKinds(db, case_id);
}

Status RemoveEvidenceFromCaseSummary(Db& db, int64_t case_id, int64_t evidence_id) {
  auto bind = [&](Statement& s) { s.Bind(1, case_id).Bind(2, evidence_id); };
  int changed = 0;
  EVIDEX_RETURN_IF_ERROR(Exec(
      db,
      "UPDATE case_artifacts AS c SET occurrences = c.occurrences - ea.count, "
      "evidence_count = c.evidence_count - 1 FROM evidence_artifacts ea "
      "WHERE ea.case_id = ?1 AND ea.evidence = ?2 AND c.case_id = ?1 AND c.artifact = ea.artifact",
      bind, &changed));
  if (changed == 0) return Status::Ok();
  // Artifacts the case no longer holds: one case fewer for every other case holding them.
  EVIDEX_RETURN_IF_ERROR(AdjustOtherCases(
      db, case_id, evidence_id,
      "SELECT o.case_id, o.artifact FROM evidence_artifacts ea "
      "CROSS JOIN case_artifacts g ON g.case_id = ?1 AND g.artifact = ea.artifact "
      "CROSS JOIN evidence_artifacts o ON o.artifact = ea.artifact AND o.case_id <> ?1 "
      "WHERE ea.case_id = ?1 AND ea.evidence = ?2 AND g.evidence_count <= 0",
      -1));
  EVIDEX_RETURN_IF_ERROR(
      Exec(db,
           "DELETE FROM case_artifacts WHERE case_id = ?1 AND evidence_count <= 0 AND artifact IN "
           "(SELECT artifact FROM evidence_artifacts WHERE case_id = ?1 AND evidence = ?2)",
           bind));
  return RecountKinds(db, case_id);
}

Status SqliteCaseArtifacts::CheckScope(int64_t case_id, int64_t evidence_id) {
  bool found = false;
  EVIDEX_RETURN_IF_ERROR(Query(
      *db_, "SELECT 1 FROM cases WHERE id = ?1", [&](Statement& s) { s.Bind(1, case_id); },
      [&](const Statement&) {
        found = true;
        return false;
      }));
  if (!found) return NotFound("no case with local id " + std::to_string(case_id));
  if (evidence_id != 0) return CheckEvidenceInCase(*db_, evidence_id, case_id);
  return Status::Ok();
}

Result<uint64_t> SqliteCaseArtifacts::Total(int64_t case_id, const ArtifactQuery& query) {
  std::string sql = query.evidence_id == 0 && query.text.empty()
                        ? std::string(
                              "SELECT COALESCE(SUM(artifacts), 0) FROM case_artifact_kinds c "
                              "WHERE c.case_id = ?1") +
                              (query.kind.empty() ? "" : " AND c.kind = ?2")
                        : "SELECT COUNT(*)" + RowSource(query, !query.kind.empty());
  uint64_t total = 0;
  EVIDEX_RETURN_IF_ERROR(Query(
      *db_, sql, [&](Statement& s) { BindSource(s, case_id, query, query.kind); },
      [&](const Statement& s) {
        total = uint64_t(s.Int(0));
        return false;
      }));
  return total;
}

Result<std::vector<CaseArtifact>> SqliteCaseArtifacts::Fetch(
    int64_t case_id, const ArtifactQuery& query, const std::string& kind, ArtifactQuery::Sort sort,
    const CaseArtifact* after, bool descending, size_t limit) {
  const std::string occurrences = query.evidence_id == 0 ? "c.occurrences" : "ea.count";
  // ?5 the limit, then the boundary's key values and id.
  std::string sql = "SELECT " + RowColumns(occurrences) + RowSource(query, !kind.empty());
  SortKeyValues key;
  if (after != nullptr) {
    key = KeyValues(sort, *after);
    size_t n = key.numbers.size() + key.texts.size() + 1;
    std::string params;
    for (size_t i = 0; i < n; ++i) params += (i ? ", ?" : "?") + std::to_string(6 + i);
    sql += " AND (" + KeyColumns(sort, occurrences, "c.artifact") + ")" +
           KeyComparison(descending) + "(" + params + ")";
  }
  sql += KeyOrder(sort, occurrences, "c.artifact", descending) + " LIMIT ?5";
  std::vector<CaseArtifact> out;
  Status st = Query(
      *db_, sql,
      [&](Statement& s) {
        BindSource(s, case_id, query, kind);
        s.Bind(5, int64_t(limit));
        if (after == nullptr) return;
        int at = 6;
        for (int64_t v : key.numbers) s.Bind(at++, v);
        for (const std::string& v : key.texts) s.Bind(at++, v);
        s.Bind(at, after->artifact.id);
      },
      [&](const Statement& s) {
        out.push_back(ReadRow(s));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

Result<ArtifactPage> SqliteCaseArtifacts::ListCaseArtifacts(int64_t case_id,
                                                            const ArtifactQuery& query) {
  // One read transaction: the total and the rows from the same snapshot.
  std::optional<Transaction> read;
  if (!db_->InTransaction()) {
    Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kDeferred);
    if (!tx.ok()) return tx.status();
    read.emplace(std::move(tx).value());
  }
  EVIDEX_RETURN_IF_ERROR(CheckScope(case_id, query.evidence_id));
  Result<uint64_t> total = Total(case_id, query);
  if (!total.ok()) return total.status();
  // The whole case is merged from one index range per kind; an evidence is read in one query.
  std::vector<std::string> kinds{query.kind};
  if (query.evidence_id == 0 && query.kind.empty()) {
    Result<std::vector<std::pair<std::string, uint64_t>>> counts =
        CountCaseArtifactsByKind(case_id, 0);
    if (!counts.ok()) return counts.status();
    kinds.clear();
    for (const auto& [kind, n] : *counts) kinds.push_back(kind);
  }
  return AssembleArtifactPage(case_id, query, kinds, *total,
                              [&](const std::string& kind, ArtifactQuery::Sort sort,
                                  const CaseArtifact* after, bool descending, size_t limit) {
                                return Fetch(case_id, query, kind, sort, after, descending, limit);
                              });
}

Result<std::vector<std::pair<std::string, uint64_t>>> SqliteCaseArtifacts::CountCaseArtifactsByKind(
    int64_t case_id, int64_t evidence_id) {
  EVIDEX_RETURN_IF_ERROR(CheckScope(case_id, evidence_id));
  std::vector<std::pair<std::string, uint64_t>> out;
  Status st = Query(
      *db_,
      evidence_id == 0
          ? "SELECT kind, artifacts FROM case_artifact_kinds WHERE case_id = ?1 ORDER BY kind"
          : "SELECT c.kind, COUNT(*) FROM evidence_artifacts ea CROSS JOIN case_artifacts c "
            "ON c.case_id = ea.case_id AND c.artifact = ea.artifact "
            "WHERE ea.case_id = ?1 AND ea.evidence = ?2 GROUP BY c.kind ORDER BY c.kind",
      [&](Statement& s) {
        s.Bind(1, case_id);
        if (evidence_id != 0) s.Bind(2, evidence_id);
      },
      [&](const Statement& s) {
        out.emplace_back(s.Text(0), uint64_t(s.Int(1)));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

}  // namespace evidex::store
