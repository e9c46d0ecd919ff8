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

#include <algorithm>
#include <cmath>
#include <map>
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

// The evidence's rows per kind (case_evidence_kinds), from its evidence_artifacts rows.
Status RecountEvidenceKinds(Db& db, int64_t case_id, int64_t evidence_id) {
  auto bind = [&](Statement& s) { s.Bind(1, case_id).Bind(2, evidence_id); };
  EVIDEX_RETURN_IF_ERROR(
      Exec(db, "DELETE FROM case_evidence_kinds WHERE case_id = ?1 AND evidence = ?2", bind));
  return Exec(db,
              "INSERT INTO case_evidence_kinds (case_id, evidence, kind, artifacts) "
              "SELECT ?1, ?2, c.kind, COUNT(*) FROM evidence_artifacts ea "
              "CROSS JOIN case_artifacts c ON c.case_id = ea.case_id AND c.artifact = ea.artifact "
              "WHERE ea.case_id = ?1 AND ea.evidence = ?2 GROUP BY c.kind",
              bind);
}

// Adds the artifacts stored since the last call to the trigram index (artifact ids only grow:
// artifacts are never deleted, and SQLite's writers are serialised), each under the rowid
// TextRowid(its kind's code, its id); a kind seen for the first time gets the next code.
Status IndexNewArtifactText(Db& db) {
  // NOT INDEXED: the new rows' id range. Left to itself SQLite read the kinds from the whole
  // (kind, value) index, which covers the column: 50 ms per Finish at 1M artifacts, and growing.
  EVIDEX_RETURN_IF_ERROR(db.Exec(
      "INSERT OR IGNORE INTO artifact_text_kinds (kind) SELECT DISTINCT kind FROM artifacts "
      "NOT INDEXED WHERE id > (SELECT indexed_through FROM artifact_text_state WHERE id = 1)"));
  EVIDEX_RETURN_IF_ERROR(
      db.Exec("INSERT INTO artifact_text (rowid, value) SELECT (k.code << 40) | a.id, a.value "
              "FROM artifacts a CROSS JOIN artifact_text_kinds k ON k.kind = a.kind "
              "WHERE a.id > (SELECT indexed_through FROM artifact_text_state WHERE id = 1)"));
  return db.Exec(
      "UPDATE artifact_text_state SET indexed_through = "
      "(SELECT COALESCE(MAX(id), 0) FROM artifacts) WHERE id = 1");
}

// Adds `delta` to the store-wide `cases` of every other case's row of the artifacts `pairs_sql`
// selects as (case_id, artifact) (bound ?1 the case, ?2 the evidence). One statement: SQLite
// lists the pairs once (an artifact in two evidence items of a case counts once) and updates each
// row by its key, with no set of pairs held in our memory (6.7 M pairs over a 5 M ingest). Its
// time is the rows' pages: a 5 M ingest took as long as with an UPDATE per pair (209 s vs 207 s).
Status AdjustOtherCases(Db& db, int64_t case_id, int64_t evidence_id, const char* pairs_sql,
                        int64_t delta) {
  return Exec(db,
              std::string("UPDATE case_artifacts SET cases = cases + ?3 WHERE (case_id, artifact) "
                          "IN (") +
                  pairs_sql + ")",
              [&](Statement& s) { s.Bind(1, case_id).Bind(2, evidence_id).Bind(3, delta); });
}

// The store-wide occurrences of the summary row's artifact.
constexpr char kAllOccurrences[] =
    "(SELECT SUM(x.count) FROM evidence_artifacts x WHERE x.artifact = c.artifact)";

// The summary row's columns a page reads, for ReadRow: the occurrences here are `occurrences`,
// the store-wide ones `all`.
std::string RowColumns(const std::string& occurrences, const std::string& all = kAllOccurrences) {
  return "c.artifact, c.kind, c.value, c.cases, " + occurrences + ", c.evidence_count, " + all;
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

// Where a query's rows are read from (sqlite_case_artifacts.h, "Plans").
enum class Driver {
  kSummary,   // the summary's index range (per kind), in the page's order; an evidence is probed
  kEvidence,  // the evidence's evidence_artifacts rows (evidence_artifacts_evidence), then sorted
              // unless the order is its occurrences
  kText,      // the trigram index's matches, then sorted
};

// The id column of the row's key: the driving table's, so an ordered index walk needs no sort.
std::string IdColumn(Driver d) { return d == Driver::kEvidence ? "ea.artifact" : "c.artifact"; }

// artifact_text's rowid of an artifact: its kind's code (artifact_text_kinds) in the bits above
// the 40 of its id, so that one kind's matches are one rowid range, which FTS5 seeks to through
// its doclist index instead of reading the needle's matches of every kind.
constexpr int kTextKindShift = 40;
constexpr int64_t kTextIdMask = (int64_t(1) << kTextKindShift) - 1;

// The artifact_text rowid range of the kind with code `code` (0: the kind has no indexed
// artifact, so no match): " AND t.rowid BETWEEN lo AND hi".
std::string TextRange(int64_t code) {
  if (code == 0) return " AND 0";
  const int64_t lo = code << kTextKindShift;
  return " AND t.rowid BETWEEN " + std::to_string(lo) + " AND " + std::to_string(lo | kTextIdMask);
}

// FROM and WHERE of a query's rows. Parameters: ?1 case, ?2 kind, ?3 needle, ?4 evidence, ?5 the
// FTS5 query; `text_range` (TextRange, or "" for every kind) narrows the trigram matches. CROSS
// JOIN fixes the order: the driver first.
// The join keeping the rows of the query's evidence (?4), a primary-key probe per row; with
// `join` "LEFT JOIN" every row stays and `ea.artifact` is NULL on those outside the evidence.
std::string ProbeEvidence(const ArtifactQuery& q, const char* join = "CROSS JOIN") {
  return q.evidence_id == 0 ? ""
                            : std::string(" ") + join +
                                  " evidence_artifacts ea ON ea.case_id = c.case_id "
                                  "AND ea.artifact = c.artifact AND ea.evidence = ?4";
}

std::string RowSource(Driver d, const ArtifactQuery& q, bool by_kind,
                      const std::string& text_range = "") {
  const std::string probe_evidence = ProbeEvidence(q);
  std::string sql;
  switch (d) {
    case Driver::kSummary:
      sql = " FROM case_artifacts c" + probe_evidence + " WHERE c.case_id = ?1";
      break;
    case Driver::kEvidence:
      sql =
          " FROM evidence_artifacts ea CROSS JOIN case_artifacts c "
          "ON c.case_id = ea.case_id AND c.artifact = ea.artifact "
          "WHERE ea.case_id = ?1 AND ea.evidence = ?4";
      break;
    case Driver::kText:
      sql =
          " FROM artifact_text t CROSS JOIN case_artifacts c ON c.case_id = ?1 "
          "AND c.artifact = (t.rowid & " +
          std::to_string(kTextIdMask) + ")" + probe_evidence + " WHERE artifact_text MATCH ?5" +
          text_range;
      break;
  }
  if (by_kind) sql += " AND c.kind = ?2";
  if (!q.text.empty()) sql += " AND instr(lower(c.value), ?3) > 0";
  return sql;
}

// Binds those the statement uses (a parameter past its largest is an error).
void BindSource(Statement& s, int64_t case_id, const ArtifactQuery& q, const std::string& kind) {
  int n = s.ParameterCount();
  const std::string needle = TextNeedle(q.text);
  s.Bind(1, case_id);
  if (n >= 2) s.Bind(2, kind);
  if (n >= 3) s.Bind(3, needle);
  if (n >= 4) s.Bind(4, q.evidence_id);
  if (n >= 5) s.Bind(5, TrigramTerms(needle));
}

Result<uint64_t> CountOne(Db& db, const std::string& sql,
                          const std::function<void(Statement&)>& bind) {
  uint64_t n = 0;
  EVIDEX_RETURN_IF_ERROR(Query(db, sql, bind, [&](const Statement& s) {
    n = uint64_t(s.Int(0));
    return false;
  }));
  return n;
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
  EVIDEX_RETURN_IF_ERROR(RecountEvidenceKinds(db, case_id, evidence_id));
  EVIDEX_RETURN_IF_ERROR(IndexNewArtifactText(db));
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
  EVIDEX_RETURN_IF_ERROR(
      Exec(db, "DELETE FROM case_evidence_kinds WHERE case_id = ?1 AND evidence = ?2", bind));
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

Result<std::vector<std::pair<std::string, uint64_t>>> SqliteCaseArtifacts::KindCounts(
    int64_t case_id, int64_t evidence_id) {
  std::vector<std::pair<std::string, uint64_t>> out;
  Status st = Query(
      *db_,
      evidence_id == 0
          ? "SELECT kind, artifacts FROM case_artifact_kinds WHERE case_id = ?1 ORDER BY kind"
          : "SELECT kind, artifacts FROM case_evidence_kinds WHERE case_id = ?1 AND evidence = ?2 "
            "ORDER BY kind",
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

Result<std::vector<CaseArtifact>> SqliteCaseArtifacts::Fetch(
    int64_t case_id, const ArtifactQuery& query, int driver, const std::string& text_range,
    uint64_t budget, const std::string& kind, ArtifactQuery::Sort sort, const CaseArtifact* after,
    bool descending, size_t limit) {
  const Driver d = Driver(driver);
  const std::string occurrences = query.evidence_id == 0 ? "c.occurrences" : "ea.count";
  const std::string id = IdColumn(d);
  // ?6 the limit, then the boundary's key values and id.
  std::string boundary;
  SortKeyValues key;
  if (after != nullptr) {
    key = KeyValues(sort, *after);
    size_t n = key.numbers.size() + key.texts.size() + 1;
    std::string params;
    for (size_t i = 0; i < n; ++i) params += (i ? ", ?" : "?") + std::to_string(7 + i);
    boundary = " AND (" + KeyColumns(sort, occurrences, id) + ")" + KeyComparison(descending) +
               "(" + params + ")";
  }
  const std::string order = KeyOrder(sort, occurrences, id, descending);
  auto bind = [&](Statement& s) {
    BindSource(s, case_id, query, kind);
    if (s.ParameterCount() >= 6) s.Bind(6, int64_t(limit));
    if (after == nullptr) return;
    int at = 7;
    for (int64_t v : key.numbers) s.Bind(at++, v);
    for (const std::string& v : key.texts) s.Bind(at++, v);
    s.Bind(at, after->artifact.id);
  };
  std::vector<CaseArtifact> out;
  if (budget > 0 && d == Driver::kSummary && !kind.empty() &&
      (query.evidence_id == 0 || sort != ArtifactQuery::Sort::kOccurrences)) {
    // The walk, bounded: the kind's range from the boundary in index order, at most `budget` rows,
    // stopping at the page's last match. Every row read is counted (a LEFT JOIN keeps those
    // outside the evidence), and the store-wide occurrences are summed for the matches only.
    // (A LIMITed subquery sorted again outside read its whole budget: 16,000 rows for a page of
    // a needle that nearly every value holds.)
    const std::string keep =
        (query.evidence_id == 0 ? std::string("1") : std::string("ea.artifact IS NOT NULL")) +
        (query.text.empty() ? std::string() : " AND instr(lower(c.value), ?3) > 0");
    const std::string sql = "SELECT " +
                            RowColumns(occurrences, "CASE WHEN " + keep + " THEN " +
                                                        kAllOccurrences + " END, " + keep) +
                            " FROM case_artifacts c" + ProbeEvidence(query, "LEFT JOIN") +
                            " WHERE c.case_id = ?1 AND c.kind = ?2" + boundary + order + " LIMIT " +
                            std::to_string(budget);
    Status st = Query(*db_, sql, bind, [&](const Statement& s) {
      if (s.Int(7) != 0) out.push_back(ReadRow(s));
      return out.size() < limit;
    });
    if (!st.ok()) return st;
    return out;
  }
  // The page's rows first, then the store-wide occurrences of those only: in one SELECT, SQLite
  // computes every column of each row it sorts (a text driver's thousands of matches).
  const std::string sql =
      "SELECT " + RowColumns("c.occurrences") +
      " FROM (SELECT c.artifact AS artifact, c.kind AS kind, c.value AS value, c.cases AS cases, " +
      occurrences + " AS occurrences, c.evidence_count AS evidence_count" +
      RowSource(d, query, !kind.empty(), text_range) + boundary + order + " LIMIT ?6) c " +
      KeyOrder(sort, "c.occurrences", "c.artifact", descending);
  Status st = Query(*db_, sql, bind, [&](const Statement& s) {
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
  const ArtifactPlanLimits limits = PlanLimits();
  Result<std::vector<std::pair<std::string, uint64_t>>> counts =
      KindCounts(case_id, query.evidence_id);
  if (!counts.ok()) return counts.status();
  ArtifactScope what = ScopeOf(query, *counts);
  const uint64_t scope = what.scope;
  std::vector<std::string> kinds = std::move(what.kinds);

  // The plan (sqlite_case_artifacts.h, "Plans"): a driver for the whole query, or one per kind
  // when the summary is walked kind by kind.
  const std::string needle = TextNeedle(query.text);
  const Driver base = what.read_evidence ? Driver::kEvidence : Driver::kSummary;
  if (base != Driver::kSummary || !query.kind.empty()) kinds = {query.kind};
  std::map<std::string, Driver> drivers;  // by fetched kind
  for (const std::string& kind : kinds) drivers[kind] = base;
  const bool trigrams = !needle.empty() && TextCharacters(needle) >= 3;
  // With trigrams: each fetched kind's artifact_text rowid range (TextRange; "" for every kind),
  // and for a kind walked, the rows its walk may read before the matches are read instead.
  std::map<std::string, std::string> ranges;
  std::map<std::string, uint64_t> budgets, bounds;
  // The case's rows per kind (an evidence query's `counts` are the evidence's).
  std::map<std::string, uint64_t> case_rows;
  if (query.evidence_id == 0) {
    for (const auto& [kind, n] : *counts) case_rows[kind] = n;
  } else {
    Result<std::vector<std::pair<std::string, uint64_t>>> all = KindCounts(case_id, 0);
    if (!all.ok()) return all.status();
    for (const auto& [kind, n] : *all) case_rows[kind] = n;
  }
  auto rows_of = [](const auto& per_kind, const std::string& kind) {
    uint64_t rows = 0;
    for (const auto& [k, n] : per_kind)
      if (kind.empty() || k == kind) rows += n;
    return rows;
  };
  if (trigrams) {
    std::map<std::string, int64_t> codes;
    EVIDEX_RETURN_IF_ERROR(Query(
        *db_, "SELECT kind, code FROM artifact_text_kinds", [](Statement&) {},
        [&](const Statement& s) {
          codes[s.Text(0)] = s.Int(1);
          return true;
        }));
    auto range_of = [&](const std::string& kind) -> std::string {
      if (kind.empty()) return "";
      auto it = codes.find(kind);
      return TextRange(it == codes.end() ? 0 : it->second);
    };
    // Reading a kind's m trigram matches costs about m; walking its c rows of the case in order
    // costs about (limit + 1) * c / m when the matches are spread over the order: the matches
    // are read when m < sqrt((limit + 1) * c), and never past text_candidates. Matches bunched
    // far from the boundary (a needle such as "support." under the value order) would make the
    // walk read most of the kind, so a walk is bounded (below) and a page it leaves short is read
    // from the matches instead. A kind without a match store-wide is not read at all.
    std::set<std::string> unmatched;
    for (auto& [kind, driver] : drivers) {
      ranges[kind] = range_of(kind);
      const uint64_t rows = rows_of(case_rows, kind);
      uint64_t bound =
          std::max<uint64_t>(64, uint64_t(std::sqrt(double(query.limit + 1) * double(rows))));
      bound = std::min(bound, limits.text_candidates);
      Result<uint64_t> matches = CountOne(
          *db_,
          "SELECT COUNT(*) FROM (SELECT 1 FROM artifact_text t WHERE artifact_text MATCH ?1" +
              ranges[kind] + " LIMIT ?2)",
          [&](Statement& s) {
            s.Bind(1, TrigramTerms(needle)).Bind(2, int64_t(std::max<uint64_t>(bound, 1)));
          });
      if (!matches.ok()) return matches.status();
      if (*matches == 0)
        unmatched.insert(kind);
      else if (*matches < bound)
        driver = Driver::kText;
      else
        bounds[kind] = std::max<uint64_t>(bound, 1);  // walked: at least this many match
    }
    std::erase_if(kinds, [&](const std::string& k) { return unmatched.count(k) != 0; });
  }
  // A text-filtered walk reads about (limit + 1) / share rows of the kind, the share of rows it
  // keeps, when the matches are spread over the order; but they bunch ("support." values are
  // neighbours under the value order), and a walk from the wrong end then reads most of the kind.
  // So the walk stops after 4 times its expected rows (at least 2,000; walk_budget), and a page
  // it leaves short is read from the kind's matches. (An evidence's walk is not bounded: its
  // other plan reads every row of the evidence, and measured under load (bench/serve.sh) that
  // cost more at p95 than the walks that go far.)
  for (const auto& [kind, driver] : drivers) {
    if (driver != Driver::kSummary || kind.empty() || bounds.count(kind) == 0) continue;
    const double rows = double(std::max<uint64_t>(rows_of(case_rows, kind), 1));
    double share = std::min(1.0, double(bounds[kind]) / rows);
    if (query.evidence_id != 0) share *= double(rows_of(*counts, kind)) / rows;
    if (limits.walk_budget != 0) {
      budgets[kind] = limits.walk_budget;
      continue;
    }
    const double budget = std::max(2000.0, 4 * double(query.limit + 1) / std::max(share, 1e-9));
    if (budget < rows) budgets[kind] = uint64_t(budget);  // else the walk reads the kind anyway
  }

  // A text filter's matches are counted through the trigram matches when the needle has trigrams
  // (each a probe of the summary), else row by row.
  Result<PageTotal> total = PageTotalOf(case_id, query, scope, [&]() -> Result<uint64_t> {
    if (trigrams && kinds.empty()) return uint64_t(0);
    std::string sql =
        "SELECT COUNT(*) FROM (SELECT 1" +
        RowSource(trigrams ? Driver::kText : base, query, !query.kind.empty(),
                  trigrams && !query.kind.empty() ? ranges[query.kind] : std::string()) +
        " LIMIT " + std::to_string(limits.text_total_cap + 1) + ")";
    return CountOne(*db_, sql, [&](Statement& s) { BindSource(s, case_id, query, query.kind); });
  });
  if (!total.ok()) return total.status();
  return AssembleArtifactPage(case_id, query, kinds, *total,
                              [&](const std::string& kind, ArtifactQuery::Sort sort,
                                  const CaseArtifact* after, bool descending, size_t limit) {
                                const Driver d = drivers[kind];
                                const uint64_t budget = budgets.count(kind) ? budgets[kind] : 0;
                                Result<std::vector<CaseArtifact>> rows =
                                    Fetch(case_id, query, int(d),
                                          d == Driver::kText ? ranges[kind] : std::string(), budget,
                                          kind, sort, after, descending, limit);
                                if (budget == 0 || !rows.ok() || rows->size() >= limit) return rows;
                                return Fetch(case_id, query, int(Driver::kText), ranges[kind], 0,
                                             kind, sort, after, descending, limit);
                              });
}

Result<std::optional<CaseArtifact>> SqliteCaseArtifacts::GetCaseArtifact(int64_t case_id,
                                                                         int64_t artifact_id) {
  EVIDEX_RETURN_IF_ERROR(CheckScope(case_id, 0));
  std::optional<CaseArtifact> out;
  EVIDEX_RETURN_IF_ERROR(Query(
      *db_,
      "SELECT " + RowColumns("c.occurrences") +
          " FROM case_artifacts c WHERE c.case_id = ?1 AND c.artifact = ?2",
      [&](Statement& s) { s.Bind(1, case_id).Bind(2, artifact_id); },
      [&](const Statement& s) {
        out = ReadRow(s);
        return false;
      }));
  return out;
}

Result<std::vector<std::pair<std::string, uint64_t>>> SqliteCaseArtifacts::CountCaseArtifactsByKind(
    int64_t case_id, int64_t evidence_id) {
  EVIDEX_RETURN_IF_ERROR(CheckScope(case_id, evidence_id));
  return KindCounts(case_id, evidence_id);
}

}  // namespace evidex::store
