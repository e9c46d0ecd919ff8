// The 24/7 directory and cooperation requests on SQLite (sqlite_coop.h).
#include "store/sqlite_coop.h"

#include "store/store_common.h"
#include "vault/custody.h"

namespace evidex::store {
namespace {

// A request id column: NULL for none (0).
void BindId(Statement& s, int index, int64_t id) {
  if (id == 0)
    s.BindNull(index);
  else
    s.Bind(index, id);
}

}  // namespace

Status SqliteCoop::Atomically(const std::function<Status()>& body) {
  return transaction_([&]() -> Status {
    EVIDEX_RETURN_IF_ERROR(db_->Exec("SAVEPOINT coop"));
    Status st = body();
    if (!st.ok()) (void)db_->Exec("ROLLBACK TO SAVEPOINT coop");
    Status released = db_->Exec("RELEASE SAVEPOINT coop");
    return st.ok() ? released : st;
  });
}

// ---- The 24/7 directory ----

Status SqliteCoop::PutDirectoryEntries(const std::vector<DirectoryRecord>& entries) {
  const std::string now = vault::UtcNow();
  return Atomically([&]() -> Status {
    for (const DirectoryRecord& e : entries)
      EVIDEX_RETURN_IF_ERROR(
          Exec(*db_,
               "INSERT INTO directory_entries (key, country, doc, updated) VALUES (?1, ?2, ?3, ?4) "
               "ON CONFLICT (key) DO UPDATE SET country = excluded.country, doc = excluded.doc, "
               "updated = excluded.updated",
               [&](Statement& s) {
                 s.Bind(1, e.key).Bind(2, e.country).Bind(3, e.doc);
                 s.Bind(4, e.updated.empty() ? now : e.updated);
               }));
    return Status::Ok();
  });
}

Result<std::optional<DirectoryRecord>> SqliteCoop::GetDirectoryEntry(const std::string& key) {
  std::optional<DirectoryRecord> found;
  Status st = Query(
      *db_, std::string("SELECT ") + kDirectoryColumns + " FROM directory_entries WHERE key = ?1",
      [&](Statement& s) { s.Bind(1, key); },
      [&](const Statement& s) {
        found = DirectoryFromRow(s);
        return false;
      });
  if (!st.ok()) return st;
  return found;
}

Result<std::vector<DirectoryRecord>> SqliteCoop::ListDirectory(const std::string& country) {
  std::vector<DirectoryRecord> out;
  Status st = Query(
      *db_,
      std::string("SELECT ") + kDirectoryColumns + " FROM directory_entries" +
          (country.empty() ? "" : " WHERE country = ?1") + " ORDER BY key",
      [&](Statement& s) {
        if (!country.empty()) s.Bind(1, country);
      },
      [&](const Statement& s) {
        out.push_back(DirectoryFromRow(s));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

Status SqliteCoop::DeleteDirectoryEntry(const std::string& key) {
  int changed = 0;
  EVIDEX_RETURN_IF_ERROR(Exec(
      *db_, "DELETE FROM directory_entries WHERE key = ?1", [&](Statement& s) { s.Bind(1, key); },
      &changed));
  if (changed == 0) return NotFound("no directory entry " + key);
  return Status::Ok();
}

// ---- Cooperation requests ----

Result<std::optional<std::string>> SqliteCoop::StateOf(int64_t id) {
  std::optional<std::string> state;
  Status st = Query(
      *db_, "SELECT state FROM coop_requests WHERE id = ?1", [&](Statement& s) { s.Bind(1, id); },
      [&](const Statement& s) {
        state = s.Text(0);
        return false;
      });
  if (!st.ok()) return st;
  return state;
}

Status SqliteCoop::InsertEvent(int64_t request_id, const CoopEvent& event, const std::string& now) {
  return Exec(*db_,
              "INSERT INTO coop_events (request_id, seq, time, actor, state, note) "
              "SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5 FROM coop_events "
              "WHERE request_id = ?1",
              [&](Statement& s) {
                s.Bind(1, request_id).Bind(2, event.time.empty() ? now : event.time);
                s.Bind(3, event.actor).Bind(4, event.state).Bind(5, event.note);
              });
}

Result<CoopRequest> SqliteCoop::AddCoopRequest(CoopRequest request, CoopEvent created) {
  EVIDEX_RETURN_IF_ERROR(CheckNewCoopRequest(request, created));
  if (created.state.empty()) created.state = "draft";
  if (request.uuid.empty()) request.uuid = NewUuid();
  request.created = request.updated = vault::UtcNow();
  Status st = Atomically([&]() -> Status {
    int64_t cases = 0, existing = 0;
    EVIDEX_RETURN_IF_ERROR(Query(
        *db_,
        "SELECT (SELECT COUNT(*) FROM cases WHERE id = ?1), "
        "(SELECT COALESCE(MAX(id), 0) FROM coop_requests WHERE reference = ?2 AND version = ?3)",
        [&](Statement& s) {
          s.Bind(1, request.case_id).Bind(2, request.reference).Bind(3, int64_t(request.version));
        },
        [&](const Statement& s) {
          cases = s.Int(0);
          existing = s.Int(1);
          return false;
        }));
    if (cases == 0) return NotFound("no case with local id " + std::to_string(request.case_id));
    if (existing != 0)
      return InvalidArgument("cooperation request " + request.reference + " version " +
                             std::to_string(request.version) + " already exists (id " +
                             std::to_string(existing) + ")");
    EVIDEX_RETURN_IF_ERROR(Exec(
        *db_,
        "INSERT INTO coop_requests (uuid, case_id, reference, version, supersedes, follows, type, "
        "state, doc, due, signature, created, updated) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        [&](Statement& s) {
          s.Bind(1, request.uuid).Bind(2, request.case_id).Bind(3, request.reference);
          s.Bind(4, int64_t(request.version));
          BindId(s, 5, request.supersedes);
          BindId(s, 6, request.follows);
          s.Bind(7, request.type).Bind(8, request.state).Bind(9, request.doc);
          s.Bind(10, request.due).Bind(11, request.signature).Bind(12, request.created);
          s.Bind(13, request.updated);
        }));
    request.id = db_->LastInsertId();
    return InsertEvent(request.id, created, request.created);
  });
  if (!st.ok()) return st;
  return request;
}

Status SqliteCoop::UpdateCoopDraft(int64_t id, const std::string& doc, const std::string& due) {
  return Atomically([&]() -> Status {
    int changed = 0;
    EVIDEX_RETURN_IF_ERROR(Exec(
        *db_,
        "UPDATE coop_requests SET doc = ?2, due = ?3, updated = ?4 "
        "WHERE id = ?1 AND state = 'draft'",
        [&](Statement& s) { s.Bind(1, id).Bind(2, doc).Bind(3, due).Bind(4, vault::UtcNow()); },
        &changed));
    if (changed != 0) return Status::Ok();
    Result<std::optional<std::string>> state = StateOf(id);
    if (!state.ok()) return state.status();
    return CoopStateMismatch(id, *state, "draft");
  });
}

Status SqliteCoop::SetCoopState(int64_t id, const std::string& from, const CoopEvent& event,
                                const std::string& due, const std::string& signature) {
  if (event.state.empty()) return InvalidArgument("a change of state names the state entered");
  const std::string now = vault::UtcNow();
  return Atomically([&]() -> Status {
    // Compare and set: a request someone else moved meanwhile is not in `from` any more.
    int changed = 0;
    EVIDEX_RETURN_IF_ERROR(Exec(
        *db_,
        "UPDATE coop_requests SET state = ?2, due = ?3, "
        "signature = COALESCE(NULLIF(?4, ''), signature), updated = ?5 "
        "WHERE id = ?1 AND state = ?6",
        [&](Statement& s) {
          s.Bind(1, id).Bind(2, event.state).Bind(3, due).Bind(4, signature).Bind(5, now);
          s.Bind(6, from);
        },
        &changed));
    if (changed == 0) {
      Result<std::optional<std::string>> state = StateOf(id);
      if (!state.ok()) return state.status();
      return CoopStateMismatch(id, *state, from);
    }
    return InsertEvent(id, event, now);
  });
}

Result<std::vector<CoopRequest>> SqliteCoop::Requests(const std::string& where_and_order,
                                                      const std::function<void(Statement&)>& bind) {
  std::vector<CoopRequest> out;
  Status st = Query(
      *db_, std::string("SELECT ") + kCoopRequestColumns + " FROM coop_requests " + where_and_order,
      bind, [&](const Statement& s) {
        out.push_back(CoopRequestFromRow(s));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

Result<std::optional<CoopRequest>> SqliteCoop::GetCoopRequest(int64_t id) {
  Result<std::vector<CoopRequest>> r =
      Requests("WHERE id = ?1", [&](Statement& s) { s.Bind(1, id); });
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<CoopRequest>();
  return std::optional<CoopRequest>((*r)[0]);
}

Result<std::vector<CoopRequest>> SqliteCoop::ListCoopRequests(int64_t case_id) {
  if (case_id == 0) return Requests("ORDER BY id", nullptr);
  int64_t cases = 0;
  EVIDEX_RETURN_IF_ERROR(Query(
      *db_, "SELECT COUNT(*) FROM cases WHERE id = ?1", [&](Statement& s) { s.Bind(1, case_id); },
      [&](const Statement& s) {
        cases = s.Int(0);
        return false;
      }));
  if (cases == 0) return NotFound("no case with local id " + std::to_string(case_id));
  return Requests("WHERE case_id = ?1 ORDER BY id", [&](Statement& s) { s.Bind(1, case_id); });
}

Result<std::vector<CoopEvent>> SqliteCoop::ListCoopEvents(int64_t request_id) {
  Result<std::optional<std::string>> state = StateOf(request_id);
  if (!state.ok()) return state.status();
  if (!*state) return NotFound("no cooperation request with id " + std::to_string(request_id));
  std::vector<CoopEvent> out;
  Status st = Query(
      *db_,
      std::string("SELECT ") + kCoopEventColumns +
          " FROM coop_events WHERE request_id = ?1 ORDER BY seq",
      [&](Statement& s) { s.Bind(1, request_id); },
      [&](const Statement& s) {
        out.push_back(CoopEventFromRow(s));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

}  // namespace evidex::store
