// Fuzzes the fuzzy-hash parsers: `evidex similar` reads ssdeep and TLSH hashes typed by an
// examiner or stored by anyone with access to the store. The input is two hashes separated by a
// newline; the first is also hashed as content.
#include <cstdint>
#include <optional>
#include <string>

#include "fuzzy/ssdeep.h"
#include "fuzzy/tlsh.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidex;
  std::string s(reinterpret_cast<const char*>(data), size);
  size_t nl = s.find('\n');
  std::string a = s.substr(0, nl), b = nl == std::string::npos ? a : s.substr(nl + 1);
  std::optional<int> score = fuzzy::SsdeepCompare(a, b);
  if (score && (*score < 0 || *score > 100)) __builtin_trap();
  std::optional<int> d = fuzzy::TlshDistance(a, b);
  if (d && *d < 0) __builtin_trap();
  if (fuzzy::TlshDistance(a, a).value_or(0) != 0) __builtin_trap();
  fuzzy::SsdeepHasher h;
  h.Update(reinterpret_cast<const std::byte*>(data), size);
  std::string mine = h.Finish();
  (void)fuzzy::SsdeepCompare(mine, a);
  (void)fuzzy::TlshOf(reinterpret_cast<const std::byte*>(data), size);
  return 0;
}
