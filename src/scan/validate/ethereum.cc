// Ethereum addresses with the EIP-55 mixed-case checksum.
#include "scan/validate/validate.h"
#include "scan/validate/validate_internal.h"

namespace evidex::validate {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Keccak-256 of the 40 lower-case hex chars; the nibble for char i decides its case.
void ChecksumHash(std::string_view hex40, uint8_t hash[32]) {
  uint8_t lower[40];
  for (int i = 0; i < 40; ++i) {
    char c = hex40[i];
    lower[i] = static_cast<uint8_t>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  }
  Keccak256Raw(lower, 40, hash);
}

bool WantsUpper(const uint8_t hash[32], int i) {
  int nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0x0f;
  return nibble >= 8;
}

bool WellFormed(std::string_view s) {
  if (s.size() != 42 || s[0] != '0' || s[1] != 'x') return false;
  for (char c : s.substr(2)) {
    if (HexValue(c) < 0) return false;
  }
  return true;
}

}  // namespace

bool EthAddressValid(std::string_view s) {
  if (!WellFormed(s)) return false;
  std::string_view hex = s.substr(2);
  bool lower = false, upper = false;
  for (char c : hex) {
    if (c >= 'a' && c <= 'f') lower = true;
    if (c >= 'A' && c <= 'F') upper = true;
  }
  if (!lower || !upper) return true;  // unchecksummed
  uint8_t hash[32];
  ChecksumHash(hex, hash);
  for (int i = 0; i < 40; ++i) {
    char c = hex[i];
    if (c >= '0' && c <= '9') continue;
    bool is_upper = c >= 'A' && c <= 'F';
    if (is_upper != WantsUpper(hash, i)) return false;
  }
  return true;
}

// Returns "" when `s` is not a valid address.
std::string EthChecksumAddress(std::string_view s) {
  if (!EthAddressValid(s)) return {};
  std::string_view hex = s.substr(2);
  uint8_t hash[32];
  ChecksumHash(hex, hash);
  std::string out = "0x";
  out.reserve(42);
  for (int i = 0; i < 40; ++i) {
    char c = hex[i];
    if (c >= 'A' && c <= 'F') c = char(c - 'A' + 'a');
    if (c >= 'a' && c <= 'f' && WantsUpper(hash, i)) c = char(c - 'a' + 'A');
    out.push_back(c);
  }
  return out;
}

}  // namespace evidex::validate
