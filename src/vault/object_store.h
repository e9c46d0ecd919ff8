// The vault's write-once, content-addressed object store.
//
// Layout under the vault directory (docs/FORMATS.md, "Vault objects"):
//   objects/<h0h1>/<h>.raw                    a raw copy; h = SHA-256 of its bytes, lower-case hex
//   objects/<h0h1>/<h>.ewf/<id>/image.E01 …   an E01 set whose media has SHA-256 h (one directory
//                                             per acquisition: each carries its own case header)
//   tmp/<id>/                                 writes in progress
// Objects are mode 0444 (an E01 set's directory 0555) and are never modified once in objects/.
//
// Crash safety: bytes are written under tmp/<id>/, fsynced, verified, and only then renamed into
// objects/ (rename is atomic) and the directories fsynced. A kill at any moment leaves either
// nothing in objects/ or a complete, verified object. tmp/ leftovers are removed by CleanTmp.
//
// Several processes may share one vault: a writer holds an flock() on its tmp/<id>/ directory
// while it works, and CleanTmp leaves locked entries alone. A RawObjectWriter or TmpDir is used
// by one thread at a time.
#ifndef EVIDEX_VAULT_OBJECT_STORE_H_
#define EVIDEX_VAULT_OBJECT_STORE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash_multi.h"
#include "core/status.h"

namespace evidex::vault {

// A directory tmp/<id>/ owned (flock) by this process; removed with its contents when destroyed
// unless it was moved into objects/ (ObjectStore::CommitEwfSet).
class TmpDir {
 public:
  ~TmpDir();
  TmpDir(const TmpDir&) = delete;
  TmpDir& operator=(const TmpDir&) = delete;

  const std::string& path() const { return path_; }  // absolute (vault_dir + "/tmp/" + id)
  const std::string& id() const { return id_; }      // 16 random hex digits
  int fd() const { return fd_; }                     // the directory, open and locked

 private:
  friend class ObjectStore;
  TmpDir(std::string path, std::string id, int fd)
      : path_(std::move(path)), id_(std::move(id)), fd_(fd) {}
  std::string path_, id_;
  int fd_;
  bool committed_ = false;
};

struct CommittedObject {
  std::string path;           // relative to the vault directory
  bool deduplicated = false;  // an identical object was already there; this copy was dropped
  uint64_t size = 0;          // bytes in the vault's files (every segment of an E01 set)
};

// Writes one raw object. The bytes come as the acquisition's shared blocks, in order. Aligned
// blocks are written with O_DIRECT (the device takes them straight from the block, no copy
// through the page cache), the rest through the page cache. A second thread reads every written
// range back from the device (O_DIRECT; where the file system refuses it, through the page cache
// dropped for the range after writeback) and compares it with the block, which is held until
// then — so the stored copy is verified byte for byte against the very bytes that were hashed,
// while the acquisition goes on, without reading the source twice.
class RawObjectWriter {
 public:
  ~RawObjectWriter();  // removes the temporary file unless committed
  RawObjectWriter(const RawObjectWriter&) = delete;
  RawObjectWriter& operator=(const RawObjectWriter&) = delete;

  // Appends the block's bytes (blocks must be contiguous, from offset 0). Errors: "vault disk
  // full writing …" (ENOSPC), other write errors, Corrupt when a read-back differed.
  Status Append(std::shared_ptr<const Block> block);
  // Flushes (fsync), waits for the last read-backs, makes the file 0444 and renames it to
  // objects/<h0h1>/<h>.raw, h = sha256_hex. When that object exists already (same content,
  // earlier acquisition or a concurrent one), this copy is removed and the existing path
  // returned with deduplicated = true; the caller decides whether to re-hash the existing one.
  Result<CommittedObject> Commit(std::string_view sha256_hex);

  uint64_t size() const { return written_; }
  uint64_t verified_bytes() const { return verified_.load(); }
  bool direct_io() const { return direct_.load(); }  // read-back bypasses the page cache

 private:
  friend class ObjectStore;
  RawObjectWriter(std::string vault_dir, std::unique_ptr<TmpDir> dir, int fd, int direct_write_fd,
                  int verify_fd, bool direct, size_t verify_lag_bytes);
  Status Verify(const Block& b);  // on the read-back thread
  void DropDirect();              // read back through the page cache (dropped per range)
  // *err (when given) receives the errno of a failed write.
  Status WriteAll(int fd, const std::byte* data, size_t size, uint64_t offset, int* err = nullptr);
  void Finishing();  // releases the read-back thread's wait for more bytes

  std::string vault_dir_;
  std::unique_ptr<TmpDir> dir_;
  std::string file_;  // absolute path of the temporary file
  int fd_ = -1;
  int direct_write_fd_ = -1;  // O_DIRECT, for aligned blocks; -1 where the file system refuses
  const size_t verify_lag_bytes_;
  uint64_t written_ = 0;
  bool committed_ = false;

  // Read-back side.
  int verify_fd_ = -1;
  std::atomic<bool> direct_{false};
  std::byte* verify_buf_ = nullptr;  // 4096-aligned, verify_buf_size_ bytes
  size_t verify_buf_size_ = 0;
  std::atomic<uint64_t> verified_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t written_end_ = 0;               // guarded by mu_: bytes written so far
  bool finishing_ = false;                 // guarded by mu_
  std::unique_ptr<BlockWorker> verifier_;  // last: destroyed (joined) first
};

class ObjectStore {
 public:
  explicit ObjectStore(std::string vault_dir);

  // Creates the vault directory, objects/ and tmp/ when missing.
  Status Init();
  // Removes tmp/ entries no live writer holds (left by killed runs). *removed: how many.
  Status CleanTmp(size_t* removed = nullptr);

  Result<std::unique_ptr<TmpDir>> NewTmpDir();
  // A writer for a new raw object. A range is read back once `verify_lag_bytes` more were written
  // after it (or at Commit): through the page cache this gives writeback time to batch; the
  // blocks are held meanwhile, so the caller's pool must have room for that many bytes.
  Result<std::unique_ptr<RawObjectWriter>> NewRawObject(size_t verify_lag_bytes = 2u << 20);
  // Moves a finished E01 set (files image.E01, image.E02 … in `dir`) to
  // objects/<h0h1>/<h>.ewf/<id>/ after fsyncing each file and making it 0444. Returns the path
  // of image.E01 relative to the vault and the size of all the files.
  Result<CommittedObject> CommitEwfSet(std::unique_ptr<TmpDir> dir, std::string_view sha256_hex);

  static std::string RawObjectPath(std::string_view sha256_hex);  // "objects/ab/ab….raw"
  // "objects/ab/ab….ewf/<id>/image.E01"
  static std::string EwfObjectPath(std::string_view sha256_hex, std::string_view id);
  // vault_dir + "/" + relative.
  std::string Absolute(const std::string& relative) const;
  const std::string& vault_dir() const { return vault_dir_; }

 private:
  std::string vault_dir_;
};

// Whether `s` is 64 lower-case hex digits.
bool IsSha256Hex(std::string_view s);

}  // namespace evidex::vault

#endif  // EVIDEX_VAULT_OBJECT_STORE_H_
