#include "core/hash.h"

#include <openssl/evp.h>

namespace evidex {

std::string ToHex(const void* data, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  const auto* p = static_cast<const unsigned char*>(data);
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

bool FromHex(std::string_view hex, uint8_t* out, size_t n) {
  if (hex.size() != 2 * n) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < n; ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return ToHex(md, len);
}

struct StreamHasher::Impl {
  EVP_MD_CTX* ctx[3] = {EVP_MD_CTX_new(), EVP_MD_CTX_new(), EVP_MD_CTX_new()};
  const EVP_MD* md[3] = {EVP_md5(), EVP_sha1(), EVP_sha256()};
  unsigned algorithms = kHashAll;
  bool On(int i) const { return (algorithms >> i) & 1; }
};

StreamHasher::StreamHasher(unsigned which) : impl_(new Impl) {
  impl_->algorithms = which & kHashAll;
  Reset();
}

StreamHasher::~StreamHasher() {
  for (EVP_MD_CTX* c : impl_->ctx) EVP_MD_CTX_free(c);
  delete impl_;
}

void StreamHasher::Reset() {
  for (int i = 0; i < 3; ++i)
    if (impl_->On(i)) EVP_DigestInit_ex(impl_->ctx[i], impl_->md[i], nullptr);
}

void StreamHasher::Update(const void* data, size_t size) {
  for (int i = 0; i < 3; ++i)
    if (impl_->On(i)) EVP_DigestUpdate(impl_->ctx[i], data, size);
}

Digests StreamHasher::Finish(std::array<std::vector<uint8_t>, 3>* raw) {
  std::string hex[3];
  for (int i = 0; i < 3; ++i) {
    if (raw != nullptr) (*raw)[size_t(i)].clear();
    if (!impl_->On(i)) continue;
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(impl_->ctx[i], out, &n);
    hex[i] = ToHex(out, n);
    if (raw != nullptr) (*raw)[size_t(i)].assign(out, out + n);
  }
  Reset();
  return Digests{hex[0], hex[1], hex[2]};
}

}  // namespace evidex
