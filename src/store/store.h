// The workspace's store: the unit, other units' keys, cases, evidence and the chain of custody.
//
// One interface, two back ends: SQLite (sqlite_store.cc, the embedded default) and PostgreSQL
// (pg_store.cc, libpq) for a lab sharing one store. Callers
// never see SQL: they use the operations below and group them with Transaction(), which both
// back ends implement as one database transaction.
//
// Schema: each back end carries a schema version and migrates forward when opened; a store at a
// newer version than this evidex reads is refused (Code::kUnsupported, "this workspace was written
// by a newer evidex (schema 4; this one reads up to 3)"). docs/FORMATS.md, "Workspace store".
//
// Errors: Code::kLimit when the store is locked by another process past the busy timeout,
// kUnsupported for a newer schema, kIoError for a full disk or a failed write, kCorrupt for a
// damaged file, kInvalidArgument for a duplicate (e.g. a case number that exists), kNotFound when
// a named case or evidence does not exist.
//
// Custody: AppendCustody reads the last record, seals the new one after it (vault::Seal), inserts
// it and re-signs the head, all in one transaction. It refuses to append when the last record
// does not match the signed head (a deleted last record would otherwise be hidden by the new
// head); `evidex custody verify` then names what is wrong.
//
// Thread safety: a Store is used by one thread at a time. Several processes may share one store.
#ifndef EVIDEX_STORE_STORE_H_
#define EVIDEX_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "vault/custody.h"
#include "vault/keys.h"

namespace evidex::store {

// The schema version this build writes and the newest it reads.
constexpr int kSchemaVersion = 6;  // 1: vault issue; 2: artifacts, scans, watchlists; 3: files;
                                   // 4: accounts, case members, the case artifact summary;
                                   // 5: the 24/7 directory and cooperation requests;
                                   // 6: SQLite's trigram index without positions

struct Unit {
  std::string name;        // "Cybercrime Unit, Colombo"
  std::string country;     // ISO 3166-1 alpha-2, "LK"
  std::string public_key;  // vault::PublicKey::Text()
  std::string created;     // UTC RFC 3339
  // "Cybercrime Unit, Colombo (LK)": the form used in custody records.
  std::string Display() const { return name + " (" + country + ")"; }
};

// Another unit's public key, accepted as a signer of received custody records and packages.
struct KnownKey {
  std::string public_key;  // vault::PublicKey::Text()
  std::string unit, country, added, note;
};

struct Case {
  int64_t id = 0;      // local, small, for typing: `evidex case show 3`
  std::string uuid;    // stable across workspaces (custody records name it)
  std::string number;  // the unit's case number, unique: "2026/041"
  std::string title, offence, examiner;
  std::string created;          // UTC RFC 3339
  std::string status = "open";  // "open", "closed"
};

enum class EvidenceState { kAcquiring, kComplete, kFailed, kDisposed };
const char* StateName(EvidenceState s);  // "acquiring", "complete", "failed", "disposed"
std::optional<EvidenceState> ParseState(const std::string& name);

struct Evidence {
  int64_t id = 0;
  std::string uuid;
  int64_t case_id = 0;
  int64_t number = 0;  // within the case, from 1; shown "E1"
  std::string label;   // "Laptop HDD"
  std::string mode;    // "copy", "reference", "e01"
  std::string source_path, source_description, device_model, device_serial;
  uint64_t size = 0;
  std::string md5, sha1, sha256;
  std::string stored_path;  // relative to the vault ("objects/..."); "" for reference
  std::string tool, tool_version, started, finished, examiner;
  EvidenceState state = EvidenceState::kAcquiring;
  uint64_t bad_sectors = 0;
  std::string Name() const { return "E" + std::to_string(number); }
};

// ---- Artifacts (schema 2) ----
// An artifact is one distinct normalized value of one kind, stored once for the whole store. Kinds
// are the scanner names ("email", "url", "domain", "ipv4", "ipv6", "phone", "ccn", "iban", "btc",
// "eth", "xmr", "onion", "keyword") and, for file hashes (an evidence's own hashes, watchlists),
// "md5", "sha1", "sha256". Values are in the scanner's normalized form (scan/hit.h; the
// exchange module's Normalize() makes the same form from a typed or imported value).
//
// A scan stored into a case (ScanWriter) adds occurrences: artifact, evidence, forensic path,
// feature as found, context. Per evidence the store keeps each artifact's occurrence count, and
// per artifact the number of distinct cases holding it, which is what search and correlation read.

struct ScanRecord {
  int64_t id = 0;
  std::string uuid;
  int64_t case_id = 0;
  int64_t evidence_id = 0;
  std::string started, finished;  // UTC RFC 3339; finished "" while running
  std::string updated;            // last progress write (UTC); a "running" scan whose updated is
                                  // older than kScanStaleSeconds is shown as interrupted
  // "running", "complete", "interrupted", "failed", "superseded" (a later scan of the same
  // evidence replaced it: its occurrences were removed).
  std::string status = "running";
  std::string parameters;  // JSON object: scanners, keywords (file SHA-256), tool version, ...
  uint64_t bytes_total = 0, bytes_done = 0;
  uint64_t occurrences = 0;  // stored so far
  uint64_t artifacts = 0;    // distinct, at finish
  std::string error;         // why it failed or was interrupted
};
constexpr int kScanStaleSeconds = 120;
// "interrupted" for a running scan whose last progress is older than kScanStaleSeconds at `now`
// (UTC RFC 3339), else scan.status.
std::string EffectiveScanStatus(const ScanRecord& scan, const std::string& now);

// One occurrence handed to ScanWriter::Add. Views: valid only during the call.
struct OccurrenceIn {
  std::string_view kind;     // scanner name
  std::string_view value;    // normalized
  std::string_view feature;  // as found, UTF-8
  std::string_view path;     // forensic path ("1048576-GZIP-2210"), or "evidence" for its hashes
  std::string_view context;  // raw bytes around it (may hold any byte)
  bool utf16 = false;
};

struct Artifact {
  int64_t id = 0;
  std::string kind, value;
  uint64_t cases = 0;        // distinct cases holding it
  uint64_t occurrences = 0;  // in the whole store
};

// Where an artifact was seen: one evidence of one case.
struct Sighting {
  int64_t case_id = 0;
  std::string case_number;
  int64_t evidence_id = 0;
  std::string evidence_name;   // "E1"
  std::string evidence_label;  // "Laptop HDD"
  uint64_t occurrences = 0;
};

struct OccurrenceOut {
  int64_t evidence_id = 0;
  std::string path, feature, context;
  bool utf16 = false;
};

struct CorrelateOptions {
  std::vector<std::string> kinds;  // empty: all
  size_t limit = 100;              // artifacts returned (0: all)
  size_t max_cases = 0;            // skip artifacts held by more cases than this (0: no cap)
};

// An artifact of the case that other cases hold too, with where.
struct Correlation {
  Artifact artifact;           // artifact.cases counts this case too
  uint64_t occurrences_here = 0;
  double score = 0;            // rarity: log(total cases / artifact.cases); higher first
  std::vector<Sighting> elsewhere;  // other cases' evidence, at most 20
};

// ---- Accounts and case membership (schema 4; `evidex serve`, `evidex user`) ----
// Roles are global to a user; which cases a user sees is its membership (an admin sees every case).
// What each role may do is the server's rule (docs/API.md, "Roles"), not the store's.
enum class Role { kAdmin, kExaminer, kInvestigator, kProsecutor, kViewer };
const char* RoleName(Role r);  // "admin", "examiner", "investigator", "prosecutor", "viewer"
std::optional<Role> ParseRole(const std::string& name);

struct User {
  int64_t id = 0;
  std::string name;          // the login: unique, 1-64 of [a-z0-9._-] (checked by the caller)
  std::string display_name;  // "Insp. A. Perera"
  Role role = Role::kViewer;
  std::string password_hash;  // libsodium crypto_pwhash_str (Argon2id), "$argon2id$..."
  bool disabled = false;
  bool must_change_password = false;  // a one-time password was issued
  std::string created;           // UTC RFC 3339 (set by AddUser when empty)
  std::string password_changed;  // UTC RFC 3339
};

// A case's artifact with its counts in that case (or in one evidence of it), for the web UI's table.
struct CaseArtifact {
  Artifact artifact;              // cases / occurrences: store-wide, as in FindArtifacts
  uint64_t occurrences_here = 0;  // in the case (or in the evidence asked for)
  uint64_t evidence_count = 0;    // evidence items of the case holding it
};

// One page of a case's artifacts. Keyset pagination: a page is asked for by the cursor of the page
// before or after it, so page 10,000 of a case costs what page 1 costs (no OFFSET scan).
struct ArtifactQuery {
  std::string kind;          // "" every kind
  std::string text;          // "" none; else values containing it (ASCII case-insensitive)
  int64_t evidence_id = 0;   // 0: the whole case; else one evidence item of it
  enum class Sort { kOccurrences, kValue, kKind, kCases } sort = Sort::kOccurrences;
  bool descending = true;    // kOccurrences / kCases: most first by default
  std::string cursor;        // "" first page; else a next_cursor or prev_cursor given earlier
  size_t limit = 50;         // 1..1000
};
struct ArtifactPage {
  std::vector<CaseArtifact> rows;
  // Rows matching the filter. With a text filter, a page read through a cursor repeats the
  // first page's count (carried in the cursor) rather than counting the matches again.
  uint64_t total = 0;
  // False when a text filter matches more rows than the store counts (the cap,
  // case_artifact_page.h ArtifactPlanLimits): `total` is then that cap, read "10,000+".
  bool total_exact = true;
  std::string next_cursor;     // "" on the last page
  std::string prev_cursor;     // "" on the first page
};

// Watchlists: indicators from partners (imported CSV, MISP, STIX).
struct Watchlist {
  int64_t id = 0;
  std::string uuid;
  std::string name;         // "Europol EC3 2026-11 phishing"
  std::string source;       // who sent it (organisation)
  std::string format;       // "csv", "misp", "stix"
  std::string file_sha256;  // of the imported file
  std::string imported;     // UTC RFC 3339
  std::string reference;    // MISP event uuid / STIX bundle id, when present
  uint64_t indicators = 0;
};

struct Indicator {
  std::string kind, value;  // normalized, as artifacts
  std::string original;     // as written in the file
  std::string type;         // the file's type name ("ip-dst", "[email-addr:value = ...]", "email")
  std::string comment;      // MISP comment, STIX name/description, CSV comment column
  std::string reference;    // MISP attribute uuid, STIX indicator id, CSV line number
};

// A watchlist indicator that matches a stored artifact in a case.
struct WatchHit {
  int64_t watchlist_id = 0;
  std::string watchlist_name;
  Indicator indicator;
  Artifact artifact;
  int64_t case_id = 0;
  std::string case_number;
  std::vector<Sighting> sightings;  // the case's evidence holding it
  std::string found;                // UTC RFC 3339: when the match was first made
};

// ---- Files inside evidence (schema 3) ----
// `evidex files EVIDENCE` stores a listing: every file and directory of every filesystem inside
// one evidence item (fs/filesystem.h), with content hashes, type, fuzzy hashes, the hash-set
// matches and YARA matches found while reading them, and YARA matches in unallocated space.
// A new listing of the same evidence supersedes the earlier one (its files and matches removed
// in the same transaction that starts the new one), as scans do.

struct FileListing {
  int64_t id = 0;
  std::string uuid;
  int64_t case_id = 0;
  int64_t evidence_id = 0;
  std::string started, finished;  // UTC RFC 3339; finished "" while running
  std::string updated;            // last write (UTC); stale "running" reads as interrupted
  std::string status = "running";  // as ScanRecord::status
  std::string parameters;  // JSON object: hashing on/off, fuzzy, YARA rule files, hash sets, ...
  std::string report;      // JSON object when finished: partitions, filesystems, notes
  uint64_t files = 0;          // entries stored (files and directories)
  uint64_t alerts = 0;         // files in an alert hash set
  uint64_t yara_matches = 0;   // YARA matches (in files and unallocated space)
  std::string error;
};

struct StoredFile {
  int64_t id = 0;            // set by the store
  int64_t evidence_id = 0;   // set by the store (the listing's)
  std::string fs;            // the filesystem's type and byte offset: "fat16@1048576"
  std::string path;          // "/Users/a/x.doc"
  std::string type;          // "file", "dir", "link", "other"
  uint64_t size = 0;
  uint64_t address = 0;      // MFT entry / inode / FAT directory-entry address
  bool deleted = false;
  // Microseconds since 1970-01-01 UTC; std::nullopt when the filesystem keeps no such time.
  std::optional<int64_t> modified, accessed, changed, created;
  std::string md5, sha1, sha256;  // lower-case hex; "" when not hashed (directories, --no-hash)
  std::string mime;          // libmagic, "" when not hashed
  std::string ssdeep, tlsh;  // "" when not computed (small files, not asked for)
  std::string error;         // why the content could not be read ("" when it could)
};

struct FileSetMatch {
  std::string set;       // the hash set's name
  std::string category;  // "alert" or "known"
  std::string label;     // "malware", "child abuse material", or the set's default
};

struct YaraMatchRecord {
  std::string rule, ns;
  std::vector<std::string> tags;
  std::string meta;     // JSON object {"author": "...", ...}
  std::string strings;  // JSON array [{"id","offset","length","data"(hex)}], offsets inside the
                        // file, or inside the source for unallocated space
};

// One entry handed to FileWriter::Add.
struct FileIn {
  StoredFile file;
  std::vector<FileSetMatch> matches;
  std::vector<YaraMatchRecord> yara;
};

// What deserves an examiner's attention first (`evidex hits` lists these before watchlist hits):
// a file in an alert hash set, a YARA match (in a file or in unallocated space), or a file whose
// MD5 / SHA-1 / SHA-256 is an indicator of a watchlist.
struct FileAlert {
  std::string kind;  // "hashset", "yara", "watchlist"
  int64_t case_id = 0;
  std::string case_number;
  int64_t evidence_id = 0;
  std::string evidence_name, evidence_label;  // "E1", "Laptop HDD"
  std::optional<StoredFile> file;  // std::nullopt: unallocated space (YARA)
  uint64_t offset = 0;             // unallocated space: source byte offset of the scanned region
  FileSetMatch set;                // kind "hashset"
  YaraMatchRecord yara;            // kind "yara"
  std::string watchlist;           // kind "watchlist": its name
  Indicator indicator;             // kind "watchlist"
};

// Feeds one stored listing; made by Store::BeginFiles, used by one thread. Destroying it without
// Finish leaves the listing "running" (read as interrupted once stale).
class FileWriter {
 public:
  virtual ~FileWriter() = default;
  virtual const FileListing& listing() const = 0;
  // Buffers and writes in batches (each its own transaction, ~1 s or ~20,000 files at most):
  // a killed listing keeps what was committed.
  virtual Status Add(std::span<const FileIn> batch) = 0;
  // A YARA match in unallocated space: the region scanned starts at source byte `offset`.
  virtual Status AddUnallocatedYara(uint64_t offset, const YaraMatchRecord& match) = 0;
  // Writes what is buffered and sets status ("complete", "interrupted", "failed"), error and the
  // report JSON; counts are the stored ones. Returns the final record.
  virtual Result<FileListing> Finish(const std::string& status, const std::string& error = "",
                                     const std::string& report = "{}") = 0;
};

// Feeds one stored scan. Created by Store::BeginScan; used by one thread. Destroying it without
// Finish leaves the scan "running" (it then reads as interrupted once stale).
class ScanWriter {
 public:
  virtual ~ScanWriter() = default;
  virtual const ScanRecord& scan() const = 0;
  // Buffers and writes in batches (each its own transaction, committed at most every ~1 s or
  // ~100,000 occurrences): a killed scan keeps what was committed.
  virtual Status Add(std::span<const OccurrenceIn> batch) = 0;
  // Records progress (writes at most once a second).
  virtual Status Progress(uint64_t bytes_done) = 0;
  // Writes what is buffered, the per-evidence counts and case counts, checks every watchlist
  // against this scan's artifacts (new WatchHits), and sets status ("complete", "interrupted",
  // "failed") and error. Returns the final record.
  virtual Result<ScanRecord> Finish(const std::string& status, const std::string& error = "") = 0;
};

// ---- Cooperation (schema 5): the 24/7 directory and cooperation requests (src/coop/) ----
// The store keeps coop's records as JSON documents plus the few columns it looks them up by;
// src/coop/ owns what the documents mean and validates them before storing.
struct DirectoryRecord {
  int64_t id = 0;
  std::string key;      // unique, chosen by the unit: "LK-CID-247", "FR-OFAC"
  std::string country;  // ISO 3166-1 alpha-2, upper case
  std::string doc;      // JSON text (coop::DirectoryEntry)
  std::string updated;  // UTC RFC 3339: when stored (set by PutDirectoryEntries when empty)
};

// One version of a cooperation request. A draft's document may change; from "finalized" on it
// never does (the store refuses, and a trigger in the database too): a change is a new version
// (same reference, version + 1, supersedes the old id).
struct CoopRequest {
  int64_t id = 0;
  std::string uuid;           // filled by AddCoopRequest when empty
  int64_t case_id = 0;
  std::string reference;      // "LK-CCU-2026-0007": unique together with version
  int version = 1;
  int64_t supersedes = 0;     // the request this version replaces (0: none)
  int64_t follows = 0;        // the request this one follows up or extends (0: none)
  std::string type;           // "preservation", "emergency", "mla", "epoc", "epoc-pr"
  std::string state;          // "draft", "finalized", "sent", "acknowledged", "answered",
                              // "refused", "withdrawn", "expired", "superseded"
  std::string doc;            // JSON text (coop::Request)
  std::string due;            // UTC RFC 3339 of the clock running now ("" none)
  std::string signature;      // hex Ed25519 of the finalized document ("" while a draft)
  std::string created, updated;  // UTC RFC 3339 (set by the store)
};

// A request's history: its creation and every change of state, with time and actor.
struct CoopEvent {
  int64_t request_id = 0;
  int64_t seq = 0;            // 1, 2, ... per request (set by the store)
  std::string time;           // UTC RFC 3339 (set by the store when empty)
  std::string actor;          // "Insp. A. Perera (aperera)"
  std::string state;          // the state entered ("draft" for the creation)
  std::string note;           // free text: "sent by e-mail to ...", "extension asked"
};

class Store {
 public:
  virtual ~Store() = default;

  // "sqlite:/path/to/evidex.db".
  virtual std::string Describe() const = 0;

  // Runs `body` in one write transaction; its failure rolls everything back. Operations called
  // inside join it; outside one, each operation is its own transaction.
  virtual Status Transaction(const std::function<Status()>& body) = 0;

  // The unit (one per workspace).
  virtual Status SetUnit(const Unit& unit) = 0;
  virtual Result<Unit> GetUnit() = 0;
  virtual Status AddKnownKey(const KnownKey& key) = 0;  // replaces one with the same public_key
  virtual Result<std::vector<KnownKey>> ListKnownKeys() = 0;

  // Cases. AddCase fills id, and uuid / created when empty.
  virtual Result<Case> AddCase(Case c) = 0;
  // By number first, then (when all digits) by local id; std::nullopt when neither exists.
  virtual Result<std::optional<Case>> FindCase(const std::string& number_or_id) = 0;
  virtual Result<std::optional<Case>> FindCaseByUuid(const std::string& uuid) = 0;
  virtual Result<std::vector<Case>> ListCases() = 0;  // by id

  // Evidence. AddEvidence fills id, and uuid when empty, and number (next in the case) when 0.
  virtual Result<Evidence> AddEvidence(Evidence e) = 0;
  virtual Status UpdateEvidence(const Evidence& e) = 0;  // every field, by id
  virtual Result<std::optional<Evidence>> GetEvidence(int64_t id) = 0;
  // "E2", "2" or a UUID, within the case.
  virtual Result<std::optional<Evidence>> FindEvidence(int64_t case_id,
                                                       const std::string& name) = 0;
  virtual Result<std::vector<Evidence>> ListEvidence(int64_t case_id) = 0;  // by number

  // Custody. ListCustody returns the records in seq order, as stored.
  virtual Result<std::vector<vault::CustodyRecord>> ListCustody(int64_t case_id) = 0;
  virtual Result<std::optional<vault::CustodyHead>> GetCustodyHead(int64_t case_id) = 0;
  // Seals `record` after the case's last record with `key`, stores it and the new head.
  // `record.case_uuid` is set from the case. Returns the sealed record.
  virtual Result<vault::CustodyRecord> AppendCustody(int64_t case_id, vault::CustodyRecord record,
                                                     const vault::SigningKey& key) = 0;
  // OK when the case's chain ends where its signed head says, the head signed by `signer` or a
  // known key: what AppendCustody requires. Code::kCorrupt otherwise. Lets a long command (an
  // acquisition) refuse before it starts rather than after.
  virtual Status CheckChainEnd(int64_t case_id, const vault::PublicKey& signer) = 0;
  // Stores already sealed records verbatim (a received chain) and `head` (for a case that has
  // no records yet). Nothing is re-signed; VerifyChain checks them like any other.
  virtual Status ImportCustody(int64_t case_id, const std::vector<vault::CustodyRecord>& records,
                               const std::optional<vault::CustodyHead>& head) = 0;

  // ---- Scans and artifacts ----
  // Starts a stored scan of one evidence: scan.case_id, evidence_id, parameters, bytes_total are
  // the caller's; id, uuid, started, updated and status are set. In the same transaction every
  // earlier scan of that evidence is marked "superseded" and its occurrences, counts and hits
  // removed, so a scan run again (after an interruption or not) never doubles anything.
  // Two processes may store scans into the same case (or store) at once.
  virtual Result<std::unique_ptr<ScanWriter>> BeginScan(ScanRecord scan) = 0;
  virtual Result<std::vector<ScanRecord>> ListScans(int64_t case_id) = 0;  // by id

  // Exact look-up of a normalized value; every kind when `kind` is empty.
  virtual Result<std::vector<Artifact>> FindArtifacts(const std::string& kind,
                                                      const std::string& value) = 0;
  // Values that start with `prefix` (of `kind`, or any kind when empty); values of "email" or
  // "domain" (or both when `kind` is empty) that end with `suffix` ("@mail.ru": emails at mail.ru;
  // ".mail.ru": its subdomains). At most `limit`, most cases first.
  virtual Result<std::vector<Artifact>> FindArtifactsByPrefix(const std::string& kind,
                                                              const std::string& prefix,
                                                              size_t limit) = 0;
  virtual Result<std::vector<Artifact>> FindArtifactsBySuffix(const std::string& kind,
                                                              const std::string& suffix,
                                                              size_t limit) = 0;
  // Where the artifact is: every case and evidence, by case id then evidence number.
  virtual Result<std::vector<Sighting>> Sightings(int64_t artifact_id) = 0;
  // Its occurrences (in one evidence when evidence_id != 0), in path order, at most `limit`.
  virtual Result<std::vector<OccurrenceOut>> Occurrences(int64_t artifact_id, int64_t evidence_id,
                                                         size_t limit) = 0;
  // The case's artifacts that at least one other case holds, rarest first.
  virtual Result<std::vector<Correlation>> Correlate(int64_t case_id,
                                                     const CorrelateOptions& options) = 0;
  // Every artifact of the case (export), ordered by kind then value; `each` returns false to stop.
  virtual Status ForEachCaseArtifact(
      int64_t case_id,
      const std::function<bool(const Artifact&, uint64_t occurrences_in_case)>& each) = 0;
  virtual Result<uint64_t> CountCases() = 0;

  // ---- Watchlists ----
  // Stores the watchlist and its indicators (duplicates within it stored once) and matches them
  // against every stored artifact (new WatchHits), in one transaction. Fills id, uuid, imported,
  // indicators.
  virtual Result<Watchlist> AddWatchlist(Watchlist list, std::span<const Indicator> indicators) = 0;
  virtual Result<std::vector<Watchlist>> ListWatchlists() = 0;
  virtual Status RemoveWatchlist(int64_t id) = 0;  // and its hits; kNotFound when absent
  // Hits in one case (case_id != 0) or all, newest first.
  virtual Result<std::vector<WatchHit>> ListHits(int64_t case_id) = 0;

  // ---- Files inside evidence (schema 3) ----
  // Starts a listing: listing.case_id, evidence_id, parameters are the caller's; id, uuid,
  // started, updated, status set. Every earlier listing of that evidence becomes "superseded"
  // and its files and matches are removed, in the same transaction.
  virtual Result<std::unique_ptr<FileWriter>> BeginFiles(FileListing listing) = 0;
  // By id; a "running" listing not written for kScanStaleSeconds is returned as "interrupted".
  virtual Result<std::vector<FileListing>> ListFileListings(int64_t case_id) = 0;  // by id
  // The current (latest non-superseded) listing's files of one evidence, in the order added;
  // `each` returns false to stop. With `with_matches`, each file's hash-set and YARA matches too.
  virtual Status ForEachFile(int64_t evidence_id, bool with_matches,
                             const std::function<bool(const FileIn&)>& each) = 0;
  // Files of every evidence (case_id == 0) or of one case with an ssdeep or a TLSH hash, for
  // `evidex similar`; `each` gets the file and where it is.
  virtual Status ForEachFuzzyFile(
      int64_t case_id, const std::function<bool(const StoredFile&, const Sighting&)>& each) = 0;
  // Files whose MD5, SHA-1 or SHA-256 (lower-case hex; the length says which) is `hash`, in
  // every case, with where (`evidex search HASH`).
  virtual Result<std::vector<std::pair<StoredFile, Sighting>>> FindFilesByHash(
      const std::string& hash) = 0;
  // Alerts of one case (case_id != 0) or all: hash-set alerts, YARA matches, files matching a
  // watchlist hash indicator; by case, evidence, then file order.
  virtual Result<std::vector<FileAlert>> ListFileAlerts(int64_t case_id) = 0;

  // ---- Accounts and case membership (schema 4) ----
  // AddUser fills id (and created when empty); Code::kInvalidArgument when the name exists.
  virtual Result<User> AddUser(User user) = 0;
  // Every field but id, name and created, by id; kNotFound when absent.
  virtual Status UpdateUser(const User& user) = 0;
  virtual Result<std::optional<User>> FindUser(const std::string& name) = 0;
  virtual Result<std::optional<User>> GetUser(int64_t id) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;  // by id
  // Membership: adding twice is a no-op; removing one that is not there is kNotFound; an unknown
  // case or user is kNotFound.
  virtual Status AddCaseMember(int64_t case_id, int64_t user_id) = 0;
  virtual Status RemoveCaseMember(int64_t case_id, int64_t user_id) = 0;
  virtual Result<std::vector<User>> ListCaseMembers(int64_t case_id) = 0;  // by user id
  virtual Result<std::vector<int64_t>> ListUserCases(int64_t user_id) = 0;  // case ids, ascending

  // ---- The case artifact table (schema 4) ----
  // One page of the case's artifacts (see ArtifactQuery). Must answer in milliseconds for a case
  // of millions of artifacts, for any filter, sort and page: the store keeps a per-case summary
  // (artifact, kind, value, occurrences in the case and per evidence) that ScanWriter::Finish and
  // the superseding of a scan keep current. Code::kInvalidArgument for a cursor this query did not
  // make (another sort or filter, or forged), kNotFound for an unknown case.
  virtual Result<ArtifactPage> ListCaseArtifacts(int64_t case_id, const ArtifactQuery& query) = 0;
  // One artifact of the case with its counts there (the web UI's artifact page); std::nullopt
  // when the case does not hold it. kNotFound for an unknown case.
  virtual Result<std::optional<CaseArtifact>> GetCaseArtifact(int64_t case_id,
                                                              int64_t artifact_id) = 0;
  // Distinct artifacts per kind in the case (or one evidence of it), by kind name.
  virtual Result<std::vector<std::pair<std::string, uint64_t>>> CountCaseArtifactsByKind(
      int64_t case_id, int64_t evidence_id) = 0;

  // ---- The 24/7 directory and cooperation requests (schema 5) ----
  // Inserts each entry, or replaces the one with its key; all of them or none (one transaction).
  virtual Status PutDirectoryEntries(const std::vector<DirectoryRecord>& entries) = 0;
  virtual Result<std::optional<DirectoryRecord>> GetDirectoryEntry(const std::string& key) = 0;
  // Every entry (country "" ) or one country's, by key.
  virtual Result<std::vector<DirectoryRecord>> ListDirectory(const std::string& country) = 0;
  // kNotFound when absent.
  virtual Status DeleteDirectoryEntry(const std::string& key) = 0;

  // Stores a new request (state must be "draft"; kInvalidArgument otherwise, or when its
  // reference and version exist) and its first event (`created`, state "draft"); fills id, uuid,
  // created, updated. kNotFound for an unknown case.
  virtual Result<CoopRequest> AddCoopRequest(CoopRequest request, CoopEvent created) = 0;
  // Replaces a draft's document and due time. kNotFound when absent; kInvalidArgument when the
  // request is no longer a draft (nothing finalized is ever changed).
  virtual Status UpdateCoopDraft(int64_t id, const std::string& doc, const std::string& due) = 0;
  // Moves the request from state `from` to `event.state` and appends `event` (its request_id is
  // `id`), in one transaction; sets `due` (and `signature` when not empty: on finalizing).
  // kInvalidArgument when the request is not in state `from` (someone moved it meanwhile).
  virtual Status SetCoopState(int64_t id, const std::string& from, const CoopEvent& event,
                              const std::string& due, const std::string& signature) = 0;
  virtual Result<std::optional<CoopRequest>> GetCoopRequest(int64_t id) = 0;
  // Every request of a case (case_id 0: of every case), by id.
  virtual Result<std::vector<CoopRequest>> ListCoopRequests(int64_t case_id) = 0;
  virtual Result<std::vector<CoopEvent>> ListCoopEvents(int64_t request_id) = 0;  // by seq
};

struct StoreOptions {
  // A file path or "sqlite:PATH" (SQLite), or a libpq URI "postgresql://user@host:port/db"
  // (PostgreSQL; the database must exist, the schema is created in it).
  std::string location;
  bool create = false;  // create a new store; otherwise it must exist (Code::kNotFound)
  int busy_timeout_ms = 5000;
};

// Opens the store and migrates it forward to kSchemaVersion.
Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options);

// A random (version 4) UUID, lower-case.
std::string NewUuid();

}  // namespace evidex::store

#endif  // EVIDEX_STORE_STORE_H_
