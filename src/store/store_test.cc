// The store on every back end (store_test_backends.h): schema and migrations, refusals, cases,
// evidence, custody append and read; scans, artifacts, search, correlation and watchlists; files
// inside evidence, their matches and alerts (FilesTest); and,
// on SQLite only, what is about the file (WAL, a lock held by another connection, hand edits).
#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <tuple>
#include <thread>

#include "store/case_artifact_page.h"
#include "store/sqlite.h"
#include "store/store_test_backends.h"

namespace evidex::store {
namespace {

namespace fs = std::filesystem;

// One occurrence as a test writes it (OccurrenceIn holds views).
struct Occ {
  std::string kind, value, feature, path, context;
  bool utf16 = false;
};

Occ Email(const std::string& value, const std::string& path) {
  return {"email", value, value, path, "0123456789abcdef" + value + "fedcba9876543210"};
}

// What schema 4 adds beyond its tables dropped by name in the migration tests, and all of schema
// 5 (both back ends; PostgreSQL's v5 step replaces its trigger functions, so they may stay).
constexpr const char* kDropV4Extras[] = {
    "DROP INDEX IF EXISTS evidence_artifacts_evidence", "DROP TABLE IF EXISTS case_evidence_kinds",
    "DROP TABLE IF EXISTS artifact_text", "DROP TABLE IF EXISTS artifact_text_state",
    "DROP TABLE IF EXISTS artifact_text_kinds",
    "DROP INDEX IF EXISTS case_artifacts_text", "DROP TABLE IF EXISTS coop_events",
    "DROP TABLE IF EXISTS coop_requests", "DROP TABLE IF EXISTS directory_entries"};

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    loc_ = std::make_unique<TestStoreLocation>(GetParam());
    if (!loc_->unavailable().empty()) GTEST_SKIP() << loc_->unavailable();
    path_ = loc_->location();
  }
  bool Sqlite() const { return GetParam() == "sqlite"; }

  std::unique_ptr<Store> Open(bool create = true, int busy_ms = 5000) {
    Result<std::unique_ptr<Store>> s = OpenStore({path_, create, busy_ms});
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // Raw SQL on the store, as someone with sqlite3 or psql would do it.
  void Raw(const std::string& sql) {
    std::string err = loc_->Raw(sql);
    EXPECT_EQ(err, "") << sql;
  }
  int64_t RawInt(const std::string& sql) { return loc_->RawInt(sql); }
  Case NewCase(Store& s, const std::string& number) {
    Case c;
    c.number = number;
    c.title = "Fraud " + number;
    c.offence = "Computer fraud";
    c.examiner = "Insp. Perera";
    Result<Case> r = s.AddCase(c);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : Case{};
  }
  Evidence NewEvidence(Store& s, const Case& c, const std::string& label = "Laptop HDD") {
    Evidence e;
    e.case_id = c.id;
    e.label = label;
    e.mode = "copy";
    e.source_path = "/dev/sdb";
    Result<Evidence> r = s.AddEvidence(e);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : Evidence{};
  }
  vault::CustodyRecord Rec(const std::string& action) {
    vault::CustodyRecord r;
    r.actor = "Insp. Perera";
    r.unit = "Cybercrime Unit, Colombo (LK)";
    r.action = action;
    r.details = {{"why", action}};
    return r;
  }
  std::unique_ptr<ScanWriter> Begin(Store& s, const Evidence& e) {
    ScanRecord r;
    r.case_id = e.case_id;
    r.evidence_id = e.id;
    r.parameters = R"({"scanners":["email"]})";
    r.bytes_total = 1000;
    Result<std::unique_ptr<ScanWriter>> w = s.BeginScan(r);
    EXPECT_TRUE(w.ok()) << w.status().message();
    return w.ok() ? std::move(w).value() : nullptr;
  }
  static Status AddAll(ScanWriter& w, const std::vector<Occ>& occs) {
    std::vector<OccurrenceIn> in;
    for (const Occ& o : occs)
      in.push_back({o.kind, o.value, o.feature, o.path, o.context, o.utf16});
    return w.Add(in);
  }
  // A complete scan of `e` holding `occs`.
  ScanRecord Scan(Store& s, const Evidence& e, const std::vector<Occ>& occs) {
    std::unique_ptr<ScanWriter> w = Begin(s, e);
    if (!w) return {};
    EXPECT_TRUE(AddAll(*w, occs).ok());
    Result<ScanRecord> r = w->Finish("complete");
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : ScanRecord{};
  }
  // The one artifact of that kind and value (its id), 0 when not found.
  Artifact Find(Store& s, const std::string& kind, const std::string& value) {
    Result<std::vector<Artifact>> r = s.FindArtifacts(kind, value);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok() || r->size() != 1) return {};
    return (*r)[0];
  }

  std::unique_ptr<TestStoreLocation> loc_;
  std::string path_;
  vault::SigningKey key_ = std::move(vault::SigningKey::Generate()).value();
};

#define SQLITE_ONLY() \
  if (!Sqlite()) GTEST_SKIP() << "about the SQLite file"

TEST_P(StoreTest, NewStoreIsAtTheCurrentSchemaInWalMode) {
  SQLITE_ONLY();
  auto s = Open();
  ASSERT_TRUE(s);
  EXPECT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(s->Describe(), "sqlite:" + path_);
  s.reset();
  sqlite3* db = nullptr;
  sqlite3_open(path_.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
  // Reopening does not migrate again.
  ASSERT_TRUE(Open(false));
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM schema_version"), kSchemaVersion);
}

TEST_P(StoreTest, AnEmptyVersionTableIsMigratedForward) {
  SQLITE_ONLY();
  // A store whose creation was interrupted before the first step committed.
  Raw("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied TEXT NOT NULL, "
      "evidex TEXT NOT NULL)");
  auto s = Open(false);
  ASSERT_TRUE(s);
  EXPECT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'custody_head'"), 1);
}

TEST_P(StoreTest, NewerSchemaIsRefusedAndLeftUntouched) {
  ASSERT_TRUE(Open());
  const std::string newer = std::to_string(kSchemaVersion + 1);
  Raw("INSERT INTO schema_version (version, applied, evidex) VALUES (" + newer + ", 'y', '9.1')");
  Result<std::unique_ptr<Store>> s = OpenStore({path_, false, 5000});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kUnsupported);
  EXPECT_EQ(s.status().message(), "this workspace was written by a newer evidex (schema " + newer +
                                      "; this one reads up to " + std::to_string(kSchemaVersion) +
                                      ")");
  EXPECT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), kSchemaVersion + 1);
  // Nothing was migrated or dropped: the current tables are all there.
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM file_listings"), 0);
}

TEST_P(StoreTest, MissingStoreAndForeignFileAreClearErrors) {
  SQLITE_ONLY();
  Result<std::unique_ptr<Store>> s = OpenStore({path_, false, 5000});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kNotFound);
  EXPECT_FALSE(fs::exists(path_));  // not created by a failed open
  std::ofstream(path_) << "this is not a database, just some text that is long enough......"
                       << std::string(4096, 'x');
  s = OpenStore({path_, false, 5000});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kCorrupt);
  EXPECT_NE(s.status().message().find(path_), std::string::npos) << s.status().message();
}

TEST_P(StoreTest, UnitAndKnownKeys) {
  auto s = Open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->GetUnit().status().code(), Code::kNotFound);
  Unit u{"Cybercrime Unit, Colombo", "LK", key_.public_key().Text(), "2026-12-02T00:00:00.000Z"};
  ASSERT_TRUE(s->SetUnit(u).ok());
  Result<Unit> got = s->GetUnit();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->public_key, u.public_key);
  EXPECT_EQ(got->Display(), "Cybercrime Unit, Colombo (LK)");
  ASSERT_TRUE(s->AddKnownKey({"ed25519:" + std::string(64, 'a'), "NCA", "GB", "t1", ""}).ok());
  ASSERT_TRUE(s->AddKnownKey({"ed25519:" + std::string(64, 'a'), "NCA UK", "GB", "t2", "x"}).ok());
  Result<std::vector<KnownKey>> keys = s->ListKnownKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].unit, "NCA UK");
}

TEST_P(StoreTest, CasesByNumberAndLocalId) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case a = NewCase(*s, "2026/041");
  Case b = NewCase(*s, "17");  // a number that looks like an id
  EXPECT_EQ(a.id, 1);
  EXPECT_TRUE(std::regex_match(
      a.uuid, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << a.uuid;
  EXPECT_NE(a.uuid, b.uuid);
  Result<Case> dup = s->AddCase(a);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), "case 2026/041 already exists (local id 1)");
  EXPECT_EQ((*s->FindCase("2026/041"))->id, a.id);
  EXPECT_EQ((*s->FindCase("1"))->number, "2026/041");
  EXPECT_EQ((*s->FindCase("17"))->id, b.id);  // the number wins over the id
  EXPECT_EQ((*s->FindCase("2"))->number, "17");
  EXPECT_FALSE(s->FindCase("99")->has_value());
  EXPECT_FALSE(s->FindCase("nope")->has_value());
  EXPECT_EQ((*s->FindCaseByUuid(b.uuid))->number, "17");
  Result<std::vector<Case>> all = s->ListCases();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].title, "Fraud 2026/041");
  EXPECT_EQ((*all)[1].status, "open");
}

TEST_P(StoreTest, EvidenceIsNumberedPerCaseAndUpdated) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case a = NewCase(*s, "A"), b = NewCase(*s, "B");
  Evidence e;
  e.case_id = a.id;
  e.label = "Laptop HDD";
  e.mode = "copy";
  e.source_path = "/dev/sdb";
  Result<Evidence> e1 = s->AddEvidence(e);
  ASSERT_TRUE(e1.ok()) << e1.status().message();
  Result<Evidence> e2 = s->AddEvidence(e);
  e.case_id = b.id;
  Result<Evidence> f1 = s->AddEvidence(e);
  ASSERT_TRUE(e2.ok() && f1.ok());
  EXPECT_EQ(e1->Name(), "E1");
  EXPECT_EQ(e2->Name(), "E2");
  EXPECT_EQ(f1->Name(), "E1");
  EXPECT_EQ(e1->state, EvidenceState::kAcquiring);

  Evidence done = *e2;
  done.state = EvidenceState::kComplete;
  done.size = uint64_t(1) << 40;  // 1 TiB fits
  done.sha256 = std::string(64, 'b');
  ASSERT_TRUE(s->UpdateEvidence(done).ok());
  Result<std::optional<Evidence>> got = s->FindEvidence(a.id, "E2");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->state, EvidenceState::kComplete);
  EXPECT_EQ((*got)->size, uint64_t(1) << 40);
  EXPECT_EQ((*got)->sha256, std::string(64, 'b'));
  EXPECT_EQ((*s->FindEvidence(a.id, "2"))->id, e2->id);
  EXPECT_EQ((*s->FindEvidence(a.id, e1->uuid))->id, e1->id);
  EXPECT_FALSE(s->FindEvidence(b.id, "E2")->has_value());
  EXPECT_EQ((*s->GetEvidence(f1->id))->case_id, b.id);
  Result<std::vector<Evidence>> list = s->ListEvidence(a.id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].Name(), "E2");

  Evidence ghost = done;
  ghost.id = 999;
  EXPECT_EQ(s->UpdateEvidence(ghost).code(), Code::kNotFound);
  Evidence bad = e;
  bad.mode = "teleport";  // the CHECK constraint
  EXPECT_FALSE(s->AddEvidence(bad).ok());
  bad = e;
  bad.case_id = 42;  // the foreign key
  EXPECT_FALSE(s->AddEvidence(bad).ok());
}

TEST_P(StoreTest, CustodyAppendReadAndVerify) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "2026/041");
  for (const char* action : {"case-created", "acquired", "verified"}) {
    Result<vault::CustodyRecord> r = s->AppendCustody(c.id, Rec(action), key_);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->case_uuid, c.uuid);
  }
  Result<std::vector<vault::CustodyRecord>> recs = s->ListCustody(c.id);
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 3u);
  EXPECT_EQ((*recs)[2].seq, 3);
  EXPECT_EQ((*recs)[2].action, "verified");
  EXPECT_EQ((*recs)[1].details["why"], "acquired");
  Result<std::optional<vault::CustodyHead>> head = s->GetCustodyHead(c.id);
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->seq, 3);
  EXPECT_EQ((*head)->hash, (*recs)[2].hash);
  vault::ChainReport rep = vault::VerifyChain(
      *recs, *head, [&](const vault::PublicKey& k) { return k == key_.public_key(); });
  EXPECT_TRUE(rep.ok()) << rep.problems[0].message;
  // Another case has its own chain from 1.
  Case d = NewCase(*s, "2026/042");
  Result<vault::CustodyRecord> first = s->AppendCustody(d.id, Rec("case-created"), key_);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->seq, 1);
  EXPECT_EQ(first->prev_hash, std::string(64, '0'));
  EXPECT_EQ(s->AppendCustody(77, Rec("note"), key_).status().code(), Code::kNotFound);
}

TEST_P(StoreTest, AppendRefusesAChainWhoseLastRecordWasDeleted) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "X");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(s->AppendCustody(c.id, Rec("note"), key_).ok());
  Raw("DELETE FROM custody WHERE seq = 3");
  Result<vault::CustodyRecord> r = s->AppendCustody(c.id, Rec("note"), key_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorrupt);
  EXPECT_NE(r.status().message().find("does not end at its signed head"), std::string::npos);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM custody"), 2);  // nothing added
  EXPECT_EQ(RawInt("SELECT seq FROM custody_head"), 3);  // head not re-signed
}

TEST_P(StoreTest, TransactionRollsBackEverythingOnFailure) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "T");
  Status st = s->Transaction([&]() -> Status {
    Evidence e;
    e.case_id = c.id;
    e.label = "x";
    e.mode = "copy";
    e.source_path = "/x";
    EXPECT_TRUE(s->AddEvidence(e).ok());
    EXPECT_TRUE(s->AppendCustody(c.id, Rec("acquired"), key_).ok());
    return IoError("simulated failure after both writes");
  });
  EXPECT_EQ(st.code(), Code::kIoError);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM evidence"), 0);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM custody"), 0);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM custody_head"), 0);
}

TEST_P(StoreTest, ImportKeepsRecordsVerbatim) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "R");
  std::vector<vault::CustodyRecord> chain;
  vault::SigningKey theirs = std::move(vault::SigningKey::Generate()).value();
  for (int i = 0; i < 2; ++i) {
    vault::CustodyRecord r = Rec("note");
    r.case_uuid = c.uuid;
    vault::Seal(r, chain.empty() ? nullptr : &chain.back(), theirs);
    chain.push_back(r);
  }
  ASSERT_TRUE(s->ImportCustody(c.id, chain, vault::SignHead(chain.back(), theirs)).ok());
  Result<std::vector<vault::CustodyRecord>> back = s->ListCustody(c.id);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].hash, chain[1].hash);
  EXPECT_EQ((*back)[1].Canonical(), chain[1].Canonical());
  // Their head is not trusted here until their key is known: appending is refused.
  EXPECT_FALSE(s->AppendCustody(c.id, Rec("received"), key_).ok());
  ASSERT_TRUE(s->AddKnownKey({theirs.public_key().Text(), "Them", "GB", "t", ""}).ok());
  Result<vault::CustodyRecord> next = s->AppendCustody(c.id, Rec("received"), key_);
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(next->seq, 3);
  EXPECT_EQ(next->prev_hash, chain[1].hash);
}

TEST_P(StoreTest, LockedStoreIsAClearError) {
  SQLITE_ONLY();
  auto s = Open(true, 100);
  ASSERT_TRUE(s);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  Result<Case> c = s->AddCase(Case{0, "", "L", "t", "", "", "", "open"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kLimit);
  EXPECT_EQ(c.status().message(),
            path_ + " is locked by another process (waited 0.1 s); try again when it has finished");
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_TRUE(s->AddCase(Case{0, "", "L", "t", "", "", "", "open"}).ok());
}

TEST_P(StoreTest, HandEditedRowsStillLoad) {
  SQLITE_ONLY();
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "H");
  ASSERT_TRUE(s->AppendCustody(c.id, Rec("note"), key_).ok());
  Raw("UPDATE custody SET details = 'not json'");
  Result<std::vector<vault::CustodyRecord>> recs = s->ListCustody(c.id);
  ASSERT_TRUE(recs.ok());
  EXPECT_NE((*recs)[0].ComputeHash(), (*recs)[0].hash);
}

// ---- Schema 2: scans, artifacts, correlation, watchlists ----

TEST_P(StoreTest, AVersion1StoreIsMigratedToVersion2KeepingItsRows) {
  SQLITE_ONLY();
  {
    auto s = Open();
    ASSERT_TRUE(s);
    NewCase(*s, "OLD/1");
  }
  // Back to what a v1 evidex left: no v2 (or later) tables, one schema_version row.
  for (const char* table :
       {"scans", "artifacts", "occurrences", "occurrence_index", "evidence_artifacts", "watchlists",
        "indicators", "watch_hits", "file_listings", "files", "file_matches", "yara_matches",
        "case_members", "users", "case_artifacts", "case_artifact_kinds"})
    Raw(std::string("DROP TABLE ") + table);
  for (const char* sql : kDropV4Extras) Raw(sql);
  Raw("DELETE FROM schema_version WHERE version >= 2");
  ASSERT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), 1);
  auto s = Open(false);
  ASSERT_TRUE(s);
  EXPECT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'watch_hits'"), 1);
  Result<std::optional<Case>> old = s->FindCase("OLD/1");
  ASSERT_TRUE(old.ok() && old->has_value());
  // And the new tables work.
  Evidence e = NewEvidence(*s, **old);
  Scan(*s, e, {Email("a@b.example", "100")});
  EXPECT_EQ(Find(*s, "email", "a@b.example").occurrences, 1u);
}

TEST_P(StoreTest, AScanIsStoredCountedAndListed) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "S");
  Evidence e = NewEvidence(*s, c);
  std::unique_ptr<ScanWriter> w = Begin(*s, e);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->scan().status, "running");
  EXPECT_GT(w->scan().id, 0);
  EXPECT_FALSE(w->scan().uuid.empty());
  EXPECT_FALSE(w->scan().started.empty());
  ASSERT_TRUE(AddAll(*w, {Email("a@x.example", "10"),
                          Email("b@x.example", "20"),
                          Email("a@x.example", "30"),
                          {"domain", "x.example", "X.example", "40", "ctx"}})
                  .ok());
  ASSERT_TRUE(w->Progress(600).ok());
  // Counts are written at Finish: not found while running.
  EXPECT_TRUE(s->FindArtifacts("email", "a@x.example")->empty());
  Result<ScanRecord> done = w->Finish("complete");
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->status, "complete");
  EXPECT_EQ(done->occurrences, 4u);
  EXPECT_EQ(done->artifacts, 3u);
  EXPECT_FALSE(done->finished.empty());
  EXPECT_EQ(w->Add({}).code(), Code::kInvalidArgument);  // finished
  EXPECT_FALSE(w->Finish("complete").ok());

  Result<std::vector<ScanRecord>> scans = s->ListScans(c.id);
  ASSERT_TRUE(scans.ok());
  ASSERT_EQ(scans->size(), 1u);
  const ScanRecord& r = (*scans)[0];
  EXPECT_EQ(r.uuid, done->uuid);
  EXPECT_EQ(r.evidence_id, e.id);
  EXPECT_EQ(r.status, "complete");
  EXPECT_EQ(r.parameters, R"({"scanners":["email"]})");
  EXPECT_EQ(r.bytes_total, 1000u);
  EXPECT_EQ(r.bytes_done, 600u);
  EXPECT_EQ(r.occurrences, 4u);
  EXPECT_EQ(r.artifacts, 3u);
  EXPECT_EQ(EffectiveScanStatus(r, "2999-01-01T00:00:00.000Z"), "complete");

  Artifact a = Find(*s, "email", "a@x.example");
  EXPECT_EQ(a.cases, 1u);
  EXPECT_EQ(a.occurrences, 2u);
  EXPECT_EQ(Find(*s, "domain", "x.example").occurrences, 1u);
  EXPECT_EQ(s->ListScans(c.id + 1)->size(), 0u);
  // A scan needs its evidence, in its case.
  ScanRecord bad;
  bad.case_id = c.id;
  bad.evidence_id = 999;
  EXPECT_EQ(s->BeginScan(bad).status().code(), Code::kNotFound);
  Case other = NewCase(*s, "S2");
  bad.case_id = other.id;
  bad.evidence_id = e.id;
  EXPECT_EQ(s->BeginScan(bad).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(w->Finish("done").status().code(), Code::kInvalidArgument);
}

TEST_P(StoreTest, FinishRefusesAnUnknownStatus) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "F");
  std::unique_ptr<ScanWriter> w = Begin(*s, NewEvidence(*s, c));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->Finish("superseded").status().code(), Code::kInvalidArgument);
  Result<ScanRecord> r = w->Finish("failed", "read error at 4096");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*s->ListScans(c.id))[0].error, "read error at 4096");
  EXPECT_EQ((*s->ListScans(c.id))[0].status, "failed");
}

TEST_P(StoreTest, ManyBatchesAreAllStored) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "M");
  Evidence e = NewEvidence(*s, c);
  std::vector<Occ> occs;
  for (int i = 0; i < 250'000; ++i)
    occs.push_back(Email("u" + std::to_string(i % 1000) + "@m.example", std::to_string(i * 10)));
  ScanRecord r = Scan(*s, e, occs);
  EXPECT_EQ(r.occurrences, 250'000u);
  EXPECT_EQ(r.artifacts, 1000u);
  Artifact a = Find(*s, "email", "u7@m.example");
  EXPECT_EQ(a.occurrences, 250u);
  Result<std::vector<OccurrenceOut>> o = s->Occurrences(a.id, 0, 0);
  ASSERT_TRUE(o.ok());
  ASSERT_EQ(o->size(), 250u);
  EXPECT_EQ((*o)[0].path, "70");
  EXPECT_EQ((*o)[249].path, std::to_string(249'007 * 10));
}

TEST_P(StoreTest, ARerunSupersedesTheEarlierScanWithoutDoubling) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "R");
  Evidence e1 = NewEvidence(*s, c), e2 = NewEvidence(*s, c, "Phone");
  ScanRecord first = Scan(*s, e1,
                          {Email("gone@x.example", "1"), Email("kept@x.example", "2"),
                           Email("kept@x.example", "3"), Email("both@x.example", "4")});
  Scan(*s, e2, {Email("both@x.example", "9")});
  Indicator ind{"email", "gone@x.example", "GONE@x.example", "email", "", "1"};
  Indicator ind2{"email", "both@x.example", "both@x.example", "email", "", "2"};
  std::vector<Indicator> inds{ind, ind2};
  ASSERT_TRUE(s->AddWatchlist({0, "", "list", "partner", "csv", "", "", "", 0}, inds).ok());
  EXPECT_EQ(s->ListHits(c.id)->size(), 2u);

  // Again, with different findings.
  ScanRecord second = Scan(*s, e1, {Email("kept@x.example", "2"), Email("new@x.example", "5")});
  Result<std::vector<ScanRecord>> scans = s->ListScans(c.id);
  ASSERT_TRUE(scans.ok());
  ASSERT_EQ(scans->size(), 3u);
  EXPECT_EQ((*scans)[0].id, first.id);
  EXPECT_EQ((*scans)[0].status, "superseded");
  EXPECT_EQ((*scans)[1].status, "complete");  // e2's scan is untouched
  EXPECT_EQ((*scans)[2].id, second.id);

  EXPECT_TRUE(s->FindArtifacts("email", "gone@x.example")->empty());
  Artifact kept = Find(*s, "email", "kept@x.example");
  EXPECT_EQ(kept.occurrences, 1u);
  EXPECT_EQ(kept.cases, 1u);
  Artifact both = Find(*s, "email", "both@x.example");
  EXPECT_EQ(both.occurrences, 1u);  // e2's only
  EXPECT_EQ(both.cases, 1u);        // e2 still holds it in this case
  ASSERT_EQ(s->Sightings(both.id)->size(), 1u);
  EXPECT_EQ((*s->Sightings(both.id))[0].evidence_id, e2.id);
  Result<std::vector<OccurrenceOut>> occ = s->Occurrences(kept.id, 0, 0);
  ASSERT_TRUE(occ.ok());
  ASSERT_EQ(occ->size(), 1u);
  EXPECT_EQ((*occ)[0].evidence_id, e1.id);
  // The hit on the value no longer held went; the one e2 holds stayed.
  Result<std::vector<WatchHit>> hits = s->ListHits(c.id);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].artifact.value, "both@x.example");
  if (Sqlite()) {
    EXPECT_EQ(RawInt("SELECT COUNT(*) FROM occurrences"), 3);
    EXPECT_EQ(RawInt("SELECT COUNT(*) FROM occurrence_index"), 3);
  }
}

TEST_P(StoreTest, AnInterruptedScanStaysRunningAndARerunRemovesWhatItWrote) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "I");
  Evidence e = NewEvidence(*s, c);
  {
    std::unique_ptr<ScanWriter> w = Begin(*s, e);
    ASSERT_TRUE(w);
    std::vector<Occ> occs;
    for (int i = 0; i < 120'000; ++i) occs.push_back(Email("v@i.example", std::to_string(i)));
    ASSERT_TRUE(AddAll(*w, occs).ok());
    // Batches are committed at least every ~1 s or ~100,000 occurrences (store.h).
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    ASSERT_TRUE(AddAll(*w, {Email("v@i.example", "120000")}).ok());
    occs.resize(500);
    ASSERT_TRUE(AddAll(*w, occs).ok());  // buffered, never committed
  }  // destroyed without Finish: as if the process had been killed
  Result<std::vector<ScanRecord>> scans = s->ListScans(c.id);
  ASSERT_TRUE(scans.ok());
  ASSERT_EQ(scans->size(), 1u);
  ScanRecord r = (*scans)[0];
  EXPECT_EQ(r.status, "running");
  EXPECT_GE(r.occurrences, 100'000u);  // what was committed is kept
  EXPECT_LE(r.occurrences, 120'001u);
  EXPECT_EQ(EffectiveScanStatus(r, r.updated), "running");
  // Its counts were never written.
  EXPECT_TRUE(s->FindArtifacts("email", "v@i.example")->empty());

  Scan(*s, e, {Email("v@i.example", "5")});
  scans = s->ListScans(c.id);
  ASSERT_EQ(scans->size(), 2u);
  EXPECT_EQ((*scans)[0].status, "superseded");
  EXPECT_EQ(Find(*s, "email", "v@i.example").occurrences, 1u);
  EXPECT_EQ(s->Occurrences(Find(*s, "email", "v@i.example").id, 0, 0)->size(), 1u);
  if (Sqlite()) {
    EXPECT_EQ(RawInt("SELECT COUNT(*) FROM occurrences"), 1);
  }
}

TEST(EffectiveScanStatus, ARunningScanWithoutProgressForTwoMinutesIsInterrupted) {
  ScanRecord r;
  r.status = "running";
  r.updated = "2026-12-02T04:10:00.123Z";
  EXPECT_EQ(EffectiveScanStatus(r, "2026-12-02T04:10:30.000Z"), "running");
  EXPECT_EQ(EffectiveScanStatus(r, "2026-12-02T04:12:00.123Z"), "running");  // exactly 120 s
  EXPECT_EQ(EffectiveScanStatus(r, "2026-12-02T04:12:01.500Z"), "interrupted");
  EXPECT_EQ(EffectiveScanStatus(r, "2026-12-03T00:00:00.000Z"), "interrupted");
  r.status = "complete";
  EXPECT_EQ(EffectiveScanStatus(r, "2027-01-01T00:00:00.000Z"), "complete");
  r.status = "running";
  r.updated = "garbage";
  EXPECT_EQ(EffectiveScanStatus(r, "2027-01-01T00:00:00.000Z"), "running");
}

TEST_P(StoreTest, ExactPrefixAndSuffixSearch) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case a = NewCase(*s, "A"), b = NewCase(*s, "B");
  Scan(*s, NewEvidence(*s, a),
       {Email("ivan@mail.ru", "1"),
        Email("olga@inbox.mail.ru", "2"),
        Email("x@gmail.com", "3"),
        {"domain", "mail.ru", "mail.ru", "4", ""},
        {"domain", "smtp.mail.ru", "smtp.mail.ru", "5", ""},
        {"domain", "notmail.ru", "notmail.ru", "6", ""},
        {"url", "http://mail.ru/", "", "7", ""},
        {"keyword", "mail.ru", "mail.ru", "8", ""},
        {"keyword", "100%_sure", "100%_sure", "9", ""},
        {"keyword", "100xxsure", "100xxsure", "10", ""}});
  Scan(*s, NewEvidence(*s, b), {Email("ivan@mail.ru", "1"), Email("x@gmail.com", "1")});

  // Exact: one kind, or every kind.
  EXPECT_EQ(Find(*s, "email", "ivan@mail.ru").cases, 2u);
  Result<std::vector<Artifact>> any = s->FindArtifacts("", "mail.ru");
  ASSERT_TRUE(any.ok());
  ASSERT_EQ(any->size(), 2u);
  std::set<std::string> kinds{(*any)[0].kind, (*any)[1].kind};
  EXPECT_EQ(kinds, (std::set<std::string>{"domain", "keyword"}));
  EXPECT_TRUE(s->FindArtifacts("email", "nobody@mail.ru")->empty());
  EXPECT_TRUE(s->FindArtifacts("", "nothing")->empty());

  auto values = [](const Result<std::vector<Artifact>>& r) {
    std::vector<std::string> v;
    if (r.ok())
      for (const Artifact& x : *r) v.push_back(x.kind + ":" + x.value);
    return v;
  };
  // Prefix: most cases first, then kind and value.
  EXPECT_EQ(values(s->FindArtifactsByPrefix("email", "", 10)),
            (std::vector<std::string>{"email:ivan@mail.ru", "email:x@gmail.com",
                                      "email:olga@inbox.mail.ru"}));
  EXPECT_EQ(values(s->FindArtifactsByPrefix("email", "i", 10)),
            (std::vector<std::string>{"email:ivan@mail.ru"}));
  EXPECT_EQ(values(s->FindArtifactsByPrefix("", "mail.", 10)),
            (std::vector<std::string>{"domain:mail.ru", "keyword:mail.ru"}));
  EXPECT_EQ(values(s->FindArtifactsByPrefix("", "smtp", 10)),
            (std::vector<std::string>{"domain:smtp.mail.ru"}));
  // No LIKE semantics: % and _ are ordinary characters.
  EXPECT_EQ(values(s->FindArtifactsByPrefix("keyword", "100%_", 10)),
            (std::vector<std::string>{"keyword:100%_sure"}));
  EXPECT_EQ(s->FindArtifactsByPrefix("email", "", 2)->size(), 2u);

  // Suffix: emails at mail.ru; subdomains of mail.ru; both kinds when kind is empty.
  EXPECT_EQ(values(s->FindArtifactsBySuffix("email", "@mail.ru", 10)),
            (std::vector<std::string>{"email:ivan@mail.ru"}));
  EXPECT_EQ(values(s->FindArtifactsBySuffix("email", ".mail.ru", 10)),
            (std::vector<std::string>{"email:olga@inbox.mail.ru"}));
  EXPECT_EQ(values(s->FindArtifactsBySuffix("domain", ".mail.ru", 10)),
            (std::vector<std::string>{"domain:smtp.mail.ru"}));
  EXPECT_EQ(values(s->FindArtifactsBySuffix("", "mail.ru", 10)),
            (std::vector<std::string>{"email:ivan@mail.ru", "domain:mail.ru", "domain:notmail.ru",
                                      "domain:smtp.mail.ru", "email:olga@inbox.mail.ru"}));
  EXPECT_EQ(s->FindArtifactsBySuffix("", "mail.ru", 3)->size(), 3u);
  EXPECT_EQ(s->FindArtifactsBySuffix("url", "mail.ru/", 10).status().code(),
            Code::kInvalidArgument);
}

TEST_P(StoreTest, SightingsAndOccurrences) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case a = NewCase(*s, "2026/001"), b = NewCase(*s, "2026/002");
  Evidence a1 = NewEvidence(*s, a, "Laptop"), a2 = NewEvidence(*s, a, "Phone");
  Evidence b1 = NewEvidence(*s, b, "USB stick");
  std::string binary("\x00\xff\x01 before ", 11);
  Occ odd{"email", "eve@x.example", "Eve@X.example", "4096-GZIP-12", binary + "Eve@X.example!"};
  Occ wide{"email", "eve@x.example", "eve@x.example", "9000", std::string("e\0v\0e\0", 6), true};
  Occ nocontext{"email", "eve@x.example", "eve@x.example", "10", ""};
  // Occurrences come back in the order the scan found them (source order).
  Scan(*s, a2, {Email("eve@x.example", "5"), odd, wide, nocontext});
  Scan(*s, a1, {Email("eve@x.example", "100")});
  Scan(*s, b1, {Email("eve@x.example", "7"), Email("eve@x.example", "8")});

  Artifact eve = Find(*s, "email", "eve@x.example");
  EXPECT_EQ(eve.cases, 2u);
  EXPECT_EQ(eve.occurrences, 7u);
  Result<std::vector<Sighting>> where = s->Sightings(eve.id);
  ASSERT_TRUE(where.ok());
  ASSERT_EQ(where->size(), 3u);
  EXPECT_EQ((*where)[0].case_number, "2026/001");
  EXPECT_EQ((*where)[0].evidence_name, "E1");
  EXPECT_EQ((*where)[0].evidence_label, "Laptop");
  EXPECT_EQ((*where)[0].occurrences, 1u);
  EXPECT_EQ((*where)[1].evidence_name, "E2");
  EXPECT_EQ((*where)[1].evidence_id, a2.id);
  EXPECT_EQ((*where)[1].occurrences, 4u);
  EXPECT_EQ((*where)[2].case_id, b.id);
  EXPECT_EQ((*where)[2].evidence_label, "USB stick");
  EXPECT_TRUE(s->Sightings(eve.id + 1000)->empty());

  Result<std::vector<OccurrenceOut>> in_a2 = s->Occurrences(eve.id, a2.id, 0);
  ASSERT_TRUE(in_a2.ok());
  ASSERT_EQ(in_a2->size(), 4u);
  EXPECT_EQ((*in_a2)[0].path, "5");
  EXPECT_EQ((*in_a2)[0].feature, "eve@x.example");
  EXPECT_EQ((*in_a2)[0].context, "0123456789abcdefeve@x.examplefedcba9876543210");
  EXPECT_EQ((*in_a2)[1].path, "4096-GZIP-12");
  EXPECT_EQ((*in_a2)[1].feature, "Eve@X.example");  // as found, not the value
  EXPECT_EQ((*in_a2)[1].context, odd.context);      // every byte back
  EXPECT_FALSE((*in_a2)[1].utf16);
  EXPECT_TRUE((*in_a2)[2].utf16);
  EXPECT_EQ((*in_a2)[2].context, wide.context);
  EXPECT_EQ((*in_a2)[3].context, "");
  for (const OccurrenceOut& o : *in_a2) EXPECT_EQ(o.evidence_id, a2.id);

  Result<std::vector<OccurrenceOut>> all = s->Occurrences(eve.id, 0, 0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 7u);
  EXPECT_EQ((*all)[0].evidence_id, a1.id);  // by evidence, then source order
  EXPECT_EQ((*all)[1].evidence_id, a2.id);
  EXPECT_EQ((*all)[6].evidence_id, b1.id);
  Result<std::vector<OccurrenceOut>> two = s->Occurrences(eve.id, 0, 2);
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].path, "5");
  EXPECT_EQ(s->Occurrences(eve.id, b1.id, 1)->size(), 1u);
  EXPECT_TRUE(s->Occurrences(eve.id + 1000, 0, 0)->empty());
}

TEST_P(StoreTest, CorrelateRanksTheRarestSharedArtifactsFirst) {
  auto s = Open();
  ASSERT_TRUE(s);
  std::vector<Case> cases;
  std::vector<Evidence> ev;
  for (int i = 0; i < 6; ++i) {
    cases.push_back(NewCase(*s, "C" + std::to_string(i)));
    ev.push_back(NewEvidence(*s, cases.back()));
  }
  // In case 0: "two" (2 cases, 3 times here), "two-b" (2 cases, 1 time), "three" (3 cases),
  // "all" (6 cases), "mine" (only here), a domain in 2 cases.
  std::vector<Occ> here{
      Email("two@x.example", "1"),   Email("two@x.example", "2"),
      Email("two@x.example", "3"),   Email("two-b@x.example", "4"),
      Email("three@x.example", "5"), Email("all@x.example", "6"),
      Email("mine@x.example", "7"),  {"domain", "d.example", "d.example", "8", ""}};
  Scan(*s, ev[0], here);
  Scan(*s, ev[1],
       {Email("two@x.example", "1"),
        Email("two-b@x.example", "1"),
        Email("three@x.example", "1"),
        Email("all@x.example", "1"),
        {"domain", "d.example", "d.example", "2", ""}});
  Scan(*s, ev[2], {Email("three@x.example", "1"), Email("all@x.example", "1")});
  for (int i = 3; i < 6; ++i) Scan(*s, ev[i], {Email("all@x.example", "1")});

  Result<std::vector<Correlation>> r = s->Correlate(cases[0].id, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::vector<std::string> order;
  for (const Correlation& c : *r) order.push_back(c.artifact.value);
  // Ties (cases, then occurrences here) by kind, then value.
  EXPECT_EQ(order, (std::vector<std::string>{"two@x.example", "d.example", "two-b@x.example",
                                             "three@x.example", "all@x.example"}));
  const Correlation& top = (*r)[0];
  EXPECT_EQ(top.artifact.cases, 2u);
  EXPECT_EQ(top.artifact.occurrences, 4u);
  EXPECT_EQ(top.occurrences_here, 3u);
  EXPECT_DOUBLE_EQ(top.score, std::log(6.0 / 2.0));
  ASSERT_EQ(top.elsewhere.size(), 1u);
  EXPECT_EQ(top.elsewhere[0].case_id, cases[1].id);
  EXPECT_EQ(top.elsewhere[0].occurrences, 1u);
  EXPECT_DOUBLE_EQ((*r)[4].score, 0.0);  // in every case
  EXPECT_EQ((*r)[4].elsewhere.size(), 5u);
  for (const Correlation& c : *r)
    for (const Sighting& g : c.elsewhere) EXPECT_NE(g.case_id, cases[0].id);

  CorrelateOptions limited;
  limited.limit = 2;
  EXPECT_EQ(s->Correlate(cases[0].id, limited)->size(), 2u);
  CorrelateOptions capped;
  capped.max_cases = 2;
  EXPECT_EQ(s->Correlate(cases[0].id, capped)->size(), 3u);
  CorrelateOptions domains;
  domains.kinds = {"domain", "ipv4"};
  ASSERT_EQ(s->Correlate(cases[0].id, domains)->size(), 1u);
  EXPECT_EQ((*s->Correlate(cases[0].id, domains))[0].artifact.value, "d.example");
  EXPECT_TRUE(s->Correlate(999, {})->empty());
}

TEST_P(StoreTest, CorrelateListsAtMostTwentyOtherSightings) {
  auto s = Open();
  ASSERT_TRUE(s);
  std::vector<Case> cases;
  for (int i = 0; i < 23; ++i) {
    cases.push_back(NewCase(*s, "K" + std::to_string(100 + i)));
    Scan(*s, NewEvidence(*s, cases.back()), {Email("spread@x.example", "1")});
  }
  Result<std::vector<Correlation>> r = s->Correlate(cases[5].id, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].artifact.cases, 23u);
  ASSERT_EQ((*r)[0].elsewhere.size(), 20u);
  EXPECT_EQ((*r)[0].elsewhere[0].case_id, cases[0].id);  // by case
  EXPECT_EQ((*r)[0].elsewhere[5].case_id, cases[6].id);  // this case skipped
  EXPECT_EQ(*s->CountCases(), 23u);
}

TEST_P(StoreTest, ForEachCaseArtifactIsOrderedByKindThenValue) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "X"), other = NewCase(*s, "Y");
  Evidence e1 = NewEvidence(*s, c), e2 = NewEvidence(*s, c);
  Scan(*s, e1,
       {Email("b@x.example", "1"), {"url", "http://a/", "", "2", ""}, Email("a@x.example", "3")});
  Scan(*s, e2, {Email("b@x.example", "1"), {"domain", "z.example", "", "2", ""}});
  Scan(*s, NewEvidence(*s, other), {Email("c@x.example", "1")});
  std::vector<std::pair<std::string, uint64_t>> seen;
  ASSERT_TRUE(s->ForEachCaseArtifact(c.id, [&](const Artifact& a, uint64_t n) {
                 seen.emplace_back(a.kind + ":" + a.value, n);
                 return true;
               }).ok());
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, uint64_t>>{{"domain:z.example", 1},
                                                                 {"email:a@x.example", 1},
                                                                 {"email:b@x.example", 2},
                                                                 {"url:http://a/", 1}}));
  int calls = 0;
  ASSERT_TRUE(
      s->ForEachCaseArtifact(c.id, [&](const Artifact&, uint64_t) { return ++calls < 2; }).ok());
  EXPECT_EQ(calls, 2);
}

TEST_P(StoreTest, WatchlistsAddListRemoveAndHitsFromBothDirections) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case a = NewCase(*s, "W1"), b = NewCase(*s, "W2");
  Evidence a1 = NewEvidence(*s, a), a2 = NewEvidence(*s, a), b1 = NewEvidence(*s, b);
  // The CLI stores an evidence's own hashes as occurrences with path "evidence".
  std::string md5(32, 'a');
  Scan(*s, a1, {Email("bad@x.example", "1"), {"md5", md5, md5, "evidence", ""}});
  Scan(*s, a2, {Email("bad@x.example", "2")});

  Watchlist w;
  w.name = "Europol EC3 2026-11 phishing";
  w.source = "Europol";
  w.format = "misp";
  w.file_sha256 = std::string(64, 'f');
  w.reference = "5f1c-event";
  std::vector<Indicator> inds{
      {"email", "bad@x.example", "BAD@x.example", "email-src", "phisher", "attr-1"},
      {"email", "bad@x.example", "bad@x.example", "email-dst", "again", "attr-2"},  // duplicate
      {"md5", md5, md5, "md5", "dropper", "attr-3"},
      {"sha1", md5, md5, "sha1", "same text, other kind", "attr-4"},
      {"domain", "later.example", "later.example", "domain", "", "attr-5"},
      {"email", "never@x.example", "never@x.example", "email", "", "attr-6"}};
  Result<Watchlist> added = s->AddWatchlist(w, inds);
  ASSERT_TRUE(added.ok()) << added.status().message();
  EXPECT_GT(added->id, 0);
  EXPECT_FALSE(added->uuid.empty());
  EXPECT_FALSE(added->imported.empty());
  EXPECT_EQ(added->indicators, 5u);

  Result<std::vector<WatchHit>> hits = s->ListHits(a.id);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);  // bad@ once for the case (two evidence), the md5
  std::map<std::string, WatchHit> by_value;
  for (const WatchHit& h : *hits) by_value[h.artifact.value] = h;
  ASSERT_TRUE(by_value.count("bad@x.example"));
  const WatchHit& h = by_value["bad@x.example"];
  EXPECT_EQ(h.watchlist_id, added->id);
  EXPECT_EQ(h.watchlist_name, w.name);
  EXPECT_EQ(h.indicator.original, "BAD@x.example");  // the first of the duplicates
  EXPECT_EQ(h.indicator.comment, "phisher");
  EXPECT_EQ(h.indicator.reference, "attr-1");
  EXPECT_EQ(h.indicator.type, "email-src");
  EXPECT_EQ(h.case_number, "W1");
  EXPECT_EQ(h.found, added->imported);
  ASSERT_EQ(h.sightings.size(), 2u);
  EXPECT_EQ(h.sightings[0].evidence_id, a1.id);
  EXPECT_EQ(h.sightings[1].evidence_id, a2.id);
  ASSERT_TRUE(by_value.count(md5));
  EXPECT_EQ(by_value[md5].indicator.kind, "md5");
  EXPECT_TRUE(s->ListHits(b.id)->empty());

  // The other direction: a scan finishing after the watchlist.
  Scan(*s, b1,
       {{"domain", "later.example", "later.example", "5", ""}, Email("bad@x.example", "6")});
  EXPECT_EQ(s->ListHits(b.id)->size(), 2u);
  Result<std::vector<WatchHit>> everything = s->ListHits(0);
  ASSERT_TRUE(everything.ok());
  ASSERT_EQ(everything->size(), 4u);
  EXPECT_GE((*everything)[0].found, (*everything)[3].found);  // newest first
  EXPECT_EQ((*everything)[0].case_id, b.id);

  Result<std::vector<Watchlist>> lists = s->ListWatchlists();
  ASSERT_TRUE(lists.ok());
  ASSERT_EQ(lists->size(), 1u);
  EXPECT_EQ((*lists)[0].name, w.name);
  EXPECT_EQ((*lists)[0].source, "Europol");
  EXPECT_EQ((*lists)[0].format, "misp");
  EXPECT_EQ((*lists)[0].file_sha256, w.file_sha256);
  EXPECT_EQ((*lists)[0].reference, "5f1c-event");
  EXPECT_EQ((*lists)[0].indicators, 5u);

  // A second list with an overlapping indicator has hits of its own.
  Result<Watchlist> second =
      s->AddWatchlist({0, "", "NCA", "NCA", "csv", "", "", "", 0},
                      std::vector<Indicator>{{"email", "bad@x.example", "", "", "", "3"}});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(s->ListHits(0)->size(), 6u);
  ASSERT_TRUE(s->RemoveWatchlist(added->id).ok());
  Result<std::vector<WatchHit>> left = s->ListHits(0);
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->size(), 2u);
  for (const WatchHit& x : *left) EXPECT_EQ(x.watchlist_name, "NCA");
  EXPECT_EQ(s->ListWatchlists()->size(), 1u);
  EXPECT_EQ(s->RemoveWatchlist(added->id).code(), Code::kNotFound);
}

TEST_P(StoreTest, AWriterWhoseScanWasSupersededStops) {
  auto s = Open();
  ASSERT_TRUE(s);
  auto t = Open(false);
  ASSERT_TRUE(t);
  Case c = NewCase(*s, "P");
  Evidence e = NewEvidence(*s, c);
  std::unique_ptr<ScanWriter> first = Begin(*s, e);
  ASSERT_TRUE(first);
  ASSERT_TRUE(AddAll(*first, {Email("one@x.example", "1")}).ok());
  ScanRecord second = Scan(*t, e, {Email("two@x.example", "1")});  // another process, same evidence
  EXPECT_EQ(second.status, "complete");
  Result<ScanRecord> late = first->Finish("complete");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(s->FindArtifacts("email", "one@x.example")->empty());
  EXPECT_EQ(Find(*s, "email", "two@x.example").occurrences, 1u);
}

TEST_P(StoreTest, ScanWritesAreRefusedInsideAStoreTransaction) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "N");
  std::unique_ptr<ScanWriter> w;
  ASSERT_TRUE(s->Transaction([&]() -> Status {
                 ScanRecord rec;
                 rec.case_id = c.id;
                 rec.evidence_id = NewEvidence(*s, c).id;
                 Result<std::unique_ptr<ScanWriter>> r = s->BeginScan(rec);
                 if (!r.ok()) return r.status();
                 w = std::move(r).value();
                 return Status::Ok();
               }).ok());
  ASSERT_TRUE(w);
  ASSERT_TRUE(AddAll(*w, {Email("n@x.example", "1")}).ok());  // buffered
  Status inside = s->Transaction([&] { return w->Finish("complete").status(); });
  EXPECT_EQ(inside.code(), Code::kInvalidArgument);
  EXPECT_TRUE(w->Finish("complete").ok());
  EXPECT_EQ(Find(*s, "email", "n@x.example").occurrences, 1u);
}

// Two processes storing scans at once, each with its own connection: nothing lost, nothing
// doubled, the case counts right.
TEST_P(StoreTest, ConcurrentScansIntoOneCase) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "CC"), d = NewCase(*s, "DD");
  Evidence e1 = NewEvidence(*s, c), e2 = NewEvidence(*s, c), f1 = NewEvidence(*s, d);
  constexpr int kRows = 60'000;
  auto worker = [&](Evidence e, int salt, Status* out) {
    Result<std::unique_ptr<Store>> mine = OpenStore({path_, false, 5000});
    if (!mine.ok()) {
      *out = mine.status();
      return;
    }
    ScanRecord r;
    r.case_id = e.case_id;
    r.evidence_id = e.id;
    Result<std::unique_ptr<ScanWriter>> w = (*mine)->BeginScan(r);
    if (!w.ok()) {
      *out = w.status();
      return;
    }
    std::vector<Occ> rows;
    for (int i = 0; i < kRows; ++i) {
      // Shared values (every writer) and the writer's own.
      std::string v = i % 2 ? "s" + std::to_string(i % 5000) + "@x.example"
                            : "o" + std::to_string(salt) + "-" + std::to_string(i) + "@x.example";
      rows.push_back(Email(v, std::to_string(i)));
      if (rows.size() == 4096 || i == kRows - 1) {
        Status st = AddAll(**w, rows);
        rows.clear();
        if (!st.ok()) {
          *out = st;
          return;
        }
      }
    }
    *out = (*w)->Finish("complete").status();
  };
  Status st1, st2, st3;
  std::thread t1(worker, e1, 1, &st1), t2(worker, e2, 2, &st2), t3(worker, f1, 3, &st3);
  t1.join();
  t2.join();
  t3.join();
  ASSERT_TRUE(st1.ok()) << st1.message();
  ASSERT_TRUE(st2.ok()) << st2.message();
  ASSERT_TRUE(st3.ok()) << st3.message();

  Artifact shared = Find(*s, "email", "s1@x.example");
  EXPECT_EQ(shared.cases, 2u);
  EXPECT_EQ(shared.occurrences, 3u * 12u);  // i % 5000 == 1 for 12 odd i below 60,000, x3
  EXPECT_EQ(s->Sightings(shared.id)->size(), 3u);
  EXPECT_EQ(Find(*s, "email", "o1-0@x.example").cases, 1u);
  uint64_t distinct = 0, occurrences = 0;
  ASSERT_TRUE(s->ForEachCaseArtifact(c.id, [&](const Artifact& a, uint64_t n) {
                 ++distinct;
                 occurrences += n;
                 return true;
               }).ok());
  EXPECT_EQ(occurrences, 2u * kRows);
  EXPECT_EQ(distinct, 2u * (kRows / 2) + 2500u);  // odd i: 2,500 odd residues
  if (Sqlite()) {
    EXPECT_EQ(RawInt("SELECT COUNT(*) FROM occurrences"), 3 * kRows);
    EXPECT_EQ(RawInt("SELECT COUNT(*) FROM artifacts"), 3 * (kRows / 2) + 2500);
    EXPECT_EQ(RawInt("SELECT SUM(count) FROM evidence_artifacts"), 3 * kRows);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(TestBackends()),
                         [](const auto& info) { return info.param; });

// ---- Schema 4: accounts, case membership, the case artifact table ----

User NewUser(const std::string& name, Role role) {
  User u;
  u.name = name;
  u.display_name = "Insp. " + name;
  u.role = role;
  u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  return u;
}

TEST_P(StoreTest, UsersAreAddedFoundUpdatedAndListed) {
  auto s = Open();
  ASSERT_TRUE(s);
  Result<User> a = s->AddUser(NewUser("perera", Role::kExaminer));
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_GT(a->id, 0);
  EXPECT_FALSE(a->created.empty());
  Result<User> dup = s->AddUser(NewUser("perera", Role::kViewer));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), Code::kInvalidArgument);
  Result<User> b = s->AddUser(NewUser("silva", Role::kProsecutor));
  ASSERT_TRUE(b.ok());

  Result<std::optional<User>> found = s->FindUser("perera");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, a->id);
  EXPECT_EQ((*found)->display_name, "Insp. perera");
  EXPECT_EQ((*found)->role, Role::kExaminer);
  EXPECT_EQ((*found)->password_hash, a->password_hash);
  EXPECT_FALSE((*found)->disabled);
  EXPECT_FALSE((*found)->must_change_password);
  EXPECT_EQ((*found)->created, a->created);
  EXPECT_FALSE(s->FindUser("nobody")->has_value());
  EXPECT_FALSE(s->GetUser(999)->has_value());

  User changed = **found;
  changed.display_name = "Chief Insp. Perera";
  changed.role = Role::kAdmin;
  changed.disabled = true;
  changed.must_change_password = true;
  changed.password_hash = "$argon2id$new";
  changed.password_changed = "2026-12-02T10:00:00Z";
  changed.name = "renamed";           // not changed by UpdateUser
  changed.created = "1999-01-01T00:00:00Z";  // nor this
  ASSERT_TRUE(s->UpdateUser(changed).ok());
  Result<std::optional<User>> got = s->GetUser(a->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->name, "perera");
  EXPECT_EQ((*got)->created, a->created);
  EXPECT_EQ((*got)->display_name, "Chief Insp. Perera");
  EXPECT_EQ((*got)->role, Role::kAdmin);
  EXPECT_TRUE((*got)->disabled);
  EXPECT_TRUE((*got)->must_change_password);
  EXPECT_EQ((*got)->password_hash, "$argon2id$new");
  EXPECT_EQ((*got)->password_changed, "2026-12-02T10:00:00Z");
  User ghost = changed;
  ghost.id = 999;
  EXPECT_EQ(s->UpdateUser(ghost).code(), Code::kNotFound);

  Result<std::vector<User>> all = s->ListUsers();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "perera");
  EXPECT_EQ((*all)[1].name, "silva");
  EXPECT_EQ((*all)[1].role, Role::kProsecutor);
}

TEST(Roles, RoundTrip) {
  for (Role r : {Role::kAdmin, Role::kExaminer, Role::kInvestigator, Role::kProsecutor,
                 Role::kViewer})
    EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_STREQ(RoleName(Role::kInvestigator), "investigator");
  EXPECT_FALSE(ParseRole("root").has_value());
  EXPECT_FALSE(ParseRole("Admin").has_value());
}

TEST_P(StoreTest, CaseMembership) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c1 = NewCase(*s, "M/1"), c2 = NewCase(*s, "M/2");
  User a = *s->AddUser(NewUser("a", Role::kInvestigator));
  User b = *s->AddUser(NewUser("b", Role::kViewer));
  ASSERT_TRUE(s->AddCaseMember(c1.id, b.id).ok());
  ASSERT_TRUE(s->AddCaseMember(c1.id, a.id).ok());
  ASSERT_TRUE(s->AddCaseMember(c1.id, a.id).ok());  // twice: no-op
  ASSERT_TRUE(s->AddCaseMember(c2.id, a.id).ok());
  Result<std::vector<User>> members = s->ListCaseMembers(c1.id);
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].id, a.id);
  EXPECT_EQ((*members)[1].id, b.id);
  EXPECT_EQ(*s->ListUserCases(a.id), (std::vector<int64_t>{c1.id, c2.id}));
  EXPECT_EQ(*s->ListUserCases(b.id), (std::vector<int64_t>{c1.id}));

  EXPECT_EQ(s->AddCaseMember(999, a.id).code(), Code::kNotFound);
  EXPECT_EQ(s->AddCaseMember(c1.id, 999).code(), Code::kNotFound);
  EXPECT_EQ(s->RemoveCaseMember(c2.id, b.id).code(), Code::kNotFound);  // not a member
  EXPECT_EQ(s->RemoveCaseMember(999, b.id).code(), Code::kNotFound);
  EXPECT_EQ(s->ListCaseMembers(999).status().code(), Code::kNotFound);
  EXPECT_EQ(s->ListUserCases(999).status().code(), Code::kNotFound);

  ASSERT_TRUE(s->RemoveCaseMember(c1.id, a.id).ok());
  EXPECT_EQ(*s->ListUserCases(a.id), (std::vector<int64_t>{c2.id}));
  EXPECT_EQ(s->ListCaseMembers(c1.id)->size(), 1u);
  EXPECT_TRUE(s->ListCaseMembers(NewCase(*s, "M/3").id)->empty());
}

// The case artifact table against a model: every sort, both orders, filters, cursors both ways.
struct ModelRow {
  int64_t id = 0;
  std::string kind, value;
  uint64_t here = 0, evidence = 0, cases = 0;
};

const char* const kModelKinds[] = {"email", "domain", "url"};
constexpr int kModelValues = 60;

std::string ModelValue(int i) {
  switch (i % 4) {
    case 0:
      return "a%b_" + std::to_string(i);
    case 1:
      return "AbC" + std::to_string(i);
    case 2:
      return "x_y" + std::to_string(i);
    default:
      return "pl\\ain" + std::to_string(i);
  }
}

// Occurrences of value i (i in `which`), `count` each.
std::vector<Occ> ModelOccs(const std::function<int(int)>& count) {
  std::vector<Occ> out;
  for (int i = 0; i < kModelValues; ++i)
    for (int n = 0; n < count(i); ++n)
      out.push_back({kModelKinds[i % 3], ModelValue(i), ModelValue(i),
                     std::to_string(1000 * i + n), "ctx"});
  return out;
}

bool ModelLess(ArtifactQuery::Sort sort, const ModelRow& a, const ModelRow& b) {
  switch (sort) {
    case ArtifactQuery::Sort::kOccurrences:
      return std::tie(a.here, a.id) < std::tie(b.here, b.id);
    case ArtifactQuery::Sort::kCases:
      return std::tie(a.cases, a.id) < std::tie(b.cases, b.id);
    case ArtifactQuery::Sort::kValue:
      return std::tie(a.value, a.id) < std::tie(b.value, b.id);
    case ArtifactQuery::Sort::kKind:
      return std::tie(a.kind, a.value, a.id) < std::tie(b.kind, b.value, b.id);
  }
  return false;
}

std::string Lowered(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class CaseArtifactModel {
 public:
  // Per value i: occurrences in the case (0: absent), evidence items, cases holding it; and in
  // the evidence `evidence_id` alone.
  std::map<int, ModelRow> rows;
  std::map<int64_t, std::map<int, uint64_t>> per_evidence;

  std::vector<ModelRow> Expected(const ArtifactQuery& q) const {
    std::vector<ModelRow> out;
    for (const auto& [i, r] : rows) {
      ModelRow row = r;
      if (q.evidence_id != 0) {
        auto e = per_evidence.find(q.evidence_id);
        if (e == per_evidence.end() || !e->second.count(i)) continue;
        row.here = e->second.at(i);
      }
      if (!q.kind.empty() && row.kind != q.kind) continue;
      if (!q.text.empty() && Lowered(row.value).find(Lowered(q.text)) == std::string::npos)
        continue;
      out.push_back(row);
    }
    std::sort(out.begin(), out.end(), [&](const ModelRow& a, const ModelRow& b) {
      return q.descending ? ModelLess(q.sort, b, a) : ModelLess(q.sort, a, b);
    });
    return out;
  }
};

std::string Describe(const ArtifactQuery& q) {
  return "sort " + std::to_string(int(q.sort)) + (q.descending ? " desc" : " asc") + " kind '" +
         q.kind + "' text '" + q.text + "' evidence " + std::to_string(q.evidence_id);
}

void ExpectRow(const CaseArtifact& got, const ModelRow& want, const std::string& where) {
  EXPECT_EQ(got.artifact.id, want.id) << where;
  EXPECT_EQ(got.artifact.kind, want.kind) << where;
  EXPECT_EQ(got.artifact.value, want.value) << where;
  EXPECT_EQ(got.occurrences_here, want.here) << where << " " << want.value;
  EXPECT_EQ(got.evidence_count, want.evidence) << where << " " << want.value;
  EXPECT_EQ(got.artifact.cases, want.cases) << where << " " << want.value;
}

// Walks every page forward, then back from the last, comparing with the model.
void CheckQuery(Store& s, int64_t case_id, ArtifactQuery q, const CaseArtifactModel& model) {
  const std::vector<ModelRow> want = model.Expected(q);
  const std::string where = Describe(q);
  q.limit = 7;
  q.cursor.clear();
  std::vector<CaseArtifact> forward;
  std::vector<std::string> prevs;
  for (int page = 0; page < 100; ++page) {
    Result<ArtifactPage> p = s.ListCaseArtifacts(case_id, q);
    ASSERT_TRUE(p.ok()) << where << ": " << p.status().message();
    EXPECT_EQ(p->total, want.size()) << where;
    EXPECT_EQ(p->prev_cursor.empty(), page == 0) << where;
    EXPECT_LE(p->rows.size(), q.limit);
    forward.insert(forward.end(), p->rows.begin(), p->rows.end());
    if (p->next_cursor.empty()) break;
    q.cursor = p->next_cursor;
  }
  ASSERT_EQ(forward.size(), want.size()) << where;
  for (size_t i = 0; i < want.size(); ++i) ExpectRow(forward[i], want[i], where);
  if (want.size() <= q.limit) return;
  // Back: the last page's prev_cursor, then each page's, to the first.
  Result<ArtifactPage> last = s.ListCaseArtifacts(case_id, q);
  ASSERT_TRUE(last.ok());
  std::vector<CaseArtifact> backward(last->rows.rbegin(), last->rows.rend());
  std::string prev = last->prev_cursor;
  for (int page = 0; page < 100 && !prev.empty(); ++page) {
    q.cursor = prev;
    Result<ArtifactPage> p = s.ListCaseArtifacts(case_id, q);
    ASSERT_TRUE(p.ok()) << where << ": " << p.status().message();
    EXPECT_EQ(p->rows.size(), q.limit) << where;  // a page before another is always full
    EXPECT_FALSE(p->next_cursor.empty()) << where;
    backward.insert(backward.end(), p->rows.rbegin(), p->rows.rend());
    prev = p->prev_cursor;
  }
  std::reverse(backward.begin(), backward.end());
  ASSERT_EQ(backward.size(), want.size()) << where;
  for (size_t i = 0; i < want.size(); ++i) ExpectRow(backward[i], want[i], where + " (back)");
}

struct ModelFilter {
  std::string kind, text;
  int64_t evidence;
};

// Every filter in every sort and order.
void CheckFilters(Store& s, int64_t case_id, const std::vector<ModelFilter>& filters,
                  const CaseArtifactModel& model) {
  for (ArtifactQuery::Sort sort : {ArtifactQuery::Sort::kOccurrences, ArtifactQuery::Sort::kValue,
                                   ArtifactQuery::Sort::kKind, ArtifactQuery::Sort::kCases})
    for (bool descending : {true, false})
      for (const ModelFilter& f : filters) {
        ArtifactQuery q;
        q.sort = sort;
        q.descending = descending;
        q.kind = f.kind;
        q.text = f.text;
        q.evidence_id = f.evidence;
        CheckQuery(s, case_id, q, model);
      }
}

void CheckAllQueries(Store& s, int64_t case_id, int64_t evidence_id,
                     const CaseArtifactModel& model) {
  CheckFilters(s, case_id,
               {{"", "", 0},
                {"domain", "", 0},
                {"", "A%B", 0},
                {"", "_Y", 0},
                {"", "", evidence_id},
                {"url", "abc", evidence_id},
                {"", "zzz", 0},
                {"email", "%", 0}},
               model);
}

// Text filters of 1, 2, 3 and more characters (the trigram index needs 3), LIKE's and the
// escape's characters taken literally, one matching nothing, with the other filters.
void CheckTextQueries(Store& s, int64_t case_id, int64_t evidence_id,
                      const CaseArtifactModel& model) {
  CheckFilters(s, case_id,
               {{"", "b", 0},           {"", "_y", 0},
                {"", "A%b", 0},         {"", "abc1", 0},
                {"", "\\ain1", 0},      {"", "\\", 0},
                {"", "%", 0},           {"", "_", 0},
                {"", "%b_", 0},         {"", "L\\A", 0},
                {"", "a_b", 0},         {"", "qqq", 0},
                {"url", "B", 0},        {"", "y1", evidence_id},
                {"", "pl\\", evidence_id}, {"", "x_y", evidence_id},
                {"domain", "_y", evidence_id}},
               model);
}

// Sets the plan bounds for a test's duration (case_artifact_page.h).
class ScopedPlanLimits {
 public:
  explicit ScopedPlanLimits(ArtifactPlanLimits limits) : saved_(PlanLimits()) {
    PlanLimits() = limits;
  }
  ~ScopedPlanLimits() { PlanLimits() = saved_; }

 private:
  ArtifactPlanLimits saved_;
};

// Each plan on its own: every evidence small or large, every text match set small or large.
std::vector<ArtifactPlanLimits> EveryPlan() {
  std::vector<ArtifactPlanLimits> out;
  for (uint64_t evidence : {uint64_t(0), uint64_t(1) << 40})
    for (uint64_t text : {uint64_t(0), uint64_t(1) << 40}) {
      ArtifactPlanLimits l;
      l.small_evidence = evidence;
      l.text_candidates = text;
      l.text_total_cap = uint64_t(1) << 40;
      out.push_back(l);
    }
  // The threshold between: E1 (60 rows) large, E2 (25) small; a kind of E2 small too.
  ArtifactPlanLimits between;
  between.small_evidence = 30;
  between.text_candidates = 10;
  between.text_total_cap = uint64_t(1) << 40;
  out.push_back(between);
  // Every text filter walked, each walk stopped after 3 rows: most pages come from the matches.
  ArtifactPlanLimits short_walks;
  short_walks.small_evidence = 0;
  short_walks.text_candidates = 0;
  short_walks.walk_budget = 3;
  short_walks.text_total_cap = uint64_t(1) << 40;
  out.push_back(short_walks);
  return out;
}

class CaseArtifactsTest : public StoreTest {
 protected:
  // Case A: E1 holds every value (i % 7 + 1 times), E2 some twice. Case B: i % 5 == 0. Case C:
  // i % 10 == 0.
  void Build(Store& s) {
    a_ = NewCase(s, "A");
    b_ = NewCase(s, "B");
    c_ = NewCase(s, "C");
    e1_ = NewEvidence(s, a_, "E1");
    e2_ = NewEvidence(s, a_, "E2");
    f1_ = NewEvidence(s, b_, "F1");
    g1_ = NewEvidence(s, c_, "G1");
    Scan(s, e1_, ModelOccs([](int i) { return i % 7 + 1; }));
    Scan(s, e2_, ModelOccs([](int i) { return i % 4 == 0 || i % 6 == 1 ? 2 : 0; }));
    Scan(s, f1_, ModelOccs([](int i) { return i % 5 == 0 ? 1 : 0; }));
    Scan(s, g1_, ModelOccs([](int i) { return i % 10 == 0 ? 3 : 0; }));
  }
  // The model of case A, given E2's counts and whether C still holds its values.
  CaseArtifactModel ModelA(Store& s, const std::function<int(int)>& e2, bool c_holds) {
    CaseArtifactModel m;
    for (int i = 0; i < kModelValues; ++i) {
      ModelRow r;
      r.kind = kModelKinds[i % 3];
      r.value = ModelValue(i);
      r.id = Find(s, r.kind, r.value).id;
      r.here = uint64_t(i % 7 + 1 + e2(i));
      r.evidence = 1 + (e2(i) > 0);
      r.cases = 1 + (i % 5 == 0) + (c_holds && i % 10 == 0);
      m.rows[i] = r;
      m.per_evidence[e1_.id][i] = uint64_t(i % 7 + 1);
      if (e2(i) > 0) m.per_evidence[e2_.id][i] = uint64_t(e2(i));
    }
    return m;
  }
  static int E2(int i) { return i % 4 == 0 || i % 6 == 1 ? 2 : 0; }
  // E2 again with fewer values (E2After); C's only evidence again with none (its artifacts leave
  // C, so A's rows of them count one case fewer).
  void Supersede(Store& s) {
    Scan(s, e2_, ModelOccs(E2After));
    Scan(s, g1_, {});
  }
  static int E2After(int i) { return i % 8 == 0 ? 5 : 0; }

  Case a_, b_, c_;
  Evidence e1_, e2_, f1_, g1_;
};

TEST_P(CaseArtifactsTest, EveryPageOfEverySortAndFilterBothWays) {
  auto s = Open();
  ASSERT_TRUE(s);
  Build(*s);
  CheckAllQueries(*s, a_.id, e2_.id, ModelA(*s, E2, true));
}

TEST_P(CaseArtifactsTest, SupersedingAScanUpdatesTheSummaryOfItsCaseAndOfOthers) {
  auto s = Open();
  ASSERT_TRUE(s);
  Build(*s);
  Supersede(*s);
  CheckAllQueries(*s, a_.id, e2_.id, ModelA(*s, E2After, false));
  for (ArtifactQuery::Sort sort : {ArtifactQuery::Sort::kOccurrences, ArtifactQuery::Sort::kKind}) {
    ArtifactQuery q;
    q.sort = sort;
    Result<ArtifactPage> c = s->ListCaseArtifacts(c_.id, q);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->total, 0u);
    EXPECT_TRUE(c->rows.empty());
    EXPECT_TRUE(c->next_cursor.empty() && c->prev_cursor.empty());
  }
  EXPECT_TRUE(s->CountCaseArtifactsByKind(c_.id, 0)->empty());
}

TEST_P(CaseArtifactsTest, EveryPlanGivesTheSameRowsAndTotals) {
  auto s = Open();
  ASSERT_TRUE(s);
  Build(*s);
  CaseArtifactModel model = ModelA(*s, E2, true);
  for (const ArtifactPlanLimits& limits : EveryPlan()) {
    SCOPED_TRACE("small evidence " + std::to_string(limits.small_evidence) +
                 ", text candidates " + std::to_string(limits.text_candidates));
    ScopedPlanLimits scoped(limits);
    CheckTextQueries(*s, a_.id, e2_.id, model);
    CheckTextQueries(*s, a_.id, e1_.id, model);
    CheckAllQueries(*s, a_.id, e1_.id, model);
  }
}

TEST_P(CaseArtifactsTest, ASupersededScansArtifactsNoLongerMatchItsText) {
  auto s = Open();
  ASSERT_TRUE(s);
  Build(*s);
  Supersede(*s);
  CaseArtifactModel model = ModelA(*s, E2After, false);
  for (const ArtifactPlanLimits& limits : EveryPlan()) {
    ScopedPlanLimits scoped(limits);
    CheckTextQueries(*s, a_.id, e2_.id, model);
    for (const char* text : {"a", "a%", "a%b", "\\ain10", "x_y"}) {
      ArtifactQuery q;
      q.text = text;
      Result<ArtifactPage> c = s->ListCaseArtifacts(c_.id, q);
      ASSERT_TRUE(c.ok());
      EXPECT_EQ(c->total, 0u) << text;
      EXPECT_TRUE(c->total_exact);
      EXPECT_TRUE(c->rows.empty()) << text;
    }
  }
  // Case B's values (i % 5 == 0) are still found in B.
  ArtifactQuery q;
  q.text = "abc";
  q.limit = 100;
  Result<ArtifactPage> b = s->ListCaseArtifacts(b_.id, q);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->total, 3u);  // AbC5, AbC25, AbC45
}

// The trigram index answers with every row holding all of a needle's trigrams, wherever they
// lie: a row holding them apart ("abcxbcd" for "abcd") is tested again and left out, by every plan.
TEST_P(CaseArtifactsTest, ARowHoldingANeedlesTrigramsApartIsNotAMatch) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case k = NewCase(*s, "K");
  Evidence e = NewEvidence(*s, k, "K1");
  Scan(*s, e,
       {Email("abcxbcd@apart.example", "1"), Email("zabcdz@whole.example", "2"),
        Email("bcdxabc@apart.example", "3"), Email("ABCD@whole.example", "4")});
  for (const ArtifactPlanLimits& limits : EveryPlan()) {
    ScopedPlanLimits scoped(limits);
    for (int64_t evidence : {int64_t(0), e.id}) {
      ArtifactQuery q;
      q.text = "abcd";
      q.evidence_id = evidence;
      Result<ArtifactPage> page = s->ListCaseArtifacts(k.id, q);
      ASSERT_TRUE(page.ok()) << page.status().message();
      EXPECT_EQ(page->total, 2u);
      EXPECT_TRUE(page->total_exact);
      std::vector<std::string> values;
      for (const CaseArtifact& r : page->rows) values.push_back(r.artifact.value);
      std::sort(values.begin(), values.end());
      EXPECT_EQ(values, (std::vector<std::string>{"ABCD@whole.example", "zabcdz@whole.example"}));
    }
  }
}

// A store whose trigram index kept positions (v5) gets one without (v6) holding the same
// artifacts: every query finds what it found.
TEST_P(CaseArtifactsTest, AVersion5StoreIsMigratedToVersion6KeepingItsTextMatches) {
  if (GetParam() != "sqlite") GTEST_SKIP() << "v6 changes SQLite's trigram index only";
  {
    auto s = Open();
    ASSERT_TRUE(s);
    Build(*s);
  }
  Raw("DROP TABLE artifact_text");
  Raw("CREATE VIRTUAL TABLE artifact_text USING fts5(value, content='', columnsize=0, "
      "tokenize='trigram')");
  Raw("INSERT INTO artifact_text (rowid, value) SELECT (k.code << 40) | a.id, a.value "
      "FROM artifacts a JOIN artifact_text_kinds k ON k.kind = a.kind");
  Raw("DELETE FROM schema_version WHERE version >= 6");
  ASSERT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), 5);
  auto s = Open(false);
  ASSERT_TRUE(s);
  EXPECT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'artifact_text' AND "
                   "sql LIKE '%detail=none%'"),
            1);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM artifacts"),
            RawInt("SELECT COUNT(*) FROM artifact_text WHERE artifact_text MATCH '\"ain\" OR "
                   "\"a%b\" OR \"abc\" OR \"x_y\"'"));
  CaseArtifactModel model = ModelA(*s, E2, true);
  for (const ArtifactPlanLimits& limits : EveryPlan()) {
    ScopedPlanLimits scoped(limits);
    CheckTextQueries(*s, a_.id, e2_.id, model);
  }
}

TEST_P(CaseArtifactsTest, ATextTotalPastTheCapIsMarkedInexact) {
  auto s = Open();
  ASSERT_TRUE(s);
  Build(*s);
  for (uint64_t candidates : {uint64_t(0), uint64_t(1) << 40}) {
    ArtifactPlanLimits limits;
    limits.text_candidates = candidates;
    limits.text_total_cap = 5;
    ScopedPlanLimits scoped(limits);
    for (const char* text : {"a", "a%", "a%b"}) {  // 15 values each in A
      ArtifactQuery q;
      q.text = text;
      q.limit = 100;
      Result<ArtifactPage> p = s->ListCaseArtifacts(a_.id, q);
      ASSERT_TRUE(p.ok());
      EXPECT_EQ(p->rows.size(), std::string(text) == "a" ? 45u : 15u) << text;
      EXPECT_EQ(p->total, 5u) << text;  // counted up to the cap, whatever the plan
      EXPECT_FALSE(p->total_exact) << text;
    }
    ArtifactQuery few;
    few.text = "A%b_1";  // a%b_12, a%b_16
    Result<ArtifactPage> exact = s->ListCaseArtifacts(a_.id, few);
    ASSERT_TRUE(exact.ok());
    EXPECT_EQ(exact->total, 2u);
    EXPECT_TRUE(exact->total_exact);
    ArtifactQuery none;
    none.text = "qqqq";
    Result<ArtifactPage> p = s->ListCaseArtifacts(a_.id, none);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->total, 0u);
    EXPECT_TRUE(p->total_exact);
  }
}

TEST_P(CaseArtifactsTest, ATextTotalIsCarriedFromTheFirstPageByTheCursors) {
  auto s = Open();
  ASSERT_TRUE(s);
  Build(*s);
  ArtifactQuery q;
  q.text = "a%";  // 15 values in A
  q.limit = 4;
  Result<ArtifactPage> first = s->ListCaseArtifacts(a_.id, q);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->total, 15u);
  ASSERT_FALSE(first->next_cursor.empty());
  // A count made now would stop at 5; the pages after the first keep the first page's count.
  ArtifactPlanLimits capped;
  capped.text_total_cap = 5;
  ScopedPlanLimits scoped(capped);
  q.cursor = first->next_cursor;
  Result<ArtifactPage> second = s->ListCaseArtifacts(a_.id, q);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->total, 15u);
  EXPECT_TRUE(second->total_exact);
  q.cursor = second->prev_cursor;
  Result<ArtifactPage> back = s->ListCaseArtifacts(a_.id, q);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->total, 15u);
  q.cursor.clear();  // a new first page counts again
  Result<ArtifactPage> again = s->ListCaseArtifacts(a_.id, q);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->total, 5u);
  EXPECT_FALSE(again->total_exact);
}

TEST_P(CaseArtifactsTest, CountsPerKind) {
  auto s = Open();
  ASSERT_TRUE(s);
  Build(*s);
  using Counts = std::vector<std::pair<std::string, uint64_t>>;
  EXPECT_EQ(*s->CountCaseArtifactsByKind(a_.id, 0),
            (Counts{{"domain", 20}, {"email", 20}, {"url", 20}}));
  // E2: i % 4 == 0 or i % 6 == 1 (0,1,4,7,8,12,13,16,19,20,24,25,28,31,32,36,37,40,43,44,48,49,
  // 52,55,56): by i % 3.
  Counts e2;
  std::map<std::string, uint64_t> by_kind;
  for (int i = 0; i < kModelValues; ++i)
    if (E2(i) > 0) ++by_kind[kModelKinds[i % 3]];
  for (const auto& [k, n] : by_kind) e2.emplace_back(k, n);
  EXPECT_EQ(*s->CountCaseArtifactsByKind(a_.id, e2_.id), e2);
  EXPECT_EQ(*s->CountCaseArtifactsByKind(b_.id, 0),
            (Counts{{"domain", 4}, {"email", 4}, {"url", 4}}));
  EXPECT_EQ(s->CountCaseArtifactsByKind(999, 0).status().code(), Code::kNotFound);
  EXPECT_FALSE(s->CountCaseArtifactsByKind(a_.id, f1_.id).ok());  // not an evidence of A
}

TEST_P(CaseArtifactsTest, OneArtifactOfACaseWithItsCounts) {
  auto s = Open();
  ASSERT_TRUE(s);
  Build(*s);
  CaseArtifactModel m = ModelA(*s, E2, true);
  for (int i : {0, 1, 5, 10, 11}) {
    const ModelRow& r = m.rows[i];
    Result<std::optional<CaseArtifact>> got = s->GetCaseArtifact(a_.id, r.id);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(got->has_value()) << i;
    const CaseArtifact& a = **got;
    EXPECT_EQ(a.artifact.kind, r.kind);
    EXPECT_EQ(a.artifact.value, r.value);
    EXPECT_EQ(a.artifact.cases, r.cases);
    EXPECT_EQ(a.occurrences_here, r.here);
    EXPECT_EQ(a.evidence_count, r.evidence);
    // Store-wide: A's, plus B's (one each when i % 5 == 0) and C's (three when i % 10 == 0).
    uint64_t all = r.here + (i % 5 == 0 ? 1 : 0) + (i % 10 == 0 ? 3 : 0);
    EXPECT_EQ(a.artifact.occurrences, all) << i;
    Artifact found = Find(*s, r.kind, r.value);
    EXPECT_EQ(a.artifact.occurrences, found.occurrences);
    EXPECT_EQ(a.artifact.cases, found.cases);
  }
  // B holds value 1? No (1 % 5 != 0): not an artifact of that case.
  Result<std::optional<CaseArtifact>> none = s->GetCaseArtifact(b_.id, m.rows[1].id);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_FALSE(s->GetCaseArtifact(a_.id, 987654321)->has_value());
  EXPECT_EQ(s->GetCaseArtifact(999, m.rows[0].id).status().code(), Code::kNotFound);
}

TEST_P(CaseArtifactsTest, CursorsOfAnotherQueryOrForgedAreRefused) {
  auto s = Open();
  ASSERT_TRUE(s);
  Build(*s);
  ArtifactQuery q;
  q.limit = 5;
  Result<ArtifactPage> first = s->ListCaseArtifacts(a_.id, q);
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_cursor.empty());
  const std::string cursor = first->next_cursor;
  auto refused = [&](ArtifactQuery other, int64_t case_id) {
    other.cursor = cursor;
    Result<ArtifactPage> p = s->ListCaseArtifacts(case_id, other);
    return !p.ok() && p.status().code() == Code::kInvalidArgument;
  };
  ArtifactQuery other = q;
  other.sort = ArtifactQuery::Sort::kValue;
  EXPECT_TRUE(refused(other, a_.id));
  other = q;
  other.descending = false;
  EXPECT_TRUE(refused(other, a_.id));
  other = q;
  other.kind = "email";
  EXPECT_TRUE(refused(other, a_.id));
  other = q;
  other.text = "a";
  EXPECT_TRUE(refused(other, a_.id));
  other = q;
  other.evidence_id = e1_.id;
  EXPECT_TRUE(refused(other, a_.id));
  EXPECT_TRUE(refused(q, b_.id));
  other = q;
  other.limit = 9;  // another page size keeps the place
  EXPECT_FALSE(refused(other, a_.id));
  // Forged or damaged.
  for (std::string bad :
       {std::string("garbage"), std::string("!!!!"), std::string("AAAA"), std::string(1, '\0'),
        cursor.substr(0, cursor.size() - 1), cursor + "A", std::string(100000, 'A')}) {
    other = q;
    other.cursor = bad;
    Result<ArtifactPage> p = s->ListCaseArtifacts(a_.id, other);
    ASSERT_FALSE(p.ok()) << bad.substr(0, 40);
    EXPECT_EQ(p.status().code(), Code::kInvalidArgument);
  }
  for (size_t i = 0; i < cursor.size(); ++i) {
    other = q;
    other.cursor = cursor;
    other.cursor[i] = other.cursor[i] == 'B' ? 'C' : 'B';
    Result<ArtifactPage> p = s->ListCaseArtifacts(a_.id, other);
    EXPECT_FALSE(p.ok()) << "byte " << i;
  }
  // Bad limits, unknown case, evidence of another case.
  other = q;
  other.limit = 0;
  EXPECT_EQ(s->ListCaseArtifacts(a_.id, other).status().code(), Code::kInvalidArgument);
  other.limit = 1001;
  EXPECT_EQ(s->ListCaseArtifacts(a_.id, other).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(s->ListCaseArtifacts(999, q).status().code(), Code::kNotFound);
  other = q;
  other.evidence_id = f1_.id;
  EXPECT_FALSE(s->ListCaseArtifacts(a_.id, other).ok());
}

TEST_P(CaseArtifactsTest, AVersion3StoreIsMigratedToVersion4KeepingItsRows) {
  {
    auto s = Open();
    ASSERT_TRUE(s);
    Build(*s);
  }
  // Back to what a v3 evidex left: no v4 tables, no version 4 row.
  for (const char* table : {"case_members", "users", "case_artifacts", "case_artifact_kinds"})
    Raw(std::string("DROP TABLE ") + table);
  for (const char* sql : kDropV4Extras) Raw(sql);
  Raw("DELETE FROM schema_version WHERE version >= 4");
  ASSERT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), 3);
  auto s = Open(false);
  ASSERT_TRUE(s);
  EXPECT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM schema_version"), kSchemaVersion);
  // The summary was built from the stored scans; the tables work.
  CheckAllQueries(*s, a_.id, e2_.id, ModelA(*s, E2, true));
  EXPECT_TRUE(s->AddUser(NewUser("after", Role::kAdmin)).ok());
  EXPECT_TRUE(s->AddCaseMember(a_.id, s->FindUser("after")->value().id).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseArtifactsTest, ::testing::ValuesIn(TestBackends()),
                         [](const auto& info) { return info.param; });

// The FTS5 query of a needle: its distinct trigrams of code points, sorted, each quoted.
TEST(TrigramTerms, DistinctTrigramsOfCodePointsQuoted) {
  EXPECT_EQ(TrigramTerms("abc"), "\"abc\"");
  EXPECT_EQ(TrigramTerms("abcabc"), "\"abc\" AND \"bca\" AND \"cab\"");
  EXPECT_EQ(TrigramTerms("a\"bc"), "\"\"\"bc\" AND \"a\"\"b\"");
  // "é" and "ú" are two bytes each: a trigram is three characters, not three bytes.
  EXPECT_EQ(TrigramTerms("caf\xc3\xa9s"), "\"af\xc3\xa9\" AND \"caf\" AND \"f\xc3\xa9s\"");
  EXPECT_EQ(TrigramTerms("\xc3\xba\xc3\xba\xc3\xba"), "\"\xc3\xba\xc3\xba\xc3\xba\"");
}

TEST(CursorText, Base64UrlRoundTripsAndIsCanonical) {
  for (std::string bytes : {std::string(), std::string("a"), std::string("ab"),
                            std::string("abc"), std::string("\0\xff\x10 z", 5)}) {
    std::string text = EncodeBase64Url(bytes), back;
    ASSERT_TRUE(DecodeBase64Url(text, &back));
    EXPECT_EQ(back, bytes);
  }
  std::string out;
  EXPECT_FALSE(DecodeBase64Url("A", &out));    // a partial byte
  EXPECT_FALSE(DecodeBase64Url("AB=", &out));  // padding
  EXPECT_FALSE(DecodeBase64Url("AB", &out));   // unused bits set ("AA" is canonical)
  EXPECT_TRUE(DecodeBase64Url("AA", &out));
  EXPECT_FALSE(DecodeBase64Url("a+/b", &out));  // the other alphabet
}

// ---- Schema 3: files inside evidence ----

// A hex string of `n` digits that differs per seed ("12aaaa..."): stands for a hash.
std::string HashOf(int seed, size_t n) {
  std::string h = std::to_string(seed);
  return h + std::string(n - h.size(), 'a');
}

FileIn Entry(const std::string& path, int seed) {
  FileIn in;
  StoredFile& f = in.file;
  f.fs = "ntfs@1048576";
  f.path = path;
  f.type = "file";
  f.size = 1000 + uint64_t(seed);
  f.address = 100 + uint64_t(seed);
  f.modified = 1'700'000'000'000'000 + seed;
  f.md5 = HashOf(seed, 32);
  f.sha1 = HashOf(seed, 40);
  f.sha256 = HashOf(seed, 64);
  f.mime = "text/plain";
  return in;
}

YaraMatchRecord Yara(const std::string& rule) {
  YaraMatchRecord y;
  y.rule = rule;
  y.ns = "default";
  y.tags = {"apt", "dropper"};
  y.meta = R"({"author":"CERT"})";
  y.strings = R"([{"id":"$a","offset":16,"length":4,"data":"4d5a9000"}])";
  return y;
}

// Every field but the ids the store sets.
void ExpectSameFile(const StoredFile& want, const StoredFile& got) {
  EXPECT_EQ(got.fs, want.fs);
  EXPECT_EQ(got.path, want.path);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.size, want.size);
  EXPECT_EQ(got.address, want.address);
  EXPECT_EQ(got.deleted, want.deleted);
  EXPECT_EQ(got.modified, want.modified);
  EXPECT_EQ(got.accessed, want.accessed);
  EXPECT_EQ(got.changed, want.changed);
  EXPECT_EQ(got.created, want.created);
  EXPECT_EQ(got.md5, want.md5);
  EXPECT_EQ(got.sha1, want.sha1);
  EXPECT_EQ(got.sha256, want.sha256);
  EXPECT_EQ(got.mime, want.mime);
  EXPECT_EQ(got.ssdeep, want.ssdeep);
  EXPECT_EQ(got.tlsh, want.tlsh);
  EXPECT_EQ(got.error, want.error);
}

void ExpectSameYara(const YaraMatchRecord& want, const YaraMatchRecord& got) {
  EXPECT_EQ(got.rule, want.rule);
  EXPECT_EQ(got.ns, want.ns);
  EXPECT_EQ(got.tags, want.tags);
  EXPECT_EQ(got.meta, want.meta);
  EXPECT_EQ(got.strings, want.strings);
}

class FilesTest : public StoreTest {
 protected:
  std::unique_ptr<FileWriter> BeginListing(Store& s, const Evidence& e) {
    FileListing l;
    l.case_id = e.case_id;
    l.evidence_id = e.id;
    l.parameters = R"({"hash":true})";
    Result<std::unique_ptr<FileWriter>> w = s.BeginFiles(l);
    EXPECT_TRUE(w.ok()) << w.status().message();
    return w.ok() ? std::move(w).value() : nullptr;
  }
  // A complete listing of `e` holding `files` and YARA matches in unallocated space.
  FileListing Listing(Store& s, const Evidence& e, const std::vector<FileIn>& files,
                      const std::vector<std::pair<uint64_t, YaraMatchRecord>>& unallocated = {}) {
    std::unique_ptr<FileWriter> w = BeginListing(s, e);
    if (!w) return {};
    EXPECT_TRUE(w->Add(files).ok());
    for (const auto& [offset, y] : unallocated) EXPECT_TRUE(w->AddUnallocatedYara(offset, y).ok());
    Result<FileListing> r = w->Finish("complete");
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : FileListing{};
  }
  std::vector<FileIn> Files(Store& s, int64_t evidence_id, bool with_matches = true) {
    std::vector<FileIn> out;
    Status st = s.ForEachFile(evidence_id, with_matches, [&](const FileIn& f) {
      out.push_back(f);
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  }
  std::vector<std::string> Paths(const std::vector<FileIn>& files) {
    std::vector<std::string> out;
    for (const FileIn& f : files) out.push_back(f.file.path);
    return out;
  }
};

TEST_P(FilesTest, AVersion2StoreIsMigratedToVersion3KeepingItsRows) {
  {
    auto s = Open();
    ASSERT_TRUE(s);
    Case c = NewCase(*s, "OLD/2");
    Scan(*s, NewEvidence(*s, c), {Email("kept@old.example", "7")});
  }
  // Back to what a v2 evidex left: no v3 (or later) tables, no version 3 (or later) row.
  for (const char* table : {"file_listings", "files", "file_matches", "yara_matches",
                            "case_members", "users", "case_artifacts", "case_artifact_kinds"})
    Raw(std::string("DROP TABLE ") + table);
  for (const char* sql : kDropV4Extras) Raw(sql);
  Raw("DELETE FROM schema_version WHERE version >= 3");
  ASSERT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), 2);
  ASSERT_EQ(RawInt("SELECT COUNT(*) FROM file_listings"), -1);  // gone
  auto s = Open(false);
  ASSERT_TRUE(s);
  EXPECT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM file_listings"), 0);
  // The v2 rows are kept.
  Result<std::optional<Case>> old = s->FindCase("OLD/2");
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_EQ(Find(*s, "email", "kept@old.example").occurrences, 1u);
  // And the new tables work.
  Result<std::vector<Evidence>> ev = s->ListEvidence((*old)->id);
  ASSERT_TRUE(ev.ok() && ev->size() == 1);
  FileListing l = Listing(*s, (*ev)[0], {Entry("/a.txt", 1)});
  EXPECT_EQ(l.files, 1u);
  EXPECT_EQ(Paths(Files(*s, (*ev)[0].id)), std::vector<std::string>{"/a.txt"});
}

TEST_P(FilesTest, EveryFieldIsStoredAndReadBack) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "F1");
  Evidence e = NewEvidence(*s, c);
  std::unique_ptr<FileWriter> w = BeginListing(*s, e);
  ASSERT_TRUE(w);
  EXPECT_GT(w->listing().id, 0);
  EXPECT_FALSE(w->listing().uuid.empty());
  EXPECT_EQ(w->listing().status, "running");
  EXPECT_FALSE(w->listing().started.empty());

  FileIn a = Entry("/Users/ä/Documents/report 2026.doc", 1);
  a.file.fs = "fat16@1048576";
  a.file.size = 5'000'000'000ull;  // past 32 bits
  a.file.address = 123'456'789'012ull;
  a.file.deleted = true;
  a.file.modified = 1'772'600'768'000'000;
  a.file.accessed = -86'400'000'000;  // before 1970
  a.file.changed = 0;                 // the epoch itself, not "no time"
  a.file.created = 1'772'600'000'123'456;
  a.file.mime = "application/msword";
  a.file.ssdeep = "96:abcDEF+/x:abc";
  a.file.tlsh = "T1A2B3C4";
  a.matches = {{"Malware 2026", "alert", "malware"}, {"NSRL", "known", "Windows 11"}};
  a.yara = {Yara("MZ_dropper"), Yara("Second")};
  a.yara[1].tags.clear();
  a.yara[1].ns = "";
  FileIn dir;
  dir.file.fs = "fat16@1048576";
  dir.file.path = "/Users";
  dir.file.type = "dir";
  dir.file.address = 2;
  FileIn unreadable = Entry("/pagefile.sys", 3);
  unreadable.file.md5 = unreadable.file.sha1 = unreadable.file.sha256 = unreadable.file.mime = "";
  unreadable.file.error = "read error at 4096: Input/output error";
  ASSERT_TRUE(w->Add(std::vector<FileIn>{a, dir}).ok());
  ASSERT_TRUE(w->Add(std::vector<FileIn>{unreadable}).ok());
  YaraMatchRecord free_space = Yara("Unallocated_PE");
  ASSERT_TRUE(w->AddUnallocatedYara(1'048'576, free_space).ok());
  Result<FileListing> done = w->Finish("complete", "", R"({"partitions":1})");
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->status, "complete");
  EXPECT_EQ(done->files, 3u);
  EXPECT_EQ(done->alerts, 1u);
  EXPECT_EQ(done->yara_matches, 3u);
  EXPECT_EQ(done->report, R"({"partitions":1})");
  EXPECT_FALSE(done->finished.empty());
  EXPECT_EQ(w->Add(std::vector<FileIn>{dir}).code(), Code::kInvalidArgument);  // finished
  EXPECT_EQ(w->Finish("complete").status().code(), Code::kInvalidArgument);

  Result<std::vector<FileListing>> listings = s->ListFileListings(c.id);
  ASSERT_TRUE(listings.ok());
  ASSERT_EQ(listings->size(), 1u);
  const FileListing& l = (*listings)[0];
  EXPECT_EQ(l.id, done->id);
  EXPECT_EQ(l.uuid, done->uuid);
  EXPECT_EQ(l.case_id, c.id);
  EXPECT_EQ(l.evidence_id, e.id);
  EXPECT_EQ(l.status, "complete");
  EXPECT_EQ(l.parameters, R"({"hash":true})");
  EXPECT_EQ(l.report, R"({"partitions":1})");
  EXPECT_EQ(l.started, done->started);
  EXPECT_EQ(l.finished, done->finished);
  EXPECT_EQ(l.files, 3u);
  EXPECT_EQ(l.alerts, 1u);
  EXPECT_EQ(l.yara_matches, 3u);
  EXPECT_EQ(l.error, "");
  EXPECT_TRUE(s->ListFileListings(c.id + 1)->empty());

  std::vector<FileIn> got = Files(*s, e.id);
  ASSERT_EQ(got.size(), 3u);
  ExpectSameFile(a.file, got[0].file);
  ExpectSameFile(dir.file, got[1].file);
  ExpectSameFile(unreadable.file, got[2].file);
  EXPECT_FALSE(got[1].file.modified.has_value());
  EXPECT_FALSE(got[1].file.created.has_value());
  EXPECT_EQ(got[0].file.changed, std::optional<int64_t>(0));
  for (const FileIn& f : got) EXPECT_EQ(f.file.evidence_id, e.id);
  EXPECT_GT(got[0].file.id, 0);
  EXPECT_LT(got[0].file.id, got[1].file.id);
  EXPECT_LT(got[1].file.id, got[2].file.id);
  ASSERT_EQ(got[0].matches.size(), 2u);
  EXPECT_EQ(got[0].matches[0].set, "Malware 2026");
  EXPECT_EQ(got[0].matches[0].category, "alert");
  EXPECT_EQ(got[0].matches[0].label, "malware");
  EXPECT_EQ(got[0].matches[1].set, "NSRL");
  EXPECT_EQ(got[0].matches[1].category, "known");
  EXPECT_EQ(got[0].matches[1].label, "Windows 11");
  ASSERT_EQ(got[0].yara.size(), 2u);
  ExpectSameYara(a.yara[0], got[0].yara[0]);
  ExpectSameYara(a.yara[1], got[0].yara[1]);
  EXPECT_TRUE(got[1].matches.empty() && got[1].yara.empty());
  EXPECT_TRUE(got[2].matches.empty() && got[2].yara.empty());

  // Without matches, the same files and none of their matches.
  std::vector<FileIn> bare = Files(*s, e.id, /*with_matches=*/false);
  ASSERT_EQ(bare.size(), 3u);
  EXPECT_EQ(bare[0].file.id, got[0].file.id);
  EXPECT_TRUE(bare[0].matches.empty());
  EXPECT_TRUE(bare[0].yara.empty());
  // `each` stops the walk.
  int seen = 0;
  ASSERT_TRUE(s->ForEachFile(e.id, true, [&](const FileIn&) { return ++seen < 2; }).ok());
  EXPECT_EQ(seen, 2);
  // Evidence never listed: nothing, not an error.
  EXPECT_TRUE(Files(*s, NewEvidence(*s, c, "Phone").id).empty());

  // The unallocated match is an alert (the only place it is read back).
  Result<std::vector<FileAlert>> alerts = s->ListFileAlerts(c.id);
  ASSERT_TRUE(alerts.ok()) << alerts.status().message();
  ASSERT_EQ(alerts->size(), 4u);  // one hash-set alert, three YARA matches
  const FileAlert& unalloc = (*alerts)[3];
  EXPECT_EQ(unalloc.kind, "yara");
  EXPECT_FALSE(unalloc.file.has_value());
  EXPECT_EQ(unalloc.offset, 1'048'576u);
  ExpectSameYara(free_space, unalloc.yara);
}

TEST_P(FilesTest, FinishRefusesAnUnknownStatusAndKeepsTheError) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "F2");
  std::unique_ptr<FileWriter> w = BeginListing(*s, NewEvidence(*s, c));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->Finish("superseded").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(w->Finish("running").status().code(), Code::kInvalidArgument);
  ASSERT_TRUE(w->Finish("failed", "no filesystem found").ok());
  Result<std::vector<FileListing>> l = s->ListFileListings(c.id);
  ASSERT_TRUE(l.ok() && l->size() == 1);
  EXPECT_EQ((*l)[0].status, "failed");
  EXPECT_EQ((*l)[0].error, "no filesystem found");
  EXPECT_EQ((*l)[0].report, "{}");
  // A listing needs its evidence, in its case.
  FileListing bad;
  bad.case_id = c.id;
  bad.evidence_id = 999;
  EXPECT_EQ(s->BeginFiles(bad).status().code(), Code::kNotFound);
  Case other = NewCase(*s, "F2b");
  bad.case_id = other.id;
  bad.evidence_id = (*l)[0].evidence_id;
  EXPECT_EQ(s->BeginFiles(bad).status().code(), Code::kInvalidArgument);
}

TEST_P(FilesTest, ANewListingSupersedesTheEarlierOneAndRemovesItsFilesAndMatches) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "F3");
  Evidence e1 = NewEvidence(*s, c), e2 = NewEvidence(*s, c, "USB stick");
  FileIn old = Entry("/old.exe", 1);
  old.matches = {{"Malware", "alert", "malware"}, {"NSRL", "known", "x"}};
  old.yara = {Yara("Old_rule")};
  FileListing first =
      Listing(*s, e1, {old, Entry("/old2.txt", 2)}, {{4096, Yara("Old_unallocated")}});
  FileIn other = Entry("/other.exe", 9);
  other.matches = {{"Malware", "alert", "malware"}};
  FileListing kept = Listing(*s, e2, {other});
  ASSERT_EQ(s->ListFileAlerts(c.id)->size(), 4u);

  FileListing second = Listing(*s, e1, {Entry("/new.txt", 3)});
  Result<std::vector<FileListing>> listings = s->ListFileListings(c.id);
  ASSERT_TRUE(listings.ok());
  ASSERT_EQ(listings->size(), 3u);
  EXPECT_EQ((*listings)[0].id, first.id);
  EXPECT_EQ((*listings)[0].status, "superseded");
  EXPECT_EQ((*listings)[1].id, kept.id);
  EXPECT_EQ((*listings)[1].status, "complete");  // another evidence's listing is untouched
  EXPECT_EQ((*listings)[2].id, second.id);
  EXPECT_EQ((*listings)[2].status, "complete");

  EXPECT_EQ(Paths(Files(*s, e1.id)), std::vector<std::string>{"/new.txt"});
  EXPECT_EQ(Paths(Files(*s, e2.id)), std::vector<std::string>{"/other.exe"});
  EXPECT_TRUE(s->FindFilesByHash(HashOf(1, 64))->empty());
  Result<std::vector<FileAlert>> alerts = s->ListFileAlerts(c.id);
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ(alerts->front().evidence_id, e2.id);
  // The rows themselves are gone, not only hidden.
  std::string id = std::to_string(first.id);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM files WHERE listing_id = " + id), 0);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM file_matches WHERE listing_id = " + id), 0);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM yara_matches WHERE listing_id = " + id), 0);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM files"), 2);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM file_matches"), 1);
}

TEST_P(FilesTest, AnInterruptedListingKeepsWhatWasCommittedAndReadsAsInterruptedWhenStale) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "F4");
  Evidence e = NewEvidence(*s, c), f = NewEvidence(*s, c, "Phone");
  {
    std::unique_ptr<FileWriter> w = BeginListing(*s, e);
    ASSERT_TRUE(w);
    std::vector<FileIn> files;
    for (int i = 0; i < 25'000; ++i) files.push_back(Entry("/f" + std::to_string(i), i));
    files[5].matches = {{"Malware", "alert", "malware"}};
    ASSERT_TRUE(w->Add(files).ok());  // ~20,000 files at most per batch (store.h)
  }  // destroyed without Finish: as if the process had been killed
  {
    std::unique_ptr<FileWriter> w = BeginListing(*s, f);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->Add(std::vector<FileIn>{Entry("/one", 1)}).ok());
    // Batches are committed at least every ~1 s.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    ASSERT_TRUE(w->Add(std::vector<FileIn>{Entry("/two", 2)}).ok());
    ASSERT_TRUE(w->Add(std::vector<FileIn>{Entry("/lost", 3)}).ok());  // buffered, never written
  }
  Result<std::vector<FileListing>> listings = s->ListFileListings(c.id);
  ASSERT_TRUE(listings.ok());
  ASSERT_EQ(listings->size(), 2u);
  FileListing big = (*listings)[0], small = (*listings)[1];
  EXPECT_EQ(big.status, "running");
  EXPECT_GE(big.files, 20'000u);  // what was committed is kept, counted
  EXPECT_LT(big.files, 25'000u);
  EXPECT_EQ(big.alerts, 1u);
  EXPECT_EQ(Files(*s, e.id).size(), big.files);
  EXPECT_EQ(small.status, "running");
  EXPECT_EQ(small.files, 2u);
  EXPECT_EQ(Paths(Files(*s, f.id)), (std::vector<std::string>{"/one", "/two"}));

  // Two minutes without a write: read as interrupted; the row itself still says running.
  Raw("UPDATE file_listings SET updated = '2026-01-01T00:00:00.000Z' WHERE id = " +
      std::to_string(big.id));
  listings = s->ListFileListings(c.id);
  ASSERT_TRUE(listings.ok());
  EXPECT_EQ((*listings)[0].status, "interrupted");
  EXPECT_EQ((*listings)[1].status, "running");
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM file_listings WHERE status = 'running'"), 2);
  // Its files are still the evidence's current ones until it is listed again.
  EXPECT_EQ(Files(*s, e.id).size(), big.files);

  Listing(*s, e, {Entry("/again", 7)});
  EXPECT_EQ(Paths(Files(*s, e.id)), std::vector<std::string>{"/again"});
  EXPECT_EQ((*s->ListFileListings(c.id))[0].status, "superseded");
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM files"), 3);
}

TEST_P(FilesTest, AWriterWhoseListingWasSupersededStops) {
  auto s = Open();
  ASSERT_TRUE(s);
  auto t = Open(false);
  ASSERT_TRUE(t);
  Case c = NewCase(*s, "F5");
  Evidence e = NewEvidence(*s, c);
  std::unique_ptr<FileWriter> first = BeginListing(*s, e);
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->Add(std::vector<FileIn>{Entry("/first", 1)}).ok());
  FileListing second = Listing(*t, e, {Entry("/second", 2)});  // another process, same evidence
  EXPECT_EQ(second.status, "complete");
  Result<FileListing> late = first->Finish("complete");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Paths(Files(*s, e.id)), std::vector<std::string>{"/second"});
  EXPECT_EQ((*s->ListFileListings(c.id))[0].status, "superseded");
}

TEST_P(FilesTest, FileWritesAreRefusedInsideAStoreTransaction) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "F6");
  std::unique_ptr<FileWriter> w;
  ASSERT_TRUE(s->Transaction([&]() -> Status {
                 FileListing l;
                 l.case_id = c.id;
                 l.evidence_id = NewEvidence(*s, c).id;
                 Result<std::unique_ptr<FileWriter>> r = s->BeginFiles(l);
                 if (!r.ok()) return r.status();
                 w = std::move(r).value();
                 return Status::Ok();
               }).ok());
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Add(std::vector<FileIn>{Entry("/in", 1)}).ok());  // buffered
  Status inside = s->Transaction([&] { return w->Finish("complete").status(); });
  EXPECT_EQ(inside.code(), Code::kInvalidArgument);
  Result<FileListing> done = w->Finish("complete");
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->files, 1u);
  EXPECT_EQ(Files(*s, w->listing().evidence_id).size(), 1u);
}

TEST_P(FilesTest, FuzzyFilesOfOneCaseOrAllWithWhereTheyAre) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case a = NewCase(*s, "FA"), b = NewCase(*s, "FB");
  Evidence a1 = NewEvidence(*s, a, "Laptop"), a2 = NewEvidence(*s, a, "Phone");
  Evidence b1 = NewEvidence(*s, b, "Server");
  FileIn ssdeep = Entry("/ssdeep", 1), tlsh = Entry("/tlsh", 2), neither = Entry("/plain", 3);
  ssdeep.file.ssdeep = "48:abc:def";
  tlsh.file.tlsh = "T1ABCDEF";
  FileIn both = Entry("/both", 4), other = Entry("/other", 5);
  both.file.ssdeep = "96:xyz:uvw";
  both.file.tlsh = "T1FEDCBA";
  other.file.ssdeep = "3:a:b";
  // Listed in an order that differs from the case / evidence order.
  Listing(*s, b1, {other});
  Listing(*s, a2, {both, neither});
  Listing(*s, a1, {neither, ssdeep, tlsh});
  // A superseded listing's fuzzy files are gone with it.
  FileIn stale = Entry("/stale", 6);
  stale.file.ssdeep = "3:s:t";
  Evidence a3 = NewEvidence(*s, a, "Tablet");
  Listing(*s, a3, {stale});
  Listing(*s, a3, {neither});

  struct Seen {
    std::string path;
    Sighting where;
  };
  auto fuzzy = [&](int64_t case_id) {
    std::vector<Seen> out;
    Status st = s->ForEachFuzzyFile(case_id, [&](const StoredFile& f, const Sighting& g) {
      out.push_back({f.path, g});
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  };
  std::vector<Seen> in_a = fuzzy(a.id);
  ASSERT_EQ(in_a.size(), 3u);
  EXPECT_EQ(in_a[0].path, "/ssdeep");
  EXPECT_EQ(in_a[1].path, "/tlsh");
  EXPECT_EQ(in_a[2].path, "/both");
  EXPECT_EQ(in_a[0].where.case_id, a.id);
  EXPECT_EQ(in_a[0].where.case_number, "FA");
  EXPECT_EQ(in_a[0].where.evidence_id, a1.id);
  EXPECT_EQ(in_a[0].where.evidence_name, "E1");
  EXPECT_EQ(in_a[0].where.evidence_label, "Laptop");
  EXPECT_EQ(in_a[0].where.occurrences, 0u);
  EXPECT_EQ(in_a[2].where.evidence_name, "E2");
  EXPECT_EQ(in_a[2].where.evidence_label, "Phone");

  std::vector<Seen> all = fuzzy(0);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[3].path, "/other");
  EXPECT_EQ(all[3].where.case_number, "FB");
  EXPECT_EQ(all[3].where.evidence_label, "Server");
  EXPECT_EQ(fuzzy(b.id).size(), 1u);
  int calls = 0;
  ASSERT_TRUE(
      s->ForEachFuzzyFile(0, [&](const StoredFile&, const Sighting&) { return ++calls < 2; }).ok());
  EXPECT_EQ(calls, 2);
}

TEST_P(FilesTest, FindFilesByHashByLengthInEveryCase) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case a = NewCase(*s, "HA"), b = NewCase(*s, "HB");
  Evidence a1 = NewEvidence(*s, a), b1 = NewEvidence(*s, b, "USB");
  FileIn x = Entry("/x.exe", 1), y = Entry("/copy/x.exe", 2), dir = Entry("/dir", 3);
  y.file.sha256 = x.file.sha256;  // the same content elsewhere
  y.file.md5 = "0123456789abcdef0123456789abcdef";
  dir.file.type = "dir";
  dir.file.md5 = dir.file.sha1 = dir.file.sha256 = "";
  Listing(*s, b1, {y});
  Listing(*s, a1, {x, dir});

  auto find = [&](const std::string& hash) {
    std::vector<std::pair<std::string, std::string>> out;  // path, case number
    Result<std::vector<std::pair<StoredFile, Sighting>>> r = s->FindFilesByHash(hash);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (r.ok())
      for (const auto& [f, g] : *r) out.emplace_back(f.path, g.case_number);
    return out;
  };
  using Found = std::vector<std::pair<std::string, std::string>>;
  // SHA-256 (64): both cases, by case id.
  EXPECT_EQ(find(x.file.sha256), (Found{{"/x.exe", "HA"}, {"/copy/x.exe", "HB"}}));
  // MD5 (32) and SHA-1 (40).
  EXPECT_EQ(find(x.file.md5), (Found{{"/x.exe", "HA"}}));
  EXPECT_EQ(find(y.file.md5), (Found{{"/copy/x.exe", "HB"}}));
  EXPECT_EQ(find(y.file.sha1), (Found{{"/copy/x.exe", "HB"}}));
  // Upper case is the same hash.
  std::string upper = y.file.md5;
  for (char& ch : upper) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(find(upper), (Found{{"/copy/x.exe", "HB"}}));
  // A prefix is no match.
  EXPECT_TRUE(find(x.file.md5.substr(0, 31)).empty());
  // Lengths that are no hash, and no hash at all, find nothing without an error.
  EXPECT_TRUE(find("").empty());
  EXPECT_TRUE(find("abc").empty());
  EXPECT_TRUE(find(std::string(33, 'a')).empty());
  EXPECT_TRUE(find(std::string(64, 'f')).empty());
  // Where it is, in full.
  Result<std::vector<std::pair<StoredFile, Sighting>>> r = s->FindFilesByHash(x.file.sha1);
  ASSERT_TRUE(r.ok() && r->size() == 1);
  ExpectSameFile(x.file, (*r)[0].first);
  EXPECT_EQ((*r)[0].first.evidence_id, a1.id);
  EXPECT_EQ((*r)[0].second.case_id, a.id);
  EXPECT_EQ((*r)[0].second.evidence_id, a1.id);
  EXPECT_EQ((*r)[0].second.evidence_name, "E1");
  EXPECT_EQ((*r)[0].second.evidence_label, "Laptop HDD");
}

TEST_P(FilesTest, FileAlertsOfEveryKindByCaseEvidenceAndFile) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case a = NewCase(*s, "AL1"), b = NewCase(*s, "AL2");
  Evidence a1 = NewEvidence(*s, a, "Laptop"), a2 = NewEvidence(*s, a, "Phone");
  Evidence b1 = NewEvidence(*s, b, "Server");
  FileIn bad = Entry("/bad.exe", 1), known = Entry("/notepad.exe", 2);
  FileIn yara = Entry("/dropper.dll", 3), listed = Entry("/listed.bin", 4);
  bad.matches = {{"Malware 2026", "alert", "malware"}};
  known.matches = {{"NSRL", "known", "Windows 11"}};  // known good: no alert
  yara.yara = {Yara("Dropper")};
  FileIn phone = Entry("/DCIM/x.jpg", 5);
  phone.matches = {{"CAM", "alert", "child abuse material"}, {"NSRL", "known", "x"}};
  FileIn server = Entry("/srv/bad.exe", 6);
  server.matches = {{"Malware 2026", "alert", "malware"}};
  // Listed with an unallocated match, and the phone before the laptop.
  FileListing lp = Listing(*s, a2, {phone});
  FileListing ll = Listing(*s, a1, {listed, yara, known, bad}, {{65536, Yara("Free_space")}});
  Listing(*s, b1, {server});
  EXPECT_EQ(ll.alerts, 1u);
  EXPECT_EQ(ll.yara_matches, 2u);
  EXPECT_EQ(lp.alerts, 1u);

  // No watchlist yet: hash-set and YARA alerts only.
  Result<std::vector<FileAlert>> before = s->ListFileAlerts(a.id);
  ASSERT_TRUE(before.ok()) << before.status().message();
  EXPECT_EQ(before->size(), 4u);

  // A watchlist imported after the listing: matched when alerts are read. Values as normalized
  // (lower-case hex); other kinds of indicator never match a file.
  std::vector<Indicator> inds{
      {"md5", listed.file.md5, listed.file.md5, "md5", "dropper hash", "1"},
      {"sha256", phone.file.sha256, phone.file.sha256, "sha256", "", "2"},
      {"sha1", HashOf(99, 40), HashOf(99, 40), "sha1", "nowhere", "3"},
      {"email", listed.file.md5, listed.file.md5, "email", "", "4"},
  };
  Result<Watchlist> wl =
      s->AddWatchlist({0, "", "Europol hashes", "Europol", "csv", "", "", "", 0}, inds);
  ASSERT_TRUE(wl.ok()) << wl.status().message();

  Result<std::vector<FileAlert>> alerts = s->ListFileAlerts(a.id);
  ASSERT_TRUE(alerts.ok()) << alerts.status().message();
  std::vector<std::string> got;
  for (const FileAlert& x : *alerts)
    got.push_back(x.evidence_name + " " + x.kind + " " + (x.file ? x.file->path : "-"));
  EXPECT_EQ(got, (std::vector<std::string>{
                     "E1 hashset /bad.exe",
                     "E1 yara /dropper.dll",
                     "E1 yara -",
                     "E1 watchlist /listed.bin",
                     "E2 hashset /DCIM/x.jpg",
                     "E2 watchlist /DCIM/x.jpg",
                 }));
  ASSERT_EQ(alerts->size(), 6u);
  const FileAlert& h = (*alerts)[0];
  EXPECT_EQ(h.case_id, a.id);
  EXPECT_EQ(h.case_number, "AL1");
  EXPECT_EQ(h.evidence_id, a1.id);
  EXPECT_EQ(h.evidence_label, "Laptop");
  ExpectSameFile(bad.file, *h.file);
  EXPECT_EQ(h.set.set, "Malware 2026");
  EXPECT_EQ(h.set.category, "alert");
  EXPECT_EQ(h.set.label, "malware");
  const FileAlert& y = (*alerts)[1];
  ExpectSameYara(yara.yara[0], y.yara);
  EXPECT_EQ(y.offset, 0u);
  const FileAlert& u = (*alerts)[2];
  EXPECT_FALSE(u.file.has_value());
  EXPECT_EQ(u.offset, 65536u);
  EXPECT_EQ(u.yara.rule, "Free_space");
  EXPECT_EQ(u.evidence_id, a1.id);
  const FileAlert& w = (*alerts)[3];
  EXPECT_EQ(w.watchlist, "Europol hashes");
  EXPECT_EQ(w.indicator.kind, "md5");
  EXPECT_EQ(w.indicator.value, listed.file.md5);
  EXPECT_EQ(w.indicator.comment, "dropper hash");
  EXPECT_EQ(w.indicator.reference, "1");
  ExpectSameFile(listed.file, *w.file);
  EXPECT_EQ((*alerts)[4].set.label, "child abuse material");
  EXPECT_EQ((*alerts)[5].indicator.kind, "sha256");
  EXPECT_EQ((*alerts)[5].evidence_label, "Phone");

  // Every case: the other case's alert after.
  Result<std::vector<FileAlert>> everywhere = s->ListFileAlerts(0);
  ASSERT_TRUE(everywhere.ok());
  ASSERT_EQ(everywhere->size(), 7u);
  EXPECT_EQ(everywhere->back().case_number, "AL2");
  EXPECT_EQ(everywhere->back().file->path, "/srv/bad.exe");
  EXPECT_EQ(s->ListFileAlerts(b.id)->size(), 1u);

  // The watchlist removed, its alerts go with it.
  ASSERT_TRUE(s->RemoveWatchlist(wl->id).ok());
  EXPECT_EQ(s->ListFileAlerts(a.id)->size(), 4u);
  // Listed again without the bad files: the laptop's alerts go.
  Listing(*s, a1, {known});
  Result<std::vector<FileAlert>> after = s->ListFileAlerts(a.id);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().evidence_name, "E2");
}

INSTANTIATE_TEST_SUITE_P(Backends, FilesTest, ::testing::ValuesIn(TestBackends()),
                         [](const auto& info) { return info.param; });

// ---- Schema 5: the 24/7 directory and cooperation requests ----

class CoopTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    s_ = Open();
    ASSERT_TRUE(s_);
    case_ = NewCase(*s_, "CCU/7");
  }
  static DirectoryRecord Entry(const std::string& key, const std::string& country,
                               const std::string& doc) {
    return DirectoryRecord{0, key, country, doc, ""};
  }
  CoopRequest Draft(const std::string& reference, int version = 1) {
    CoopRequest r;
    r.case_id = case_.id;
    r.reference = reference;
    r.version = version;
    r.type = "preservation";
    r.state = "draft";
    r.doc = R"({"reference":")" + reference + R"(","v":)" + std::to_string(version) + "}";
    r.due = "2026-03-01T00:00:00Z";
    return r;
  }
  static CoopEvent Event(const std::string& state, const std::string& note) {
    CoopEvent e;
    e.actor = "Insp. A. Perera (aperera)";
    e.state = state;
    e.note = note;
    return e;
  }
  CoopRequest Add(const CoopRequest& r) {
    Result<CoopRequest> added = s_->AddCoopRequest(r, Event("draft", "drafted"));
    EXPECT_TRUE(added.ok()) << added.status().message();
    return added.ok() ? *added : CoopRequest{};
  }
  CoopRequest Get(int64_t id) {
    Result<std::optional<CoopRequest>> r = s_->GetCoopRequest(id);
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? **r : CoopRequest{};
  }
  std::vector<std::string> EventStates(int64_t id) {
    Result<std::vector<CoopEvent>> events = s_->ListCoopEvents(id);
    EXPECT_TRUE(events.ok()) << events.status().message();
    std::vector<std::string> out;
    if (events.ok())
      for (const CoopEvent& e : *events) out.push_back(e.state);
    return out;
  }
  static std::vector<std::string> Keys(const Result<std::vector<DirectoryRecord>>& r) {
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::string> out;
    if (r.ok())
      for (const DirectoryRecord& d : *r) out.push_back(d.key);
    return out;
  }

  std::unique_ptr<Store> s_;
  Case case_;
};

TEST_P(CoopTest, DirectoryEntriesAreStoredReplacedByKeyListedAndDeleted) {
  DirectoryRecord fr = Entry("FR-OFAC", "FR", R"({"name":"OFAC"})");
  fr.updated = "2026-01-02T03:04:05Z";
  ASSERT_TRUE(s_->PutDirectoryEntries({Entry("LK-CID-247", "LK", R"({"name":"CID"})"), fr,
                                       Entry("LK-CCU", "LK", R"({"name":"CCU"})")})
                  .ok());
  Result<std::optional<DirectoryRecord>> got = s_->GetDirectoryEntry("FR-OFAC");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_NE((*got)->id, 0);
  EXPECT_EQ((*got)->key, "FR-OFAC");
  EXPECT_EQ((*got)->country, "FR");
  EXPECT_EQ((*got)->doc, R"({"name":"OFAC"})");
  EXPECT_EQ((*got)->updated, "2026-01-02T03:04:05Z");  // given: kept
  got = s_->GetDirectoryEntry("LK-CCU");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_FALSE((*got)->updated.empty());  // not given: when stored
  const int64_t ccu_id = (*got)->id;

  // Replaced by its key: same row, every field new.
  DirectoryRecord moved = Entry("LK-CCU", "MV", R"({"name":"CCU Male"})");
  moved.updated = "2026-02-01T00:00:00Z";
  ASSERT_TRUE(s_->PutDirectoryEntries({moved}).ok());
  got = s_->GetDirectoryEntry("LK-CCU");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->id, ccu_id);
  EXPECT_EQ((*got)->country, "MV");
  EXPECT_EQ((*got)->doc, R"({"name":"CCU Male"})");
  EXPECT_EQ((*got)->updated, "2026-02-01T00:00:00Z");
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM directory_entries"), 3);

  EXPECT_EQ(Keys(s_->ListDirectory("")),
            (std::vector<std::string>{"FR-OFAC", "LK-CCU", "LK-CID-247"}));
  EXPECT_EQ(Keys(s_->ListDirectory("LK")), std::vector<std::string>{"LK-CID-247"});
  EXPECT_EQ(Keys(s_->ListDirectory("MV")), std::vector<std::string>{"LK-CCU"});
  EXPECT_TRUE(Keys(s_->ListDirectory("DE")).empty());

  ASSERT_TRUE(s_->DeleteDirectoryEntry("FR-OFAC").ok());
  got = s_->GetDirectoryEntry("FR-OFAC");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  EXPECT_EQ(s_->DeleteDirectoryEntry("FR-OFAC").code(), Code::kNotFound);
  EXPECT_EQ(Keys(s_->ListDirectory("")), (std::vector<std::string>{"LK-CCU", "LK-CID-247"}));
}

TEST_P(CoopTest, PutDirectoryEntriesStoresAllOrNone) {
  ASSERT_TRUE(s_->PutDirectoryEntries({Entry("LK-CCU", "LK", "{\"v\":1}")}).ok());
  // The second entry is refused (an empty key): neither the new first nor the replacement is kept.
  Status st = s_->PutDirectoryEntries(
      {Entry("FR-OFAC", "FR", "{}"), Entry("LK-CCU", "LK", "{\"v\":2}"), Entry("", "DE", "{}")});
  EXPECT_EQ(st.code(), Code::kInvalidArgument) << st.message();
  Result<std::optional<DirectoryRecord>> got = s_->GetDirectoryEntry("FR-OFAC");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  got = s_->GetDirectoryEntry("LK-CCU");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->doc, "{\"v\":1}");
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM directory_entries"), 1);

  // Inside a caller's transaction that goes on after the refusal: still none of them, and the
  // caller's other writes commit.
  st = s_->Transaction([&]() -> Status {
    EXPECT_FALSE(
        s_->PutDirectoryEntries({Entry("FR-OFAC", "FR", "{}"), Entry("", "DE", "{}")}).ok());
    return s_->PutDirectoryEntries({Entry("SG-IGCI", "SG", "{}")});
  });
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(Keys(s_->ListDirectory("")), (std::vector<std::string>{"LK-CCU", "SG-IGCI"}));
}

TEST_P(CoopTest, ARequestRoundTripsEveryFieldAndItsHistory) {
  CoopRequest first = Add(Draft("LK-CCU-2026-0007"));
  ASSERT_NE(first.id, 0);
  CoopRequest r = Draft("LK-CCU-2026-0007", 2);
  r.uuid = "0b0c6a1e-5f4e-4c3b-9a2d-1e0f9d8c7b6a";
  r.supersedes = first.id;
  r.follows = first.id;
  r.type = "mla";
  r.signature = "";
  CoopEvent created = Event("draft", "version 2: the account added");
  created.time = "2026-02-10T08:00:00Z";
  Result<CoopRequest> added = s_->AddCoopRequest(r, created);
  ASSERT_TRUE(added.ok()) << added.status().message();
  EXPECT_NE(added->id, first.id);
  EXPECT_FALSE(added->created.empty());
  EXPECT_EQ(added->updated, added->created);

  CoopRequest got = Get(added->id);
  EXPECT_EQ(got.id, added->id);
  EXPECT_EQ(got.uuid, "0b0c6a1e-5f4e-4c3b-9a2d-1e0f9d8c7b6a");
  EXPECT_EQ(got.case_id, case_.id);
  EXPECT_EQ(got.reference, "LK-CCU-2026-0007");
  EXPECT_EQ(got.version, 2);
  EXPECT_EQ(got.supersedes, first.id);
  EXPECT_EQ(got.follows, first.id);
  EXPECT_EQ(got.type, "mla");
  EXPECT_EQ(got.state, "draft");
  EXPECT_EQ(got.doc, R"({"reference":"LK-CCU-2026-0007","v":2})");
  EXPECT_EQ(got.due, "2026-03-01T00:00:00Z");
  EXPECT_EQ(got.signature, "");
  EXPECT_EQ(got.created, added->created);
  EXPECT_EQ(got.updated, added->updated);
  // The first version: a filled uuid, no supersedes or follows (0, stored as none).
  CoopRequest one = Get(first.id);
  EXPECT_EQ(one.uuid.size(), 36u);
  EXPECT_NE(one.uuid, got.uuid);
  EXPECT_EQ(one.supersedes, 0);
  EXPECT_EQ(one.follows, 0);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM coop_requests WHERE supersedes IS NULL"), 1);

  // Finalized with a signature and a new clock, then sent: the signature stays.
  ASSERT_TRUE(s_->SetCoopState(got.id, "draft", Event("finalized", "signed"),
                               "2026-03-05T00:00:00Z", "abcdef0123")
                  .ok());
  CoopEvent sent = Event("sent", "sent by e-mail to ofac@example.fr");
  sent.actor = "Sgt. B. Silva (bsilva)";
  ASSERT_TRUE(s_->SetCoopState(got.id, "finalized", sent, "2026-04-05T00:00:00Z", "").ok());
  got = Get(got.id);
  EXPECT_EQ(got.state, "sent");
  EXPECT_EQ(got.due, "2026-04-05T00:00:00Z");
  EXPECT_EQ(got.signature, "abcdef0123");
  EXPECT_EQ(got.doc, R"({"reference":"LK-CCU-2026-0007","v":2})");
  EXPECT_GE(got.updated, got.created);

  Result<std::vector<CoopEvent>> events = s_->ListCoopEvents(got.id);
  ASSERT_TRUE(events.ok()) << events.status().message();
  ASSERT_EQ(events->size(), 3u);
  for (size_t i = 0; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i].request_id, got.id);
    EXPECT_EQ((*events)[i].seq, int64_t(i + 1));
    EXPECT_FALSE((*events)[i].time.empty());
  }
  EXPECT_EQ((*events)[0].time, "2026-02-10T08:00:00Z");
  EXPECT_EQ((*events)[0].state, "draft");
  EXPECT_EQ((*events)[0].note, "version 2: the account added");
  EXPECT_EQ((*events)[1].state, "finalized");
  EXPECT_EQ((*events)[1].actor, "Insp. A. Perera (aperera)");
  EXPECT_EQ((*events)[1].note, "signed");
  EXPECT_EQ((*events)[2].state, "sent");
  EXPECT_EQ((*events)[2].actor, "Sgt. B. Silva (bsilva)");
  EXPECT_EQ((*events)[2].note, "sent by e-mail to ofac@example.fr");
  // The first version's history is its own.
  EXPECT_EQ(EventStates(first.id), std::vector<std::string>{"draft"});
}

TEST_P(CoopTest, AddRefusesADuplicateANonDraftAndAnUnknownCase) {
  CoopRequest first = Add(Draft("LK-CCU-2026-0007"));
  Result<CoopRequest> dup = s_->AddCoopRequest(Draft("LK-CCU-2026-0007"), Event("draft", ""));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), Code::kInvalidArgument);
  EXPECT_NE(dup.status().message().find("already exists"), std::string::npos)
      << dup.status().message();

  CoopRequest finalized = Draft("LK-CCU-2026-0008");
  finalized.state = "finalized";
  EXPECT_EQ(s_->AddCoopRequest(finalized, Event("draft", "")).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(s_->AddCoopRequest(Draft("LK-CCU-2026-0008"), Event("sent", "")).status().code(),
            Code::kInvalidArgument);

  CoopRequest elsewhere = Draft("LK-CCU-2026-0009");
  elsewhere.case_id = case_.id + 100;
  EXPECT_EQ(s_->AddCoopRequest(elsewhere, Event("draft", "")).status().code(), Code::kNotFound);

  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM coop_requests"), 1);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM coop_events"), 1);
  // The same reference in another version, and another case's requests.
  Case other = NewCase(*s_, "CCU/8");
  CoopRequest v2 = Add(Draft("LK-CCU-2026-0007", 2));
  CoopRequest theirs = Draft("LK-CCU-2026-0010");
  theirs.case_id = other.id;
  theirs = Add(theirs);
  auto ids = [](const Result<std::vector<CoopRequest>>& r) {
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<int64_t> out;
    if (r.ok())
      for (const CoopRequest& c : *r) out.push_back(c.id);
    return out;
  };
  EXPECT_EQ(ids(s_->ListCoopRequests(case_.id)), (std::vector<int64_t>{first.id, v2.id}));
  EXPECT_EQ(ids(s_->ListCoopRequests(other.id)), std::vector<int64_t>{theirs.id});
  EXPECT_EQ(ids(s_->ListCoopRequests(0)), (std::vector<int64_t>{first.id, v2.id, theirs.id}));
  EXPECT_EQ(s_->ListCoopRequests(other.id + 100).status().code(), Code::kNotFound);
  Result<std::optional<CoopRequest>> none = s_->GetCoopRequest(theirs.id + 100);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(s_->ListCoopEvents(theirs.id + 100).status().code(), Code::kNotFound);
}

TEST_P(CoopTest, OnlyADraftsDocumentChanges) {
  CoopRequest r = Add(Draft("LK-CCU-2026-0007"));
  ASSERT_TRUE(s_->UpdateCoopDraft(r.id, R"({"v":"edited"})", "2026-03-09T00:00:00Z").ok());
  CoopRequest got = Get(r.id);
  EXPECT_EQ(got.doc, R"({"v":"edited"})");
  EXPECT_EQ(got.due, "2026-03-09T00:00:00Z");
  EXPECT_EQ(got.state, "draft");

  ASSERT_TRUE(s_->SetCoopState(r.id, "draft", Event("finalized", ""), "", "abcdef").ok());
  Status st = s_->UpdateCoopDraft(r.id, R"({"v":"tampered"})", "2027-01-01T00:00:00Z");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "request " + std::to_string(r.id) + " is finalized, not draft");
  got = Get(r.id);
  EXPECT_EQ(got.doc, R"({"v":"edited"})");
  EXPECT_EQ(got.due, "");
  EXPECT_EQ(s_->UpdateCoopDraft(r.id + 100, "{}", "").code(), Code::kNotFound);
}

TEST_P(CoopTest, AChangeOfStateIsACompareAndSet) {
  CoopRequest r = Add(Draft("LK-CCU-2026-0007"));
  Status st = s_->SetCoopState(r.id, "finalized", Event("sent", "too early"), "", "");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "request " + std::to_string(r.id) + " is draft, not finalized");
  EXPECT_EQ(Get(r.id).state, "draft");
  EXPECT_EQ(EventStates(r.id), std::vector<std::string>{"draft"});  // nothing appended
  EXPECT_EQ(s_->SetCoopState(r.id + 100, "draft", Event("finalized", ""), "", "").code(),
            Code::kNotFound);

  // Two changes in a caller's transaction that fails: neither stays.
  st = s_->Transaction([&]() -> Status {
    EXPECT_TRUE(s_->SetCoopState(r.id, "draft", Event("finalized", ""), "", "ab").ok());
    EXPECT_TRUE(s_->SetCoopState(r.id, "finalized", Event("sent", ""), "", "").ok());
    return IoError("simulated failure");
  });
  EXPECT_EQ(st.code(), Code::kIoError);
  EXPECT_EQ(Get(r.id).state, "draft");
  EXPECT_EQ(Get(r.id).signature, "");
  EXPECT_EQ(EventStates(r.id), std::vector<std::string>{"draft"});

  // A refused change inside a caller's transaction leaves it usable: the others commit.
  st = s_->Transaction([&]() -> Status {
    EXPECT_EQ(s_->SetCoopState(r.id, "sent", Event("answered", ""), "", "").code(),
              Code::kInvalidArgument);
    EVIDEX_RETURN_IF_ERROR(s_->SetCoopState(r.id, "draft", Event("finalized", ""), "", "ab"));
    return s_->SetCoopState(r.id, "finalized", Event("sent", ""), "", "");
  });
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(Get(r.id).state, "sent");
  EXPECT_EQ(EventStates(r.id), (std::vector<std::string>{"draft", "finalized", "sent"}));
}

TEST_P(CoopTest, TheDatabaseRefusesToChangeAFinalizedRequestOrDeleteHistory) {
  CoopRequest r = Add(Draft("LK-CCU-2026-0007"));
  const std::string id = std::to_string(r.id);
  // A draft may be edited by hand; its state too.
  EXPECT_EQ(loc_->Raw("UPDATE coop_requests SET doc = '{\"hand\":1}' WHERE id = " + id), "");
  ASSERT_TRUE(s_->SetCoopState(r.id, "draft", Event("finalized", ""), "", "abcdef").ok());
  for (const char* change : {"doc = 'tampered'", "type = 'emergency'", "reference = 'X'",
                             "version = 9", "case_id = case_id + 0, doc = doc || ' '"}) {
    std::string err =
        loc_->Raw(std::string("UPDATE coop_requests SET ") + change + " WHERE id = " + id);
    EXPECT_NE(err.find("a finalized cooperation request is never changed"), std::string::npos)
        << change << ": " << err;
  }
  EXPECT_EQ(Get(r.id).doc, "{\"hand\":1}");
  EXPECT_EQ(Get(r.id).reference, "LK-CCU-2026-0007");
  // What is not the document may change (the clock, the state).
  EXPECT_EQ(loc_->Raw("UPDATE coop_requests SET due = 'x', state = 'expired' WHERE id = " + id),
            "");
  // Nothing is deleted, no event changed.
  EXPECT_NE(loc_->Raw("DELETE FROM coop_requests WHERE id = " + id), "");
  EXPECT_NE(loc_->Raw("DELETE FROM coop_events WHERE request_id = " + id), "");
  EXPECT_NE(loc_->Raw("UPDATE coop_events SET note = 'x' WHERE request_id = " + id), "");
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM coop_requests"), 1);
  EXPECT_EQ(EventStates(r.id), (std::vector<std::string>{"draft", "finalized"}));
  // Nor back to a draft, whose document could then be changed.
  EXPECT_NE(loc_->Raw("UPDATE coop_requests SET state = 'draft' WHERE id = " + id), "");
  EXPECT_EQ(s_->SetCoopState(r.id, "expired", Event("draft", "reopened"), "", "").code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Get(r.id).state, "expired");
  EXPECT_EQ(EventStates(r.id), (std::vector<std::string>{"draft", "finalized"}));
}

TEST_P(CoopTest, AVersion4StoreIsMigratedToVersion5KeepingItsRows) {
  s_.reset();
  // Back to what a v4 evidex left: no v5 tables, no version 5 row.
  for (const char* sql : {"DROP TABLE coop_events", "DROP TABLE coop_requests",
                          "DROP TABLE directory_entries",
                          "DELETE FROM schema_version WHERE version >= 5"})
    Raw(sql);
  ASSERT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), 4);
  s_ = Open(false);
  ASSERT_TRUE(s_);
  EXPECT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM schema_version"), kSchemaVersion);
  // The v4 rows are kept and the new tables work.
  Result<std::optional<Case>> old = s_->FindCase("CCU/7");
  ASSERT_TRUE(old.ok() && old->has_value());
  CoopRequest r = Add(Draft("LK-CCU-2026-0007"));
  EXPECT_EQ(Get(r.id).case_id, (*old)->id);
  EXPECT_TRUE(s_->PutDirectoryEntries({Entry("LK-CCU", "LK", "{}")}).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, CoopTest, ::testing::ValuesIn(TestBackends()),
                         [](const auto& info) { return info.param; });

TEST(StateNames, RoundTrip) {
  for (EvidenceState st : {EvidenceState::kAcquiring, EvidenceState::kComplete,
                           EvidenceState::kFailed, EvidenceState::kDisposed})
    EXPECT_EQ(ParseState(StateName(st)), st);
  EXPECT_FALSE(ParseState("done").has_value());
}

}  // namespace
}  // namespace evidex::store
