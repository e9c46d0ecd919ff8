// Store logic both back ends share (sqlite_store.cc, pg_store.cc): what does not depend on SQL.
// Free functions over values the back end has read; no I/O. Thread-safe (no shared state).
#ifndef EVIDEX_STORE_STORE_COMMON_H_
#define EVIDEX_STORE_STORE_COMMON_H_

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"
#include "vault/custody.h"
#include "vault/keys.h"

namespace evidex::store {

// CheckChainEnd's verdict on what the back end read for case `c`: OK when the chain ends where
// its signed head says (no records and no head; or a last record whose seq and hash the head
// names, whose own hash is right, under a head for this case signed by `signer` or one of
// `known`). Code::kCorrupt, naming the case and `evidex custody verify`, otherwise.
Status CheckChainEndOf(const Case& c, const std::optional<vault::CustodyRecord>& last,
                       const std::optional<vault::CustodyHead>& head,
                       const vault::PublicKey& signer, const std::vector<KnownKey>& known);

// The refusal of a store at schema `version` > kSchemaVersion (Code::kUnsupported).
Status NewerSchema(int version);

// A custody record's details column as stored: compact JSON (invalid UTF-8 replaced).
std::string DumpCustodyDetails(const nlohmann::json& details);
// And back. A column that is not a JSON object (hand-edited) is kept as a string inside an
// object, so the record still loads and its hash check reports it as edited.
nlohmann::json ParseCustodyDetails(const std::string& text);

// True for 1..18 decimal digits (a local id, an evidence number).
bool AllDigits(const std::string& s);

// ---- Files inside evidence (schema 3) ----

// A stale "running" listing reads as "interrupted" (as EffectiveScanStatus, kScanStaleSeconds):
// what ListFileListings returns. `now` is UTC RFC 3339.
std::string EffectiveListingStatus(const FileListing& listing, const std::string& now);
// A YARA match's tags as stored: a JSON array of strings. And back ([] for anything else).
std::string DumpTags(const std::vector<std::string>& tags);
std::vector<std::string> ParseTags(const std::string& text);
// True when the file has a hash-set match of category "alert" (FileListing::alerts counts these).
bool IsAlertFile(const FileIn& file);
// FindFilesByHash's column for `hash` (already lower-case): "md5", "sha1" or "sha256" by its
// length (32, 40, 64 hex digits); "" for anything else (no file can match).
const char* HashColumn(const std::string& hash);
// ASCII lower case.
std::string Lower(std::string s);

// A file alert with its evidence's number, for ordering.
struct NumberedAlert {
  int64_t evidence_number = 0;
  FileAlert alert;
};
// ListFileAlerts' order: case id, evidence number, then "hashset", "yara", "watchlist", keeping
// the order the alerts have within one kind of one evidence (the back end's, by file).
std::vector<FileAlert> OrderAlerts(std::vector<NumberedAlert> alerts);
// FileIn's approximate size in memory (a writer's buffer bound).
size_t ApproximateSize(const FileIn& file);

// The column lists both back ends select, and the readers of such rows. `Row` is anything with
// `int64_t Int(int column)` and `std::string Text(int column)`: SQLite's Statement, or PgRow (a
// row of a PostgreSQL result).
constexpr char kCaseColumns[] = "id, uuid, number, title, offence, examiner, created, status";
constexpr char kEvidenceColumns[] =
    "id, uuid, case_id, number, label, mode, source_path, source_description, device_model, "
    "device_serial, size, md5, sha1, sha256, stored_path, tool, tool_version, started, finished, "
    "examiner, state, bad_sectors";
constexpr char kCustodyColumns[] =
    "case_uuid, seq, time, actor, unit, action, evidence, details, prev_hash, signer, hash, "
    "signature";
constexpr char kWatchlistColumns[] =
    "id, uuid, name, source, format, file_sha256, imported, reference, indicators";
constexpr char kListingColumns[] =
    "id, uuid, case_id, evidence_id, started, finished, updated, status, parameters, report, "
    "files, alerts, yara_matches, error";
// A files row's columns, each prefixed "f." (queries join files with other tables).
constexpr char kFileColumns[] =
    "f.id, f.evidence_id, f.fs, f.path, f.type, f.size, f.address, f.deleted, f.modified, "
    "f.accessed, f.changed, f.created, f.md5, f.sha1, f.sha256, f.mime, f.ssdeep, f.tlsh, f.error";
constexpr int kFileColumnCount = 19;
constexpr char kScanColumns[] =
    "id, uuid, case_id, evidence_id, started, finished, updated, status, parameters, "
    "bytes_total, bytes_done, occurrences, artifacts, error";

// ---- Accounts (schema 4) ----
// The users row's columns as both back ends select them (PostgreSQL casts its booleans to int).
constexpr char kUserColumns[] =
    "id, name, display_name, role, password_hash, disabled, must_change_password, created, "
    "password_changed";

template <typename Row>
User UserFromRow(const Row& r) {
  User u;
  u.id = r.Int(0);
  u.name = r.Text(1);
  u.display_name = r.Text(2);
  // The CHECK constraint keeps the role valid; a hand-edited one reads as the least privileged.
  u.role = ParseRole(r.Text(3)).value_or(Role::kViewer);
  u.password_hash = r.Text(4);
  u.disabled = r.Int(5) != 0;
  u.must_change_password = r.Int(6) != 0;
  u.created = r.Text(7);
  u.password_changed = r.Text(8);
  return u;
}

// ---- Cooperation (schema 5) ----
// The rows as both back ends select them; supersedes and follows are NULL for none (read as 0).
constexpr char kDirectoryColumns[] = "id, key, country, doc, updated";
constexpr char kCoopRequestColumns[] =
    "id, uuid, case_id, reference, version, supersedes, follows, type, state, doc, due, "
    "signature, created, updated";
constexpr char kCoopEventColumns[] = "request_id, seq, time, actor, state, note";

// AddCoopRequest's checks before it writes: the request is a "draft" and so is its first event
// (an empty event state reads as "draft"); kInvalidArgument otherwise.
Status CheckNewCoopRequest(const CoopRequest& request, const CoopEvent& created);
// The refusal when a conditional update of request `id` changed no row: kNotFound when it does not
// exist (`actual` empty), else kInvalidArgument "request N is <actual>, not <expected>".
Status CoopStateMismatch(int64_t id, const std::optional<std::string>& actual,
                         const std::string& expected);

template <typename Row>
DirectoryRecord DirectoryFromRow(const Row& r) {
  return DirectoryRecord{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4)};
}

template <typename Row>
CoopRequest CoopRequestFromRow(const Row& r) {
  CoopRequest c;
  c.id = r.Int(0);
  c.uuid = r.Text(1);
  c.case_id = r.Int(2);
  c.reference = r.Text(3);
  c.version = int(r.Int(4));
  c.supersedes = r.Int(5);
  c.follows = r.Int(6);
  c.type = r.Text(7);
  c.state = r.Text(8);
  c.doc = r.Text(9);
  c.due = r.Text(10);
  c.signature = r.Text(11);
  c.created = r.Text(12);
  c.updated = r.Text(13);
  return c;
}

template <typename Row>
CoopEvent CoopEventFromRow(const Row& r) {
  return CoopEvent{r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5)};
}

template <typename Row>
Case CaseFromRow(const Row& r) {
  Case c;
  c.id = r.Int(0);
  c.uuid = r.Text(1);
  c.number = r.Text(2);
  c.title = r.Text(3);
  c.offence = r.Text(4);
  c.examiner = r.Text(5);
  c.created = r.Text(6);
  c.status = r.Text(7);
  return c;
}

template <typename Row>
Evidence EvidenceFromRow(const Row& r) {
  Evidence e;
  e.id = r.Int(0);
  e.uuid = r.Text(1);
  e.case_id = r.Int(2);
  e.number = r.Int(3);
  e.label = r.Text(4);
  e.mode = r.Text(5);
  e.source_path = r.Text(6);
  e.source_description = r.Text(7);
  e.device_model = r.Text(8);
  e.device_serial = r.Text(9);
  e.size = uint64_t(r.Int(10));
  e.md5 = r.Text(11);
  e.sha1 = r.Text(12);
  e.sha256 = r.Text(13);
  e.stored_path = r.Text(14);
  e.tool = r.Text(15);
  e.tool_version = r.Text(16);
  e.started = r.Text(17);
  e.finished = r.Text(18);
  e.examiner = r.Text(19);
  // The CHECK constraint keeps state valid; a hand-edited store that bypassed it reads as failed
  // (never as complete).
  e.state = ParseState(r.Text(20)).value_or(EvidenceState::kFailed);
  e.bad_sectors = uint64_t(r.Int(21));
  return e;
}

template <typename Row>
vault::CustodyRecord CustodyFromRow(const Row& r) {
  vault::CustodyRecord c;
  c.case_uuid = r.Text(0);
  c.seq = r.Int(1);
  c.time = r.Text(2);
  c.actor = r.Text(3);
  c.unit = r.Text(4);
  c.action = r.Text(5);
  c.evidence = r.Text(6);
  c.details = ParseCustodyDetails(r.Text(7));
  c.prev_hash = r.Text(8);
  c.signer = r.Text(9);
  c.hash = r.Text(10);
  c.signature = r.Text(11);
  return c;
}

template <typename Row>
ScanRecord ScanFromRow(const Row& r) {
  ScanRecord s;
  s.id = r.Int(0);
  s.uuid = r.Text(1);
  s.case_id = r.Int(2);
  s.evidence_id = r.Int(3);
  s.started = r.Text(4);
  s.finished = r.Text(5);
  s.updated = r.Text(6);
  s.status = r.Text(7);
  s.parameters = r.Text(8);
  s.bytes_total = uint64_t(r.Int(9));
  s.bytes_done = uint64_t(r.Int(10));
  s.occurrences = uint64_t(r.Int(11));
  s.artifacts = uint64_t(r.Int(12));
  s.error = r.Text(13);
  return s;
}

template <typename Row>
Watchlist WatchlistFromRow(const Row& r) {
  Watchlist w;
  w.id = r.Int(0);
  w.uuid = r.Text(1);
  w.name = r.Text(2);
  w.source = r.Text(3);
  w.format = r.Text(4);
  w.file_sha256 = r.Text(5);
  w.imported = r.Text(6);
  w.reference = r.Text(7);
  w.indicators = uint64_t(r.Int(8));
  return w;
}

template <typename Row>
FileListing ListingFromRow(const Row& r) {
  FileListing l;
  l.id = r.Int(0);
  l.uuid = r.Text(1);
  l.case_id = r.Int(2);
  l.evidence_id = r.Int(3);
  l.started = r.Text(4);
  l.finished = r.Text(5);
  l.updated = r.Text(6);
  l.status = r.Text(7);
  l.parameters = r.Text(8);
  l.report = r.Text(9);
  l.files = uint64_t(r.Int(10));
  l.alerts = uint64_t(r.Int(11));
  l.yara_matches = uint64_t(r.Int(12));
  l.error = r.Text(13);
  return l;
}

// kFileColumns from column `at`. `Row` also needs `bool IsNull(int column)` (the times).
// `deleted` reads SQLite's 0 / 1 and PostgreSQL's boolean "t" / "f" alike.
template <typename Row>
StoredFile FileFromRow(const Row& r, int at = 0) {
  auto time = [&](int c) -> std::optional<int64_t> {
    if (r.IsNull(at + c)) return std::nullopt;
    return r.Int(at + c);
  };
  StoredFile f;
  f.id = r.Int(at);
  f.evidence_id = r.Int(at + 1);
  f.fs = r.Text(at + 2);
  f.path = r.Text(at + 3);
  f.type = r.Text(at + 4);
  f.size = uint64_t(r.Int(at + 5));
  f.address = uint64_t(r.Int(at + 6));
  std::string deleted = r.Text(at + 7);
  f.deleted = deleted == "1" || deleted == "t";
  f.modified = time(8);
  f.accessed = time(9);
  f.changed = time(10);
  f.created = time(11);
  f.md5 = r.Text(at + 12);
  f.sha1 = r.Text(at + 13);
  f.sha256 = r.Text(at + 14);
  f.mime = r.Text(at + 15);
  f.ssdeep = r.Text(at + 16);
  f.tlsh = r.Text(at + 17);
  f.error = r.Text(at + 18);
  return f;
}

}  // namespace evidex::store

#endif  // EVIDEX_STORE_STORE_COMMON_H_
