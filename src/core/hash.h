// Hashing with OpenSSL EVP (SHA-NI where the CPU has it).
//   Sha256Hex      — one-shot, for small strings (custody records, manifests)
//   MultiHasher    — MD5, SHA-1 and SHA-256 of one stream, each algorithm on its own thread
//                    (hash_multi.cc), for acquisition and verification
#ifndef EVIDEX_CORE_HASH_H_
#define EVIDEX_CORE_HASH_H_

#include <string>
#include <string_view>

namespace evidex {

struct Digests {
  std::string md5, sha1, sha256;  // lower-case hex; empty when not computed
  bool operator==(const Digests&) const = default;
};

std::string Sha256Hex(std::string_view data);
std::string ToHex(const void* data, size_t size);

}  // namespace evidex

#endif  // EVIDEX_CORE_HASH_H_
