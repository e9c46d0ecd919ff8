// Test support: the store back ends a test can run on, and a fresh empty store per test.
//
// Store tests are value-parameterized by back end name:
//
//   class StoreTest : public ::testing::TestWithParam<std::string> {
//     void SetUp() override {
//       loc_ = std::make_unique<TestStoreLocation>(GetParam());
//       if (!loc_->unavailable().empty()) GTEST_SKIP() << loc_->unavailable();
//     }
//     ... OpenStore({loc_->location(), true, 5000}) ...
//   };
//   INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(TestBackends()),
//                            [](const auto& info) { return info.param; });
//
// "sqlite" is a temporary directory holding evidex.db. "postgresql" is a database
// evidex_test_<random> created on the test cluster that CTest starts (scripts/pg-test-cluster.sh,
// the pg_cluster fixture in src/store/CMakeLists.txt), found through the file named by
// EVIDEX_TEST_PG_FILE (it holds the cluster's libpq URI). Both are removed at destruction.
//
// When PostgreSQL cannot be tested (the binaries are not installed, the test runs outside CTest
// without EVIDEX_TEST_PG_FILE), unavailable() says why and the test skips; a cluster that should
// be there but does not answer is a failure, not a skip.
//
// Thread safety: none needed (one test, one thread). Not for production code.
#ifndef EVIDEX_STORE_STORE_TEST_BACKENDS_H_
#define EVIDEX_STORE_STORE_TEST_BACKENDS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace evidex::store {

// {"sqlite", "postgresql"}. "postgresql" is listed whenever it may be testable (EVIDEX_TEST_PG_FILE
// is set or the PostgreSQL binaries are installed) rather than only when a cluster runs: CTest
// lists the tests (gtest_discover_tests) at build time, before the fixture starts the cluster, and
// a variant missing then would never run. A listed variant that cannot run skips and says why.
std::vector<std::string> TestBackends();

// The libpq URI of the test cluster's maintenance database, or "" (and `why`) when there is none.
std::string TestClusterUri(std::string* why = nullptr);

class TestStoreLocation {
 public:
  // Creates a fresh empty store location for `backend` ("sqlite" or "postgresql"). The store
  // itself is created by OpenStore({location(), /*create=*/true}).
  explicit TestStoreLocation(const std::string& backend);
  ~TestStoreLocation();  // removes the directory / drops the database (closing its connections)
  TestStoreLocation(const TestStoreLocation&) = delete;
  TestStoreLocation& operator=(const TestStoreLocation&) = delete;

  // "" when the location is ready; otherwise why this back end cannot be tested (skip).
  const std::string& unavailable() const { return unavailable_; }
  const std::string& backend() const { return backend_; }
  bool postgresql() const { return backend_ == "postgresql"; }
  // For StoreOptions::location: the SQLite file path, or the libpq URI of the database.
  const std::string& location() const { return location_; }
  // Another location of the same back end for tests that need two stores: "sqlite" a second file
  // in the same directory, "postgresql" a second database (also dropped at destruction).
  std::string Sibling(const std::string& name);

  // Raw SQL on the store, as an administrator with sqlite3 or psql would run it: "" when it
  // succeeded, else the error. RawInt returns the first column of the first row, -1 when there
  // is no row or the query fails. Use portable SQL (both back ends read these).
  std::string Raw(const std::string& sql) const;
  int64_t RawInt(const std::string& sql) const;

 private:
  std::string backend_, location_, unavailable_;
  std::string dir_;                     // sqlite: the temporary directory
  std::vector<std::string> databases_;  // postgresql: the databases to drop
  std::string cluster_uri_;
};

}  // namespace evidex::store

#endif  // EVIDEX_STORE_STORE_TEST_BACKENDS_H_
