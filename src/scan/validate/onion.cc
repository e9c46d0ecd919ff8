// Tor v3 onion service addresses (rend-spec-v3 section 6):
// base32(PUBKEY (32) | CHECKSUM (2) | VERSION (1)), CHECKSUM = SHA3-256(".onion checksum" |
// PUBKEY | VERSION)[:2], VERSION = 3.
#include <cstring>

#include "scan/validate/validate.h"
#include "scan/validate/validate_internal.h"

namespace evidex::validate {
namespace {

constexpr char kBase32[] = "abcdefghijklmnopqrstuvwxyz234567";
constexpr char kChecksumPrefix[] = ".onion checksum";
constexpr size_t kPrefixLen = sizeof(kChecksumPrefix) - 1;

int Base32Value(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

void Checksum(const uint8_t pubkey[32], uint8_t version, uint8_t out[2]) {
  uint8_t buf[kPrefixLen + 32 + 1];
  std::memcpy(buf, kChecksumPrefix, kPrefixLen);
  std::memcpy(buf + kPrefixLen, pubkey, 32);
  buf[kPrefixLen + 32] = version;
  uint8_t hash[32];
  Sha3_256Raw(buf, sizeof(buf), hash);
  out[0] = hash[0];
  out[1] = hash[1];
}

}  // namespace

bool OnionV3Valid(std::string_view label56) {
  if (label56.size() != 56) return false;
  uint8_t raw[35];
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (char c : label56) {
    int v = Base32Value(c);
    if (v < 0) return false;
    acc = ((acc << 5) | uint32_t(v)) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      raw[n++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  // 56 * 5 = 280 bits = 35 bytes exactly.
  if (raw[34] != 3) return false;
  uint8_t sum[2];
  Checksum(raw, 3, sum);
  return sum[0] == raw[32] && sum[1] == raw[33];
}

std::string OnionV3Encode(std::span<const uint8_t, 32> pubkey) {
  uint8_t raw[35];
  std::memcpy(raw, pubkey.data(), 32);
  Checksum(raw, 3, raw + 32);
  raw[34] = 3;
  std::string out;
  out.reserve(56);
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : raw) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kBase32[(acc >> bits) & 31]);
    }
  }
  return out;
}

}  // namespace evidex::validate
