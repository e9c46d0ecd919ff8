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
constexpr char kScanColumns[] =
    "id, uuid, case_id, evidence_id, started, finished, updated, status, parameters, "
    "bytes_total, bytes_done, occurrences, artifacts, error";

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

}  // namespace evidex::store

#endif  // EVIDEX_STORE_STORE_COMMON_H_
