// The 24/7 directory and cooperation requests on PostgreSQL (pg_coop.h).
#include "store/pg_coop.h"

#include "store/store_common.h"
#include "vault/custody.h"

namespace evidex::store {
namespace {

// A request id column: NULL for none (0).
PgParams& AddId(PgParams& p, int64_t id) { return id == 0 ? p.AddNull() : p.Add(id); }

}  // namespace

Status PgCoop::Atomically(const std::function<Status()>& body) {
  return transaction_([&]() -> Status {
    EVIDEX_RETURN_IF_ERROR(conn_->Exec("SAVEPOINT coop"));
    Status st = body();
    if (!st.ok()) (void)conn_->Exec("ROLLBACK TO SAVEPOINT coop");
    Status released = conn_->Exec("RELEASE SAVEPOINT coop");
    return st.ok() ? released : st;
  });
}

// ---- The 24/7 directory ----

Status PgCoop::PutDirectoryEntries(const std::vector<DirectoryRecord>& entries) {
  const std::string now = vault::UtcNow();
  return Atomically([&]() -> Status {
    for (const DirectoryRecord& e : entries)
      EVIDEX_RETURN_IF_ERROR(conn_->Run(
          "INSERT INTO directory_entries (key, country, doc, updated) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT (key) DO UPDATE SET country = excluded.country, doc = excluded.doc, "
          "updated = excluded.updated",
          PgParams()
              .Add(ValidUtf8(e.key))
              .Add(ValidUtf8(e.country))
              .Add(ValidUtf8(e.doc))
              .Add(ValidUtf8(e.updated.empty() ? now : e.updated))));
    return Status::Ok();
  });
}

Result<std::optional<DirectoryRecord>> PgCoop::GetDirectoryEntry(const std::string& key) {
  Result<PgResult> r = conn_->Query(
      std::string("SELECT ") + kDirectoryColumns + " FROM directory_entries WHERE key = $1",
      PgParams().Add(ValidUtf8(key)));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<DirectoryRecord>();
  return std::optional<DirectoryRecord>(DirectoryFromRow(PgRow{*r, 0}));
}

Result<std::vector<DirectoryRecord>> PgCoop::ListDirectory(const std::string& country) {
  Result<PgResult> r =
      country.empty() ? conn_->Query(std::string("SELECT ") + kDirectoryColumns +
                                     " FROM directory_entries ORDER BY key")
                      : conn_->Query(std::string("SELECT ") + kDirectoryColumns +
                                         " FROM directory_entries WHERE country = $1 ORDER BY key",
                                     PgParams().Add(ValidUtf8(country)));
  if (!r.ok()) return r.status();
  std::vector<DirectoryRecord> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(DirectoryFromRow(PgRow{*r, i}));
  return out;
}

Status PgCoop::DeleteDirectoryEntry(const std::string& key) {
  int64_t changed = 0;
  EVIDEX_RETURN_IF_ERROR(conn_->Run("DELETE FROM directory_entries WHERE key = $1",
                                    PgParams().Add(ValidUtf8(key)), &changed));
  if (changed == 0) return NotFound("no directory entry " + key);
  return Status::Ok();
}

// ---- Cooperation requests ----

Result<std::optional<std::string>> PgCoop::StateOf(int64_t id) {
  Result<PgResult> r =
      conn_->Query("SELECT state FROM coop_requests WHERE id = $1", PgParams().Add(id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(r->Text(0, 0));
}

Status PgCoop::InsertEvent(int64_t request_id, const CoopEvent& event, const std::string& now) {
  return conn_->Run(
      "INSERT INTO coop_events (request_id, seq, time, actor, state, note) "
      "SELECT $1::bigint, COALESCE(max(seq), 0) + 1, $2::text, $3::text, $4::text, $5::text "
      "FROM coop_events WHERE request_id = $1::bigint",
      PgParams()
          .Add(request_id)
          .Add(ValidUtf8(event.time.empty() ? now : event.time))
          .Add(ValidUtf8(event.actor))
          .Add(ValidUtf8(event.state))
          .Add(ValidUtf8(event.note)));
}

Result<CoopRequest> PgCoop::AddCoopRequest(CoopRequest request, CoopEvent created) {
  EVIDEX_RETURN_IF_ERROR(CheckNewCoopRequest(request, created));
  if (created.state.empty()) created.state = "draft";
  if (request.uuid.empty()) request.uuid = NewUuid();
  request.created = request.updated = vault::UtcNow();
  Status st = Atomically([&]() -> Status {
    // A concurrent AddCoopRequest of the same reference and version waits on the unique index,
    // then fails on it (kInvalidArgument as well).
    Result<PgResult> r = conn_->Query(
        "SELECT EXISTS (SELECT 1 FROM cases WHERE id = $1), "
        "(SELECT id FROM coop_requests WHERE reference = $2 AND version = $3)",
        PgParams()
            .Add(request.case_id)
            .Add(ValidUtf8(request.reference))
            .Add(int64_t(request.version)));
    if (!r.ok()) return r.status();
    if (!r->Bool(0, 0)) return NotFound("no case with local id " + std::to_string(request.case_id));
    if (!r->IsNull(0, 1))
      return InvalidArgument("cooperation request " + request.reference + " version " +
                             std::to_string(request.version) + " already exists (id " +
                             std::to_string(r->Int(0, 1)) + ")");
    PgParams p;
    p.Add(ValidUtf8(request.uuid)).Add(request.case_id).Add(ValidUtf8(request.reference));
    p.Add(int64_t(request.version));
    AddId(p, request.supersedes);
    AddId(p, request.follows);
    p.Add(ValidUtf8(request.type)).Add(ValidUtf8(request.state)).Add(ValidUtf8(request.doc));
    p.Add(ValidUtf8(request.due)).Add(ValidUtf8(request.signature)).Add(request.created);
    p.Add(request.updated);
    Result<PgResult> inserted = conn_->Query(
        "INSERT INTO coop_requests (uuid, case_id, reference, version, supersedes, follows, type, "
        "state, doc, due, signature, created, updated) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        p);
    if (!inserted.ok()) return inserted.status();
    request.id = inserted->Int(0, 0);
    return InsertEvent(request.id, created, request.created);
  });
  if (!st.ok()) return st;
  return request;
}

Status PgCoop::UpdateCoopDraft(int64_t id, const std::string& doc, const std::string& due) {
  return Atomically([&]() -> Status {
    int64_t changed = 0;
    EVIDEX_RETURN_IF_ERROR(conn_->Run(
        "UPDATE coop_requests SET doc = $2, due = $3, updated = $4 "
        "WHERE id = $1 AND state = 'draft'",
        PgParams().Add(id).Add(ValidUtf8(doc)).Add(ValidUtf8(due)).Add(vault::UtcNow()), &changed));
    if (changed != 0) return Status::Ok();
    Result<std::optional<std::string>> state = StateOf(id);
    if (!state.ok()) return state.status();
    return CoopStateMismatch(id, *state, "draft");
  });
}

Status PgCoop::SetCoopState(int64_t id, const std::string& from, const CoopEvent& event,
                            const std::string& due, const std::string& signature) {
  if (event.state.empty()) return InvalidArgument("a change of state names the state entered");
  const std::string now = vault::UtcNow();
  return Atomically([&]() -> Status {
    // Compare and set. A concurrent change of the same request waits for this row's lock, then
    // finds it no longer in `from` (READ COMMITTED re-checks the WHERE on the new row version).
    int64_t changed = 0;
    EVIDEX_RETURN_IF_ERROR(
        conn_->Run("UPDATE coop_requests SET state = $2, due = $3, "
                   "signature = COALESCE(NULLIF($4, ''), signature), updated = $5 "
                   "WHERE id = $1 AND state = $6",
                   PgParams()
                       .Add(id)
                       .Add(ValidUtf8(event.state))
                       .Add(ValidUtf8(due))
                       .Add(ValidUtf8(signature))
                       .Add(now)
                       .Add(ValidUtf8(from)),
                   &changed));
    if (changed == 0) {
      Result<std::optional<std::string>> state = StateOf(id);
      if (!state.ok()) return state.status();
      return CoopStateMismatch(id, *state, from);
    }
    return InsertEvent(id, event, now);
  });
}

Result<std::vector<CoopRequest>> PgCoop::Requests(const std::string& where_and_order,
                                                  const PgParams& params) {
  Result<PgResult> r = conn_->Query(
      std::string("SELECT ") + kCoopRequestColumns + " FROM coop_requests " + where_and_order,
      params);
  if (!r.ok()) return r.status();
  std::vector<CoopRequest> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(CoopRequestFromRow(PgRow{*r, i}));
  return out;
}

Result<std::optional<CoopRequest>> PgCoop::GetCoopRequest(int64_t id) {
  Result<std::vector<CoopRequest>> r = Requests("WHERE id = $1", PgParams().Add(id));
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<CoopRequest>();
  return std::optional<CoopRequest>((*r)[0]);
}

Result<std::vector<CoopRequest>> PgCoop::ListCoopRequests(int64_t case_id) {
  if (case_id == 0) return Requests("ORDER BY id", PgParams());
  Result<PgResult> exists =
      conn_->Query("SELECT EXISTS (SELECT 1 FROM cases WHERE id = $1)", PgParams().Add(case_id));
  if (!exists.ok()) return exists.status();
  if (!exists->Bool(0, 0)) return NotFound("no case with local id " + std::to_string(case_id));
  return Requests("WHERE case_id = $1 ORDER BY id", PgParams().Add(case_id));
}

Result<std::vector<CoopEvent>> PgCoop::ListCoopEvents(int64_t request_id) {
  Result<std::optional<std::string>> state = StateOf(request_id);
  if (!state.ok()) return state.status();
  if (!*state) return NotFound("no cooperation request with id " + std::to_string(request_id));
  Result<PgResult> r = conn_->Query(std::string("SELECT ") + kCoopEventColumns +
                                        " FROM coop_events WHERE request_id = $1 ORDER BY seq",
                                    PgParams().Add(request_id));
  if (!r.ok()) return r.status();
  std::vector<CoopEvent> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(CoopEventFromRow(PgRow{*r, i}));
  return out;
}

}  // namespace evidex::store
