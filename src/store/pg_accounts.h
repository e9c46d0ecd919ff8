// Internal to the PostgreSQL back end: accounts, case membership and the case artifact table
// (store.h, schema 4; the tables in pg_store.cc's v4 step, layout in docs/FORMATS.md).
//
// The case artifact summary is kept as on SQLite (sqlite_case_artifacts.h says why eagerly): the
// scan's Finish adds its evidence (AddScanToCaseSummary, after artifacts' cases were updated and
// under the counts lock) and a superseding BeginScan removes the earlier one's
// (RemoveEvidenceFromCaseSummary, before evidence_artifacts loses its rows). `cases` is copied
// from artifacts.cases, which PgStore keeps, into every case's row whose value changed.
//
// PgAccounts works on the store's connection, through the store's Transaction. Same thread.
#ifndef EVIDEX_STORE_PG_ACCOUNTS_H_
#define EVIDEX_STORE_PG_ACCOUNTS_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/pg.h"
#include "store/store.h"

namespace evidex::store {

// In FinishScan's transaction, after scan `scan_id`'s counts reached artifacts and
// evidence_artifacts and before its scan_artifacts rows are deleted.
Status AddScanToCaseSummary(PgConn& conn, int64_t scan_id, int64_t case_id);
// In Supersede's transaction, after artifacts' counts lost the evidence's share and before its
// evidence_artifacts rows are deleted.
Status RemoveEvidenceFromCaseSummary(PgConn& conn, int64_t case_id, int64_t evidence_id);

class PgAccounts {
 public:
  using TransactionRunner = std::function<Status(const std::function<Status()>&)>;
  PgAccounts(PgConn* conn, TransactionRunner transaction)
      : conn_(conn), transaction_(std::move(transaction)) {}

  Result<User> AddUser(User user);
  Status UpdateUser(const User& user);
  Result<std::optional<User>> FindUser(const std::string& name);
  Result<std::optional<User>> GetUser(int64_t id);
  Result<std::vector<User>> ListUsers();
  Status AddCaseMember(int64_t case_id, int64_t user_id);
  Status RemoveCaseMember(int64_t case_id, int64_t user_id);
  Result<std::vector<User>> ListCaseMembers(int64_t case_id);
  Result<std::vector<int64_t>> ListUserCases(int64_t user_id);

  Result<ArtifactPage> ListCaseArtifacts(int64_t case_id, const ArtifactQuery& query);
  Result<std::vector<std::pair<std::string, uint64_t>>> CountCaseArtifactsByKind(
      int64_t case_id, int64_t evidence_id);
  Result<std::optional<CaseArtifact>> GetCaseArtifact(int64_t case_id, int64_t artifact_id);

 private:
  Result<std::vector<User>> Users(const std::string& where_and_order, const PgParams& params);
  // kNotFound when case `case_id` or user `user_id` (0: not checked) does not exist; for
  // `evidence_id` != 0, kNotFound or kInvalidArgument when it is not an evidence of the case.
  Status CheckExists(int64_t case_id, int64_t user_id, int64_t evidence_id = 0);
  // Rows per kind of the case (evidence_id 0) or of one evidence, by kind.
  Result<std::vector<std::pair<std::string, uint64_t>>> KindCounts(int64_t case_id,
                                                                   int64_t evidence_id);
  // `driver` is the plan's Driver (pg_accounts.cc).
  Result<std::vector<CaseArtifact>> Fetch(int64_t case_id, const ArtifactQuery& query, int driver,
                                          const std::string& kind, ArtifactQuery::Sort sort,
                                          const CaseArtifact* after, bool descending, size_t limit);

  PgConn* conn_;
  TransactionRunner transaction_;
};

}  // namespace evidex::store

#endif  // EVIDEX_STORE_PG_ACCOUNTS_H_
