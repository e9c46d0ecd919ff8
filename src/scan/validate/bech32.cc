// Bech32 (BIP-173) and bech32m (BIP-350) strings, and segwit addresses on top of them.
#include <cstring>

#include "scan/validate/validate.h"

namespace evidex::validate {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr uint32_t kBech32Const = 1;
constexpr uint32_t kBech32mConst = 0x2bc830a3;
constexpr size_t kMaxLength = 90;

constexpr std::array<int8_t, 128> MakeCharsetTable() {
  std::array<int8_t, 128> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 32; ++i) {
    t[static_cast<unsigned char>(kCharset[i])] = int8_t(i);
    char c = kCharset[i];
    if (c >= 'a' && c <= 'z') t[static_cast<unsigned char>(c - 'a' + 'A')] = int8_t(i);
  }
  return t;
}
constexpr std::array<int8_t, 128> kCharsetTable = MakeCharsetTable();

// One step of the BCH checksum over GF(32) (BIP-173 "polymod").
uint32_t PolymodStep(uint32_t chk, uint32_t value) {
  constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t top = chk >> 25;
  chk = ((chk & 0x1ffffff) << 5) ^ value;
  for (int i = 0; i < 5; ++i) {
    if ((top >> i) & 1) chk ^= kGen[i];
  }
  return chk;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

uint32_t HrpPolymod(std::string_view hrp) {
  uint32_t chk = 1;
  for (char c : hrp) chk = PolymodStep(chk, static_cast<unsigned char>(Lower(c)) >> 5);
  chk = PolymodStep(chk, 0);
  for (char c : hrp) chk = PolymodStep(chk, static_cast<unsigned char>(Lower(c)) & 31);
  return chk;
}

// A decoded string in fixed buffers (no allocation).
struct Raw {
  Bech32Variant variant;
  std::string_view hrp;  // as written (may be upper-case); points into the input
  uint8_t data[kMaxLength];
  size_t data_len;  // without the 6 checksum values
};

bool DecodeRaw(std::string_view s, Raw* out) {
  if (s.size() < 8 || s.size() > kMaxLength) return false;
  bool lower = false, upper = false;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return false;
    if (c >= 'a' && c <= 'z') lower = true;
    if (c >= 'A' && c <= 'Z') upper = true;
  }
  if (lower && upper) return false;
  size_t sep = s.rfind('1');
  if (sep == std::string_view::npos || sep == 0 || sep + 7 > s.size()) return false;
  out->hrp = s.substr(0, sep);
  uint32_t chk = HrpPolymod(out->hrp);
  size_t n = 0;
  for (size_t i = sep + 1; i < s.size(); ++i) {
    int v = kCharsetTable[static_cast<unsigned char>(s[i])];
    if (v < 0) return false;
    out->data[n++] = static_cast<uint8_t>(v);
    chk = PolymodStep(chk, uint32_t(v));
  }
  if (chk == kBech32Const) {
    out->variant = Bech32Variant::kBech32;
  } else if (chk == kBech32mConst) {
    out->variant = Bech32Variant::kBech32m;
  } else {
    return false;
  }
  out->data_len = n - 6;
  return true;
}

// Regroups 5-bit values into bytes; false on more than 4 padding bits or non-zero padding.
bool FiveToEight(const uint8_t* in, size_t n, uint8_t* out, size_t cap, size_t* len) {
  uint32_t acc = 0;
  int bits = 0;
  size_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    acc = ((acc << 5) | in[i]) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (m == cap) return false;
      out[m++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  if (bits >= 5 || ((acc << (8 - bits)) & 0xff) != 0) return false;
  *len = m;
  return true;
}

}  // namespace

std::optional<Bech32Decoded> Bech32Decode(std::string_view s) {
  Raw raw;
  if (!DecodeRaw(s, &raw)) return std::nullopt;
  Bech32Decoded out;
  out.variant = raw.variant;
  out.hrp.reserve(raw.hrp.size());
  for (char c : raw.hrp) out.hrp.push_back(Lower(c));
  out.data.assign(raw.data, raw.data + raw.data_len);
  return out;
}

// Returns "" when the HRP is empty or has chars outside 33..126, or a value exceeds 31. The
// 90-char limit of the decoder is not enforced here.
std::string Bech32Encode(std::string_view hrp, std::span<const uint8_t> data5, Bech32Variant v) {
  if (hrp.empty()) return {};
  for (char c : hrp) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return {};
  }
  std::string out;
  out.reserve(hrp.size() + 1 + data5.size() + 6);
  for (char c : hrp) out.push_back(Lower(c));
  out.push_back('1');
  uint32_t chk = HrpPolymod(hrp);
  for (uint8_t d : data5) {
    if (d > 31) return {};
    chk = PolymodStep(chk, d);
    out.push_back(kCharset[d]);
  }
  for (int i = 0; i < 6; ++i) chk = PolymodStep(chk, 0);
  chk ^= v == Bech32Variant::kBech32 ? kBech32Const : kBech32mConst;
  for (int i = 0; i < 6; ++i) out.push_back(kCharset[(chk >> (5 * (5 - i))) & 31]);
  return out;
}

bool SegwitAddressValid(std::string_view s) {
  Raw raw;
  if (!DecodeRaw(s, &raw)) return false;
  if (raw.hrp.size() != 2) return false;
  char h0 = Lower(raw.hrp[0]), h1 = Lower(raw.hrp[1]);
  if (!((h0 == 'b' && h1 == 'c') || (h0 == 't' && h1 == 'b'))) return false;
  if (raw.data_len < 1) return false;
  int version = raw.data[0];
  if (version > 16) return false;
  uint8_t program[kMaxLength];
  size_t len = 0;
  if (!FiveToEight(raw.data + 1, raw.data_len - 1, program, sizeof(program), &len)) return false;
  if (len < 2 || len > 40) return false;
  if (version == 0) {
    return raw.variant == Bech32Variant::kBech32 && (len == 20 || len == 32);
  }
  return raw.variant == Bech32Variant::kBech32m;
}

// Returns "" for a version above 16 or a program length the address rules do not allow.
std::string SegwitAddressEncode(std::string_view hrp, int witness_version,
                                std::span<const uint8_t> program) {
  if (witness_version < 0 || witness_version > 16) return {};
  if (program.size() < 2 || program.size() > 40) return {};
  if (witness_version == 0 && program.size() != 20 && program.size() != 32) return {};
  uint8_t data[1 + (40 * 8 + 4) / 5];
  size_t n = 0;
  data[n++] = static_cast<uint8_t>(witness_version);
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : program) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      data[n++] = static_cast<uint8_t>((acc >> bits) & 31);
    }
  }
  if (bits > 0) data[n++] = static_cast<uint8_t>((acc << (5 - bits)) & 31);
  return Bech32Encode(hrp, std::span<const uint8_t>(data, n),
                      witness_version == 0 ? Bech32Variant::kBech32 : Bech32Variant::kBech32m);
}

}  // namespace evidex::validate
