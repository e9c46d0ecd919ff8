// Test support: back ends and fresh store locations (store_test_backends.h).
#include "store/store_test_backends.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

namespace evidex::store {
namespace {

namespace fs = std::filesystem;

constexpr char kPgBin[] = "/usr/lib/postgresql/15/bin/initdb";

std::string RandomSuffix() {
  std::random_device rd;
  std::mt19937_64 g((uint64_t(rd()) << 32) ^ rd() ^ uint64_t(getpid()));
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 12; ++i) s += kHex[g() % 16];
  return s;
}

// The URI with its database (the path after host:port) replaced.
std::string WithDatabase(const std::string& uri, const std::string& db) {
  size_t scheme = uri.find("://");
  size_t slash = uri.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  size_t query = uri.find('?');
  std::string tail = query == std::string::npos ? "" : uri.substr(query);
  return (slash == std::string::npos ? uri.substr(0, query) : uri.substr(0, slash)) + "/" + db +
         tail;
}

// Runs `sql` on `uri`: "" on success, else the error. `first` gets the first value when wanted.
std::string PgRun(const std::string& uri, const std::string& sql, std::string* first = nullptr) {
  PGconn* c = PQconnectdb(uri.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string e = PQerrorMessage(c);
    PQfinish(c);
    return "cannot connect to the test cluster: " + e;
  }
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(c, sql.c_str());
  std::string err;
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    err = PQresultErrorMessage(r);
    if (err.empty()) err = "failed";
  } else if (first != nullptr) {
    if (PQntuples(r) > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0))
      *first = PQgetvalue(r, 0, 0);
    else
      err = "no row";
  }
  PQclear(r);
  PQfinish(c);
  return err;
}

std::string SqliteRun(const std::string& path, const std::string& sql,
                      std::string* first = nullptr) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string e = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return "cannot open " + path + ": " + e;
  }
  sqlite3_busy_timeout(db, 5000);
  std::string err;
  if (first == nullptr) {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK)
      err = msg ? msg : "failed";
    sqlite3_free(msg);
  } else {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      err = sqlite3_errmsg(db);
    } else if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
      *first = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    } else {
      err = "no row";
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return err;
}

}  // namespace

std::vector<std::string> TestBackends() {
  std::vector<std::string> b{"sqlite"};
  const char* file = getenv("EVIDEX_TEST_PG_FILE");
  if ((file != nullptr && *file != '\0') || access(kPgBin, X_OK) == 0) b.push_back("postgresql");
  return b;
}

std::string TestClusterUri(std::string* why) {
  auto fail = [&](const std::string& w) {
    if (why != nullptr) *why = w;
    return std::string();
  };
  const char* file = getenv("EVIDEX_TEST_PG_FILE");
  if (file == nullptr || *file == '\0')
    return fail(
        "EVIDEX_TEST_PG_FILE is not set: ctest starts a PostgreSQL test cluster and sets it; by "
        "hand, run scripts/pg-test-cluster.sh start DIR and set EVIDEX_TEST_PG_FILE=DIR/url");
  std::ifstream in(file);
  std::string uri;
  if (!in || !std::getline(in, uri) || uri.empty()) {
    // The cluster script leaves why it did not start a cluster beside the url.
    std::string path = file, reason;
    std::ifstream unavailable(path.substr(0, path.rfind('/') + 1) + "unavailable");
    if (unavailable && std::getline(unavailable, reason) && !reason.empty())
      return fail("no PostgreSQL test cluster: " + reason);
  }
  if (uri.empty())
    return fail(std::string("no PostgreSQL test cluster: ") + file +
                (access(kPgBin, X_OK) == 0
                     ? " is missing (did the pg_cluster_start test fail?)"
                     : " is missing: PostgreSQL 15 is not installed (make deps)"));
  return uri;
}

TestStoreLocation::TestStoreLocation(const std::string& backend) : backend_(backend) {
  if (backend == "sqlite") {
    char tmpl[] = "/tmp/evidex-store-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      unavailable_ = "mkdtemp failed";
      return;
    }
    dir_ = tmpl;
    location_ = dir_ + "/evidex.db";
    return;
  }
  if (backend != "postgresql") {
    unavailable_ = "unknown back end " + backend;
    return;
  }
  cluster_uri_ = TestClusterUri(&unavailable_);
  if (cluster_uri_.empty()) return;
  location_ = Sibling("evidex_test_" + RandomSuffix());
  if (location_.empty()) {
    // The cluster should be there (its url file is): a failure, not a skip. Make it visible by
    // handing out a location that cannot be opened, so the test's OpenStore fails loudly.
    location_ = WithDatabase(cluster_uri_, "evidex_test_cluster_failed");
  }
}

std::string TestStoreLocation::Sibling(const std::string& name) {
  if (backend_ == "sqlite") return dir_ + "/" + name;
  std::string db = name;
  for (char& ch : db)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  if (!db.starts_with("evidex_test_")) db = "evidex_test_" + db + "_" + RandomSuffix();
  std::string err = PgRun(cluster_uri_, "CREATE DATABASE " + db);
  if (!err.empty()) {
    fprintf(stderr, "TestStoreLocation: CREATE DATABASE %s: %s\n", db.c_str(), err.c_str());
    return "";
  }
  databases_.push_back(db);
  return WithDatabase(cluster_uri_, db);
}

TestStoreLocation::~TestStoreLocation() {
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  for (const std::string& db : databases_) {
    // FORCE: a test that failed midway may still hold a connection (PostgreSQL 13+).
    std::string err = PgRun(cluster_uri_, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
    if (!err.empty())
      fprintf(stderr, "TestStoreLocation: DROP DATABASE %s: %s\n", db.c_str(), err.c_str());
  }
}

std::string TestStoreLocation::Raw(const std::string& sql) const {
  return postgresql() ? PgRun(location_, sql) : SqliteRun(location_, sql);
}

int64_t TestStoreLocation::RawInt(const std::string& sql) const {
  std::string v;
  std::string err = postgresql() ? PgRun(location_, sql, &v) : SqliteRun(location_, sql, &v);
  if (!err.empty()) return -1;
  return std::strtoll(v.c_str(), nullptr, 10);
}

}  // namespace evidex::store
