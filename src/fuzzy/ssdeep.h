// Context-triggered piecewise hashes compatible with ssdeep 2.14 (Kornblum, "Identifying almost
// identical files using context triggered piecewise hashing", DFRWS 2006): the same hash text
// ("3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C") and the same 0–100 similarity score, so evidex's
// hashes can be compared with ssdeep's and with hash lists made by it. Written from the published
// algorithm (libfuzzy is GPL-2+ and is not linked; see docs/ARCHITECTURE.md).
//
// Thread safety: a Hasher is used by one thread; Compare is a pure function.
#ifndef EVIDEX_FUZZY_SSDEEP_H_
#define EVIDEX_FUZZY_SSDEEP_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace evidex::fuzzy {

// One pass over a stream of any length, fed in pieces of any size: the hash comes out the same
// as ssdeep's for the whole stream (every candidate block size is followed at once, so the
// stream is never read twice).
class SsdeepHasher {
 public:
  SsdeepHasher();
  ~SsdeepHasher();
  SsdeepHasher(const SsdeepHasher&) = delete;
  SsdeepHasher& operator=(const SsdeepHasher&) = delete;
  void Reset();
  void Update(const void* data, size_t size);
  // The hash "BLOCKSIZE:HASH1:HASH2" of everything given since Reset (also valid for 0 bytes).
  std::string Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The hash of a buffer.
std::string Ssdeep(const void* data, size_t size);

// ssdeep's match score of two hashes, 0 (nothing in common) to 100 (identical); nullopt when a
// hash is malformed. Hashes whose block sizes are not equal or a factor of two apart score 0.
std::optional<int> SsdeepCompare(std::string_view a, std::string_view b);

}  // namespace evidex::fuzzy

#endif  // EVIDEX_FUZZY_SSDEEP_H_
