// Hashing with OpenSSL EVP (SHA-NI where the CPU has it).
//   Sha256Hex      — one-shot, for small strings (custody records, manifests)
//   MultiHasher    — MD5, SHA-1 and SHA-256 of one stream, each algorithm on its own thread
//                    (hash_multi.cc), for acquisition and verification
#ifndef EVIDEX_CORE_HASH_H_
#define EVIDEX_CORE_HASH_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace evidex {

struct Digests {
  std::string md5, sha1, sha256;  // lower-case hex; empty when not computed
  bool operator==(const Digests&) const = default;
};

std::string Sha256Hex(std::string_view data);
std::string ToHex(const void* data, size_t size);
// Decodes exactly 2 * n hex digits (either case) into out[0..n); false otherwise.
bool FromHex(std::string_view hex, uint8_t* out, size_t n);

// Which digests to compute (a bit set; StreamHasher and MultiHasher).
enum HashSet : unsigned {
  kHashMd5 = 1u,
  kHashSha1 = 2u,
  kHashSha256 = 4u,
  kHashAll = 7u,
};

// MD5, SHA-1 and SHA-256 of one stream on the calling thread, for many small streams (the files
// of a filesystem, hash-set checks); MultiHasher is for one big stream.
class StreamHasher {
 public:
  // Computes the digests of `which` (HashSet bits); the others are "" (raw: empty).
  explicit StreamHasher(unsigned which = kHashAll);
  ~StreamHasher();
  StreamHasher(const StreamHasher&) = delete;
  StreamHasher& operator=(const StreamHasher&) = delete;
  // Starts a new stream (also after Finish).
  void Reset();
  void Update(const void* data, size_t size);
  // The digests of the stream; raw bytes too (16, 20 and 32) when `raw` is given.
  Digests Finish(std::array<std::vector<uint8_t>, 3>* raw = nullptr);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace evidex

#endif  // EVIDEX_CORE_HASH_H_
