// Helpers shared by the validator sources (not part of the public interface).
#ifndef EVIDEX_SCAN_VALIDATE_VALIDATE_INTERNAL_H_
#define EVIDEX_SCAN_VALIDATE_VALIDATE_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace evidex::validate {

// Keccak sponge with capacity 512 and 32-byte output; `pad` is the first padding byte (0x01
// for Keccak-256, 0x06 for SHA3-256). Exposed for the tests.
void KeccakSponge256(const uint8_t* data, size_t n, uint8_t pad, uint8_t out[32]);

// Pointer-and-length hashes writing 32 bytes to `out`; no allocation.
void Keccak256Raw(const uint8_t* data, size_t n, uint8_t out[32]);
void Sha3_256Raw(const uint8_t* data, size_t n, uint8_t out[32]);
void Sha256dRaw(const uint8_t* data, size_t n, uint8_t out[32]);

// Base58 (Bitcoin alphabet) decode into `out` (capacity `cap`); false on a bad char or overflow.
bool Base58DecodeTo(std::string_view s, uint8_t* out, size_t cap, size_t* len);

// The base58 alphabet shared by Bitcoin and Monero.
inline constexpr char kBase58Alphabet[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
// Value of a base58 char, -1 if not in the alphabet.
int Base58Value(char c);

}  // namespace evidex::validate

#endif  // EVIDEX_SCAN_VALIDATE_VALIDATE_INTERNAL_H_
