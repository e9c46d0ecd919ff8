// Internal to the PostgreSQL back end: the 24/7 directory and cooperation requests (store.h,
// schema 5; the tables and their triggers in pg_store.cc's v5 step, layout in docs/FORMATS.md).
//
// As on SQLite (sqlite_coop.h): each operation that writes runs in the store's Transaction
// (joining one the caller opened) under a savepoint of its own, so a refused or failed call
// leaves nothing behind and does not abort the caller's transaction. A change of state is a
// compare and set on the request's row, whose row lock also orders its events. Owned by PgStore,
// same thread.
#ifndef EVIDEX_STORE_PG_COOP_H_
#define EVIDEX_STORE_PG_COOP_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/pg.h"
#include "store/store.h"

namespace evidex::store {

class PgCoop {
 public:
  using TransactionRunner = std::function<Status(const std::function<Status()>&)>;
  PgCoop(PgConn* conn, TransactionRunner transaction)
      : conn_(conn), transaction_(std::move(transaction)) {}

  Status PutDirectoryEntries(const std::vector<DirectoryRecord>& entries);
  Result<std::optional<DirectoryRecord>> GetDirectoryEntry(const std::string& key);
  Result<std::vector<DirectoryRecord>> ListDirectory(const std::string& country);
  Status DeleteDirectoryEntry(const std::string& key);

  Result<CoopRequest> AddCoopRequest(CoopRequest request, CoopEvent created);
  Status UpdateCoopDraft(int64_t id, const std::string& doc, const std::string& due);
  Status SetCoopState(int64_t id, const std::string& from, const CoopEvent& event,
                      const std::string& due, const std::string& signature);
  Result<std::optional<CoopRequest>> GetCoopRequest(int64_t id);
  Result<std::vector<CoopRequest>> ListCoopRequests(int64_t case_id);
  Result<std::vector<CoopEvent>> ListCoopEvents(int64_t request_id);

 private:
  // `body` in the store's transaction, all of it or none (a savepoint).
  Status Atomically(const std::function<Status()>& body);
  // The state of request `id`; std::nullopt when there is no such request.
  Result<std::optional<std::string>> StateOf(int64_t id);
  Result<std::vector<CoopRequest>> Requests(const std::string& where_and_order,
                                            const PgParams& params);
  Status InsertEvent(int64_t request_id, const CoopEvent& event, const std::string& now);

  PgConn* conn_;
  TransactionRunner transaction_;
};

}  // namespace evidex::store

#endif  // EVIDEX_STORE_PG_COOP_H_
