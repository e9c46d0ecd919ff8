// The workspace directory (workspace.h): atomic creation, opening, key loading, lock files.
#include "vault/workspace.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

namespace evidex::vault {
namespace {

namespace fs = std::filesystem;

Status FsyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open " + path, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus("cannot sync " + path, err);
  return Status::Ok();
}

Status WriteSmallFile(const std::string& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus("cannot create " + path, errno);
  ssize_t n = ::write(fd, text.data(), text.size());
  int err = errno;
  bool ok = n == ssize_t(text.size()) && ::fsync(fd) == 0;
  if (!ok && n == ssize_t(text.size())) err = errno;
  ::close(fd);
  if (!ok) return ErrnoStatus("cannot write " + path, err);
  return Status::Ok();
}

bool ValidCountry(const std::string& c) {
  return c.size() == 2 &&
         std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

// Populates an empty directory `tmp` as a complete workspace.
Status Populate(const std::string& tmp, const InitOptions& options) {
  for (const char* sub : {"/vault", "/locks"})
    if (::mkdir((tmp + sub).c_str(), 0700) != 0)
      return ErrnoStatus("cannot create " + tmp + sub, errno);
  Result<SigningKey> key = SigningKey::Generate();
  if (!key.ok()) return key.status();
  EVIDEX_RETURN_IF_ERROR(SaveKeyFile(tmp + "/unit.key", *key, options.passphrase, options.kdf));
  EVIDEX_RETURN_IF_ERROR(WriteSmallFile(tmp + "/unit.pub", key->public_key().Text() + "\n", 0644));
  const bool external = !options.store_location.empty();
  if (external)
    EVIDEX_RETURN_IF_ERROR(WriteSmallFile(tmp + "/store.uri", options.store_location + "\n", 0600));
  Result<std::unique_ptr<store::Store>> st = store::OpenStore(
      {external ? options.store_location : tmp + "/evidex.db", /*create=*/true, 5000});
  if (!st.ok()) return st.status();
  if (external) {
    Result<store::Unit> existing = (*st)->GetUnit();
    if (existing.ok())
      return InvalidArgument("the store " + (*st)->Describe() + " already belongs to " +
                             existing->Display() + "; nothing was changed");
    if (existing.status().code() != Code::kNotFound) return existing.status();
  }
  store::Unit unit{options.unit_name, options.country, key->public_key().Text(), UtcNow()};
  EVIDEX_RETURN_IF_ERROR((*st)->SetUnit(unit));
  st->reset();  // closed: the WAL is checkpointed into evidex.db before the rename
  for (const char* sub : {"/vault", "/locks", ""}) EVIDEX_RETURN_IF_ERROR(FsyncPath(tmp + sub));
  return Status::Ok();
}

}  // namespace

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

Result<Workspace> Workspace::Init(const std::string& dir, const InitOptions& options) {
  if (options.unit_name.empty()) return InvalidArgument("the unit needs a name (--unit)");
  if (!ValidCountry(options.country))
    return InvalidArgument("country must be a two-letter ISO 3166-1 code in capitals, e.g. LK");
  if (dir.empty()) return InvalidArgument("no workspace directory given");
  std::error_code ec;
  fs::path target = fs::absolute(fs::path(dir), ec);
  if (ec) return InvalidArgument("bad workspace directory " + dir);
  target = target.lexically_normal();
  if (target.has_filename() == false) target = target.parent_path();
  fs::file_status status = fs::symlink_status(target, ec);
  if (fs::exists(status)) {
    if (fs::exists(target / "evidex.db") || fs::exists(target / "unit.key"))
      return InvalidArgument("a workspace already exists at " + dir + "; nothing was changed");
    if (!fs::is_directory(status) || !fs::is_empty(target, ec))
      return InvalidArgument(dir + " exists and is not an empty directory; choose another --data");
  }
  fs::create_directories(target.parent_path(), ec);
  if (ec) return IoError("cannot create " + target.parent_path().string() + ": " + ec.message());

  // Built beside the target and renamed into place: rename is atomic, and it fails rather than
  // replace a directory that someone filled in the meantime.
  std::random_device rd;
  std::string tmp = target.string() + ".init-" + std::to_string(::getpid()) + "-" +
                    std::to_string(rd() % 1000000);
  if (::mkdir(tmp.c_str(), 0700) != 0) return ErrnoStatus("cannot create " + tmp, errno);
  Status st = Populate(tmp, options);
  if (st.ok() && ::rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    st = (err == EEXIST || err == ENOTEMPTY)
             ? InvalidArgument("a workspace already exists at " + dir + "; nothing was changed")
             : ErrnoStatus("cannot create the workspace " + dir, err);
  }
  if (!st.ok()) {
    fs::remove_all(tmp, ec);
    return st;
  }
  (void)FsyncPath(target.parent_path().string());
  return Open(dir);
}

Result<Workspace> Workspace::Open(const std::string& dir, int busy_timeout_ms,
                                  const std::string& store_location) {
  struct stat st {};
  std::string db = dir + "/evidex.db";
  std::string uri_file = dir + "/store.uri";
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
      (::stat(db.c_str(), &st) != 0 && ::stat(uri_file.c_str(), &st) != 0))
    return NotFound("no workspace at " + dir + "; run evidex init");
  std::string location = db;
  if (::stat(uri_file.c_str(), &st) == 0) {
    std::ifstream in(uri_file);
    if (!std::getline(in, location) || location.empty())
      return Corrupt("cannot read the store location in " + uri_file);
  }
  if (!store_location.empty() && store_location != location)
    return InvalidArgument("the workspace " + dir + " keeps its store elsewhere than --db says; " +
                           "--db is given to evidex init, or matches what it was given");
  Workspace ws;
  ws.dir_ = dir;
  ws.store_location_ = location;
  Result<std::unique_ptr<store::Store>> s = store::OpenStore({location, false, busy_timeout_ms});
  if (!s.ok()) return s.status();
  ws.store_ = std::move(s).value();
  Result<store::Unit> unit = ws.store_->GetUnit();
  if (!unit.ok()) {
    if (unit.status().code() == Code::kNotFound)
      return Corrupt(db + " has no unit: the workspace is damaged");
    return unit.status();
  }
  ws.unit_ = *unit;
  return ws;
}

Result<SigningKey> Workspace::LoadSigningKey(const std::string& passphrase_file) {
  Result<bool> protected_key = KeyFileIsProtected(key_path());
  if (!protected_key.ok()) return protected_key.status();
  std::optional<std::string> passphrase;
  if (*protected_key) {
    Result<std::string> p =
        ObtainPassphrase(passphrase_file, "Passphrase for " + key_path() + ": ", false);
    if (!p.ok()) return p.status();
    passphrase = std::move(p).value();
  }
  Result<SigningKey> key = LoadKeyFile(key_path(), passphrase);
  if (passphrase) std::fill(passphrase->begin(), passphrase->end(), '\0');
  if (!key.ok()) return key.status();
  if (key->public_key().Text() != unit_.public_key)
    return Corrupt(key_path() + " is not the key of this workspace's unit (" + unit_.public_key +
                   ")");
  return key;
}

Result<std::function<bool(const PublicKey&)>> Workspace::TrustedSigners() {
  std::vector<PublicKey> keys;
  Result<PublicKey> own = PublicKey::Parse(unit_.public_key);
  if (!own.ok()) return Corrupt(db_path() + ": the unit's public key is damaged");
  keys.push_back(*own);
  Result<std::vector<store::KnownKey>> known = store_->ListKnownKeys();
  if (!known.ok()) return known.status();
  for (const store::KnownKey& k : *known)
    if (Result<PublicKey> pk = PublicKey::Parse(k.public_key); pk.ok()) keys.push_back(*pk);
  return std::function<bool(const PublicKey&)>(
      [keys](const PublicKey& k) { return std::find(keys.begin(), keys.end(), k) != keys.end(); });
}

Result<FileLock> Workspace::TryLock(const std::string& name) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
      }))
    return InvalidArgument("bad lock name '" + name + "'");
  std::string locks = dir_ + "/locks";
  if (::mkdir(locks.c_str(), 0700) != 0 && errno != EEXIST)
    return ErrnoStatus("cannot create " + locks, errno);
  std::string path = locks + "/" + name + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("cannot open " + path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return FileLock();
    return ErrnoStatus("cannot lock " + path, err);
  }
  return FileLock(fd);
}

}  // namespace evidex::vault
