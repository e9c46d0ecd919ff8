// A small RAII layer over the SQLite 3 C API: Db (a connection), Statement (a prepared statement
// with bound parameters) and Transaction (BEGIN IMMEDIATE ... COMMIT, rolled back unless
// committed). Errors are values: every SQLite failure becomes a Status whose message names the
// database file and what was being done.
//
// Error codes (callers such as the CLI map them to exit codes):
//   SQLITE_BUSY / SQLITE_LOCKED       -> Code::kLimit ("... is locked by another process")
//   SQLITE_FULL, SQLITE_IOERR, CANTOPEN, READONLY, PERM -> Code::kIoError
//   SQLITE_CORRUPT, SQLITE_NOTADB     -> Code::kCorrupt
//   SQLITE_CONSTRAINT                 -> Code::kInvalidArgument (a duplicate, a bad reference)
//   anything else                     -> Code::kInternal
//
// Thread safety: a Db and its Statements belong to one thread at a time (connections are opened
// without SQLite's per-connection mutex). Other processes may use the same file: they
// wait up to the busy timeout for a lock, then get Code::kLimit.
#ifndef EVIDEX_STORE_SQLITE_H_
#define EVIDEX_STORE_SQLITE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace evidex::store {

class Db;

class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are numbered from 1. A bind error is remembered and returned by Step/Run.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const std::string& text) {
    return Bind(index, std::string_view(text));
  }
  Statement& BindNull(int index);
  // Raw bytes (a BLOB: compared byte by byte, never as text).
  Statement& BindBlob(int index, std::string_view bytes);
  // Like Bind / BindBlob without a copy, for the scan writer's hot path: the bytes must stay valid
  // and unchanged until the statement is reset or the parameter bound again.
  Statement& BindView(int index, std::string_view text);
  Statement& BindBlobView(int index, std::string_view bytes);

  // The largest parameter number the statement uses.
  int ParameterCount() const;

  // Advances: true when a row is available, false when done.
  Result<bool> Step();
  // Steps until done (for INSERT/UPDATE/DELETE and statements whose rows are not wanted).
  Status Run();
  // Makes it ready to run again with new parameters (clears bindings).
  void Reset();

  int64_t Int(int column) const;
  std::string Text(int column) const;  // "" for NULL; a BLOB's bytes as they are
  bool IsNull(int column) const;

 private:
  friend class Db;
  Statement(Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Db* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  Status bind_error_;
};

class Db {
 public:
  enum class Mode { kCreate, kExisting };
  // Opens (or with kCreate, creates) `path`; sets WAL journaling, synchronous=FULL, foreign keys,
  // the busy timeout and the cache, mmap and temp-store sizes (sqlite.cc says why each).
  // kExisting on a missing file is Code::kNotFound.
  static Result<Db> Open(const std::string& path, Mode mode, int busy_timeout_ms = 5000);

  Db() = default;
  ~Db();
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements without parameters.
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  int64_t LastInsertId() const;
  int Changes() const;  // rows changed by the last INSERT, UPDATE or DELETE
  bool InTransaction() const;
  const std::string& path() const { return path_; }
  int busy_timeout_ms() const { return busy_timeout_ms_; }
  sqlite3* raw() { return db_; }

  // Converts a SQLite result code (and the connection's message) into a Status.
  Status Error(int rc, std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  int busy_timeout_ms_ = 0;
};

// While alive, `db` checkpoints its WAL less often (sqlite.cc says why): for a scan's or a file
// listing's writer, which holds one and outlives no Db.
class BulkWrites {
 public:
  explicit BulkWrites(Db* db);
  ~BulkWrites();
  BulkWrites(const BulkWrites&) = delete;
  BulkWrites& operator=(const BulkWrites&) = delete;

 private:
  Db* db_;
};

// One transaction. Begin(kImmediate) takes the write lock at once, so two writers never deadlock
// upgrading a read lock; kDeferred is for consistent reads. Destroying an uncommitted transaction
// rolls it back.
class Transaction {
 public:
  enum class Kind { kImmediate, kDeferred };
  static Result<Transaction> Begin(Db& db, Kind kind = Kind::kImmediate);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_ = nullptr;
};

// Prepares `sql`, lets `bind` bind it (may be null) and runs it; `changes` gets the rows changed.
Status Exec(Db& db, const std::string& sql, const std::function<void(Statement&)>& bind,
            int* changes = nullptr);
// Prepares and binds `sql` and hands each row to `row`, which returns false to stop early.
Status Query(Db& db, const std::string& sql, const std::function<void(Statement&)>& bind,
             const std::function<bool(const Statement&)>& row);

}  // namespace evidex::store

#endif  // EVIDEX_STORE_SQLITE_H_
