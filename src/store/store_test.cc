// The SQLite store: schema and migrations, refusals, cases, evidence, custody append and read,
// and a store locked by another connection.
#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "store/sqlite.h"

namespace evidex::store {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/evidex-store-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = (dir_ / "evidex.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Store> Open(bool create = true, int busy_ms = 5000) {
    Result<std::unique_ptr<Store>> s = OpenStore({path_, create, busy_ms});
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // Raw SQL on the file, as someone with sqlite3 would do it.
  void Raw(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }
  int64_t RawInt(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
  }
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
  vault::CustodyRecord Rec(const std::string& action) {
    vault::CustodyRecord r;
    r.actor = "Insp. Perera";
    r.unit = "Cybercrime Unit, Colombo (LK)";
    r.action = action;
    r.details = {{"why", action}};
    return r;
  }

  fs::path dir_;
  std::string path_;
  vault::SigningKey key_ = std::move(vault::SigningKey::Generate()).value();
};

TEST_F(StoreTest, NewStoreIsAtTheCurrentSchemaInWalMode) {
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

TEST_F(StoreTest, AnEmptyVersionTableIsMigratedForward) {
  // A store whose creation was interrupted before the first step committed.
  Raw("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied TEXT NOT NULL, "
      "evidex TEXT NOT NULL)");
  auto s = Open(false);
  ASSERT_TRUE(s);
  EXPECT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(RawInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'custody_head'"), 1);
}

TEST_F(StoreTest, NewerSchemaIsRefusedAndLeftUntouched) {
  ASSERT_TRUE(Open());
  Raw("INSERT INTO schema_version VALUES (2, 'x', '9.0'), (3, 'y', '9.1')");
  Result<std::unique_ptr<Store>> s = OpenStore({path_, false, 5000});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kUnsupported);
  EXPECT_EQ(s.status().message(),
            "this workspace was written by a newer evidex (schema 3; this one reads up to 1)");
  EXPECT_EQ(RawInt("SELECT MAX(version) FROM schema_version"), 3);
}

TEST_F(StoreTest, MissingStoreAndForeignFileAreClearErrors) {
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
  EXPECT_EQ(OpenStore({"postgresql://localhost/evidex", false, 5000}).status().code(),
            Code::kUnsupported);
}

TEST_F(StoreTest, UnitAndKnownKeys) {
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

TEST_F(StoreTest, CasesByNumberAndLocalId) {
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

TEST_F(StoreTest, EvidenceIsNumberedPerCaseAndUpdated) {
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

TEST_F(StoreTest, CustodyAppendReadAndVerify) {
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

TEST_F(StoreTest, AppendRefusesAChainWhoseLastRecordWasDeleted) {
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

TEST_F(StoreTest, TransactionRollsBackEverythingOnFailure) {
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

TEST_F(StoreTest, ImportKeepsRecordsVerbatim) {
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

TEST_F(StoreTest, LockedStoreIsAClearError) {
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

TEST_F(StoreTest, HandEditedRowsStillLoad) {
  auto s = Open();
  ASSERT_TRUE(s);
  Case c = NewCase(*s, "H");
  ASSERT_TRUE(s->AppendCustody(c.id, Rec("note"), key_).ok());
  Raw("UPDATE custody SET details = 'not json'");
  Result<std::vector<vault::CustodyRecord>> recs = s->ListCustody(c.id);
  ASSERT_TRUE(recs.ok());
  EXPECT_NE((*recs)[0].ComputeHash(), (*recs)[0].hash);
}

TEST(StateNames, RoundTrip) {
  for (EvidenceState st : {EvidenceState::kAcquiring, EvidenceState::kComplete,
                           EvidenceState::kFailed, EvidenceState::kDisposed})
    EXPECT_EQ(ParseState(StateName(st)), st);
  EXPECT_FALSE(ParseState("done").has_value());
}

}  // namespace
}  // namespace evidex::store
