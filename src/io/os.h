// The operating-system layer of io/: every POSIX/Linux call io/ makes lives in os.cc.
//
// Everything here is read-only by construction: files are opened O_RDONLY | O_CLOEXEC and no
// function writes, truncates, renames or changes the mode of anything.
#ifndef EVIDEX_IO_OS_H_
#define EVIDEX_IO_OS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace evidex::os {

// An owned file descriptor (move-only); closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

enum class FileKind { kRegular, kDirectory, kBlockDevice, kSymlink, kOther };

struct FileInfo {
  FileKind kind = FileKind::kOther;
  uint64_t size = 0;  // st_size (meaningful for regular files only)
};

// stat() (follow_symlinks) or lstat(). ENOENT/ENOTDIR give kNotFound; the message names the path.
Result<FileInfo> Stat(const std::string& path, bool follow_symlinks);

// open(path, O_RDONLY | O_CLOEXEC). Refuses anything that is not a regular file or a block device
// (checked before opening, so a FIFO cannot block the caller, and again on the descriptor).
Result<Fd> OpenReadOnly(const std::string& path);

// Size of an open regular file (fstat) or block device (ioctl BLKGETSIZE64).
Result<uint64_t> SizeOf(const Fd& fd, const std::string& path);

// Whether the open descriptor is a block device.
bool IsBlockDevice(const Fd& fd);

// pread() loop: retries EINTR and short reads; stops early only at end of file. Errors name the
// path and the offset.
Result<size_t> PreadFull(const Fd& fd, const std::string& path, uint64_t offset,
                         std::span<std::byte> out);

// Entry names of a directory (without "." and ".."), in directory order.
Result<std::vector<std::string>> ListDirectory(const std::string& dir);

// Checks that a regular file can be opened for reading (open + close; O_NONBLOCK and O_NOFOLLOW so
// that a file swapped for a FIFO or a link while walking cannot block or redirect us).
Status CheckReadable(const std::string& path);

// "dir/name" handling for '/'-separated paths.
std::string DirName(const std::string& path);   // "." when there is no '/'
std::string BaseName(const std::string& path);  // the part after the last '/'
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace evidex::os

#endif  // EVIDEX_IO_OS_H_
