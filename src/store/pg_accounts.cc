// Accounts, case membership and the case artifact table on PostgreSQL (pg_accounts.h).
//
// Reads as on SQLite (sqlite_case_artifacts.h, "Plans"): a page over the whole case is one index
// range per kind of case_artifacts from the boundary (a row comparison on (case_id, kind, key,
// artifact_id) indexes), merged; a per-evidence page reads the evidence's rows through
// evidence_artifacts_evidence (small evidence, or the occurrence order) or walks the summary
// probing evidence_artifacts' primary key. The text filter is `lower(value) LIKE '%needle%'` on
// the "C"-collated value (lower() folds ASCII only, as the contract asks; \ % _ escaped),
// answered by the pg_trgm GIN index case_artifacts_text: when it finds few rows of the case they
// are materialised and sorted, otherwise the planner chooses between it and walking the order.
#include "store/pg_accounts.h"

#include "store/case_artifact_page.h"
#include "store/store_common.h"
#include "vault/custody.h"

namespace evidex::store {
namespace {

// kUserColumns with PostgreSQL's booleans as 0 / 1.
constexpr char kPgUserColumns[] =
    "id, name, display_name, role, password_hash, disabled::int, must_change_password::int, "
    "created, password_changed";

// Appends what AddUser and UpdateUser both write, in the order display_name, role, password_hash,
// disabled, must_change_password, password_changed.
PgParams& UserFields(PgParams& p, const User& u) {
  return p.Add(ValidUtf8(u.display_name))
      .Add(RoleName(u.role))
      .Add(ValidUtf8(u.password_hash))
      .Add(u.disabled ? "t" : "f")
      .Add(u.must_change_password ? "t" : "f")
      .Add(ValidUtf8(u.password_changed));
}

// A statement whose parameters are numbered as they are added.
struct Sql {
  std::string text;
  PgParams params;
  int count = 0;
  std::string Param(int64_t v) {
    params.Add(v);
    return "$" + std::to_string(++count);
  }
  std::string Param(const std::string& v) {
    params.Add(ValidUtf8(v));
    return "$" + std::to_string(++count);
  }
};

Status RecountKinds(PgConn& conn, int64_t case_id) {
  PgParams id;
  id.Add(case_id);
  EVIDEX_RETURN_IF_ERROR(conn.Run("DELETE FROM case_artifact_kinds WHERE case_id = $1", id));
  return conn.Run(
      "INSERT INTO case_artifact_kinds (case_id, kind, artifacts) "
      "SELECT case_id, kind, count(*) FROM case_artifacts WHERE case_id = $1 "
      "GROUP BY case_id, kind",
      id);
}

// Where a query's rows are read from, as on SQLite (sqlite_case_artifacts.h, "Plans"): the
// summary's index range in the page's order (an evidence probed by its primary key), or the
// evidence's rows (evidence_artifacts_evidence) then sorted unless the order is their
// occurrences. The text filter is `lower(value) LIKE '%needle%'`, which the trigram index
// case_artifacts_text answers when the planner finds it cheaper than walking the order.
enum class Driver {
  kSummary,
  kEvidence,
  // A text filter the trigram index finds in few rows of the case: those rows, read through the
  // index into a materialised set (so the planner cannot walk an order index instead), then
  // filtered and sorted.
  kText,
};

// The text filter's LIKE pattern: the needle with \ % _ escaped (LIKE's default escape is \).
std::string LikePattern(const std::string& needle) {
  std::string out = "%";
  for (char ch : needle) {
    if (ch == '\\' || ch == '%' || ch == '_') out += '\\';
    out += ch;
  }
  return out + "%";
}

// FROM and WHERE of a query's rows (alias c the summary row), parameters added to `sql`.
void AddRowSource(Sql& sql, Driver d, int64_t case_id, const ArtifactQuery& q,
                  const std::string& kind) {
  if (d == Driver::kText) {
    std::string c = sql.Param(case_id);
    sql.text =
        "WITH hits AS MATERIALIZED (SELECT t.artifact_id FROM case_artifacts t WHERE "
        "t.case_id = " +
        c + " AND lower(t.value) LIKE " + sql.Param(LikePattern(TextNeedle(q.text))) + ") " +
        sql.text + " FROM hits JOIN case_artifacts c ON c.case_id = " + c +
        " AND c.artifact_id = hits.artifact_id";
    if (q.evidence_id != 0)
      sql.text +=
          " JOIN evidence_artifacts ea ON ea.artifact_id = c.artifact_id "
          "AND ea.evidence_id = " +
          sql.Param(q.evidence_id);
    sql.text += " WHERE true";
    if (!kind.empty()) sql.text += " AND c.kind = " + sql.Param(kind);
    return;
  }
  if (q.evidence_id == 0) {
    sql.text += " FROM case_artifacts c WHERE c.case_id = " + sql.Param(case_id);
  } else if (d == Driver::kSummary) {
    std::string c = sql.Param(case_id);
    sql.text +=
        " FROM case_artifacts c JOIN evidence_artifacts ea ON ea.artifact_id = c.artifact_id "
        "AND ea.evidence_id = " +
        sql.Param(q.evidence_id) + " WHERE c.case_id = " + c;
  } else {
    std::string c = sql.Param(case_id);
    sql.text +=
        " FROM evidence_artifacts ea JOIN case_artifacts c ON c.case_id = ea.case_id "
        "AND c.artifact_id = ea.artifact_id WHERE ea.case_id = " +
        c + " AND ea.evidence_id = " + sql.Param(q.evidence_id);
  }
  if (!kind.empty()) sql.text += " AND c.kind = " + sql.Param(kind);
  if (!q.text.empty())
    sql.text += " AND lower(c.value) LIKE " + sql.Param(LikePattern(TextNeedle(q.text)));
}

// Rows of the evidence per kind (case_evidence_kinds), from its evidence_artifacts rows.
Status RecountEvidenceKinds(PgConn& conn, int64_t case_id, int64_t evidence_id) {
  PgParams ids;
  ids.Add(case_id).Add(evidence_id);
  EVIDEX_RETURN_IF_ERROR(
      conn.Run("DELETE FROM case_evidence_kinds WHERE case_id = $1 AND evidence_id = $2", ids));
  // The evidence's rows, each looking its kind up by artifact: LATERAL with OFFSET 0 fixes that
  // order, and `case_id + 0` leaves the artifact's index as the only one to serve the look-up
  // (ArtifactRowsOnly in pg_store.cc), whatever the statistics say. A plain join let the
  // planner, whose statistics predated a new case, take the case's rows as the outer side and
  // scan the evidence's rows for each (100,000 x 100,000 rows: a 10 M ingest stalled there).
  return conn.Run(
      "INSERT INTO case_evidence_kinds (case_id, evidence_id, kind, artifacts) "
      "SELECT $1::bigint, $2::bigint, k.kind, count(*) FROM evidence_artifacts ea "
      "CROSS JOIN LATERAL (SELECT c.kind FROM case_artifacts c WHERE c.case_id + 0 = ea.case_id "
      "AND c.artifact_id = ea.artifact_id OFFSET 0) k "
      "WHERE ea.case_id = $1 AND ea.evidence_id = $2 GROUP BY k.kind",
      ids);
}

// For statements joining one case's summary rows with one of its evidence's rows: hash joins,
// linear in both whatever the statistics say (a nested loop chosen on stale statistics can read
// one side once per row of the other), then back to the counts lock's nested loops (LockCounts).
Status CaseJoinsByHash(PgConn& conn, bool on) {
  return conn.Exec(on ? "SET LOCAL enable_nestloop = off; SET LOCAL enable_hashjoin = on"
                      : "SET LOCAL enable_nestloop = on; SET LOCAL enable_hashjoin = off");
}

}  // namespace

Status AddScanToCaseSummary(PgConn& conn, int64_t scan_id, int64_t case_id) {
  PgParams ids;
  ids.Add(scan_id).Add(case_id);
  EVIDEX_RETURN_IF_ERROR(conn.Run(
      "INSERT INTO case_artifacts (case_id, artifact_id, kind, value, occurrences, "
      "evidence_count, cases) SELECT $2::bigint, s.artifact_id, a.kind, a.value, s.occurrences, "
      "1, a.cases FROM scan_artifacts s JOIN artifacts a ON a.id = s.artifact_id "
      "WHERE s.scan_id = $1 ON CONFLICT (case_id, artifact_id) DO UPDATE SET "
      "occurrences = case_artifacts.occurrences + excluded.occurrences, "
      "evidence_count = case_artifacts.evidence_count + 1, cases = excluded.cases",
      ids));
  // Artifacts new to the case: every other case holding them counts one case more.
  EVIDEX_RETURN_IF_ERROR(conn.Run(
      "UPDATE case_artifacts c SET cases = a.cases FROM scan_artifacts s "
      "JOIN artifacts a ON a.id = s.artifact_id WHERE s.scan_id = $1 "
      "AND c.artifact_id = s.artifact_id AND c.case_id <> $2::bigint AND c.cases <> a.cases",
      ids));
  Result<PgResult> evidence =
      conn.Query("SELECT evidence_id FROM scans WHERE id = $1", PgParams().Add(scan_id));
  if (!evidence.ok()) return evidence.status();
  if (evidence->rows() == 1)
    EVIDEX_RETURN_IF_ERROR(RecountEvidenceKinds(conn, case_id, evidence->Int(0, 0)));
  return RecountKinds(conn, case_id);
}

Status RemoveEvidenceFromCaseSummary(PgConn& conn, int64_t case_id, int64_t evidence_id) {
  PgParams ids;
  ids.Add(case_id).Add(evidence_id);
  int64_t changed = 0;
  EVIDEX_RETURN_IF_ERROR(CaseJoinsByHash(conn, true));
  EVIDEX_RETURN_IF_ERROR(
      conn.Run("UPDATE case_artifacts c SET occurrences = c.occurrences - ea.occurrences, "
               "evidence_count = c.evidence_count - 1 FROM evidence_artifacts ea "
               "WHERE ea.case_id = $1 AND ea.evidence_id = $2 AND c.case_id = $1 "
               "AND c.artifact_id = ea.artifact_id",
               ids, &changed));
  EVIDEX_RETURN_IF_ERROR(CaseJoinsByHash(conn, false));
  if (changed == 0) return Status::Ok();
  EVIDEX_RETURN_IF_ERROR(conn.Run(
      "UPDATE case_artifacts c SET cases = a.cases FROM evidence_artifacts ea "
      "JOIN artifacts a ON a.id = ea.artifact_id WHERE ea.case_id = $1 AND ea.evidence_id = $2 "
      "AND c.artifact_id = ea.artifact_id AND c.case_id <> $1 AND c.cases <> a.cases",
      ids));
  EVIDEX_RETURN_IF_ERROR(CaseJoinsByHash(conn, true));
  EVIDEX_RETURN_IF_ERROR(
      conn.Run("DELETE FROM case_artifacts c USING evidence_artifacts ea WHERE ea.case_id = $1 "
               "AND ea.evidence_id = $2 AND c.case_id = $1 AND c.artifact_id = ea.artifact_id "
               "AND c.evidence_count <= 0",
               ids));
  EVIDEX_RETURN_IF_ERROR(CaseJoinsByHash(conn, false));
  EVIDEX_RETURN_IF_ERROR(
      conn.Run("DELETE FROM case_evidence_kinds WHERE case_id = $1 AND evidence_id = $2", ids));
  return RecountKinds(conn, case_id);
}

// ---- Accounts ----

Result<std::vector<User>> PgAccounts::Users(const std::string& where_and_order,
                                            const PgParams& params) {
  Result<PgResult> r = conn_->Query(
      std::string("SELECT ") + kPgUserColumns + " FROM users " + where_and_order, params);
  if (!r.ok()) return r.status();
  std::vector<User> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(UserFromRow(PgRow{*r, i}));
  return out;
}

Result<User> PgAccounts::AddUser(User user) {
  if (user.created.empty()) user.created = vault::UtcNow();
  Status st = transaction_([&]() -> Status {
    // The name's row lock is the unique index's: a concurrent AddUser of the same name waits,
    // then fails on it (kInvalidArgument as well).
    Result<std::optional<User>> existing = FindUser(user.name);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) return InvalidArgument("user " + user.name + " already exists");
    Result<PgResult> r = conn_->Query(
        "INSERT INTO users (name, display_name, role, password_hash, disabled, "
        "must_change_password, password_changed, created) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        UserFields(PgParams().Add(ValidUtf8(user.name)), user).Add(ValidUtf8(user.created)));
    if (!r.ok()) return r.status();
    user.id = r->Int(0, 0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return user;
}

Status PgAccounts::UpdateUser(const User& user) {
  int64_t changed = 0;
  EVIDEX_RETURN_IF_ERROR(conn_->Run(
      "UPDATE users SET display_name = $2, role = $3, password_hash = $4, disabled = $5, "
      "must_change_password = $6, password_changed = $7 WHERE id = $1",
      UserFields(PgParams().Add(user.id), user), &changed));
  if (changed == 0) return NotFound("no user with id " + std::to_string(user.id));
  return Status::Ok();
}

Result<std::optional<User>> PgAccounts::FindUser(const std::string& name) {
  Result<std::vector<User>> r = Users("WHERE name = $1", PgParams().Add(ValidUtf8(name)));
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<User>();
  return std::optional<User>((*r)[0]);
}

Result<std::optional<User>> PgAccounts::GetUser(int64_t id) {
  Result<std::vector<User>> r = Users("WHERE id = $1", PgParams().Add(id));
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<User>();
  return std::optional<User>((*r)[0]);
}

Result<std::vector<User>> PgAccounts::ListUsers() { return Users("ORDER BY id", PgParams()); }

Status PgAccounts::CheckExists(int64_t case_id, int64_t user_id, int64_t evidence_id) {
  Result<PgResult> r = conn_->Query(
      "SELECT EXISTS (SELECT 1 FROM cases WHERE id = $1), "
      "EXISTS (SELECT 1 FROM users WHERE id = $2), "
      "(SELECT case_id FROM evidence WHERE id = $3)",
      PgParams().Add(case_id).Add(user_id).Add(evidence_id));
  if (!r.ok()) return r.status();
  if (case_id != 0 && !r->Bool(0, 0))
    return NotFound("no case with local id " + std::to_string(case_id));
  if (user_id != 0 && !r->Bool(0, 1)) return NotFound("no user with id " + std::to_string(user_id));
  if (evidence_id != 0) {
    if (r->IsNull(0, 2)) return NotFound("no evidence with id " + std::to_string(evidence_id));
    if (r->Int(0, 2) != case_id)
      return InvalidArgument("evidence " + std::to_string(evidence_id) + " is not in case " +
                             std::to_string(case_id));
  }
  return Status::Ok();
}

Status PgAccounts::AddCaseMember(int64_t case_id, int64_t user_id) {
  return transaction_([&]() -> Status {
    EVIDEX_RETURN_IF_ERROR(CheckExists(case_id, user_id));
    return conn_->Run(
        "INSERT INTO case_members (case_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        PgParams().Add(case_id).Add(user_id));
  });
}

Status PgAccounts::RemoveCaseMember(int64_t case_id, int64_t user_id) {
  return transaction_([&]() -> Status {
    EVIDEX_RETURN_IF_ERROR(CheckExists(case_id, user_id));
    int64_t changed = 0;
    EVIDEX_RETURN_IF_ERROR(
        conn_->Run("DELETE FROM case_members WHERE case_id = $1 AND user_id = $2",
                   PgParams().Add(case_id).Add(user_id), &changed));
    if (changed == 0)
      return NotFound("user " + std::to_string(user_id) + " is not a member of case " +
                      std::to_string(case_id));
    return Status::Ok();
  });
}

Result<std::vector<User>> PgAccounts::ListCaseMembers(int64_t case_id) {
  EVIDEX_RETURN_IF_ERROR(CheckExists(case_id, 0));
  return Users("WHERE id IN (SELECT user_id FROM case_members WHERE case_id = $1) ORDER BY id",
               PgParams().Add(case_id));
}

Result<std::vector<int64_t>> PgAccounts::ListUserCases(int64_t user_id) {
  EVIDEX_RETURN_IF_ERROR(CheckExists(0, user_id));
  Result<PgResult> r =
      conn_->Query("SELECT case_id FROM case_members WHERE user_id = $1 ORDER BY case_id",
                   PgParams().Add(user_id));
  if (!r.ok()) return r.status();
  std::vector<int64_t> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(r->Int(i, 0));
  return out;
}

// ---- The case artifact table ----

Result<std::vector<std::pair<std::string, uint64_t>>> PgAccounts::KindCounts(int64_t case_id,
                                                                             int64_t evidence_id) {
  Result<PgResult> r =
      evidence_id == 0
          ? conn_->Query(
                "SELECT kind, artifacts FROM case_artifact_kinds WHERE case_id = $1 ORDER BY kind",
                PgParams().Add(case_id))
          : conn_->Query(
                "SELECT kind, artifacts FROM case_evidence_kinds WHERE case_id = $1 "
                "AND evidence_id = $2 ORDER BY kind",
                PgParams().Add(case_id).Add(evidence_id));
  if (!r.ok()) return r.status();
  std::vector<std::pair<std::string, uint64_t>> out;
  for (int i = 0; i < r->rows(); ++i) out.emplace_back(r->Text(i, 0), uint64_t(r->Int(i, 1)));
  return out;
}

Result<std::vector<CaseArtifact>> PgAccounts::Fetch(int64_t case_id, const ArtifactQuery& query,
                                                    int driver, const std::string& kind,
                                                    ArtifactQuery::Sort sort,
                                                    const CaseArtifact* after, bool descending,
                                                    size_t limit) {
  const Driver d = Driver(driver);
  const std::string occurrences = query.evidence_id == 0 ? "c.occurrences" : "ea.occurrences";
  const std::string id = d == Driver::kEvidence ? "ea.artifact_id" : "c.artifact_id";
  Sql sql;
  sql.text = "SELECT c.artifact_id, c.kind, c.value, c.cases, " + occurrences +
             ", c.evidence_count, (SELECT a.occurrences FROM artifacts a "
             "WHERE a.id = c.artifact_id)";
  AddRowSource(sql, d, case_id, query, kind);
  if (after != nullptr) {
    SortKeyValues key = KeyValues(sort, *after);
    std::string params;
    for (int64_t v : key.numbers) params += sql.Param(v) + ", ";
    for (const std::string& v : key.texts) params += sql.Param(v) + ", ";
    params += sql.Param(after->artifact.id);
    sql.text += " AND (" + KeyColumns(sort, occurrences, id) + ")" + KeyComparison(descending) +
                "(" + params + ")";
  }
  sql.text += KeyOrder(sort, occurrences, id, descending) + " LIMIT " + sql.Param(int64_t(limit));
  Result<PgResult> r = conn_->Query(sql.text, sql.params);
  if (!r.ok()) return r.status();
  std::vector<CaseArtifact> out;
  for (int i = 0; i < r->rows(); ++i) {
    CaseArtifact row;
    row.artifact.id = r->Int(i, 0);
    row.artifact.kind = r->Text(i, 1);
    row.artifact.value = r->Text(i, 2);
    row.artifact.cases = uint64_t(r->Int(i, 3));
    row.occurrences_here = uint64_t(r->Int(i, 4));
    row.evidence_count = uint64_t(r->Int(i, 5));
    row.artifact.occurrences = uint64_t(r->Int(i, 6));
    out.push_back(std::move(row));
  }
  return out;
}

Result<ArtifactPage> PgAccounts::ListCaseArtifacts(int64_t case_id, const ArtifactQuery& query) {
  // READ COMMITTED, statement by statement: a scan finishing meanwhile may make the total and
  // the rows differ by its artifacts; the next page sees it whole.
  EVIDEX_RETURN_IF_ERROR(CheckExists(case_id, 0, query.evidence_id));
  const ArtifactPlanLimits limits = PlanLimits();
  Result<std::vector<std::pair<std::string, uint64_t>>> counts =
      KindCounts(case_id, query.evidence_id);
  if (!counts.ok()) return counts.status();
  ArtifactScope what = ScopeOf(query, *counts);
  const uint64_t scope = what.scope;
  std::vector<std::string> kinds = std::move(what.kinds);
  const std::string needle = TextNeedle(query.text);
  Driver d = what.read_evidence ? Driver::kEvidence : Driver::kSummary;
  if (!needle.empty() && TextCharacters(needle) >= 3) {
    // Few rows of the case matching (through the trigram index): read those and sort.
    Sql few;
    few.text = "SELECT count(*) FROM (SELECT 1 FROM case_artifacts c WHERE c.case_id = " +
               few.Param(case_id) + " AND lower(c.value) LIKE " + few.Param(LikePattern(needle)) +
               " LIMIT " + few.Param(int64_t(limits.text_candidates)) + ") m";
    Result<PgResult> r = conn_->Query(few.text, few.params);
    if (!r.ok()) return r.status();
    if (uint64_t(r->Int(0, 0)) < limits.text_candidates) d = Driver::kText;
  }
  if (d != Driver::kSummary || !query.kind.empty()) kinds = {query.kind};

  Result<PageTotal> total = PageTotalOf(case_id, query, scope, [&]() -> Result<uint64_t> {
    Sql sql;
    sql.text = "SELECT count(*) FROM (SELECT 1";
    AddRowSource(sql, d, case_id, query, query.kind);
    sql.text += " LIMIT " + sql.Param(int64_t(limits.text_total_cap + 1)) + ") m";
    Result<PgResult> r = conn_->Query(sql.text, sql.params);
    if (!r.ok()) return r.status();
    return uint64_t(r->Int(0, 0));
  });
  if (!total.ok()) return total.status();
  Result<ArtifactPage> page = AssembleArtifactPage(
      case_id, query, kinds, *total,
      [&](const std::string& kind, ArtifactQuery::Sort sort, const CaseArtifact* after,
          bool descending, size_t limit) {
        return Fetch(case_id, query, int(d), kind, sort, after, descending, limit);
      });
  return page;
}

Result<std::optional<CaseArtifact>> PgAccounts::GetCaseArtifact(int64_t case_id,
                                                                int64_t artifact_id) {
  EVIDEX_RETURN_IF_ERROR(CheckExists(case_id, 0, 0));
  Result<PgResult> r = conn_->Query(
      "SELECT c.kind, c.value, c.cases, c.occurrences, c.evidence_count, "
      "(SELECT COALESCE(SUM(ea.occurrences), 0) FROM evidence_artifacts ea "
      "WHERE ea.artifact_id = $2) "
      "FROM case_artifacts c WHERE c.case_id = $1 AND c.artifact_id = $2",
      PgParams().Add(case_id).Add(artifact_id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<CaseArtifact>();
  CaseArtifact a;
  a.artifact.id = artifact_id;
  a.artifact.kind = r->Text(0, 0);
  a.artifact.value = r->Text(0, 1);
  a.artifact.cases = uint64_t(r->Int(0, 2));
  a.occurrences_here = uint64_t(r->Int(0, 3));
  a.evidence_count = uint64_t(r->Int(0, 4));
  a.artifact.occurrences = uint64_t(r->Int(0, 5));
  return std::optional<CaseArtifact>(std::move(a));
}

Result<std::vector<std::pair<std::string, uint64_t>>> PgAccounts::CountCaseArtifactsByKind(
    int64_t case_id, int64_t evidence_id) {
  EVIDEX_RETURN_IF_ERROR(CheckExists(case_id, 0, evidence_id));
  return KindCounts(case_id, evidence_id);
}

}  // namespace evidex::store
