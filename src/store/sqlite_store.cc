// The SQLite back end of the store (store.h): schema, forward migrations, operations.
//
// Schema history lives in kMigrations: entry i takes a store from version i to i + 1, and each
// applied step is a row of schema_version, in the same transaction as the step itself, so a kill
// mid-migration leaves the store at the previous version. Append a step, never edit one.
#include <openssl/rand.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "core/hash.h"
#include "core/version.h"
#include "store/backends.h"
#include "store/sqlite.h"
#include "store/sqlite_accounts.h"
#include "store/sqlite_artifacts.h"
#include "store/sqlite_case_artifacts.h"
#include "store/sqlite_coop.h"
#include "store/sqlite_files.h"
#include "store/store.h"
#include "store/store_common.h"

namespace evidex::store {
namespace {

// v1: the vault issue.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE unit (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  name       TEXT NOT NULL,
  country    TEXT NOT NULL,
  public_key TEXT NOT NULL,
  created    TEXT NOT NULL
);
CREATE TABLE known_keys (
  public_key TEXT PRIMARY KEY,
  unit       TEXT NOT NULL,
  country    TEXT NOT NULL DEFAULT '',
  added      TEXT NOT NULL,
  note       TEXT NOT NULL DEFAULT ''
);
CREATE TABLE cases (
  id       INTEGER PRIMARY KEY,
  uuid     TEXT NOT NULL UNIQUE,
  number   TEXT NOT NULL UNIQUE,
  title    TEXT NOT NULL,
  offence  TEXT NOT NULL DEFAULT '',
  examiner TEXT NOT NULL DEFAULT '',
  created  TEXT NOT NULL,
  status   TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed'))
);
CREATE TABLE evidence (
  id                 INTEGER PRIMARY KEY,
  uuid               TEXT NOT NULL UNIQUE,
  case_id            INTEGER NOT NULL REFERENCES cases(id),
  number             INTEGER NOT NULL CHECK (number >= 1),
  label              TEXT NOT NULL,
  mode               TEXT NOT NULL CHECK (mode IN ('copy', 'reference', 'e01')),
  source_path        TEXT NOT NULL,
  source_description TEXT NOT NULL DEFAULT '',
  device_model       TEXT NOT NULL DEFAULT '',
  device_serial      TEXT NOT NULL DEFAULT '',
  size               INTEGER NOT NULL DEFAULT 0,
  md5                TEXT NOT NULL DEFAULT '',
  sha1               TEXT NOT NULL DEFAULT '',
  sha256             TEXT NOT NULL DEFAULT '',
  stored_path        TEXT NOT NULL DEFAULT '',
  tool               TEXT NOT NULL DEFAULT '',
  tool_version       TEXT NOT NULL DEFAULT '',
  started            TEXT NOT NULL DEFAULT '',
  finished           TEXT NOT NULL DEFAULT '',
  examiner           TEXT NOT NULL DEFAULT '',
  state              TEXT NOT NULL
                     CHECK (state IN ('acquiring', 'complete', 'failed', 'disposed')),
  bad_sectors        INTEGER NOT NULL DEFAULT 0,
  UNIQUE (case_id, number)
);
CREATE TABLE custody (
  case_id    INTEGER NOT NULL REFERENCES cases(id),
  seq        INTEGER NOT NULL,
  case_uuid  TEXT NOT NULL,
  time       TEXT NOT NULL,
  actor      TEXT NOT NULL,
  unit       TEXT NOT NULL,
  action     TEXT NOT NULL,
  evidence   TEXT NOT NULL,
  details    TEXT NOT NULL,
  prev_hash  TEXT NOT NULL,
  signer     TEXT NOT NULL,
  hash       TEXT NOT NULL,
  signature  TEXT NOT NULL,
  PRIMARY KEY (case_id, seq)
);
CREATE TABLE custody_head (
  case_id    INTEGER PRIMARY KEY REFERENCES cases(id),
  case_uuid  TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  hash       TEXT NOT NULL,
  signer     TEXT NOT NULL,
  signature  TEXT NOT NULL
);
)sql",
    // v2: stored scans, artifacts and their occurrences, watchlists (docs/FORMATS.md). Sized for
    // tens of millions of occurrences: an occurrence row holds no value (artifact id), its feature
    // only when it differs from the value, its context without the feature's bytes (`cut`), and no
    // index during a scan; its (scan, artifact) index and the per-evidence counts are written
    // sorted when the scan finishes. Few foreign keys on the big tables: each costs a look-up per
    // inserted row, and their rows are written by this file only.
    R"sql(
CREATE TABLE scans (
  id               INTEGER PRIMARY KEY,
  uuid             TEXT NOT NULL UNIQUE,
  case_id          INTEGER NOT NULL REFERENCES cases(id),
  evidence_id      INTEGER NOT NULL REFERENCES evidence(id),
  started          TEXT NOT NULL,
  finished         TEXT NOT NULL DEFAULT '',
  updated          TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN
                   ('running', 'complete', 'interrupted', 'failed', 'superseded')),
  parameters       TEXT NOT NULL DEFAULT '{}',
  bytes_total      INTEGER NOT NULL DEFAULT 0,
  bytes_done       INTEGER NOT NULL DEFAULT 0,
  occurrences      INTEGER NOT NULL DEFAULT 0,
  artifacts        INTEGER NOT NULL DEFAULT 0,
  error            TEXT NOT NULL DEFAULT '',
  first_occurrence INTEGER,
  last_occurrence  INTEGER
);
CREATE INDEX scans_case ON scans (case_id);
CREATE INDEX scans_evidence ON scans (evidence_id);
CREATE TABLE artifacts (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  value       TEXT NOT NULL,
  rvalue      BLOB,
  UNIQUE (kind, value)
);
CREATE INDEX artifacts_rvalue ON artifacts (rvalue) WHERE rvalue IS NOT NULL;
CREATE TABLE occurrences (
  id       INTEGER PRIMARY KEY,
  scan     INTEGER NOT NULL,
  artifact INTEGER NOT NULL,
  path     TEXT NOT NULL,
  context  BLOB NOT NULL,
  cut      INTEGER,
  feature  TEXT,
  utf16    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE occurrence_index (
  scan       INTEGER NOT NULL,
  artifact   INTEGER NOT NULL,
  occurrence INTEGER NOT NULL,
  PRIMARY KEY (scan, artifact, occurrence)
) WITHOUT ROWID;
CREATE TABLE evidence_artifacts (
  case_id  INTEGER NOT NULL,
  artifact INTEGER NOT NULL,
  evidence INTEGER NOT NULL,
  count    INTEGER NOT NULL,
  PRIMARY KEY (case_id, artifact, evidence)
) WITHOUT ROWID;
CREATE INDEX evidence_artifacts_artifact ON evidence_artifacts (artifact, case_id, count);
CREATE TABLE watchlists (
  id          INTEGER PRIMARY KEY,
  uuid        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  source      TEXT NOT NULL DEFAULT '',
  format      TEXT NOT NULL DEFAULT '',
  file_sha256 TEXT NOT NULL DEFAULT '',
  imported    TEXT NOT NULL,
  reference   TEXT NOT NULL DEFAULT '',
  indicators  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE indicators (
  id        INTEGER PRIMARY KEY,
  watchlist INTEGER NOT NULL REFERENCES watchlists(id),
  kind      TEXT NOT NULL,
  value     TEXT NOT NULL,
  original  TEXT NOT NULL DEFAULT '',
  type      TEXT NOT NULL DEFAULT '',
  comment   TEXT NOT NULL DEFAULT '',
  reference TEXT NOT NULL DEFAULT '',
  UNIQUE (watchlist, kind, value)
);
CREATE INDEX indicators_value ON indicators (kind, value);
CREATE TABLE watch_hits (
  indicator INTEGER NOT NULL,
  artifact  INTEGER NOT NULL,
  case_id   INTEGER NOT NULL,
  found     TEXT NOT NULL,
  PRIMARY KEY (indicator, artifact, case_id)
) WITHOUT ROWID;
CREATE INDEX watch_hits_case ON watch_hits (case_id, artifact);
)sql",
    // v3: files inside evidence (`evidex files`): listings, their files, hash-set and YARA matches
    // (sqlite_files.cc). Files of a listing are found by (listing_id, id), which also removes a
    // superseded listing's rows; hashes by partial indexes (most directories have none).
    R"sql(
CREATE TABLE file_listings (
  id           INTEGER PRIMARY KEY,
  uuid         TEXT NOT NULL UNIQUE,
  case_id      INTEGER NOT NULL REFERENCES cases(id),
  evidence_id  INTEGER NOT NULL REFERENCES evidence(id),
  started      TEXT NOT NULL,
  finished     TEXT NOT NULL DEFAULT '',
  updated      TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN
               ('running', 'complete', 'interrupted', 'failed', 'superseded')),
  parameters   TEXT NOT NULL DEFAULT '{}',
  report       TEXT NOT NULL DEFAULT '{}',
  files        INTEGER NOT NULL DEFAULT 0,
  alerts       INTEGER NOT NULL DEFAULT 0,
  yara_matches INTEGER NOT NULL DEFAULT 0,
  error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX file_listings_case ON file_listings (case_id);
CREATE INDEX file_listings_evidence ON file_listings (evidence_id);
CREATE TABLE files (
  id          INTEGER PRIMARY KEY,
  listing_id  INTEGER NOT NULL,
  evidence_id INTEGER NOT NULL,
  fs          TEXT NOT NULL,
  path        TEXT NOT NULL,
  type        TEXT NOT NULL,
  size        INTEGER NOT NULL,
  address     INTEGER NOT NULL,
  deleted     INTEGER NOT NULL,
  modified    INTEGER,
  accessed    INTEGER,
  changed     INTEGER,
  created     INTEGER,
  md5         TEXT NOT NULL DEFAULT '',
  sha1        TEXT NOT NULL DEFAULT '',
  sha256      TEXT NOT NULL DEFAULT '',
  mime        TEXT NOT NULL DEFAULT '',
  ssdeep      TEXT NOT NULL DEFAULT '',
  tlsh        TEXT NOT NULL DEFAULT '',
  error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX files_listing ON files (listing_id, id);
CREATE INDEX files_md5 ON files (md5) WHERE md5 <> '';
CREATE INDEX files_sha1 ON files (sha1) WHERE sha1 <> '';
CREATE INDEX files_sha256 ON files (sha256) WHERE sha256 <> '';
CREATE INDEX files_fuzzy ON files (listing_id, id) WHERE ssdeep <> '' OR tlsh <> '';
CREATE TABLE file_matches (
  id         INTEGER PRIMARY KEY,
  listing_id INTEGER NOT NULL,
  file_id    INTEGER NOT NULL,
  set_name   TEXT NOT NULL,
  category   TEXT NOT NULL,
  label      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX file_matches_listing ON file_matches (listing_id, file_id);
CREATE INDEX file_matches_alert ON file_matches (listing_id, file_id) WHERE category = 'alert';
CREATE TABLE yara_matches (
  id            INTEGER PRIMARY KEY,
  listing_id    INTEGER NOT NULL,
  evidence_id   INTEGER NOT NULL,
  file_id       INTEGER,
  region_offset INTEGER NOT NULL DEFAULT 0,
  rule          TEXT NOT NULL,
  ns            TEXT NOT NULL DEFAULT '',
  tags          TEXT NOT NULL DEFAULT '[]',
  meta          TEXT NOT NULL DEFAULT '{}',
  strings       TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX yara_matches_listing ON yara_matches (listing_id, file_id);
)sql",
    // v4: accounts and case membership (`evidex serve`, `evidex user`; sqlite_accounts.cc) and
    // the case artifact table's summary (sqlite_case_artifacts.cc), built here for the cases
    // already stored. The summary has one index per sort key, each after (case_id, kind): a page
    // is one range per kind. Its `cases` is the artifact's store-wide count of cases.
    // evidence_artifacts_evidence reads one evidence's rows (in per-evidence occurrence order);
    // case_evidence_kinds counts them per kind; artifact_text is a contentless FTS5 trigram index
    // of every artifact's value, keyed by (its kind's code in artifact_text_kinds << 40) | its id
    // so that a kind is a rowid range, filled at Finish up to the largest id
    // (artifact_text_state; artifacts are never deleted).
    R"sql(
CREATE TABLE users (
  id                   INTEGER PRIMARY KEY,
  name                 TEXT NOT NULL UNIQUE,
  display_name         TEXT NOT NULL DEFAULT '',
  role                 TEXT NOT NULL
                       CHECK (role IN ('admin', 'examiner', 'investigator', 'prosecutor', 'viewer')),
  password_hash        TEXT NOT NULL DEFAULT '',
  disabled             INTEGER NOT NULL DEFAULT 0,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  created              TEXT NOT NULL,
  password_changed     TEXT NOT NULL DEFAULT ''
);
CREATE TABLE case_members (
  case_id INTEGER NOT NULL REFERENCES cases(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY (case_id, user_id)
) WITHOUT ROWID;
CREATE INDEX case_members_user ON case_members (user_id, case_id);
CREATE TABLE case_artifacts (
  case_id        INTEGER NOT NULL,
  artifact       INTEGER NOT NULL,
  kind           TEXT NOT NULL,
  value          TEXT NOT NULL,
  occurrences    INTEGER NOT NULL,
  evidence_count INTEGER NOT NULL,
  cases          INTEGER NOT NULL,
  PRIMARY KEY (case_id, artifact)
) WITHOUT ROWID;
CREATE INDEX case_artifacts_occurrences ON case_artifacts (case_id, kind, occurrences, artifact);
CREATE INDEX case_artifacts_value ON case_artifacts (case_id, kind, value, artifact);
CREATE INDEX case_artifacts_cases ON case_artifacts (case_id, kind, cases, artifact);
CREATE TABLE case_artifact_kinds (
  case_id   INTEGER NOT NULL,
  kind      TEXT NOT NULL,
  artifacts INTEGER NOT NULL,
  PRIMARY KEY (case_id, kind)
) WITHOUT ROWID;
INSERT INTO case_artifacts (case_id, artifact, kind, value, occurrences, evidence_count, cases)
SELECT ea.case_id, ea.artifact, a.kind, a.value, SUM(ea.count), COUNT(*),
       (SELECT COUNT(DISTINCT x.case_id) FROM evidence_artifacts x WHERE x.artifact = ea.artifact)
FROM evidence_artifacts ea JOIN artifacts a ON a.id = ea.artifact
GROUP BY ea.case_id, ea.artifact;
INSERT INTO case_artifact_kinds (case_id, kind, artifacts)
SELECT case_id, kind, COUNT(*) FROM case_artifacts GROUP BY case_id, kind;
CREATE INDEX evidence_artifacts_evidence ON evidence_artifacts (case_id, evidence, count, artifact);
CREATE TABLE case_evidence_kinds (
  case_id   INTEGER NOT NULL,
  evidence  INTEGER NOT NULL,
  kind      TEXT NOT NULL,
  artifacts INTEGER NOT NULL,
  PRIMARY KEY (case_id, evidence, kind)
) WITHOUT ROWID;
INSERT INTO case_evidence_kinds (case_id, evidence, kind, artifacts)
SELECT ea.case_id, ea.evidence, a.kind, COUNT(*)
FROM evidence_artifacts ea JOIN artifacts a ON a.id = ea.artifact
GROUP BY ea.case_id, ea.evidence, a.kind;
CREATE VIRTUAL TABLE artifact_text USING fts5(value, content='', columnsize=0,
                                              tokenize='trigram');
CREATE TABLE artifact_text_kinds (
  code INTEGER PRIMARY KEY,
  kind TEXT NOT NULL UNIQUE
);
CREATE TABLE artifact_text_state (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_through INTEGER NOT NULL
);
INSERT INTO artifact_text_kinds (kind) SELECT DISTINCT kind FROM artifacts ORDER BY kind;
INSERT INTO artifact_text (rowid, value)
SELECT (k.code << 40) | a.id, a.value FROM artifacts a JOIN artifact_text_kinds k ON k.kind = a.kind;
INSERT INTO artifact_text_state (id, indexed_through)
SELECT 1, COALESCE(MAX(id), 0) FROM artifacts;
)sql",
    // v5: the 24/7 directory and cooperation requests (src/coop/; sqlite_coop.cc). Documents are
    // coop's JSON text. A request that left "draft" never changes its document or identity nor
    // becomes a draft again, and no request nor event is ever deleted or an event changed:
    // triggers refuse it even to an administrator's sqlite3. supersedes and follows are NULL for
    // none.
    R"sql(
CREATE TABLE directory_entries (
  id      INTEGER PRIMARY KEY,
  key     TEXT NOT NULL UNIQUE CHECK (key <> ''),
  country TEXT NOT NULL,
  doc     TEXT NOT NULL,
  updated TEXT NOT NULL
);
CREATE INDEX directory_entries_country ON directory_entries (country, key);
CREATE TABLE coop_requests (
  id         INTEGER PRIMARY KEY,
  uuid       TEXT NOT NULL UNIQUE,
  case_id    INTEGER NOT NULL REFERENCES cases(id),
  reference  TEXT NOT NULL,
  version    INTEGER NOT NULL CHECK (version >= 1),
  supersedes INTEGER REFERENCES coop_requests(id),
  follows    INTEGER REFERENCES coop_requests(id),
  type       TEXT NOT NULL,
  state      TEXT NOT NULL,
  doc        TEXT NOT NULL,
  due        TEXT NOT NULL DEFAULT '',
  signature  TEXT NOT NULL DEFAULT '',
  created    TEXT NOT NULL,
  updated    TEXT NOT NULL,
  UNIQUE (reference, version)
);
CREATE INDEX coop_requests_case ON coop_requests (case_id, id);
CREATE TABLE coop_events (
  request_id INTEGER NOT NULL REFERENCES coop_requests(id),
  seq        INTEGER NOT NULL CHECK (seq >= 1),
  time       TEXT NOT NULL,
  actor      TEXT NOT NULL,
  state      TEXT NOT NULL,
  note       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (request_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER coop_requests_finalized BEFORE UPDATE ON coop_requests
WHEN OLD.state <> 'draft' AND (NEW.state = 'draft' OR NEW.doc IS NOT OLD.doc
  OR NEW.type IS NOT OLD.type OR NEW.case_id IS NOT OLD.case_id
  OR NEW.reference IS NOT OLD.reference OR NEW.version IS NOT OLD.version)
BEGIN
  SELECT RAISE(ABORT, 'a finalized cooperation request is never changed');
END;
CREATE TRIGGER coop_requests_kept BEFORE DELETE ON coop_requests
BEGIN
  SELECT RAISE(ABORT, 'a cooperation request is never deleted');
END;
CREATE TRIGGER coop_events_kept BEFORE DELETE ON coop_events
BEGIN
  SELECT RAISE(ABORT, 'the history of a cooperation request is append-only');
END;
CREATE TRIGGER coop_events_unchanged BEFORE UPDATE ON coop_events
BEGIN
  SELECT RAISE(ABORT, 'the history of a cooperation request is append-only');
END;
)sql",
    // v6: the trigram index keeps no positions (detail=none), rebuilt here for the artifacts it
    // held. A needle's query is the AND of its trigrams (TrigramTerms), a superset of the phrase,
    // and every candidate was already tested again with instr. Measured on the 2.29 M values of
    // a 5 M-occurrence store, indexed in 250 batches: 27 s instead of 43 s, 179 MB instead of
    // 288 MB (docs/PERFORMANCE.md, "Case store").
    R"sql(
DROP TABLE artifact_text;
CREATE VIRTUAL TABLE artifact_text USING fts5(value, content='', columnsize=0, detail=none,
                                              tokenize='trigram');
INSERT INTO artifact_text (rowid, value)
SELECT (k.code << 40) | a.id, a.value FROM artifacts a JOIN artifact_text_kinds k ON k.kind = a.kind
WHERE a.id <= (SELECT indexed_through FROM artifact_text_state WHERE id = 1);
)sql",
};
constexpr int kMigrationCount = int(sizeof kMigrations / sizeof kMigrations[0]);
static_assert(kMigrationCount == kSchemaVersion, "one migration step per schema version");

// Binds the evidence columns after id (2..22) in kEvidenceColumns order.
void BindEvidence(Statement& s, const Evidence& e) {
  s.Bind(2, e.uuid).Bind(3, e.case_id).Bind(4, e.number).Bind(5, e.label).Bind(6, e.mode);
  s.Bind(7, e.source_path).Bind(8, e.source_description).Bind(9, e.device_model);
  s.Bind(10, e.device_serial).Bind(11, int64_t(e.size)).Bind(12, e.md5).Bind(13, e.sha1);
  s.Bind(14, e.sha256).Bind(15, e.stored_path).Bind(16, e.tool).Bind(17, e.tool_version);
  s.Bind(18, e.started).Bind(19, e.finished).Bind(20, e.examiner).Bind(21, StateName(e.state));
  s.Bind(22, int64_t(e.bad_sectors));
}

class SqliteStore : public Store {
 public:
  explicit SqliteStore(Db db)
      : db_(std::move(db)),
        artifacts_(&db_, [this](const std::function<Status()>& body) { return Transaction(body); }),
        files_(&db_, [this](const std::function<Status()>& body) { return Transaction(body); }),
        accounts_(&db_,
                  [this](const std::function<Status()>& body) { return Transaction(body); }),
        case_artifacts_(&db_),
        coop_(&db_, [this](const std::function<Status()>& body) { return Transaction(body); }) {}

  Status Migrate();

  std::string Describe() const override { return "sqlite:" + db_.path(); }

  Status Transaction(const std::function<Status()>& body) override {
    if (depth_ > 0) return body();
    Result<store::Transaction> tx = store::Transaction::Begin(db_);
    if (!tx.ok()) return tx.status();
    ++depth_;
    Status st = body();
    --depth_;
    if (!st.ok()) return st;  // ~Transaction rolls back
    return tx->Commit();
  }

  Status SetUnit(const Unit& u) override {
    return Exec(
        "INSERT INTO unit (id, name, country, public_key, created) VALUES (1, ?1, ?2, ?3, ?4) "
        "ON CONFLICT (id) DO UPDATE SET name = ?1, country = ?2, public_key = ?3, created = ?4",
        [&](Statement& s) {
          s.Bind(1, u.name).Bind(2, u.country).Bind(3, u.public_key).Bind(4, u.created);
        });
  }

  Result<Unit> GetUnit() override {
    Result<Statement> s = db_.Prepare("SELECT name, country, public_key, created FROM unit");
    if (!s.ok()) return s.status();
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return NotFound(db_.path() + " has no unit (the workspace was not initialized)");
    return Unit{s->Text(0), s->Text(1), s->Text(2), s->Text(3)};
  }

  Status AddKnownKey(const KnownKey& k) override {
    return Exec(
        "INSERT INTO known_keys (public_key, unit, country, added, note) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (public_key) DO UPDATE SET "
        "unit = ?2, country = ?3, added = ?4, note = ?5",
        [&](Statement& s) {
          s.Bind(1, k.public_key).Bind(2, k.unit).Bind(3, k.country).Bind(4, k.added);
          s.Bind(5, k.note);
        });
  }

  Result<std::vector<KnownKey>> ListKnownKeys() override {
    std::vector<KnownKey> out;
    Status st = Query(
        "SELECT public_key, unit, country, added, note FROM known_keys ORDER BY added, public_key",
        nullptr, [&](const Statement& s) {
          out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)});
        });
    if (!st.ok()) return st;
    return out;
  }

  Result<Case> AddCase(Case c) override {
    if (c.uuid.empty()) c.uuid = NewUuid();
    if (c.created.empty()) c.created = vault::UtcNow();
    Status st = Transaction([&]() -> Status {
      Result<std::optional<Case>> existing = FindBy("number = ?1", c.number);
      if (!existing.ok()) return existing.status();
      if (existing->has_value())
        return InvalidArgument("case " + c.number + " already exists (local id " +
                               std::to_string((*existing)->id) + ")");
      EVIDEX_RETURN_IF_ERROR(
          Exec("INSERT INTO cases (uuid, number, title, offence, examiner, created, status) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
               [&](Statement& s) {
                 s.Bind(1, c.uuid).Bind(2, c.number).Bind(3, c.title).Bind(4, c.offence);
                 s.Bind(5, c.examiner).Bind(6, c.created).Bind(7, c.status);
               }));
      c.id = db_.LastInsertId();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return c;
  }

  Result<std::optional<Case>> FindCase(const std::string& number_or_id) override {
    Result<std::optional<Case>> by_number = FindBy("number = ?1", number_or_id);
    if (!by_number.ok() || by_number->has_value() || !AllDigits(number_or_id)) return by_number;
    return FindBy("id = ?1", int64_t(std::stoll(number_or_id)));
  }

  Result<std::optional<Case>> FindCaseByUuid(const std::string& uuid) override {
    return FindBy("uuid = ?1", uuid);
  }

  Result<std::vector<Case>> ListCases() override {
    std::vector<Case> out;
    Status st = Query(std::string("SELECT ") + kCaseColumns + " FROM cases ORDER BY id", nullptr,
                      [&](const Statement& s) { out.push_back(CaseFromRow(s)); });
    if (!st.ok()) return st;
    return out;
  }

  Result<Evidence> AddEvidence(Evidence e) override {
    if (e.uuid.empty()) e.uuid = NewUuid();
    Status st = Transaction([&]() -> Status {
      if (e.number == 0) {
        Result<Statement> s =
            db_.Prepare("SELECT COALESCE(MAX(number), 0) + 1 FROM evidence WHERE case_id = ?1");
        if (!s.ok()) return s.status();
        s->Bind(1, e.case_id);
        Result<bool> row = s->Step();
        if (!row.ok()) return row.status();
        e.number = s->Int(0);
      }
      EVIDEX_RETURN_IF_ERROR(Exec(std::string("INSERT INTO evidence (") + kEvidenceColumns +
                                      ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                                      "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
                                  [&](Statement& s) { BindEvidence(s, e); }));
      e.id = db_.LastInsertId();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return e;
  }

  Status UpdateEvidence(const Evidence& e) override {
    int changed = 0;
    Status st = Exec(
        "UPDATE evidence SET uuid = ?2, case_id = ?3, number = ?4, label = ?5, mode = ?6, "
        "source_path = ?7, source_description = ?8, device_model = ?9, device_serial = ?10, "
        "size = ?11, md5 = ?12, sha1 = ?13, sha256 = ?14, stored_path = ?15, tool = ?16, "
        "tool_version = ?17, started = ?18, finished = ?19, examiner = ?20, state = ?21, "
        "bad_sectors = ?22 WHERE id = ?1",
        [&](Statement& s) {
          s.Bind(1, e.id);
          BindEvidence(s, e);
        },
        &changed);
    if (st.ok() && changed == 0) return NotFound("no evidence with id " + std::to_string(e.id));
    return st;
  }

  Result<std::optional<Evidence>> GetEvidence(int64_t id) override {
    return FindEvidenceBy("id = ?1", [&](Statement& s) { s.Bind(1, id); });
  }

  Result<std::optional<Evidence>> FindEvidence(int64_t case_id, const std::string& name) override {
    std::string n = name;
    if (!n.empty() && (n[0] == 'E' || n[0] == 'e')) n = n.substr(1);
    if (AllDigits(n))
      return FindEvidenceBy("case_id = ?1 AND number = ?2", [&](Statement& s) {
        s.Bind(1, case_id).Bind(2, int64_t(std::stoll(n)));
      });
    return FindEvidenceBy("case_id = ?1 AND uuid = ?2",
                          [&](Statement& s) { s.Bind(1, case_id).Bind(2, name); });
  }

  Result<std::vector<Evidence>> ListEvidence(int64_t case_id) override {
    std::vector<Evidence> out;
    Status st = Query(
        std::string("SELECT ") + kEvidenceColumns +
            " FROM evidence WHERE case_id = ?1 ORDER BY number",
        [&](Statement& s) { s.Bind(1, case_id); },
        [&](const Statement& s) { out.push_back(EvidenceFromRow(s)); });
    if (!st.ok()) return st;
    return out;
  }

  Result<std::vector<vault::CustodyRecord>> ListCustody(int64_t case_id) override {
    std::vector<vault::CustodyRecord> out;
    Status st = Query(
        std::string("SELECT ") + kCustodyColumns + " FROM custody WHERE case_id = ?1 ORDER BY seq",
        [&](Statement& s) { s.Bind(1, case_id); },
        [&](const Statement& s) { out.push_back(CustodyFromRow(s)); });
    if (!st.ok()) return st;
    return out;
  }

  Result<std::optional<vault::CustodyHead>> GetCustodyHead(int64_t case_id) override {
    std::optional<vault::CustodyHead> head;
    Status st = Query(
        "SELECT case_uuid, seq, hash, signer, signature FROM custody_head WHERE case_id = ?1",
        [&](Statement& s) { s.Bind(1, case_id); },
        [&](const Statement& s) {
          head = vault::CustodyHead{s.Text(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4)};
        });
    if (!st.ok()) return st;
    return head;
  }

  Result<vault::CustodyRecord> AppendCustody(int64_t case_id, vault::CustodyRecord record,
                                             const vault::SigningKey& key) override;

  Status CheckChainEnd(int64_t case_id, const vault::PublicKey& signer) override;

  Status ImportCustody(int64_t case_id, const std::vector<vault::CustodyRecord>& records,
                       const std::optional<vault::CustodyHead>& head) override;

  // Scans, artifacts and watchlists: sqlite_artifacts.cc.
  Result<std::unique_ptr<ScanWriter>> BeginScan(ScanRecord scan) override {
    return artifacts_.BeginScan(std::move(scan));
  }
  Result<std::vector<ScanRecord>> ListScans(int64_t case_id) override {
    return artifacts_.ListScans(case_id);
  }
  Result<std::vector<Artifact>> FindArtifacts(const std::string& kind,
                                              const std::string& value) override {
    return artifacts_.FindArtifacts(kind, value);
  }
  Result<std::vector<Artifact>> FindArtifactsByPrefix(const std::string& kind,
                                                      const std::string& prefix,
                                                      size_t limit) override {
    return artifacts_.FindArtifactsByPrefix(kind, prefix, limit);
  }
  Result<std::vector<Artifact>> FindArtifactsBySuffix(const std::string& kind,
                                                      const std::string& suffix,
                                                      size_t limit) override {
    return artifacts_.FindArtifactsBySuffix(kind, suffix, limit);
  }
  Result<std::vector<Sighting>> Sightings(int64_t artifact_id) override {
    return artifacts_.Sightings(artifact_id);
  }
  Result<std::vector<OccurrenceOut>> Occurrences(int64_t artifact_id, int64_t evidence_id,
                                                 size_t limit) override {
    return artifacts_.Occurrences(artifact_id, evidence_id, limit);
  }
  Result<std::vector<Correlation>> Correlate(int64_t case_id,
                                             const CorrelateOptions& options) override {
    return artifacts_.Correlate(case_id, options);
  }
  Status ForEachCaseArtifact(
      int64_t case_id,
      const std::function<bool(const Artifact&, uint64_t occurrences_in_case)>& each) override {
    return artifacts_.ForEachCaseArtifact(case_id, each);
  }
  Result<uint64_t> CountCases() override { return artifacts_.CountCases(); }
  Result<Watchlist> AddWatchlist(Watchlist list, std::span<const Indicator> indicators) override {
    return artifacts_.AddWatchlist(std::move(list), indicators);
  }
  Result<std::vector<Watchlist>> ListWatchlists() override { return artifacts_.ListWatchlists(); }
  Status RemoveWatchlist(int64_t id) override { return artifacts_.RemoveWatchlist(id); }
  Result<std::vector<WatchHit>> ListHits(int64_t case_id) override {
    return artifacts_.ListHits(case_id);
  }

  // Files inside evidence: sqlite_files.cc.
  Result<std::unique_ptr<FileWriter>> BeginFiles(FileListing listing) override {
    return files_.BeginFiles(std::move(listing));
  }
  Result<std::vector<FileListing>> ListFileListings(int64_t case_id) override {
    return files_.ListFileListings(case_id);
  }
  Status ForEachFile(int64_t evidence_id, bool with_matches,
                     const std::function<bool(const FileIn&)>& each) override {
    return files_.ForEachFile(evidence_id, with_matches, each);
  }
  Status ForEachFuzzyFile(
      int64_t case_id,
      const std::function<bool(const StoredFile&, const Sighting&)>& each) override {
    return files_.ForEachFuzzyFile(case_id, each);
  }
  Result<std::vector<std::pair<StoredFile, Sighting>>> FindFilesByHash(
      const std::string& hash) override {
    return files_.FindFilesByHash(hash);
  }
  Result<std::vector<FileAlert>> ListFileAlerts(int64_t case_id) override {
    return files_.ListFileAlerts(case_id);
  }

  // Accounts and case membership: sqlite_accounts.cc.
  Result<User> AddUser(User user) override { return accounts_.AddUser(std::move(user)); }
  Status UpdateUser(const User& user) override { return accounts_.UpdateUser(user); }
  Result<std::optional<User>> FindUser(const std::string& name) override {
    return accounts_.FindUser(name);
  }
  Result<std::optional<User>> GetUser(int64_t id) override { return accounts_.GetUser(id); }
  Result<std::vector<User>> ListUsers() override { return accounts_.ListUsers(); }
  Status AddCaseMember(int64_t case_id, int64_t user_id) override {
    return accounts_.AddCaseMember(case_id, user_id);
  }
  Status RemoveCaseMember(int64_t case_id, int64_t user_id) override {
    return accounts_.RemoveCaseMember(case_id, user_id);
  }
  Result<std::vector<User>> ListCaseMembers(int64_t case_id) override {
    return accounts_.ListCaseMembers(case_id);
  }
  Result<std::vector<int64_t>> ListUserCases(int64_t user_id) override {
    return accounts_.ListUserCases(user_id);
  }

  // The case artifact table: sqlite_case_artifacts.cc.
  Result<ArtifactPage> ListCaseArtifacts(int64_t case_id, const ArtifactQuery& query) override {
    return case_artifacts_.ListCaseArtifacts(case_id, query);
  }
  Result<std::optional<CaseArtifact>> GetCaseArtifact(int64_t case_id,
                                                      int64_t artifact_id) override {
    return case_artifacts_.GetCaseArtifact(case_id, artifact_id);
  }
  Result<std::vector<std::pair<std::string, uint64_t>>> CountCaseArtifactsByKind(
      int64_t case_id, int64_t evidence_id) override {
    return case_artifacts_.CountCaseArtifactsByKind(case_id, evidence_id);
  }

  // The 24/7 directory and cooperation requests: sqlite_coop.cc.
  Status PutDirectoryEntries(const std::vector<DirectoryRecord>& entries) override {
    return coop_.PutDirectoryEntries(entries);
  }
  Result<std::optional<DirectoryRecord>> GetDirectoryEntry(const std::string& key) override {
    return coop_.GetDirectoryEntry(key);
  }
  Result<std::vector<DirectoryRecord>> ListDirectory(const std::string& country) override {
    return coop_.ListDirectory(country);
  }
  Status DeleteDirectoryEntry(const std::string& key) override {
    return coop_.DeleteDirectoryEntry(key);
  }
  Result<CoopRequest> AddCoopRequest(CoopRequest request, CoopEvent created) override {
    return coop_.AddCoopRequest(std::move(request), std::move(created));
  }
  Status UpdateCoopDraft(int64_t id, const std::string& doc, const std::string& due) override {
    return coop_.UpdateCoopDraft(id, doc, due);
  }
  Status SetCoopState(int64_t id, const std::string& from, const CoopEvent& event,
                      const std::string& due, const std::string& signature) override {
    return coop_.SetCoopState(id, from, event, due, signature);
  }
  Result<std::optional<CoopRequest>> GetCoopRequest(int64_t id) override {
    return coop_.GetCoopRequest(id);
  }
  Result<std::vector<CoopRequest>> ListCoopRequests(int64_t case_id) override {
    return coop_.ListCoopRequests(case_id);
  }
  Result<std::vector<CoopEvent>> ListCoopEvents(int64_t request_id) override {
    return coop_.ListCoopEvents(request_id);
  }

 private:
  // Prepares, binds and runs a statement that returns no rows; `changes` gets the rows changed.
  Status Exec(const std::string& sql, const std::function<void(Statement&)>& bind,
              int* changes = nullptr) {
    Result<Statement> s = db_.Prepare(sql);
    if (!s.ok()) return s.status();
    if (bind) bind(*s);
    EVIDEX_RETURN_IF_ERROR(s->Run());
    if (changes != nullptr) *changes = sqlite3_changes(db_.raw());
    return Status::Ok();
  }

  Status Query(const std::string& sql, const std::function<void(Statement&)>& bind,
               const std::function<void(const Statement&)>& row) {
    Result<Statement> s = db_.Prepare(sql);
    if (!s.ok()) return s.status();
    if (bind) bind(*s);
    for (;;) {
      Result<bool> more = s->Step();
      if (!more.ok()) return more.status();
      if (!*more) return Status::Ok();
      row(*s);
    }
  }

  template <typename T>
  Result<std::optional<Case>> FindBy(const std::string& where, const T& value) {
    std::optional<Case> found;
    Status st = Query(
        std::string("SELECT ") + kCaseColumns + " FROM cases WHERE " + where,
        [&](Statement& s) { s.Bind(1, value); }, [&](const Statement& s) { found = CaseFromRow(s); });
    if (!st.ok()) return st;
    return found;
  }

  Result<std::optional<Evidence>> FindEvidenceBy(const std::string& where,
                                                 const std::function<void(Statement&)>& bind) {
    std::optional<Evidence> found;
    Status st = Query(std::string("SELECT ") + kEvidenceColumns + " FROM evidence WHERE " + where,
                      bind, [&](const Statement& s) { found = EvidenceFromRow(s); });
    if (!st.ok()) return st;
    return found;
  }

  Result<std::optional<vault::CustodyRecord>> LastRecord(int64_t case_id) {
    std::optional<vault::CustodyRecord> last;
    Status st = Query(
        std::string("SELECT ") + kCustodyColumns +
            " FROM custody WHERE case_id = ?1 ORDER BY seq DESC LIMIT 1",
        [&](Statement& s) { s.Bind(1, case_id); },
        [&](const Statement& s) { last = CustodyFromRow(s); });
    if (!st.ok()) return st;
    return last;
  }

  Status InsertRecord(int64_t case_id, const vault::CustodyRecord& r) {
    return Exec(std::string("INSERT INTO custody (case_id, ") + kCustodyColumns +
                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                [&](Statement& s) {
                  s.Bind(1, case_id).Bind(2, r.case_uuid).Bind(3, r.seq).Bind(4, r.time);
                  s.Bind(5, r.actor).Bind(6, r.unit).Bind(7, r.action).Bind(8, r.evidence);
                  s.Bind(9,
                         DumpCustodyDetails(r.details));
                  s.Bind(10, r.prev_hash).Bind(11, r.signer).Bind(12, r.hash);
                  s.Bind(13, r.signature);
                });
  }

  Status PutHead(int64_t case_id, const vault::CustodyHead& h) {
    return Exec(
        "INSERT INTO custody_head (case_id, case_uuid, seq, hash, signer, signature) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (case_id) DO UPDATE SET "
        "case_uuid = ?2, seq = ?3, hash = ?4, signer = ?5, signature = ?6",
        [&](Statement& s) {
          s.Bind(1, case_id).Bind(2, h.case_uuid).Bind(3, h.seq).Bind(4, h.hash);
          s.Bind(5, h.signer).Bind(6, h.signature);
        });
  }

  Db db_;
  int depth_ = 0;
  SqliteArtifacts artifacts_;
  SqliteFiles files_;
  SqliteAccounts accounts_;
  SqliteCaseArtifacts case_artifacts_;
  SqliteCoop coop_;
};

Status SqliteStore::Migrate() {
  // A store already at this version is only read: opening a connection then never waits for the
  // write lock (a server opens connections while its audit writer and scans write).
  {
    int version = -1;
    Status st = Query(
        "SELECT COALESCE(MAX(version), 0) FROM schema_version WHERE EXISTS "
        "(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version')",
        nullptr, [&](const Statement& s) { version = int(s.Int(0)); });
    if (st.ok() && version == kSchemaVersion) return Status::Ok();
    if (st.ok() && version > kSchemaVersion) return NewerSchema(version);
  }
  // Everything under one write lock: two processes opening a new store do not both create it.
  return Transaction([&]() -> Status {
    EVIDEX_RETURN_IF_ERROR(
        db_.Exec("CREATE TABLE IF NOT EXISTS schema_version ("
                 "  version INTEGER PRIMARY KEY, applied TEXT NOT NULL, evidex TEXT NOT NULL)"));
    int version = 0;
    Status st = Query("SELECT COALESCE(MAX(version), 0) FROM schema_version", nullptr,
                      [&](const Statement& s) { version = int(s.Int(0)); });
    EVIDEX_RETURN_IF_ERROR(st);
    if (version > kSchemaVersion)
      return NewerSchema(version);
    for (int v = version; v < kMigrationCount; ++v) {
      EVIDEX_RETURN_IF_ERROR(db_.Exec(kMigrations[v]));
      EVIDEX_RETURN_IF_ERROR(
          Exec("INSERT INTO schema_version (version, applied, evidex) VALUES (?1, ?2, ?3)",
               [&](Statement& s) {
                 s.Bind(1, int64_t(v + 1)).Bind(2, vault::UtcNow()).Bind(3, EVIDEX_VERSION);
               }));
    }
    return Status::Ok();
  });
}

Status SqliteStore::CheckChainEnd(int64_t case_id, const vault::PublicKey& signer) {
  return Transaction([&]() -> Status {
    Result<std::optional<Case>> c = FindBy("id = ?1", case_id);
    if (!c.ok()) return c.status();
    if (!c->has_value()) return NotFound("no case with local id " + std::to_string(case_id));
    Result<std::optional<vault::CustodyRecord>> last = LastRecord(case_id);
    if (!last.ok()) return last.status();
    Result<std::optional<vault::CustodyHead>> head = GetCustodyHead(case_id);
    if (!head.ok()) return head.status();
    Result<std::vector<KnownKey>> known = ListKnownKeys();
    if (!known.ok()) return known.status();
    return CheckChainEndOf(**c, *last, *head, signer, *known);
  });
}

Result<vault::CustodyRecord> SqliteStore::AppendCustody(int64_t case_id,
                                                        vault::CustodyRecord record,
                                                        const vault::SigningKey& key) {
  Status st = Transaction([&]() -> Status {
    // The chain must end where its signed head says; otherwise the new head would hide a
    // deleted or edited last record.
    EVIDEX_RETURN_IF_ERROR(CheckChainEnd(case_id, key.public_key()));
    Result<std::optional<Case>> c = FindBy("id = ?1", case_id);
    if (!c.ok()) return c.status();
    Result<std::optional<vault::CustodyRecord>> last = LastRecord(case_id);
    if (!last.ok()) return last.status();
    record.case_uuid = (*c)->uuid;
    vault::Seal(record, last->has_value() ? &**last : nullptr, key);
    EVIDEX_RETURN_IF_ERROR(InsertRecord(case_id, record));
    return PutHead(case_id, vault::SignHead(record, key));
  });
  if (!st.ok()) return st;
  return record;
}

Status SqliteStore::ImportCustody(int64_t case_id, const std::vector<vault::CustodyRecord>& records,
                                  const std::optional<vault::CustodyHead>& head) {
  return Transaction([&]() -> Status {
    for (const vault::CustodyRecord& r : records) EVIDEX_RETURN_IF_ERROR(InsertRecord(case_id, r));
    if (head) EVIDEX_RETURN_IF_ERROR(PutHead(case_id, *head));
    return Status::Ok();
  });
}

}  // namespace

const char* StateName(EvidenceState s) {
  switch (s) {
    case EvidenceState::kAcquiring:
      return "acquiring";
    case EvidenceState::kComplete:
      return "complete";
    case EvidenceState::kFailed:
      return "failed";
    case EvidenceState::kDisposed:
      return "disposed";
  }
  return "failed";
}

std::optional<EvidenceState> ParseState(const std::string& name) {
  for (EvidenceState s : {EvidenceState::kAcquiring, EvidenceState::kComplete,
                          EvidenceState::kFailed, EvidenceState::kDisposed})
    if (name == StateName(s)) return s;
  return std::nullopt;
}

std::string NewUuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    // OpenSSL's generator failing is a broken system; fall back to the kernel's directly.
    FILE* f = std::fopen("/dev/urandom", "rb");
    size_t got = f ? std::fread(b, 1, sizeof b, f) : 0;
    if (f) std::fclose(f);
    if (got != sizeof b) std::abort();
  }
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  std::string h = ToHex(b, sizeof b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const StoreOptions& options) {
  std::string path = options.location;
  if (path.starts_with("sqlite:")) path = path.substr(7);
  Result<Db> db = Db::Open(path, options.create ? Db::Mode::kCreate : Db::Mode::kExisting,
                           options.busy_timeout_ms);
  if (!db.ok()) return db.status();
  auto store = std::make_unique<SqliteStore>(std::move(db).value());
  EVIDEX_RETURN_IF_ERROR(store->Migrate());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace evidex::store
