// Internal to the PostgreSQL back end: files inside evidence (store.h, "Files inside evidence
// (schema 3)"; schema v3 in pg_store.cc, layout in docs/FORMATS.md).
//
// PgFiles works on the store's connection and runs its writes through the store's Transaction;
// a FileWriter it creates borrows both and must not outlive the store. Used by one thread.
// It decides what the contract leaves open as the SQLite back end does (sqlite_files.h): stale
// "running" listings read as interrupted, the current listing is the latest not superseded,
// batches of at most a second or 20,000 files, unallocated YARA matches after the file ones.
//
// Concurrency: BeginFiles locks the evidence row (two listings of one evidence take turns) and
// each writer batch updates its listing row first, so a superseding BeginFiles waits for a batch
// in flight, then removes it; the writer's next batch finds its listing superseded and stops.
// File ids are taken from the files' identity sequence before a batch is copied in, so a listing's
// files are in id order as added even when two writers interleave.
#ifndef EVIDEX_STORE_PG_FILES_H_
#define EVIDEX_STORE_PG_FILES_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/pg.h"
#include "store/store.h"

namespace evidex::store {

class PgFiles {
 public:
  // Runs a body in the store's transaction (joining one that is open).
  using TransactionRunner = std::function<Status(const std::function<Status()>&)>;
  // Whether a caller's Store::Transaction is open (a writer's batches refuse to join one).
  using InTransaction = std::function<bool()>;

  PgFiles(PgConn* conn, TransactionRunner transaction, InTransaction in_transaction)
      : conn_(conn),
        transaction_(std::move(transaction)),
        in_transaction_(std::move(in_transaction)) {}

  Result<std::unique_ptr<FileWriter>> BeginFiles(FileListing listing);
  Result<std::vector<FileListing>> ListFileListings(int64_t case_id);
  Status ForEachFile(int64_t evidence_id, bool with_matches,
                     const std::function<bool(const FileIn&)>& each);
  Status ForEachFuzzyFile(int64_t case_id,
                          const std::function<bool(const StoredFile&, const Sighting&)>& each);
  Result<std::vector<std::pair<StoredFile, Sighting>>> FindFilesByHash(const std::string& hash);
  Result<std::vector<FileAlert>> ListFileAlerts(int64_t case_id);

  // The writer's side (PgFileWriter).
  Status RefuseInTransaction() const;
  // Writes `files` and `unallocated` YARA matches of `listing` in the caller's transaction, and
  // adds them to its counts; kInvalidArgument when the listing is no longer running. `listing`
  // gets the stored counts and `updated`.
  Status WriteBatch(FileListing& listing, const std::vector<FileIn>& files,
                    const std::vector<std::pair<uint64_t, YaraMatchRecord>>& unallocated);
  Status Transaction(const std::function<Status()>& body) { return transaction_(body); }
  PgConn& conn() { return *conn_; }

 private:
  // Marks every listing of the evidence not superseded yet as superseded and removes its files
  // and matches. In BeginFiles' transaction, the evidence row locked.
  Status Supersede(int64_t evidence_id);

  PgConn* conn_;
  TransactionRunner transaction_;
  InTransaction in_transaction_;
};

}  // namespace evidex::store

#endif  // EVIDEX_STORE_PG_FILES_H_
