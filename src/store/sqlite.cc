// The SQLite RAII layer (sqlite.h).
#include "store/sqlite.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

namespace evidex::store {

// ---- Db ----

Result<Db> Db::Open(const std::string& path, Mode mode, int busy_timeout_ms) {
  if (mode == Mode::kExisting) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return NotFound("no store at " + path);
      return ErrnoStatus("cannot open store " + path, errno);
    }
  }
  Db db;
  db.path_ = path;
  db.busy_timeout_ms_ = busy_timeout_ms;
  // NOMUTEX: a connection belongs to one thread at a time (sqlite.h), so SQLite's own per-call
  // locking of it is pure cost on the scan writer's hot path.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (mode == Mode::kCreate) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db.db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status st = db.Error(rc, "cannot open");
    return st;
  }
  sqlite3_extended_result_codes(db.db_, 1);
  sqlite3_busy_timeout(db.db_, busy_timeout_ms);
  // WAL: readers never block the writer and a killed writer leaves the file consistent.
  // synchronous=FULL: a committed custody record survives a power cut too, not only a kill.
  EVIDEX_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  Result<Statement> wal = db.Prepare("PRAGMA journal_mode = WAL");
  if (!wal.ok()) return wal.status();
  Result<bool> row = wal->Step();
  if (!row.ok()) return row.status();
  if (!*row || wal->Text(0) != "wal")
    return IoError(path + ": cannot switch the store to WAL journaling");
  *wal = Statement();
  EVIDEX_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));
  // Sizes for a store that may hold tens of millions of occurrences (store.h, artifacts):
  // - cache_size 64 MiB: the pages a write transaction dirties stay in memory until commit (the
  //   artifacts' unique index takes random inserts during a scan); SQLite allocates it lazily, so a
  //   small store costs nothing.
  // - mmap_size 2 GiB (SQLite's default ceiling): reads come straight from the OS page cache, no
  //   copy into SQLite's cache, so search and correlation over a large store do not thrash it.
  // - temp_store MEMORY: sorts for correlation and export (a million rows) stay off the disk.
  // - journal_size_limit 64 MiB: a scan's large transaction does not leave a huge WAL behind.
  // - wal_autocheckpoint: SQLite's 1000 pages, except while a bulk writer is open (BulkWrites).
  EVIDEX_RETURN_IF_ERROR(
      db.Exec("PRAGMA cache_size = -65536; PRAGMA mmap_size = 2147418112; "
              "PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = 67108864; "
              "PRAGMA wal_autocheckpoint = 1000"));
  return db;
}

// 65536 pages (256 MiB) while a scan or a file listing writes: fewer, larger checkpoints; an index
// page that several commits dirty is copied back once per checkpoint (measured with
// bench/store_bench.cc at 5M occurrences: 22% fewer bytes written than at 64 MiB, which was 7%
// fewer than 1000 pages). The WAL grows to about this size during an ingest; journal_size_limit
// truncates it when it restarts. Not for every connection: every page a reader looks up is first
// searched in the WAL's index, whose cost grows with the WAL's frames; a server writing a custody
// record per request then spent a quarter of its CPU in sqlite3WalFindFrame (bench/serve.sh).
BulkWrites::BulkWrites(Db* db) : db_(db) {
  if (!db_->Exec("PRAGMA wal_autocheckpoint = 65536").ok()) db_ = nullptr;  // a cost, not an error
}

BulkWrites::~BulkWrites() {
  if (db_ != nullptr) (void)db_->Exec("PRAGMA wal_autocheckpoint = 1000");
}

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Db::Db(Db&& other) noexcept
    : db_(other.db_), path_(std::move(other.path_)), busy_timeout_ms_(other.busy_timeout_ms_) {
  other.db_ = nullptr;
}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = other.db_;
    path_ = std::move(other.path_);
    busy_timeout_ms_ = other.busy_timeout_ms_;
    other.db_ = nullptr;
  }
  return *this;
}

Status Db::Error(int rc, std::string_view what) const {
  std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  std::string where = path_ + ": " + std::string(what) + ": " + msg;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: {
      char waited[32];
      std::snprintf(waited, sizeof waited, "%g", busy_timeout_ms_ / 1000.0);
      return LimitReached(path_ + " is locked by another process (waited " + waited +
                          " s); try again when it has finished");
    }
    case SQLITE_FULL:
      return IoError(path_ + ": the disk is full (" + std::string(what) + ")");
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return IoError(where);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Corrupt(where);
    case SQLITE_CONSTRAINT:
      return InvalidArgument(where);
    default:
      return Internal(where);
  }
}

Status Db::Exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Error(rc, text.substr(0, 60));
  return Status::Ok();
}

Result<Statement> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), int(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(rc, sql.substr(0, 60));
  }
  return Statement(this, stmt);
}

int64_t Db::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

int Db::Changes() const { return sqlite3_changes(db_); }

bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

// ---- Statement ----

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), bind_error_(std::move(other.bind_error_)) {
  other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    bind_error_ = std::move(other.bind_error_);
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = db_->Error(rc, "bind");
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies, so the caller's string may go away before Step.
  // A null pointer would bind NULL: an empty (default) view is bound as "" instead.
  int rc = sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(), text.size(),
                               SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = db_->Error(rc, "bind");
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  int rc = sqlite3_bind_blob64(stmt_, index, bytes.empty() ? "" : bytes.data(), bytes.size(),
                               SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = db_->Error(rc, "bind");
  return *this;
}

Statement& Statement::BindView(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(), text.size(),
                               SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = db_->Error(rc, "bind");
  return *this;
}

Statement& Statement::BindBlobView(int index, std::string_view bytes) {
  // A zero-length blob with a null pointer would bind NULL; "" keeps it an empty blob.
  const char* data = bytes.empty() ? "" : bytes.data();
  int rc = sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_STATIC);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = db_->Error(rc, "bind");
  return *this;
}

Statement& Statement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = db_->Error(rc, "bind");
  return *this;
}

int Statement::ParameterCount() const { return sqlite3_bind_parameter_count(stmt_); }

Result<bool> Statement::Step() {
  if (!bind_error_.ok()) return bind_error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const char* sql = sqlite3_sql(stmt_);
  return db_->Error(rc, std::string_view(sql ? sql : "").substr(0, 60));
}

Status Statement::Run() {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = Status::Ok();
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(p), size_t(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- Transaction ----

Result<Transaction> Transaction::Begin(Db& db, Kind kind) {
  EVIDEX_RETURN_IF_ERROR(db.Exec(kind == Kind::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }

Transaction::~Transaction() {
  // A failed statement may already have ended the transaction; the ROLLBACK error is moot then.
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Internal("transaction already finished");
  Status st = db_->Exec("COMMIT");
  if (st.ok()) db_ = nullptr;
  return st;
}

Status Exec(Db& db, const std::string& sql, const std::function<void(Statement&)>& bind,
            int* changes) {
  Result<Statement> s = db.Prepare(sql);
  if (!s.ok()) return s.status();
  if (bind) bind(*s);
  EVIDEX_RETURN_IF_ERROR(s->Run());
  if (changes != nullptr) *changes = db.Changes();
  return Status::Ok();
}

Status Query(Db& db, const std::string& sql, const std::function<void(Statement&)>& bind,
             const std::function<bool(const Statement&)>& row) {
  Result<Statement> s = db.Prepare(sql);
  if (!s.ok()) return s.status();
  if (bind) bind(*s);
  for (;;) {
    Result<bool> more = s->Step();
    if (!more.ok()) return more.status();
    if (!*more || !row(*s)) return Status::Ok();
  }
}

}  // namespace evidex::store
