// Internal to the SQLite back end: files inside evidence (store.h, "Files inside evidence
// (schema 3)"; schema v3 in sqlite_store.cc, layout in docs/FORMATS.md).
//
// SqliteFiles works on the store's connection and runs its writes through the store's Transaction,
// as SqliteArtifacts does (sqlite_artifacts.h); a FileWriter it creates borrows the connection and
// must not outlive the store. Used by one thread.
//
// Decisions the contract leaves open (store.h), the same on PostgreSQL (pg_files.h):
// - A listing's current state: ListFileListings reports a "running" listing whose `updated` is
//   older than kScanStaleSeconds as "interrupted" (EffectiveListingStatus); the row keeps
//   "running". The "current" listing of an evidence is its latest one not superseded, whatever
//   its status: a killed listing's committed files are read until the evidence is listed again.
// - Batches: a FileWriter commits what it holds a second after its previous commit, or at 20,000
//   files or 64 MiB buffered, each batch its own transaction (listing counts included); Finish is
//   one transaction (the last batch, status, report). A writer whose listing was superseded
//   meanwhile fails its next write with kInvalidArgument and writes nothing more; its writes
//   inside Store::Transaction are refused (kInvalidArgument). BeginFiles may join one.
// - YARA matches in unallocated space are listed after the evidence's file YARA matches, by offset.
//   Alerts of one kind and file are in the order added; watchlist alerts of one file by watchlist
//   id, then indicator.
// - A watchlist alert is one per (file, indicator): a file whose MD5 and SHA-256 are both listed,
//   or whose hash two watchlists hold, gives several.
#ifndef EVIDEX_STORE_SQLITE_FILES_H_
#define EVIDEX_STORE_SQLITE_FILES_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite.h"
#include "store/sqlite_artifacts.h"
#include "store/store.h"

namespace evidex::store {

class SqliteFiles {
 public:
  SqliteFiles(Db* db, TransactionRunner transaction)
      : db_(db), transaction_(std::move(transaction)) {}

  Result<std::unique_ptr<FileWriter>> BeginFiles(FileListing listing);
  Result<std::vector<FileListing>> ListFileListings(int64_t case_id);
  Status ForEachFile(int64_t evidence_id, bool with_matches,
                     const std::function<bool(const FileIn&)>& each);
  Status ForEachFuzzyFile(int64_t case_id,
                          const std::function<bool(const StoredFile&, const Sighting&)>& each);
  Result<std::vector<std::pair<StoredFile, Sighting>>> FindFilesByHash(const std::string& hash);
  Result<std::vector<FileAlert>> ListFileAlerts(int64_t case_id);

 private:
  // Marks every listing of the evidence that is not superseded yet as superseded and removes its
  // files and matches. In BeginFiles' transaction.
  Status Supersede(int64_t evidence_id);

  Db* db_;
  TransactionRunner transaction_;
};

}  // namespace evidex::store

#endif  // EVIDEX_STORE_SQLITE_FILES_H_
