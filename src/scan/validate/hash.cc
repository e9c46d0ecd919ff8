// Keccak-256 (own Keccak-f[1600], original 0x01 padding), SHA3-256 and double SHA-256 (OpenSSL).
#include <openssl/evp.h>

#include <cstring>

#include "scan/validate/validate.h"
#include "scan/validate/validate_internal.h"

namespace evidex::validate {
namespace {

constexpr uint64_t Rotl(uint64_t v, int n) { return n == 0 ? v : (v << n) | (v >> (64 - n)); }

// Round constants from the LFSR x^8 + x^6 + x^5 + x^4 + 1 (Keccak reference, section 1.2):
// bit 2^j - 1 of RC[i] is rc(j + 7i).
constexpr std::array<uint64_t, 24> MakeRoundConstants() {
  std::array<uint64_t, 24> rc{};
  uint32_t r = 1;
  auto next_bit = [&]() {
    // rc(t) for t = 0, 1, 2, ...: output the low bit, then step the register.
    uint32_t out = r & 1;
    r <<= 1;
    if (r & 0x100) r ^= 0x171;
    return out;
  };
  for (int i = 0; i < 24; ++i) {
    for (int j = 0; j < 7; ++j) {
      if (next_bit()) rc[i] |= uint64_t{1} << ((1 << j) - 1);
    }
  }
  return rc;
}

// Rotation offsets: (x, y) walks (1, 0) -> (y, 2x + 3y) and lane t gets (t + 1)(t + 2) / 2.
constexpr std::array<int, 25> MakeRotations() {
  std::array<int, 25> rot{};
  int x = 1, y = 0;
  for (int t = 0; t < 24; ++t) {
    rot[x + 5 * y] = ((t + 1) * (t + 2) / 2) % 64;
    int nx = y, ny = (2 * x + 3 * y) % 5;
    x = nx;
    y = ny;
  }
  return rot;
}

constexpr std::array<uint64_t, 24> kRoundConstants = MakeRoundConstants();
constexpr std::array<int, 25> kRotations = MakeRotations();
static_assert(kRoundConstants[0] == 0x0000000000000001ULL);
static_assert(kRoundConstants[1] == 0x0000000000008082ULL);
static_assert(kRoundConstants[23] == 0x8000000080008008ULL);
static_assert(kRotations[1] == 1 && kRotations[2] == 62);

void KeccakF1600(uint64_t a[25]) {
  for (int round = 0; round < 24; ++round) {
    uint64_t c[5];
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      uint64_t d = c[(x + 4) % 5] ^ Rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) a[x + y] ^= d;
    }
    uint64_t b[25];
    for (int x = 0; x < 5; ++x) {
      for (int y = 0; y < 5; ++y) {
        b[y + 5 * ((2 * x + 3 * y) % 5)] = Rotl(a[x + 5 * y], kRotations[x + 5 * y]);
      }
    }
    for (int y = 0; y < 25; y += 5) {
      for (int x = 0; x < 5; ++x) a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y]);
    }
    a[0] ^= kRoundConstants[round];
  }
}

void XorBlock(uint64_t state[25], const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) state[i / 8] ^= uint64_t{p[i]} << (8 * (i % 8));
}

void Digest(const EVP_MD* md, const uint8_t* data, size_t n, uint8_t out[32]) {
  unsigned int len = 0;
  if (md == nullptr || EVP_Digest(data, n, out, &len, md, nullptr) != 1 || len != 32) {
    std::memset(out, 0, 32);  // Unreachable with a working libcrypto.
  }
}

const EVP_MD* Sha3Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA3-256", nullptr);
  return md;
}

const EVP_MD* Sha256Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

void KeccakSponge256(const uint8_t* data, size_t n, uint8_t pad, uint8_t out[32]) {
  constexpr size_t kRate = 136;  // (1600 - 2 * 256) / 8
  uint64_t state[25] = {};
  while (n >= kRate) {
    XorBlock(state, data, kRate);
    KeccakF1600(state);
    data += kRate;
    n -= kRate;
  }
  uint8_t last[kRate] = {};
  if (n > 0) std::memcpy(last, data, n);
  last[n] ^= pad;
  last[kRate - 1] ^= 0x80;
  XorBlock(state, last, kRate);
  KeccakF1600(state);
  for (int i = 0; i < 32; ++i) out[i] = static_cast<uint8_t>(state[i / 8] >> (8 * (i % 8)));
}

void Keccak256Raw(const uint8_t* data, size_t n, uint8_t out[32]) {
  KeccakSponge256(data, n, 0x01, out);
}

void Sha3_256Raw(const uint8_t* data, size_t n, uint8_t out[32]) { Digest(Sha3Md(), data, n, out); }

void Sha256dRaw(const uint8_t* data, size_t n, uint8_t out[32]) {
  uint8_t first[32];
  Digest(Sha256Md(), data, n, first);
  Digest(Sha256Md(), first, 32, out);
}

std::array<uint8_t, 32> Keccak256(std::span<const uint8_t> data) {
  std::array<uint8_t, 32> out;
  Keccak256Raw(data.data(), data.size(), out.data());
  return out;
}

std::array<uint8_t, 32> Sha3_256(std::span<const uint8_t> data) {
  std::array<uint8_t, 32> out;
  Sha3_256Raw(data.data(), data.size(), out.data());
  return out;
}

std::array<uint8_t, 32> Sha256d(std::span<const uint8_t> data) {
  std::array<uint8_t, 32> out;
  Sha256dRaw(data.data(), data.size(), out.data());
  return out;
}

}  // namespace evidex::validate
