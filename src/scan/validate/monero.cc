// Monero addresses: network varint + spend key + view key (+ 8-byte payment id), Keccak-256
// checksum (first 4 bytes), Monero's block base58 (8-byte blocks -> 11 chars, last block short).
#include <cstring>

#include "scan/validate/validate.h"
#include "scan/validate/validate_internal.h"

namespace evidex::validate {
namespace {

constexpr size_t kFullBlockBytes = 8;
constexpr size_t kFullBlockChars = 11;
// Chars used by a block of n bytes, n = 0..8: ceil(8n / log2(58)).
constexpr int kBlockChars[9] = {0, 2, 3, 5, 6, 7, 9, 10, 11};

int BlockBytesForChars(size_t chars) {
  for (int n = 0; n <= 8; ++n) {
    if (size_t(kBlockChars[n]) == chars) return n;
  }
  return -1;
}

void EncodeBlock(const uint8_t* in, size_t n, std::string* out) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | in[i];
  char buf[kFullBlockChars];
  int chars = kBlockChars[n];
  for (int i = chars - 1; i >= 0; --i) {
    buf[i] = kBase58Alphabet[v % 58];
    v /= 58;
  }
  out->append(buf, size_t(chars));
}

bool DecodeBlock(std::string_view s, uint8_t* out, size_t n) {
  uint64_t v = 0;
  for (char c : s) {
    int d = Base58Value(c);
    if (d < 0) return false;
    // 58^11 exceeds 2^64: an 11-char block can overflow.
    if (v > (UINT64_MAX - uint64_t(d)) / 58) return false;
    v = v * 58 + uint64_t(d);
  }
  if (n < 8 && v >> (8 * n) != 0) return false;
  for (size_t i = n; i-- > 0;) {
    out[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
  return true;
}

// Decodes Monero base58 into `out` (capacity `cap`).
bool MoneroBase58Decode(std::string_view s, uint8_t* out, size_t cap, size_t* len) {
  size_t full = s.size() / kFullBlockChars;
  size_t rest = s.size() % kFullBlockChars;
  int rest_bytes = BlockBytesForChars(rest);
  if (rest_bytes < 0) return false;
  size_t total = full * kFullBlockBytes + size_t(rest_bytes);
  if (total > cap) return false;
  for (size_t b = 0; b < full; ++b) {
    if (!DecodeBlock(s.substr(b * kFullBlockChars, kFullBlockChars), out + b * kFullBlockBytes,
                     kFullBlockBytes)) {
      return false;
    }
  }
  if (rest_bytes > 0 &&
      !DecodeBlock(s.substr(full * kFullBlockChars), out + full * 8, size_t(rest_bytes))) {
    return false;
  }
  *len = total;
  return true;
}

std::string MoneroBase58Encode(const uint8_t* data, size_t n) {
  std::string out;
  out.reserve(n / 8 * 11 + 11);
  size_t i = 0;
  for (; i + kFullBlockBytes <= n; i += kFullBlockBytes) EncodeBlock(data + i, 8, &out);
  if (i < n) EncodeBlock(data + i, n - i, &out);
  return out;
}

}  // namespace

bool MoneroAddressValid(std::string_view s) {
  size_t want;
  if (s.size() == 95) {
    want = 1 + 64 + 4;
  } else if (s.size() == 106) {
    want = 1 + 72 + 4;
  } else {
    return false;
  }
  uint8_t buf[1 + 72 + 4];
  size_t len = 0;
  if (!MoneroBase58Decode(s, buf, sizeof(buf), &len) || len != want) return false;
  uint8_t tag = buf[0];
  bool tag_ok = want == 69 ? (tag == 18 || tag == 42) : tag == 19;
  if (!tag_ok) return false;
  uint8_t hash[32];
  Keccak256Raw(buf, len - 4, hash);
  return std::memcmp(hash, buf + len - 4, 4) == 0;
}

// The network byte is written as a varint (one byte below 128). Returns "" unless `keys` is 64
// bytes (spend + view key) or 72 (integrated: + payment id).
std::string MoneroAddressEncode(uint8_t network_byte, std::span<const uint8_t> keys) {
  if (keys.size() != 64 && keys.size() != 72) return {};
  uint8_t buf[2 + 72 + 4];
  size_t n = 0;
  if (network_byte < 0x80) {
    buf[n++] = network_byte;
  } else {
    buf[n++] = static_cast<uint8_t>(network_byte | 0x80);
    buf[n++] = static_cast<uint8_t>(network_byte >> 7);
  }
  std::memcpy(buf + n, keys.data(), keys.size());
  n += keys.size();
  uint8_t hash[32];
  Keccak256Raw(buf, n, hash);
  std::memcpy(buf + n, hash, 4);
  n += 4;
  return MoneroBase58Encode(buf, n);
}

}  // namespace evidex::validate
