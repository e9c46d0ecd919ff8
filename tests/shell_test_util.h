// What the end-to-end tests share: running a shell command (the evidex binary, real tools) and
// making deterministic bytes.
#ifndef EVIDEX_TESTS_SHELL_TEST_UTIL_H_
#define EVIDEX_TESTS_SHELL_TEST_UTIL_H_

#include <sys/wait.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

namespace evidex::testing {

struct Outcome {
  int code;         // exit code, -1 when the command did not exit normally
  std::string out;  // stdout (add 2>&1 to the command for stderr)
};

inline Outcome Sh(const std::string& cmd) {
  Outcome r{-1, ""};
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// Deterministic pseudo-random bytes.
inline std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    for (size_t k = 0; k < 8 && i + k < n; ++k) s[i + k] = char(v >> (8 * k));
  }
  return s;
}

}  // namespace evidex::testing

#endif  // EVIDEX_TESTS_SHELL_TEST_UTIL_H_
