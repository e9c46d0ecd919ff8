// The workspace's store: the unit, other units' keys, cases, evidence and the chain of custody.
//
// One interface, back ends behind it: SQLite now (sqlite_store.cc, the embedded default); the
// case-store issue adds PostgreSQL and the artifact tables behind the same interface. Callers
// never see SQL: they use the operations below and group them with Transaction(), which both
// back ends implement as one database transaction.
//
// Schema: each back end carries a schema version and migrates forward when opened; a store at a
// newer version than this evidex reads is refused (Code::kUnsupported, "this workspace was written
// by a newer evidex (schema 3; this one reads up to 1)"). docs/FORMATS.md, "Workspace store".
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
#include <string>
#include <vector>

#include "core/status.h"
#include "vault/custody.h"
#include "vault/keys.h"

namespace evidex::store {

// The schema version this build writes and the newest it reads.
constexpr int kSchemaVersion = 1;

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
};

struct StoreOptions {
  // A file path (SQLite). "postgresql://..." is for the case-store issue (Code::kUnsupported now).
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
