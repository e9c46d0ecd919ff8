// TLSH, Trend Micro's locality-sensitive hash (Oliver, Cheng, Chen, "TLSH — A Locality Sensitive
// Hash", CTC 2013), through Debian's libtlsh 3.4.4 (Apache-2.0, linked): the library's default
// build, 128 buckets and a 1-byte checksum, whose hash is 70 upper-case hex characters without a
// version prefix ("6CA18FE52559C394B785...") — what the `tlsh` program of that version prints,
// and not the "T1..." strings of TLSH 4. Distances are TLSH's (file length included): 0 for equal
// hashes, larger for less similar data, with no upper bound (a few hundred for unrelated data).
//
// Thread safety: a TlshHasher is used by one thread (one per thread); TlshDistance is a pure
// function. Nothing throws: libtlsh is plain C++ that allocates with new, and an allocation failure
// there ends the process as it would anywhere else in evidex.
#ifndef EVIDEX_FUZZY_TLSH_H_
#define EVIDEX_FUZZY_TLSH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

class Tlsh;  // libtlsh's

namespace evidex::fuzzy {

// TLSH gives no hash for less data than this.
constexpr uint64_t kTlshMinSize = 256;
// Nor, here, for more than this: libtlsh 3.4.4 counts the length in 32 bits, and past it its
// length field and sliding window would silently go wrong, so such a stream gets "" rather than
// a hash of part of it.
constexpr uint64_t kTlshMaxSize = UINT32_MAX;

// One pass over a stream fed in pieces of any size: the hash is the same as TLSH's for the whole
// stream at once.
class TlshHasher {
 public:
  TlshHasher();
  ~TlshHasher();
  TlshHasher(const TlshHasher&) = delete;
  TlshHasher& operator=(const TlshHasher&) = delete;

  // Forgets everything given so far.
  void Reset();
  // Any n, including more than 4 GiB (given to libtlsh in pieces it takes).
  void Update(const std::byte* data, size_t n);
  // The hash of everything given since the last Reset or Finish, and resets. "" when TLSH gives
  // none: under kTlshMinSize bytes, data too uniform (half of TLSH's buckets or more empty, e.g.
  // all zeros), or over kTlshMaxSize bytes.
  std::string Finish();

 private:
  std::unique_ptr<Tlsh> tlsh_;
  uint64_t size_ = 0;
};

// The TLSH of a buffer ("" as Finish).
std::string TlshOf(const std::byte* data, size_t n);

// TLSH's distance of two hashes (length included); std::nullopt when either is not a TLSH hash
// (70 hex characters, either case).
std::optional<int> TlshDistance(const std::string& a, const std::string& b);

}  // namespace evidex::fuzzy

#endif  // EVIDEX_FUZZY_TLSH_H_
