#include "scan/pattern_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "core/hash.h"

namespace evidex::scan {
namespace {

constexpr char kMagic[] = "evidex-hs-cache-1\n";

std::string CacheDir() {
  if (const char* d = std::getenv("EVIDEX_CACHE_DIR"); d != nullptr && *d) {
    if (std::strcmp(d, "off") == 0) return "";
    return d;
  }
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x) return std::string(x) + "/evidex";
  if (const char* h = std::getenv("HOME"); h != nullptr && *h) return std::string(h) + "/.cache/evidex";
  return "";
}

std::string Key(const std::vector<const char*>& expressions, const std::vector<unsigned>& flags,
                const std::vector<unsigned>& ids) {
  hs_platform_info_t platform{};
  hs_populate_platform(&platform);
  std::string k = std::string(hs_version()) + "\n" + std::to_string(platform.tune) + " " +
                  std::to_string(platform.cpu_features) + "\n";
  for (size_t i = 0; i < expressions.size(); ++i)
    k += std::to_string(ids[i]) + " " + std::to_string(flags[i]) + " " + expressions[i] + '\n';
  return Sha256Hex(k);
}

bool Load(const std::string& path, hs_database_t** db) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string file = ss.str();
  const size_t header = sizeof kMagic - 1 + 65;  // magic, SHA-256 hex, '\n'
  if (file.size() <= header || file.compare(0, sizeof kMagic - 1, kMagic) != 0) return false;
  std::string_view blob = std::string_view(file).substr(header);
  if (file.compare(sizeof kMagic - 1, 64, Sha256Hex(blob)) != 0) return false;
  return hs_deserialize_database(blob.data(), blob.size(), db) == HS_SUCCESS;
}

void Store(const std::string& dir, const std::string& path, const hs_database_t* db) {
  char* bytes = nullptr;
  size_t size = 0;
  if (hs_serialize_database(db, &bytes, &size) != HS_SUCCESS) return;
  std::string blob(bytes, size);
  std::free(bytes);
  std::string parent = dir.substr(0, dir.rfind('/'));
  if (!parent.empty()) mkdir(parent.c_str(), 0700);
  mkdir(dir.c_str(), 0700);
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return;
  std::string data = std::string(kMagic) + Sha256Hex(blob) + "\n" + blob;
  bool ok = write(fd, data.data(), data.size()) == ssize_t(data.size());
  ok = close(fd) == 0 && ok;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) unlink(tmp.c_str());
}

}  // namespace

hs_error_t CompileCached(const std::vector<const char*>& expressions,
                         const std::vector<unsigned>& flags, const std::vector<unsigned>& ids,
                         hs_database_t** db, hs_compile_error_t** error) {
  const std::string dir = CacheDir();
  std::string path;
  if (!dir.empty()) {
    path = dir + "/hs-" + Key(expressions, flags, ids) + ".db";
    if (Load(path, db)) return HS_SUCCESS;
  }
  hs_error_t rc = hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                                   unsigned(expressions.size()), HS_MODE_BLOCK, nullptr, db, error);
  if (rc == HS_SUCCESS && !path.empty()) Store(dir, path, *db);
  return rc;
}

}  // namespace evidex::scan
