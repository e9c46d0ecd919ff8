// A small RAII layer over libpq, as sqlite.h is over SQLite: PgConn (a connection with a cache of
// prepared statements), PgResult (an owned result), PgParams (text parameters) and COPY ... FROM
// STDIN. Errors are values: every libpq failure becomes a Status whose one-line message names the
// server (host:port/database, never the password) and what was being done.
//
// Error codes, from the SQLSTATE (callers such as the CLI map them to exit codes):
//   55P03 lock_not_available (lock_timeout), 57014 canceled, 40001 / 40P01 -> Code::kLimit
//   class 08 (connection), 53 (disk full, out of memory), 58 (system), lost connection
//                                                                 -> Code::kIoError
//   class 23 (integrity constraint: a duplicate, a bad reference)  -> Code::kInvalidArgument
//   XX001 / XX002 (data corrupted)                                -> Code::kCorrupt
//   anything else                                                 -> Code::kInternal
// Connecting: an unreachable server or a refused login is kIoError ("cannot connect to PostgreSQL
// at 127.0.0.1:5432: Connection refused"); a database that does not exist is kNotFound.
//
// Thread safety: a PgConn and its results belong to one thread at a time.
#ifndef EVIDEX_STORE_PG_H_
#define EVIDEX_STORE_PG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

struct pg_conn;
struct pg_result;

namespace evidex::store {

class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(pg_result* r) : r_(r) {}
  ~PgResult();
  PgResult(PgResult&& other) noexcept : r_(other.r_) { other.r_ = nullptr; }
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  int rows() const;
  bool IsNull(int row, int column) const;
  std::string_view View(int row, int column) const;  // "" for NULL
  std::string Text(int row, int column) const { return std::string(View(row, column)); }
  int64_t Int(int row, int column) const;  // 0 for NULL
  double Double(int row, int column) const;
  bool Bool(int row, int column) const;          // "t"
  std::string Bytes(int row, int column) const;  // a bytea column, decoded
  // The number of rows an INSERT / UPDATE / DELETE changed.
  int64_t Changed() const;
  // The command tag: "COMMIT", "ROLLBACK", "INSERT 0 1"...
  std::string_view CommandTag() const;
  pg_result* get() const { return r_; }

 private:
  pg_result* r_ = nullptr;
};

// One row of a result, for the row readers both back ends share (store_common.h).
struct PgRow {
  const PgResult& result;
  int row;
  int64_t Int(int column) const { return result.Int(row, column); }
  std::string Text(int column) const { return result.Text(row, column); }
  bool IsNull(int column) const { return result.IsNull(row, column); }
};

// Text-format parameters $1, $2, ... in the order added.
class PgParams {
 public:
  PgParams& Add(int64_t v) { return Add(std::to_string(v)); }
  PgParams& Add(std::string_view v) {
    values_.emplace_back(v);
    return *this;
  }
  PgParams& Add(const char* v) { return Add(std::string_view(v)); }
  PgParams& Add(const std::string& v) { return Add(std::string_view(v)); }
  PgParams& Add(bool) = delete;  // say which: Add(b ? "t" : "f")
  PgParams& AddNull() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  // A bytea parameter (any bytes), sent as hex.
  PgParams& AddBytes(std::string_view v);
  size_t size() const { return values_.size(); }
  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

class PgConn {
 public:
  // Connects to `uri` (libpq URI or key=value string) with a 10 s connect timeout unless the URI
  // sets one; lock_timeout is set to `lock_timeout_ms` so a locked row or table is Code::kLimit
  // rather than a wait without end.
  static Result<PgConn> Connect(const std::string& uri, int lock_timeout_ms);

  PgConn() = default;
  ~PgConn();
  PgConn(PgConn&& other) noexcept;
  PgConn& operator=(PgConn&& other) noexcept;
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // "postgresql://user@host:port/db": the location without password or options.
  const std::string& describe() const { return describe_; }
  // "host:port".
  const std::string& server() const { return server_; }

  // Runs one or more statements without parameters (simple query protocol).
  Status Exec(std::string_view sql);
  // Runs one statement with parameters; prepared once per connection and reused (the cache is
  // keyed by the SQL text).
  Result<PgResult> Query(const std::string& sql, const PgParams& params = {});
  // As Query, for statements whose rows are not wanted; `changed` gets the rows changed.
  Status Run(const std::string& sql, const PgParams& params = {}, int64_t* changed = nullptr);

  // COPY ... FROM STDIN in text format: `sql` is the COPY statement, `data` the rows
  // (CopyText escapes a field). Sent in chunks.
  Status CopyIn(const std::string& sql, std::string_view data);

  // A Status for a failed result (`r` may be null: the connection's message).
  Status Error(pg_result* r, std::string_view what) const;

  pg_conn* raw() { return conn_; }

 private:
  pg_conn* conn_ = nullptr;
  std::string describe_, server_;
  int lock_timeout_ms_ = 0;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

// Appends `field` to a COPY text-format row, escaped; invalid UTF-8 and NUL bytes (which a text
// column cannot hold) become U+FFFD.
void CopyText(std::string& row, std::string_view field);
// Appends `bytes` as a COPY text-format bytea field (\\x hex).
void CopyBytes(std::string& row, std::string_view bytes);
// `s` with invalid UTF-8 and NUL bytes replaced by U+FFFD (what CopyText stores).
std::string ValidUtf8(std::string_view s);

}  // namespace evidex::store

#endif  // EVIDEX_STORE_PG_H_
