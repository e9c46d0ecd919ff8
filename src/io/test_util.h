// Helpers for io/ tests: temporary directories, deterministic bytes, running fixture tools.
#ifndef EVIDEX_IO_TEST_UTIL_H_
#define EVIDEX_IO_TEST_UTIL_H_

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "io/source.h"

namespace evidex::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/evidex_io_test.XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp " << pattern << ": " << std::strerror(errno);
    } else {
      path_ = buf.data();
    }
  }
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    // Tests may have removed permissions; give them back so everything can be removed.
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    for (auto it = std::filesystem::recursive_directory_iterator(
             path_, std::filesystem::directory_options::skip_permission_denied, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_symlink(ec)) continue;
      std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add, ec);
    }
    ec.clear();
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Deterministic pseudo-random bytes (splitmix64), different for each seed.
inline std::string DeterministicBytes(size_t n, uint64_t seed) {
  std::string out(n, '\0');
  uint64_t x = seed;
  for (size_t i = 0; i < n; i += 8) {
    x += 0x9e3779b97f4a7c15ULL;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    std::memcpy(out.data() + i, &z, std::min<size_t>(8, n - i));
  }
  return out;
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << "cannot write " << path;
}

inline std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs a shell command; returns its exit status (-1 when it could not be run).
inline int Run(const std::string& command) {
  int rc = std::system(command.c_str());
  if (rc == -1 || !WIFEXITED(rc)) return -1;
  return WEXITSTATUS(rc);
}

inline bool HaveTool(const std::string& name) {
  return Run("command -v " + ShellQuote(name) + " >/dev/null 2>&1") == 0;
}

// Reads a whole source in `chunk`-byte reads.
inline std::string ReadAll(Source& source, size_t chunk = 1 << 16) {
  std::string out;
  std::vector<std::byte> buf(chunk);
  uint64_t offset = 0;
  for (;;) {
    Result<size_t> n = source.ReadAt(offset, buf);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) break;
    out.append(reinterpret_cast<const char*>(buf.data()), *n);
    offset += *n;
  }
  return out;
}

// Reads `len` bytes at `offset` into a string (fewer at the end of the source).
inline std::string ReadString(Source& source, uint64_t offset, size_t len) {
  std::vector<std::byte> buf(len);
  Result<size_t> n = source.ReadAt(offset, buf);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  if (!n.ok()) return "<error>";
  return std::string(reinterpret_cast<const char*>(buf.data()), *n);
}

// Checks reads at pseudo-random offsets and lengths against `expected`.
inline void ExpectRandomReads(Source& source, const std::string& expected, int count,
                              uint64_t seed) {
  std::string r = DeterministicBytes(static_cast<size_t>(count) * 16, seed);
  for (int i = 0; i < count; ++i) {
    uint64_t a, b;
    std::memcpy(&a, r.data() + i * 16, 8);
    std::memcpy(&b, r.data() + i * 16 + 8, 8);
    uint64_t offset = expected.empty() ? 0 : a % expected.size();
    size_t len = static_cast<size_t>(b % 70000);
    std::string got = ReadString(source, offset, len);
    size_t want = std::min<size_t>(len, expected.size() - offset);
    ASSERT_EQ(got.size(), want) << "offset " << offset << " len " << len;
    ASSERT_TRUE(got == expected.substr(offset, want)) << "offset " << offset << " len " << len;
  }
}

// Checks reads that straddle each of `edges` (offsets in the source).
inline void ExpectReadsAcross(Source& source, const std::string& expected,
                              const std::vector<uint64_t>& edges) {
  for (uint64_t edge : edges) {
    for (uint64_t back : {1, 7, 512}) {
      if (edge < back) continue;
      uint64_t offset = edge - back;
      std::string got = ReadString(source, offset, 2 * back + 3);
      size_t want = std::min<size_t>(2 * back + 3, expected.size() - offset);
      ASSERT_EQ(got.size(), want) << "edge " << edge;
      ASSERT_TRUE(got == expected.substr(offset, want)) << "edge " << edge << " back " << back;
    }
  }
}

}  // namespace evidex::testing

#endif  // EVIDEX_IO_TEST_UTIL_H_
