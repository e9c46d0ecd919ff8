// Base58 (Bitcoin alphabet), Base58Check and Bitcoin P2PKH / P2SH addresses.
#include <algorithm>
#include <cstring>

#include "scan/validate/validate.h"
#include "scan/validate/validate_internal.h"

namespace evidex::validate {
namespace {

constexpr std::array<int8_t, 128> MakeBase58Table() {
  std::array<int8_t, 128> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 58; ++i) t[static_cast<unsigned char>(kBase58Alphabet[i])] = int8_t(i);
  return t;
}
constexpr std::array<int8_t, 128> kBase58Table = MakeBase58Table();

}  // namespace

int Base58Value(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u < 128 ? kBase58Table[u] : -1;
}

bool Base58DecodeTo(std::string_view s, uint8_t* out, size_t cap, size_t* len) {
  size_t zeros = 0;
  while (zeros < s.size() && s[zeros] == '1') ++zeros;
  if (zeros > cap) return false;
  // Big number, little-endian in out[0..m).
  size_t m = 0;
  for (size_t i = zeros; i < s.size(); ++i) {
    int v = Base58Value(s[i]);
    if (v < 0) return false;
    uint32_t carry = static_cast<uint32_t>(v);
    for (size_t j = 0; j < m; ++j) {
      carry += uint32_t{out[j]} * 58;
      out[j] = static_cast<uint8_t>(carry);
      carry >>= 8;
    }
    while (carry != 0) {
      if (m + zeros >= cap) return false;
      out[m++] = static_cast<uint8_t>(carry);
      carry >>= 8;
    }
  }
  std::reverse(out, out + m);
  if (zeros > 0) {
    std::memmove(out + zeros, out, m);
    std::memset(out, 0, zeros);
  }
  *len = zeros + m;
  return true;
}

std::optional<std::vector<uint8_t>> Base58Decode(std::string_view s) {
  std::vector<uint8_t> out(s.size());  // k base58 chars never need more than k bytes
  size_t len = 0;
  if (!Base58DecodeTo(s, out.data(), out.size(), &len)) return std::nullopt;
  out.resize(len);
  return out;
}

std::string Base58Encode(std::span<const uint8_t> data) {
  size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // Base-58 digits, little-endian; log(256) / log(58) < 1.366.
  std::vector<uint8_t> digits;
  digits.reserve((data.size() - zeros) * 1366 / 1000 + 1);
  for (size_t i = zeros; i < data.size(); ++i) {
    uint32_t carry = data[i];
    for (uint8_t& d : digits) {
      carry += uint32_t{d} << 8;
      d = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry != 0) {
      digits.push_back(static_cast<uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string out(zeros, '1');
  for (size_t i = digits.size(); i-- > 0;) out.push_back(kBase58Alphabet[digits[i]]);
  return out;
}

std::string Base58CheckEncode(std::span<const uint8_t> payload) {
  std::vector<uint8_t> buf(payload.begin(), payload.end());
  uint8_t sum[32];
  Sha256dRaw(payload.data(), payload.size(), sum);
  buf.insert(buf.end(), sum, sum + 4);
  return Base58Encode(buf);
}

std::optional<std::vector<uint8_t>> Base58CheckDecode(std::string_view s) {
  std::optional<std::vector<uint8_t>> raw = Base58Decode(s);
  if (!raw || raw->size() < 4) return std::nullopt;
  size_t n = raw->size() - 4;
  uint8_t sum[32];
  Sha256dRaw(raw->data(), n, sum);
  if (std::memcmp(sum, raw->data() + n, 4) != 0) return std::nullopt;
  raw->resize(n);
  return raw;
}

bool BitcoinBase58AddressValid(std::string_view s) {
  // 25 bytes (version, 20-byte hash, 4-byte checksum) are 25..34 chars; 26 with one leading 1
  // is the shortest that occurs in practice, 34 the longest possible.
  if (s.size() < 25 || s.size() > 35) return false;
  uint8_t buf[25];
  size_t len = 0;
  if (!Base58DecodeTo(s, buf, sizeof(buf), &len) || len != 25) return false;
  if (buf[0] != 0x00 && buf[0] != 0x05 && buf[0] != 0x6f && buf[0] != 0xc4) return false;
  uint8_t sum[32];
  Sha256dRaw(buf, 21, sum);
  return std::memcmp(sum, buf + 21, 4) == 0;
}

}  // namespace evidex::validate
