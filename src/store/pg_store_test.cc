// The PostgreSQL back end's own cases: connection errors, concurrent migration and writers, lock
// timeouts, text PostgreSQL cannot hold. What every back end must do is in store_test.cc.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "store/backends.h"
#include "store/pg.h"
#include "store/store.h"
#include "store/store_test_backends.h"

namespace evidex::store {
namespace {

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loc_ = std::make_unique<TestStoreLocation>("postgresql");
    if (!loc_->unavailable().empty()) GTEST_SKIP() << loc_->unavailable();
  }

  std::unique_ptr<Store> Open(int busy_ms = 5000) {
    Result<std::unique_ptr<Store>> s = OpenPgStore({loc_->location(), true, busy_ms});
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // host:port of the test cluster.
  std::string Server() {
    std::string uri = TestClusterUri();
    size_t at = uri.find('@') + 1;
    return uri.substr(at, uri.find('/', at) - at);
  }
  Case NewCase(Store& s, const std::string& number) {
    Case c;
    c.number = number;
    c.title = "Fraud " + number;
    Result<Case> r = s.AddCase(c);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : Case{};
  }
  Evidence NewEvidence(Store& s, int64_t case_id) {
    Evidence e;
    e.case_id = case_id;
    e.label = "Laptop HDD";
    e.mode = "copy";
    e.source_path = "/dev/sdb";
    e.state = EvidenceState::kComplete;
    Result<Evidence> r = s.AddEvidence(e);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : Evidence{};
  }
  std::unique_ptr<ScanWriter> Begin(Store& s, const Evidence& e) {
    ScanRecord scan;
    scan.case_id = e.case_id;
    scan.evidence_id = e.id;
    scan.parameters = R"({"scanners":["email"]})";
    Result<std::unique_ptr<ScanWriter>> w = s.BeginScan(scan);
    EXPECT_TRUE(w.ok()) << w.status().message();
    return w.ok() ? std::move(w).value() : nullptr;
  }

  std::unique_ptr<TestStoreLocation> loc_;
};

TEST(PgStoreErrors, UnreachableServerNamesHostAndPort) {
  // Port 1 on loopback: nothing listens there.
  Result<std::unique_ptr<Store>> s =
      OpenStore({"postgresql://evidex:hunter2@127.0.0.1:1/evidex", false, 5000});
  if (s.ok() || s.status().message().find("not supported") != std::string::npos)
    GTEST_SKIP() << "OpenStore does not dispatch to PostgreSQL in this build";
  EXPECT_EQ(s.status().code(), Code::kIoError);
  EXPECT_NE(s.status().message().find("127.0.0.1:1"), std::string::npos) << s.status().message();
  EXPECT_EQ(s.status().message().find("hunter2"), std::string::npos) << s.status().message();
  EXPECT_EQ(s.status().message().find('\n'), std::string::npos) << s.status().message();
}

TEST(PgStoreErrors, UnreachableServerThroughTheBackEnd) {
  Result<std::unique_ptr<Store>> s =
      OpenPgStore({"postgres://evidex:hunter2@127.0.0.1:1/evidex", false, 5000});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kIoError);
  EXPECT_EQ(s.status().message().rfind("cannot connect to PostgreSQL at 127.0.0.1:1: ", 0), 0u)
      << s.status().message();
  EXPECT_EQ(s.status().message().find("hunter2"), std::string::npos);
}

TEST_F(PgStoreTest, RefusedLoginIsAnIoErrorWithoutThePassword) {
  std::string uri = "postgresql://nobody:s3cret-pw@" + Server() + "/postgres";
  Result<std::unique_ptr<Store>> s = OpenPgStore({uri, false, 5000});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kIoError);
  EXPECT_NE(s.status().message().find(Server()), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("nobody"), std::string::npos) << s.status().message();
  EXPECT_EQ(s.status().message().find("s3cret-pw"), std::string::npos) << s.status().message();
  EXPECT_EQ(s.status().message().find('\n'), std::string::npos) << s.status().message();
}

TEST_F(PgStoreTest, MissingDatabaseAndMissingStoreAreNotFound) {
  Result<std::unique_ptr<Store>> s =
      OpenPgStore({"postgresql://postgres@" + Server() + "/evidex_no_such_db", true, 5000});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kNotFound) << s.status().message();
  s = OpenPgStore({loc_->location(), false, 5000});  // exists, empty, create not asked
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kNotFound) << s.status().message();
}

TEST_F(PgStoreTest, DescribeHidesThePassword) {
  std::string uri = loc_->location();
  uri.insert(uri.find('@'), ":pw-not-shown");  // trust auth: the password is not checked
  Result<std::unique_ptr<Store>> s = OpenPgStore({uri, true, 5000});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ((*s)->Describe().find("pw-not-shown"), std::string::npos);
  EXPECT_NE((*s)->Describe().find(Server()), std::string::npos) << (*s)->Describe();
}

TEST_F(PgStoreTest, NewerSchemaIsRefused) {
  ASSERT_TRUE(Open());
  ASSERT_EQ(loc_->Raw("INSERT INTO schema_version VALUES (" + std::to_string(kSchemaVersion + 1) +
                      ", 'x', '9.0')"),
            "");
  Result<std::unique_ptr<Store>> s = OpenPgStore({loc_->location(), false, 5000});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kUnsupported);
  EXPECT_EQ(s.status().message(), "this workspace was written by a newer evidex (schema " +
                                      std::to_string(kSchemaVersion + 1) +
                                      "; this one reads up to " + std::to_string(kSchemaVersion) +
                                      ")");
}

// What store_test.cc checks on the SQLite file, here on PostgreSQL.
TEST_F(PgStoreTest, AnEmptyVersionTableIsMigratedForward) {
  ASSERT_EQ(loc_->Raw("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                      "applied TEXT NOT NULL, evidex TEXT NOT NULL)"),
            "");
  Result<std::unique_ptr<Store>> s = OpenPgStore({loc_->location(), false, 5000});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(loc_->RawInt("SELECT max(version) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(loc_->RawInt("SELECT count(*) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(loc_->RawInt("SELECT count(*) FROM pg_tables WHERE tablename = 'custody_head'"), 1);
}

TEST_F(PgStoreTest, AVersion1StoreIsMigratedToVersion2KeepingItsRows) {
  {
    auto s = Open();
    ASSERT_TRUE(s);
    NewCase(*s, "OLD/1");
  }
  // Back to what a v1 evidex left: no v2 (or later) tables, one schema_version row.
  ASSERT_EQ(loc_->Raw("DROP TABLE scans, artifacts, occurrences, scan_artifacts, "
                      "evidence_artifacts, watchlists, indicators, watch_hits, file_listings, "
                      "files, file_matches, yara_matches, case_members, users, case_artifacts, "
                      "case_artifact_kinds, case_evidence_kinds, coop_events, coop_requests, "
                      "directory_entries; "
                      "DELETE FROM schema_version WHERE version >= 2"),
            "");
  ASSERT_EQ(loc_->RawInt("SELECT max(version) FROM schema_version"), 1);
  Result<std::unique_ptr<Store>> s = OpenPgStore({loc_->location(), false, 5000});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(loc_->RawInt("SELECT max(version) FROM schema_version"), kSchemaVersion);
  Result<std::optional<Case>> old = (*s)->FindCase("OLD/1");
  ASSERT_TRUE(old.ok() && old->has_value());
  Evidence e = NewEvidence(**s, (*old)->id);
  auto w = Begin(**s, e);
  ASSERT_TRUE(w);
  OccurrenceIn one[] = {{"email", "a@b.example", "a@b.example", "100", "", false}};
  ASSERT_TRUE(w->Add(one).ok());
  ASSERT_TRUE(w->Finish("complete").ok());
  Result<std::vector<Artifact>> a = (*s)->FindArtifacts("email", "a@b.example");
  ASSERT_TRUE(a.ok() && a->size() == 1u);
  EXPECT_EQ((*a)[0].occurrences, 1u);
}

TEST_F(PgStoreTest, HandEditedCustodyDetailsStillLoad) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "H");
  auto key = std::move(vault::SigningKey::Generate()).value();
  vault::CustodyRecord r;
  r.actor = "Insp. Perera";
  r.action = "note";
  r.details = {{"why", "note"}};
  ASSERT_TRUE(s->AppendCustody(c.id, r, key).ok());
  ASSERT_EQ(loc_->Raw("UPDATE custody SET details = 'not json'"), "");
  Result<std::vector<vault::CustodyRecord>> recs = s->ListCustody(c.id);
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 1u);
  EXPECT_NE((*recs)[0].ComputeHash(), (*recs)[0].hash);
  EXPECT_EQ(s->CheckChainEnd(c.id, key.public_key()).code(), Code::kCorrupt);
}

TEST_F(PgStoreTest, ProcessesMigratingAtOnceCreateOneSchema) {
  constexpr int kProcesses = 4;
  std::vector<pid_t> children;
  for (int i = 0; i < kProcesses; ++i) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      Result<std::unique_ptr<Store>> s = OpenPgStore({loc_->location(), true, 30000});
      if (!s.ok()) fprintf(stderr, "child: %s\n", s.status().message().c_str());
      _exit(s.ok() ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(loc_->RawInt("SELECT count(*) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(loc_->RawInt("SELECT max(version) FROM schema_version"), kSchemaVersion);
}

TEST_F(PgStoreTest, ALockedCaseIsKLimitAfterTheLockTimeout) {
  auto s = Open(/*busy_ms=*/300);
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "2026/001");
  Result<PgConn> other = PgConn::Connect(loc_->location(), 5000);
  ASSERT_TRUE(other.ok()) << other.status().message();
  ASSERT_TRUE(other->Exec("BEGIN; SELECT * FROM cases FOR UPDATE").ok());
  auto key = std::move(vault::SigningKey::Generate()).value();
  vault::CustodyRecord r;
  r.actor = "Insp. Perera";
  r.action = "note";
  r.details = nlohmann::json::object();
  Result<vault::CustodyRecord> sealed = s->AppendCustody(c.id, r, key);
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.status().code(), Code::kLimit) << sealed.status().message();
  EXPECT_NE(sealed.status().message().find("locked by another process"), std::string::npos);
  ASSERT_TRUE(other->Exec("ROLLBACK").ok());
  EXPECT_TRUE(s->AppendCustody(c.id, r, key).ok());
}

TEST_F(PgStoreTest, TextPostgresCannotHoldIsStoredReplacedAndContextsVerbatim) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "2026/002");
  Evidence e = NewEvidence(*s, c.id);
  auto w = Begin(*s, e);
  ASSERT_TRUE(w);
  std::string context("a\0b\\c\td\ne\xff", 10);
  std::string bad_value("caf\xe9@example.com", 16);  // Latin-1, not UTF-8
  OccurrenceIn occ[] = {
      {"email", "alice@example.com", "Alice@Example.com", "1024", context, false},
      {"email", bad_value, bad_value, "2048-GZIP-10", "x\\y", true},
  };
  ASSERT_TRUE(w->Add(occ).ok());
  Result<ScanRecord> done = w->Finish("complete");
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->occurrences, 2u);
  EXPECT_EQ(done->artifacts, 2u);
  Result<std::vector<Artifact>> a = s->FindArtifacts("email", "alice@example.com");
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_EQ(a->size(), 1u);
  Result<std::vector<OccurrenceOut>> o = s->Occurrences((*a)[0].id, 0, 10);
  ASSERT_TRUE(o.ok()) << o.status().message();
  ASSERT_EQ(o->size(), 1u);
  EXPECT_EQ((*o)[0].context, context);
  EXPECT_EQ((*o)[0].feature, "Alice@Example.com");
  EXPECT_EQ((*o)[0].path, "1024");
  a = s->FindArtifacts("email", "caf\xEF\xBF\xBD@example.com");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 1u);
  o = s->Occurrences((*a)[0].id, e.id, 10);
  ASSERT_TRUE(o.ok());
  ASSERT_EQ(o->size(), 1u);
  EXPECT_EQ((*o)[0].context, "x\\y");
  EXPECT_TRUE((*o)[0].utf16);
}

// Two connections (as two processes) store scans of two evidence of one case at once, with
// values in common: every occurrence is stored once, the counts add up.
TEST_F(PgStoreTest, ConcurrentScanWritersIntoOneCase) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  Case c = NewCase(*a, "2026/003");
  Evidence e1 = NewEvidence(*a, c.id), e2 = NewEvidence(*b, c.id);
  EXPECT_EQ(e2.number, 2);
  constexpr int kShared = 3000, kRounds = 5;
  auto run = [&](Store* s, const Evidence& e, std::atomic<bool>* ok) {
    auto w = Begin(*s, e);
    if (!w) return;
    std::vector<std::string> values;
    for (int i = 0; i < kShared; ++i) values.push_back("user" + std::to_string(i) + "@shared.org");
    for (int round = 0; round < kRounds; ++round) {
      std::vector<std::string> paths;  // OccurrenceIn holds views: the strings outlive Add
      for (int i = 0; i < kShared; ++i) paths.push_back(std::to_string(round * kShared + i));
      std::vector<OccurrenceIn> batch;
      for (int i = 0; i < kShared; ++i)
        batch.push_back({"email", values[i], values[i], paths[i], "ctx", false});
      if (!w->Add(batch).ok()) return;
      std::this_thread::yield();
    }
    Result<ScanRecord> done = w->Finish("complete");
    EXPECT_TRUE(done.ok()) << done.status().message();
    *ok = done.ok() && done->occurrences == kShared * kRounds && done->artifacts == kShared;
  };
  std::atomic<bool> ok1{false}, ok2{false};
  std::thread t1(run, a.get(), e1, &ok1), t2(run, b.get(), e2, &ok2);
  t1.join();
  t2.join();
  EXPECT_TRUE(ok1);
  EXPECT_TRUE(ok2);
  EXPECT_EQ(loc_->RawInt("SELECT count(*) FROM artifacts"), kShared);
  EXPECT_EQ(loc_->RawInt("SELECT count(*) FROM occurrences"), 2 * kShared * kRounds);
  EXPECT_EQ(loc_->RawInt("SELECT count(*) FROM artifacts WHERE cases = 1 AND occurrences = " +
                         std::to_string(2 * kRounds)),
            kShared);
  Result<std::vector<Artifact>> found = a->FindArtifacts("", "user7@shared.org");
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  Result<std::vector<Sighting>> where = a->Sightings((*found)[0].id);
  ASSERT_TRUE(where.ok());
  ASSERT_EQ(where->size(), 2u);
  EXPECT_EQ((*where)[0].evidence_name, "E1");
  EXPECT_EQ((*where)[1].evidence_name, "E2");
  EXPECT_EQ((*where)[0].occurrences, uint64_t(kRounds));
}

// A scan of the same evidence started elsewhere supersedes a running one: the running writer's
// next batch is refused and nothing of it is counted.
TEST_F(PgStoreTest, ASupersededWriterWritesNothingMore) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  Case c = NewCase(*a, "2026/004");
  Evidence e = NewEvidence(*a, c.id);
  auto first = Begin(*a, e);
  ASSERT_TRUE(first);
  OccurrenceIn one[] = {{"domain", "evil.example", "evil.example", "1", "", false}};
  ASSERT_TRUE(first->Add(one).ok());  // buffered
  auto second = Begin(*b, e);
  ASSERT_TRUE(second);
  Result<ScanRecord> refused = first->Finish("complete");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kInvalidArgument) << refused.status().message();
  OccurrenceIn two[] = {{"domain", "good.example", "good.example", "2", "", false}};
  ASSERT_TRUE(second->Add(two).ok());
  ASSERT_TRUE(second->Finish("complete").ok());
  Result<std::vector<Artifact>> evil = b->FindArtifacts("domain", "evil.example");
  ASSERT_TRUE(evil.ok());
  EXPECT_TRUE(evil->empty());
  EXPECT_EQ(loc_->RawInt("SELECT count(*) FROM occurrences"), 1);
  Result<std::vector<ScanRecord>> scans = b->ListScans(c.id);
  ASSERT_TRUE(scans.ok());
  ASSERT_EQ(scans->size(), 2u);
  EXPECT_EQ((*scans)[0].status, "superseded");
  EXPECT_EQ((*scans)[1].status, "complete");
}

}  // namespace
}  // namespace evidex::store
