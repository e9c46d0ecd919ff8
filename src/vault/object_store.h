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

#include <cstdint>
#include <deque>
#include <memory>
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

// Writes one raw object. The bytes come as the acquisition's shared blocks, in order; each block
// is held until its bytes were written, flushed to the storage device and read back (O_DIRECT,
// or with the page cache dropped for the range where O_DIRECT is refused) and compared — so the
// stored copy is verified byte for byte against the very bytes that were hashed, while the
// acquisition goes on, and the reader does not have to read the source twice.
class RawObjectWriter {
 public:
  ~RawObjectWriter();  // removes the temporary file unless committed
  RawObjectWriter(const RawObjectWriter&) = delete;
  RawObjectWriter& operator=(const RawObjectWriter&) = delete;

  // Appends the block's bytes (blocks must be contiguous, from offset 0). Errors: "vault disk
  // full writing …" (ENOSPC), other write errors, Corrupt when a read-back differs.
  Status Append(std::shared_ptr<const Block> block);
  // Flushes (fsync), verifies what is still held, makes the file 0444 and renames it to
  // objects/<h0h1>/<h>.raw, h = sha256_hex. When that object exists already (same content,
  // earlier acquisition or a concurrent one), this copy is removed and the existing path
  // returned with deduplicated = true; the caller decides whether to re-hash the existing one.
  Result<CommittedObject> Commit(std::string_view sha256_hex);

  uint64_t size() const { return written_; }
  uint64_t verified_bytes() const { return verified_; }
  bool direct_io() const { return direct_; }  // read-back bypasses the page cache with O_DIRECT

 private:
  friend class ObjectStore;
  RawObjectWriter(std::string vault_dir, std::unique_ptr<TmpDir> dir, int fd, int verify_fd,
                  bool direct, size_t verify_lag_bytes);
  Status VerifyOldest();
  void DropDirect();  // read back through the page cache (dropped per range) from now on
  Status WriteAll(const std::byte* data, size_t size, uint64_t offset);

  std::string vault_dir_;
  std::unique_ptr<TmpDir> dir_;
  std::string file_;  // absolute path of the temporary file
  int fd_ = -1, verify_fd_ = -1;
  bool direct_ = false;
  size_t verify_lag_bytes_;
  std::deque<std::shared_ptr<const Block>> unverified_;
  uint64_t unverified_bytes_ = 0;
  uint64_t written_ = 0, verified_ = 0;
  std::byte* verify_buf_ = nullptr;  // 4096-aligned, verify_buf_size_ bytes
  size_t verify_buf_size_ = 0;
  bool committed_ = false;
};

class ObjectStore {
 public:
  explicit ObjectStore(std::string vault_dir);

  // Creates the vault directory, objects/ and tmp/ when missing.
  Status Init();
  // Removes tmp/ entries no live writer holds (left by killed runs). *removed: how many.
  Status CleanTmp(size_t* removed = nullptr);

  Result<std::unique_ptr<TmpDir>> NewTmpDir();
  // A writer for a new raw object; `verify_lag_bytes` of written data may wait for read-back
  // (written ahead so the device is not waited on block by block).
  Result<std::unique_ptr<RawObjectWriter>> NewRawObject(size_t verify_lag_bytes = 32u << 20);
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
