// The write-once object store (see object_store.h): temporary directories with flock(), raw
// object writing with read-back verification, atomic moves into objects/.
#include "vault/object_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <utility>

#include "core/hash.h"

namespace evidex::vault {
namespace {

constexpr size_t kAlign = 4096;  // O_DIRECT alignment (logical block size of any common device)
constexpr size_t kHugePage = 2u << 20;  // the read-back buffer's alignment (transparent huge pages)
constexpr const char* kRawTmpName = "object.raw";

int RetryOpen(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// The message for a failed write into the vault, by errno.
Status WriteError(const std::string& path, int err) {
  if (err == ENOSPC) return IoError("vault disk full writing " + path);
  if (err == EDQUOT) return IoError("vault disk quota exceeded writing " + path);
  if (err == EFBIG) {
    return IoError("vault file too large writing " + path +
                   " (the vault's file system or a file size limit does not allow it)");
  }
  return ErrnoStatus("cannot write " + path, err);
}

Status FsyncPath(const std::string& path, bool directory) {
  int fd = RetryOpen(path.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
  if (fd < 0) return ErrnoStatus("cannot open " + path + " to flush it", errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return WriteError(path, err);
  return Status::Ok();
}

// mkdir that accepts an existing directory; *created tells whether it was made now.
Status MakeDir(const std::string& path, mode_t mode, bool* created = nullptr) {
  if (created != nullptr) *created = false;
  if (::mkdir(path.c_str(), mode) == 0) {
    if (created != nullptr) *created = true;
    return Status::Ok();
  }
  int err = errno;
  struct stat st;
  if (err == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return Status::Ok();
  }
  if (err == ENOSPC) return WriteError(path, err);
  return ErrnoStatus("cannot create directory " + path, err);
}

std::string RandomId() {
  unsigned char bytes[8];
  size_t got = 0;
  while (got < sizeof(bytes)) {
    ssize_t n = ::getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    got += static_cast<size_t>(n);
  }
  if (got < sizeof(bytes)) {  // no getrandom (very old kernel): time and pid are unique enough
    struct timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t v = static_cast<uint64_t>(ts.tv_nsec) ^ (static_cast<uint64_t>(ts.tv_sec) << 20) ^
                 (static_cast<uint64_t>(::getpid()) << 44);
    std::memcpy(bytes, &v, sizeof(bytes));
  }
  return ToHex(bytes, sizeof(bytes));
}

// Removes `path` and everything under it, restoring write permission on directories first
// (objects and E01 sets are made read-only). Symbolic links are removed, not followed.
void RemoveTree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    ::chmod(path.c_str(), 0700);
    if (DIR* d = ::opendir(path.c_str())) {
      std::vector<std::string> names;
      while (struct dirent* e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
          names.emplace_back(e->d_name);
        }
      }
      ::closedir(d);
      for (const std::string& n : names) RemoveTree(path + "/" + n);
    }
    ::rmdir(path.c_str());
  } else {
    ::unlink(path.c_str());
  }
}

}  // namespace

bool IsSha256Hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// ---- TmpDir ---------------------------------------------------------------------------------

TmpDir::~TmpDir() {
  if (!committed_) RemoveTree(path_);
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

// ---- RawObjectWriter ------------------------------------------------------------------------

RawObjectWriter::RawObjectWriter(std::string vault_dir, std::unique_ptr<TmpDir> dir, int fd,
                                 int direct_write_fd, int verify_fd, bool direct,
                                 size_t verify_lag_bytes)
    : vault_dir_(std::move(vault_dir)),
      dir_(std::move(dir)),
      file_(dir_->path() + "/" + kRawTmpName),
      fd_(fd),
      direct_write_fd_(direct_write_fd),
      verify_lag_bytes_(verify_lag_bytes),
      verify_fd_(verify_fd),
      direct_(direct) {
  verifier_ = std::make_unique<BlockWorker>([this](const std::shared_ptr<const Block>& b) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] {
        return finishing_ || written_end_ >= b->offset + b->size + verify_lag_bytes_;
      });
    }
    return Verify(*b);
  });
}

RawObjectWriter::~RawObjectWriter() {
  Finishing();
  verifier_.reset();  // joins the read-back thread (dropping what it had not read back)
  if (fd_ >= 0) ::close(fd_);
  if (direct_write_fd_ >= 0) ::close(direct_write_fd_);
  if (verify_fd_ >= 0) ::close(verify_fd_);
  if (verify_buf_ != nullptr) ::operator delete(verify_buf_, std::align_val_t(kHugePage));
  // dir_ (tmp/<id>/ and the file in it) is removed by ~TmpDir unless committed.
}

void RawObjectWriter::Finishing() {
  {
    std::lock_guard lock(mu_);
    finishing_ = true;
  }
  cv_.notify_all();
}

Status RawObjectWriter::WriteAll(int fd, const std::byte* data, size_t size, uint64_t offset,
                                 int* err) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (err != nullptr) *err = errno;
      return WriteError(file_, errno);
    }
    if (n == 0) return WriteError(file_, ENOSPC);  // a zero-byte write: nothing more fits
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status RawObjectWriter::Append(std::shared_ptr<const Block> block) {
  if (committed_) return Internal("RawObjectWriter::Append after Commit");
  if (verifier_->failed()) return verifier_->Drain();
  if (block->offset != written_) {
    return Internal("RawObjectWriter: block at offset " + std::to_string(block->offset) +
                    " does not follow " + std::to_string(written_));
  }
  if (block->size == 0) return Status::Ok();
  bool aligned = block->offset % kAlign == 0 && block->size % kAlign == 0 &&
                 reinterpret_cast<uintptr_t>(block->data()) % kAlign == 0;
  bool written = false;
  if (direct_write_fd_ >= 0 && aligned) {
    int err = 0;
    Status st = WriteAll(direct_write_fd_, block->data(), block->size, block->offset, &err);
    if (st.ok()) {
      written = true;
    } else if (err == EINVAL) {  // opened with O_DIRECT but refused it: the page cache from now on
      ::close(direct_write_fd_);
      direct_write_fd_ = -1;
    } else {
      return st;
    }
  }
  if (!written) {
    EVIDEX_RETURN_IF_ERROR(WriteAll(fd_, block->data(), block->size, block->offset));
    // Start the writeback now so that the read-back rarely waits for the device.
    ::sync_file_range(fd_, static_cast<off_t>(block->offset), static_cast<off_t>(block->size),
                      SYNC_FILE_RANGE_WRITE);
  }
  written_ += block->size;
  {
    std::lock_guard lock(mu_);
    written_end_ = written_;
  }
  cv_.notify_all();
  verifier_->Push(std::move(block));
  return Status::Ok();
}

Status RawObjectWriter::Verify(const Block& b) {
  off_t off = static_cast<off_t>(b.offset);
  // Wait until the range is on the device (a no-op for what O_DIRECT wrote), then make sure the
  // read comes from there.
  if (::sync_file_range(
          fd_, off, static_cast<off_t>(b.size),
          SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) != 0) {
    return WriteError(file_, errno);
  }
  size_t want = (b.size + kAlign - 1) / kAlign * kAlign;  // O_DIRECT reads whole blocks
  if (want > verify_buf_size_) {
    if (verify_buf_ != nullptr) ::operator delete(verify_buf_, std::align_val_t(kHugePage));
    // On huge pages where the system allows: every read-back pins this buffer's pages for the
    // device and compares all of it; fewer, larger pages cost less in both.
    size_t bytes = (want + kHugePage - 1) / kHugePage * kHugePage;
    verify_buf_ = static_cast<std::byte*>(::operator new(bytes, std::align_val_t(kHugePage)));
    ::madvise(verify_buf_, bytes, MADV_HUGEPAGE);
    verify_buf_size_ = bytes;
  }
  if (direct_ && b.offset % kAlign != 0) DropDirect();  // O_DIRECT needs aligned offsets
  if (!direct_) ::posix_fadvise(verify_fd_, off, static_cast<off_t>(b.size), POSIX_FADV_DONTNEED);
  size_t got = 0;
  while (got < b.size) {
    ssize_t n = ::pread(verify_fd_, verify_buf_ + got, want - got, off + static_cast<off_t>(got));
    if (n < 0 && errno == EINVAL && direct_) {  // a file system that opens O_DIRECT but refuses it
      DropDirect();
      ::posix_fadvise(verify_fd_, off, static_cast<off_t>(b.size), POSIX_FADV_DONTNEED);
      continue;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot read back " + file_ + " at offset " +
                             std::to_string(b.offset + got) + " to verify it",
                         errno);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got < b.size || std::memcmp(verify_buf_, b.data(), b.size) != 0) {
    size_t at = 0;
    while (at < std::min(got, b.size) && verify_buf_[at] == b.data()[at]) ++at;
    return Corrupt("the vault copy " + file_ + " differs from the bytes read at offset " +
                   std::to_string(b.offset + at) +
                   " when read back (vault disk or memory fault); nothing was stored");
  }
  verified_ += b.size;
  return Status::Ok();
}

void RawObjectWriter::DropDirect() {
  int fd = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // keep the O_DIRECT descriptor; its error will be reported
  ::close(verify_fd_);
  verify_fd_ = fd;
  direct_ = false;
}

Result<CommittedObject> RawObjectWriter::Commit(std::string_view sha256_hex) {
  if (committed_) return Internal("RawObjectWriter::Commit called twice");
  if (!IsSha256Hex(sha256_hex)) return Internal("RawObjectWriter::Commit: bad SHA-256 name");
  if (::fdatasync(fd_) != 0) return WriteError(file_, errno);
  Finishing();
  EVIDEX_RETURN_IF_ERROR(verifier_->Drain());
  if (verified_.load() != written_) {
    return Internal("the vault copy " + file_ + " was not read back in full");
  }
  if (direct_write_fd_ >= 0) {
    ::close(direct_write_fd_);
    direct_write_fd_ = -1;
  }
  if (::fchmod(fd_, 0444) != 0) return ErrnoStatus("cannot make " + file_ + " read-only", errno);
  if (::fsync(fd_) != 0) return WriteError(file_, errno);

  std::string rel = ObjectStore::RawObjectPath(sha256_hex);
  std::string fan_dir = vault_dir_ + "/objects/" + std::string(sha256_hex.substr(0, 2));
  bool created = false;
  EVIDEX_RETURN_IF_ERROR(MakeDir(fan_dir, 0755, &created));
  if (created) EVIDEX_RETURN_IF_ERROR(FsyncPath(vault_dir_ + "/objects", true));
  std::string target = vault_dir_ + "/" + rel;
  CommittedObject out;
  out.path = rel;
  // Never replace an object: RENAME_NOREPLACE, or link() where the file system lacks it.
  int rc = ::renameat2(AT_FDCWD, file_.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE);
  int err = rc == 0 ? 0 : errno;
  if (rc != 0 && (err == EINVAL || err == ENOSYS)) {
    rc = ::link(file_.c_str(), target.c_str());
    err = rc == 0 ? 0 : errno;
    if (rc == 0) ::unlink(file_.c_str());
  }
  if (rc != 0 && err == EEXIST) {
    out.deduplicated = true;  // ~TmpDir removes this copy
  } else if (rc != 0) {
    if (err == ENOSPC) return WriteError(target, err);
    return ErrnoStatus("cannot move " + file_ + " to " + target, err);
  } else {
    EVIDEX_RETURN_IF_ERROR(FsyncPath(fan_dir, true));
  }
  committed_ = true;
  return out;
}

// ---- ObjectStore ----------------------------------------------------------------------------

ObjectStore::ObjectStore(std::string vault_dir) : vault_dir_(std::move(vault_dir)) {
  while (vault_dir_.size() > 1 && vault_dir_.back() == '/') vault_dir_.pop_back();
}

std::string ObjectStore::RawObjectPath(std::string_view sha256_hex) {
  return "objects/" + std::string(sha256_hex.substr(0, 2)) + "/" + std::string(sha256_hex) + ".raw";
}

std::string ObjectStore::EwfObjectPath(std::string_view sha256_hex, std::string_view id) {
  return "objects/" + std::string(sha256_hex.substr(0, 2)) + "/" + std::string(sha256_hex) +
         ".ewf/" + std::string(id) + "/image.E01";
}

std::string ObjectStore::Absolute(const std::string& relative) const {
  return vault_dir_ + "/" + relative;
}

Status ObjectStore::Init() {
  if (vault_dir_.empty()) return InvalidArgument("no vault directory given");
  EVIDEX_RETURN_IF_ERROR(MakeDir(vault_dir_, 0755));
  EVIDEX_RETURN_IF_ERROR(MakeDir(vault_dir_ + "/objects", 0755));
  EVIDEX_RETURN_IF_ERROR(MakeDir(vault_dir_ + "/tmp", 0700));
  return Status::Ok();
}

Status ObjectStore::CleanTmp(size_t* removed) {
  if (removed != nullptr) *removed = 0;
  std::string tmp = vault_dir_ + "/tmp";
  DIR* d = ::opendir(tmp.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Status::Ok();
    return ErrnoStatus("cannot list " + tmp, errno);
  }
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      names.emplace_back(e->d_name);
    }
  }
  ::closedir(d);
  for (const std::string& name : names) {
    std::string path = tmp + "/" + name;
    int fd = RetryOpen(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd >= 0) {
      if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {  // a live writer holds it
        ::close(fd);
        continue;
      }
    }
    RemoveTree(path);  // a stale entry, or something that cannot be opened (not ours either)
    if (fd >= 0) ::close(fd);
    if (removed != nullptr) ++*removed;
  }
  return Status::Ok();
}

Result<std::unique_ptr<TmpDir>> ObjectStore::NewTmpDir() {
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string id = RandomId();
    std::string path = vault_dir_ + "/tmp/" + id;
    if (::mkdir(path.c_str(), 0700) != 0) {
      if (errno == EEXIST) continue;
      if (errno == ENOSPC) return WriteError(path, errno);
      return ErrnoStatus("cannot create " + path, errno);
    }
    int fd = RetryOpen(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("cannot open " + path, errno);
    // Another process's CleanTmp may have seen the new directory before the lock was taken; if
    // it removed it, start over with a new one.
    struct stat st;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || ::fstat(fd, &st) != 0 || st.st_nlink == 0) {
      ::close(fd);
      continue;
    }
    return std::unique_ptr<TmpDir>(new TmpDir(path, id, fd));
  }
  return IoError("cannot create a temporary directory in " + vault_dir_ + "/tmp");
}

Result<std::unique_ptr<RawObjectWriter>> ObjectStore::NewRawObject(size_t verify_lag_bytes) {
  Result<std::unique_ptr<TmpDir>> dir = NewTmpDir();
  if (!dir.ok()) return dir.status();
  std::string file = (*dir)->path() + "/" + kRawTmpName;
  int fd = ::openat((*dir)->fd(), kRawTmpName, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == ENOSPC) return WriteError(file, errno);
    return ErrnoStatus("cannot create " + file, errno);
  }
  // A second descriptor for O_DIRECT writes, where the file system allows it (not tmpfs).
  int direct_write_fd = ::openat((*dir)->fd(), kRawTmpName, O_WRONLY | O_CLOEXEC | O_DIRECT);
  bool direct = true;
  int vfd = ::openat((*dir)->fd(), kRawTmpName, O_RDONLY | O_CLOEXEC | O_DIRECT);
  if (vfd < 0) {  // tmpfs and some network file systems refuse O_DIRECT
    direct = false;
    vfd = ::openat((*dir)->fd(), kRawTmpName, O_RDONLY | O_CLOEXEC);
  }
  if (vfd < 0) {
    int err = errno;
    ::close(fd);
    if (direct_write_fd >= 0) ::close(direct_write_fd);
    return ErrnoStatus("cannot open " + file + " to verify it", err);
  }
  return std::unique_ptr<RawObjectWriter>(new RawObjectWriter(
      vault_dir_, std::move(*dir), fd, direct_write_fd, vfd, direct, verify_lag_bytes));
}

Result<CommittedObject> ObjectStore::CommitEwfSet(std::unique_ptr<TmpDir> dir,
                                                  std::string_view sha256_hex) {
  if (!IsSha256Hex(sha256_hex)) return Internal("CommitEwfSet: bad SHA-256 name");
  DIR* d = ::opendir(dir->path().c_str());
  if (d == nullptr) return ErrnoStatus("cannot list " + dir->path(), errno);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      names.emplace_back(e->d_name);
    }
  }
  ::closedir(d);
  if (std::find(names.begin(), names.end(), "image.E01") == names.end()) {
    return Internal("CommitEwfSet: no image.E01 in " + dir->path());
  }
  CommittedObject out;
  for (const std::string& name : names) {
    std::string file = dir->path() + "/" + name;
    if (::chmod(file.c_str(), 0444) != 0) {
      return ErrnoStatus("cannot make " + file + " read-only", errno);
    }
    EVIDEX_RETURN_IF_ERROR(FsyncPath(file, false));
    struct stat st;
    if (::stat(file.c_str(), &st) == 0) out.size += static_cast<uint64_t>(st.st_size);
  }
  EVIDEX_RETURN_IF_ERROR(FsyncPath(dir->path(), true));

  std::string fan_dir = vault_dir_ + "/objects/" + std::string(sha256_hex.substr(0, 2));
  std::string set_dir = fan_dir + "/" + std::string(sha256_hex) + ".ewf";
  bool created_fan = false, created_set = false;
  EVIDEX_RETURN_IF_ERROR(MakeDir(fan_dir, 0755, &created_fan));
  if (created_fan) EVIDEX_RETURN_IF_ERROR(FsyncPath(vault_dir_ + "/objects", true));
  EVIDEX_RETURN_IF_ERROR(MakeDir(set_dir, 0755, &created_set));
  if (created_set) EVIDEX_RETURN_IF_ERROR(FsyncPath(fan_dir, true));
  std::string target = set_dir + "/" + dir->id();
  if (::rename(dir->path().c_str(), target.c_str()) != 0) {
    return ErrnoStatus("cannot move " + dir->path() + " to " + target, errno);
  }
  dir->committed_ = true;
  ::chmod(target.c_str(), 0555);
  EVIDEX_RETURN_IF_ERROR(FsyncPath(set_dir, true));
  (void)FsyncPath(vault_dir_ + "/tmp", true);
  out.path = EwfObjectPath(sha256_hex, dir->id());
  return out;
}

}  // namespace evidex::vault
