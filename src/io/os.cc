#include "io/os.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace evidex::os {
namespace {

FileKind KindOf(mode_t mode) {
  if (S_ISREG(mode)) return FileKind::kRegular;
  if (S_ISDIR(mode)) return FileKind::kDirectory;
  if (S_ISBLK(mode)) return FileKind::kBlockDevice;
  if (S_ISLNK(mode)) return FileKind::kSymlink;
  return FileKind::kOther;
}

const char* KindName(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

}  // namespace

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Result<FileInfo> Stat(const std::string& path, bool follow_symlinks) {
  struct stat st;
  int rc = follow_symlinks ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
  if (rc != 0) return ErrnoStatus("cannot stat " + path, errno);
  FileInfo info;
  info.kind = KindOf(st.st_mode);
  info.size = static_cast<uint64_t>(st.st_size);
  return info;
}

Result<Fd> OpenReadOnly(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("cannot open " + path, errno);
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
    return Unsupported("cannot open " + path + ": " + KindName(st.st_mode) +
                       ", not a regular file or block device");
  }
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoStatus("cannot open " + path, errno);
  Fd owned(fd);
  if (::fstat(fd, &st) != 0) return ErrnoStatus("cannot stat " + path, errno);
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
    return Unsupported("cannot open " + path + ": " + KindName(st.st_mode) +
                       ", not a regular file or block device");
  }
  return owned;
}

Result<uint64_t> SizeOf(const Fd& fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("cannot stat " + path, errno);
  if (S_ISREG(st.st_mode)) return static_cast<uint64_t>(st.st_size);
  if (S_ISBLK(st.st_mode)) {
    uint64_t size = 0;
    if (::ioctl(fd.get(), BLKGETSIZE64, &size) != 0) {
      return ErrnoStatus("cannot get the size of block device " + path, errno);
    }
    return size;
  }
  return Unsupported(path + ": " + KindName(st.st_mode) + ", not a regular file or block device");
}

bool IsBlockDevice(const Fd& fd) {
  struct stat st;
  return ::fstat(fd.get(), &st) == 0 && S_ISBLK(st.st_mode);
}

Result<size_t> PreadFull(const Fd& fd, const std::string& path, uint64_t offset,
                         std::span<std::byte> out) {
  size_t done = 0;
  while (done < out.size()) {
    uint64_t at = offset + done;
    if (at > static_cast<uint64_t>(INT64_MAX)) break;
    ssize_t n = ::pread(fd.get(), out.data() + done, out.size() - done, static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      return IoError("cannot read " + path + " at offset " + std::to_string(at) + ": " +
                     std::strerror(err));
    }
    if (n == 0) break;  // end of file
    done += static_cast<size_t>(n);
  }
  return done;
}

Result<std::vector<std::string>> ListDirectory(const std::string& dir) {
  int fd;
  do {
    fd = ::open(dir.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoStatus("cannot open directory " + dir, errno);
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("cannot open directory " + dir, err);
  }
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(d);
    if (e == nullptr) {
      int err = errno;
      ::closedir(d);
      if (err != 0) return ErrnoStatus("cannot read directory " + dir, err);
      break;
    }
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    names.emplace_back(e->d_name);
  }
  return names;
}

Status CheckReadable(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoStatus("cannot open " + path, errno);
  ::close(fd);
  return Status::Ok();
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

}  // namespace evidex::os
