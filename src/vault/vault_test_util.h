// Helpers shared by the acquisition tests: a small tmpfs (for "disk full"), loop devices,
// hashing with OpenSSL's one-shot functions (the reference the pipeline is checked against),
// listing a directory tree.
#ifndef EVIDEX_VAULT_VAULT_TEST_UTIL_H_
#define EVIDEX_VAULT_VAULT_TEST_UTIL_H_

#include <openssl/evp.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/hash.h"
#include "io/test_util.h"

#define EVIDEX_ASSERT_OK(expr)               \
  do {                                       \
    ::evidex::Status _st = (expr);           \
    ASSERT_TRUE(_st.ok()) << _st.ToString(); \
  } while (0)

namespace evidex::testing {

inline std::string OneShotHex(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return ToHex(out, len);
}

inline Digests OneShotDigests(const std::string& data) {
  return Digests{OneShotHex(EVP_md5(), data), OneShotHex(EVP_sha1(), data),
                 OneShotHex(EVP_sha256(), data)};
}

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// Every regular file under `dir`, relative, sorted.
inline std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return out;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      out.push_back(std::filesystem::relative(it->path(), dir, ec).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A tmpfs of `size` mounted at a fresh directory, unmounted on destruction. mounted() is false
// (with why()) when this process may not mount (not root, or in a container without the right).
class SmallTmpfs {
 public:
  explicit SmallTmpfs(const std::string& size) {
    if (::geteuid() != 0) {
      why_ = "mounting a small tmpfs needs root";
      return;
    }
    // In a mount namespace of this process's own where possible, so that a test that crashes
    // leaves no mount behind (the namespace goes with the process).
    static const bool own_namespace =
        ::unshare(CLONE_NEWNS) == 0 &&
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
    (void)own_namespace;
    std::string opts = "size=" + size + ",mode=0755";
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, opts.c_str()) != 0) {
      why_ = std::string("mount -t tmpfs failed: ") + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }
  const std::string& path() const { return dir_.path(); }

 private:
  TempDir dir_;
  bool mounted_ = false;
  std::string why_;
};

// A loop device over `file` (read-only), detached on destruction; attached() false with why().
class LoopDevice {
 public:
  explicit LoopDevice(const std::string& file) {
    if (::geteuid() != 0 || !HaveTool("losetup")) {
      why_ = "a loop device needs root and losetup";
      return;
    }
    std::string cmd = "losetup --find --show --read-only " + ShellQuote(file) + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) {
      why_ = "cannot run losetup";
      return;
    }
    char buf[256] = {0};
    std::string out;
    while (std::fgets(buf, sizeof(buf), p) != nullptr) out += buf;
    int rc = ::pclose(p);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (rc != 0 || out.rfind("/dev/loop", 0) != 0) {
      why_ = "losetup failed: " + out;
      return;
    }
    device_ = out;
  }
  ~LoopDevice() {
    if (!device_.empty()) Run("losetup -d " + ShellQuote(device_) + " >/dev/null 2>&1");
  }
  bool attached() const { return !device_.empty(); }
  const std::string& why() const { return why_; }
  const std::string& device() const { return device_; }

 private:
  std::string device_, why_;
};

}  // namespace evidex::testing

#endif  // EVIDEX_VAULT_VAULT_TEST_UTIL_H_
