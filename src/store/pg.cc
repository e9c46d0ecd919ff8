// The libpq RAII layer (pg.h).
#include "store/pg.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>

namespace evidex::store {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// The first line of a libpq message without its "connection to server at ... failed: " preamble
// (the caller names the server itself) and trailing blanks.
std::string OneLine(std::string m) {
  if (size_t nl = m.find('\n'); nl != std::string::npos) {
    // libpq puts the cause after the preamble, sometimes on the next line.
    std::string first = m.substr(0, nl);
    if (first.ends_with("failed:") && nl + 1 < m.size()) {
      std::string next = m.substr(nl + 1);
      first += " " + next.substr(0, next.find('\n'));
    }
    m = first;
  }
  if (size_t f = m.rfind("failed: "); f != std::string::npos && m.starts_with("connection to"))
    m = m.substr(f + 8);
  if (m.starts_with("FATAL:")) m = m.substr(6);
  if (m.starts_with("ERROR:")) m = m.substr(6);
  size_t b = m.find_first_not_of(" \t");
  size_t e = m.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : m.substr(b, e - b + 1);
}

// Host and port of a conninfo string (URI or key=value) without connecting: for messages.
void Where(const std::string& uri, std::string* server, std::string* describe) {
  std::string host = "localhost", port = "5432", user, db;
  char* err = nullptr;
  if (PQconninfoOption* opts = PQconninfoParse(uri.c_str(), &err)) {
    for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
      if (o->val == nullptr || *o->val == '\0') continue;
      if (!std::strcmp(o->keyword, "host") ||
          (!std::strcmp(o->keyword, "hostaddr") && host == "localhost"))
        host = o->val;
      else if (!std::strcmp(o->keyword, "port"))
        port = o->val;
      else if (!std::strcmp(o->keyword, "user"))
        user = o->val;
      else if (!std::strcmp(o->keyword, "dbname"))
        db = o->val;
    }
    PQconninfoFree(opts);
  }
  PQfreemem(err);
  *server = host + ":" + port;
  *describe = "postgresql://" + (user.empty() ? "" : user + "@") + *server + "/" + db;
}

}  // namespace

// ---- PgResult ----

PgResult::~PgResult() {
  if (r_ != nullptr) PQclear(r_);
}

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    if (r_ != nullptr) PQclear(r_);
    r_ = other.r_;
    other.r_ = nullptr;
  }
  return *this;
}

int PgResult::rows() const { return r_ ? PQntuples(r_) : 0; }
bool PgResult::IsNull(int row, int column) const { return PQgetisnull(r_, row, column) != 0; }

std::string_view PgResult::View(int row, int column) const {
  return {PQgetvalue(r_, row, column), size_t(PQgetlength(r_, row, column))};
}

int64_t PgResult::Int(int row, int column) const {
  return IsNull(row, column) ? 0 : std::strtoll(PQgetvalue(r_, row, column), nullptr, 10);
}

double PgResult::Double(int row, int column) const {
  return IsNull(row, column) ? 0 : std::strtod(PQgetvalue(r_, row, column), nullptr);
}

bool PgResult::Bool(int row, int column) const { return View(row, column) == "t"; }

std::string PgResult::Bytes(int row, int column) const {
  std::string_view v = View(row, column);
  std::string out;
  if (v.starts_with("\\x")) {
    out.reserve((v.size() - 2) / 2);
    auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (size_t i = 2; i + 1 < v.size(); i += 2) out += char(nib(v[i]) << 4 | nib(v[i + 1]));
    return out;
  }
  size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(v.data()), &n);
  if (raw != nullptr) out.assign(reinterpret_cast<char*>(raw), n);
  PQfreemem(raw);
  return out;
}

std::string_view PgResult::CommandTag() const { return r_ ? PQcmdStatus(r_) : ""; }

int64_t PgResult::Changed() const {
  const char* n = r_ ? PQcmdTuples(r_) : "";
  return *n ? std::strtoll(n, nullptr, 10) : 0;
}

// ---- PgParams ----

PgParams& PgParams::AddBytes(std::string_view v) {
  std::string hex = "\\x";
  hex.reserve(2 + v.size() * 2);
  for (unsigned char c : v) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  values_.emplace_back(std::move(hex));
  return *this;
}

// ---- PgConn ----

Result<PgConn> PgConn::Connect(const std::string& uri, int lock_timeout_ms) {
  PgConn c;
  Where(uri, &c.server_, &c.describe_);
  c.lock_timeout_ms_ = lock_timeout_ms;
  // Defaults first: the URI's own settings, expanded from dbname after them, win.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "evidex", uri.c_str(), nullptr};
  c.conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (c.conn_ == nullptr) return Internal("libpq: out of memory connecting to " + c.server_);
  if (PQstatus(c.conn_) != CONNECTION_OK) {
    std::string why = OneLine(PQerrorMessage(c.conn_));
    if (why.find("database \"") != std::string::npos &&
        why.find("does not exist") != std::string::npos)
      return NotFound("no PostgreSQL database at " + c.describe_ + ": " + why);
    return IoError("cannot connect to PostgreSQL at " + c.server_ + ": " + why);
  }
  // Now that the server answered, name it as libpq resolved it.
  c.server_ = std::string(PQhost(c.conn_)) + ":" + PQport(c.conn_);
  c.describe_ =
      "postgresql://" + std::string(PQuser(c.conn_)) + "@" + c.server_ + "/" + PQdb(c.conn_);
  PQsetNoticeProcessor(
      c.conn_, [](void*, const char*) {}, nullptr);
  EVIDEX_RETURN_IF_ERROR(c.Exec("SET lock_timeout = " + std::to_string(lock_timeout_ms) +
                                "; SET client_min_messages = warning; SET TIME ZONE 'UTC'"));
  return c;
}

PgConn::~PgConn() {
  if (conn_ != nullptr) PQfinish(conn_);
}

PgConn::PgConn(PgConn&& other) noexcept
    : conn_(other.conn_),
      describe_(std::move(other.describe_)),
      server_(std::move(other.server_)),
      lock_timeout_ms_(other.lock_timeout_ms_),
      prepared_(std::move(other.prepared_)) {
  other.conn_ = nullptr;
}

PgConn& PgConn::operator=(PgConn&& other) noexcept {
  if (this != &other) {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = other.conn_;
    describe_ = std::move(other.describe_);
    server_ = std::move(other.server_);
    lock_timeout_ms_ = other.lock_timeout_ms_;
    prepared_ = std::move(other.prepared_);
    other.conn_ = nullptr;
  }
  return *this;
}

Status PgConn::Error(pg_result* r, std::string_view what) const {
  std::string where = describe_ + ": " + std::string(what);
  if (conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD)
    return IoError("lost the connection to PostgreSQL at " + server_ + " (" + std::string(what) +
                   ")" + (conn_ ? ": " + OneLine(PQerrorMessage(conn_)) : ""));
  std::string msg = OneLine(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string s = state ? state : "";
  if (s == "55P03" || s == "57014" || s == "40001" || s == "40P01") {
    char waited[32];
    std::snprintf(waited, sizeof waited, "%g", lock_timeout_ms_ / 1000.0);
    return LimitReached(describe_ + " is locked by another process (waited " + waited + " s; " +
                        std::string(what) + "); try again when it has finished");
  }
  if (s.starts_with("08") || s.starts_with("53") || s.starts_with("58"))
    return IoError(where + ": " + msg);
  if (s.starts_with("23")) return InvalidArgument(where + ": " + msg);
  if (s == "XX001" || s == "XX002") return Corrupt(where + ": " + msg);
  return Internal(where + ": " + msg);
}

Status PgConn::Exec(std::string_view sql) {
  std::string q(sql);
  PgResult r(PQexec(conn_, q.c_str()));
  // PQexec returns the last statement's result; an earlier failure stops there.
  ExecStatusType st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    return Error(r.get(), q.substr(0, q.find_first_of("(\n;")));
  return Status::Ok();
}

Result<PgResult> PgConn::Query(const std::string& sql, const PgParams& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "evidex_" + std::to_string(prepared_.size() + 1);
    PgResult p(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
    PGresult* pr = p.get();
    if (PQresultStatus(pr) != PGRES_COMMAND_OK) return Error(pr, "preparing " + sql.substr(0, 60));
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::optional<std::string>& v : params.values())
    values.push_back(v ? v->c_str() : nullptr);
  // Lengths are not needed for text parameters: they end at their NUL (ValidUtf8 removes any).
  PgResult r(PQexecPrepared(conn_, it->second.c_str(), int(values.size()), values.data(), nullptr,
                            nullptr, 0));
  PGresult* rr = r.get();
  ExecStatusType st = PQresultStatus(rr);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    // A statement prepared inside a transaction that then rolled back stays prepared (the server
    // keeps prepared statements per session), so the cache stays valid.
    return Error(rr, sql.substr(0, sql.find_first_of("(\n")));
  }
  return r;
}

Status PgConn::Run(const std::string& sql, const PgParams& params, int64_t* changed) {
  Result<PgResult> r = Query(sql, params);
  if (!r.ok()) return r.status();
  if (changed != nullptr) *changed = r->Changed();
  return Status::Ok();
}

Status PgConn::CopyIn(const std::string& sql, std::string_view data) {
  {
    PgResult r(PQexec(conn_, sql.c_str()));
    PGresult* rr = r.get();
    if (PQresultStatus(rr) != PGRES_COPY_IN) return Error(rr, "starting " + sql.substr(0, 40));
  }
  constexpr size_t kChunk = 1 << 20;
  bool failed = false;
  for (size_t at = 0; at < data.size() && !failed; at += kChunk) {
    size_t n = std::min(kChunk, data.size() - at);
    failed = PQputCopyData(conn_, data.data() + at, int(n)) != 1;
  }
  if (PQputCopyEnd(conn_, failed ? "evidex: sending failed" : nullptr) != 1)
    return Error(nullptr, "ending COPY");
  Status result;
  while (PGresult* r = PQgetResult(conn_)) {
    if (result.ok() && PQresultStatus(r) != PGRES_COMMAND_OK) result = Error(r, "COPY");
    PQclear(r);
  }
  return result;
}

// ---- COPY text format ----

namespace {

// Length of the valid UTF-8 sequence at s[i] (1..4), or 0 when invalid.
size_t Utf8Length(std::string_view s, size_t i) {
  unsigned char c = s[i];
  if (c < 0x80) return c == 0 ? 0 : 1;
  size_t n;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0)
    n = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0)
    n = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0)
    n = 4, cp = c & 0x07;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = s[i + k];
    if ((d & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (d & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

template <typename Emit>
void ForEachValid(std::string_view s, Emit emit) {
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8Length(s, i);
    if (n == 0) {
      emit(std::string_view("\xEF\xBF\xBD", 3));
      ++i;
    } else {
      emit(s.substr(i, n));
      i += n;
    }
  }
}

}  // namespace

std::string ValidUtf8(std::string_view s) {
  bool clean = true;
  for (size_t i = 0; i < s.size() && clean;) {
    size_t n = Utf8Length(s, i);
    clean = n != 0;
    i += n;
  }
  if (clean) return std::string(s);
  std::string out;
  ForEachValid(s, [&](std::string_view piece) { out += piece; });
  return out;
}

void CopyText(std::string& row, std::string_view field) {
  for (size_t i = 0; i < field.size();) {
    unsigned char c = field[i];
    if (c >= 0x20 && c < 0x80 && c != '\\') {
      row += char(c);
      ++i;
      continue;
    }
    switch (c) {
      case '\\':
        row += "\\\\";
        ++i;
        continue;
      case '\n':
        row += "\\n";
        ++i;
        continue;
      case '\r':
        row += "\\r";
        ++i;
        continue;
      case '\t':
        row += "\\t";
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20 && c != 0) {
      row += char(c);  // other control characters are literal in COPY text
      ++i;
      continue;
    }
    size_t n = Utf8Length(field, i);
    if (n == 0) {
      row += "\xEF\xBF\xBD";
      ++i;
    } else {
      row.append(field.data() + i, n);
      i += n;
    }
  }
}

void CopyBytes(std::string& row, std::string_view bytes) {
  row += "\\\\x";
  size_t at = row.size();
  row.resize(at + bytes.size() * 2);
  for (unsigned char c : bytes) {
    row[at++] = kHex[c >> 4];
    row[at++] = kHex[c & 15];
  }
}

}  // namespace evidex::store
