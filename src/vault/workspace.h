// The workspace: one directory that holds a unit's store, signing key and vault.
//
//   DIR/evidex.db   the store (SQLite, WAL; store/store.h), or
//   DIR/store.uri   the location of a PostgreSQL store, one line (mode 0600: it may hold a
//                   password; better kept in ~/.pgpass or PGPASSWORD)
//   DIR/unit.key    the unit's Ed25519 signing key (keys.h; mode 0600)
//   DIR/unit.pub    its public half, one line "ed25519:<64 hex>"
//   DIR/vault/      evidence objects (acquire.h / object store)
//   DIR/locks/      one lock file per evidence item being acquired (flock; see LockEvidence)
//
// DIR comes from cli::WorkspaceDir (--data, $EVIDEX_DATA, ./evidex-data).
//
// Init builds the whole workspace in a sibling temporary directory and renames it into place, so
// a kill during init leaves either no workspace or a complete one, never half of one. It refuses
// a DIR that already holds anything. Open only opens the store; the signing key is loaded (and a
// passphrase asked for) only by commands that sign, through LoadSigningKey.
//
// Thread safety: a Workspace is used by one thread at a time (its Store is).
#ifndef EVIDEX_VAULT_WORKSPACE_H_
#define EVIDEX_VAULT_WORKSPACE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "store/store.h"
#include "vault/keys.h"

namespace evidex::vault {

struct InitOptions {
  std::string unit_name;  // "Cybercrime Unit, Colombo"
  std::string country;    // "LK": two upper-case letters (ISO 3166-1 alpha-2)
  // The key's passphrase; std::nullopt keeps the key unencrypted in a 0600 file (--no-passphrase).
  std::optional<std::string> passphrase;
  KdfLimits kdf = KdfLimits::Moderate();
  // "" for the workspace's own SQLite file; else a "postgresql://..." store. Refused when that
  // store already holds a unit.
  std::string store_location;
};

// An flock held on DIR/locks/<name>.lock; released when destroyed (or when the process dies, so a
// killed acquisition never leaves a stale lock).
class FileLock {
 public:
  FileLock() = default;
  explicit FileLock(int fd) : fd_(fd) {}
  ~FileLock();
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

class Workspace {
 public:
  // Creates a new workspace at `dir`. Code::kInvalidArgument when `dir` exists and is not empty
  // ("a workspace already exists at X"), or for a bad unit name or country.
  static Result<Workspace> Init(const std::string& dir, const InitOptions& options);
  // Opens an existing one: Code::kNotFound "no workspace at X; run evidex init" when there is
  // none; the store's errors otherwise (newer schema: kUnsupported; locked: kLimit).
  // `store_location` (--db), when given, must name the workspace's own store.
  static Result<Workspace> Open(const std::string& dir, int busy_timeout_ms = 5000,
                                const std::string& store_location = "");

  Workspace(Workspace&&) noexcept = default;
  Workspace& operator=(Workspace&&) noexcept = default;

  store::Store& store() { return *store_; }
  const store::Unit& unit() const { return unit_; }
  const std::string& dir() const { return dir_; }
  std::string db_path() const { return dir_ + "/evidex.db"; }
  const std::string& store_location() const { return store_location_; }
  std::string key_path() const { return dir_ + "/unit.key"; }
  std::string pub_path() const { return dir_ + "/unit.pub"; }
  std::string vault_dir() const { return dir_ + "/vault"; }

  // Loads the unit's signing key. When the key file is protected the passphrase comes from
  // ObtainPassphrase(passphrase_file, ...) (the file, $EVIDEX_PASSPHRASE, or a terminal prompt).
  // Fails (wrong passphrase, unreadable key, a key that is not this unit's) with a message naming
  // the key file; the CLI exits 6 for any of these.
  Result<SigningKey> LoadSigningKey(const std::string& passphrase_file);

  // The signers whose custody records and heads this workspace accepts: its own unit key and the
  // known keys of other units (read once, when called).
  Result<std::function<bool(const PublicKey&)>> TrustedSigners();

  // Takes DIR/locks/<name>.lock without waiting: a lock that is not held comes back when another
  // process holds it.
  Result<FileLock> TryLock(const std::string& name);

 private:
  Workspace() = default;
  std::string dir_;
  std::string store_location_;
  std::unique_ptr<store::Store> store_;
  store::Unit unit_;
};

}  // namespace evidex::vault

#endif  // EVIDEX_VAULT_WORKSPACE_H_
