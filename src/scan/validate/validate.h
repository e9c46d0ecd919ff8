// Checksums and formats of the artifacts evidex finds: pure functions, no I/O, thread-safe.
//
// Validators take the candidate text exactly as found (ASCII) and answer whether it is a valid
// artifact; where a canonical form exists they also produce it. Encoders exist for the corpus
// generator and the tests (they make valid artifacts, and look-alikes by corrupting one char).
// None of these allocate on failure paths except where a std::string result is returned.
#ifndef EVIDEX_SCAN_VALIDATE_VALIDATE_H_
#define EVIDEX_SCAN_VALIDATE_VALIDATE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace evidex::validate {

// ---- hashes ----
// Keccak-256 as used by Ethereum and Monero (original Keccak padding 0x01, not SHA3's 0x06).
std::array<uint8_t, 32> Keccak256(std::span<const uint8_t> data);
std::array<uint8_t, 32> Sha3_256(std::span<const uint8_t> data);   // FIPS 202 (OpenSSL)
std::array<uint8_t, 32> Sha256d(std::span<const uint8_t> data);    // SHA-256 twice (OpenSSL)

// ---- IPv4 ----
// Four decimal parts of 0..255 separated by dots, without leading zeros ("010" is octal to some
// software and decimal to other).
bool Ipv4DottedQuadValid(std::string_view a);

// ---- payment cards ----
bool LuhnValid(std::string_view digits);                 // digits only
char LuhnCheckDigit(std::string_view digits_without_check);
// Issuer ("visa", "mastercard", "amex", "discover", "jcb", "diners", "unionpay", "maestro",
// "mir") when the digits' prefix and length belong to a known scheme, else nullopt.
std::optional<std::string_view> CardIssuer(std::string_view digits);
// Full check on a digits-only string: 12..19 digits, issuer known, Luhn valid, and not a
// degenerate run (all one digit).
bool CardNumberValid(std::string_view digits);

// ---- IBAN (ISO 13616) ----
// Input: IBAN without separators, upper-case. True when the country is known, the length is that
// country's, the BBAN follows the country's structure (n/a/c per the IBAN registry), and mod-97 == 1.
bool IbanValid(std::string_view iban);
// Length for a country code ("DE" -> 22), 0 if unknown.
int IbanLength(std::string_view country);
// Computes the two check digits for country + BBAN (for the generator).
std::string IbanWithCheckDigits(std::string_view country, std::string_view bban);

// ---- base58 / Bitcoin ----
std::optional<std::vector<uint8_t>> Base58Decode(std::string_view s);
std::string Base58Encode(std::span<const uint8_t> data);
// Base58check: payload + 4-byte SHA256d checksum.
std::string Base58CheckEncode(std::span<const uint8_t> payload);
std::optional<std::vector<uint8_t>> Base58CheckDecode(std::string_view s);
// P2PKH (version 0x00) or P2SH (0x05) mainnet; testnet 0x6f/0xc4 too.
bool BitcoinBase58AddressValid(std::string_view s);

// ---- bech32 / bech32m (BIP-173, BIP-350) ----
enum class Bech32Variant { kBech32, kBech32m };
struct Bech32Decoded {
  Bech32Variant variant;
  std::string hrp;             // lower-case
  std::vector<uint8_t> data;   // 5-bit groups, checksum removed
};
// Generic decode (any HRP, 90 chars max, no mixed case, checksum checked); nullopt if invalid.
std::optional<Bech32Decoded> Bech32Decode(std::string_view s);
std::string Bech32Encode(std::string_view hrp, std::span<const uint8_t> data5, Bech32Variant v);
// Segwit address for hrp "bc" or "tb": witness version 0 must use bech32 and a 20 or 32 byte
// program, versions 1..16 bech32m and 2..40 bytes.
bool SegwitAddressValid(std::string_view s);
std::string SegwitAddressEncode(std::string_view hrp, int witness_version,
                                std::span<const uint8_t> program);

// ---- Ethereum (EIP-55) ----
// "0x" + 40 hex. All-lower or all-upper hex is accepted as unchecksummed; mixed case must match
// the EIP-55 checksum.
bool EthAddressValid(std::string_view s);
std::string EthChecksumAddress(std::string_view s);  // EIP-55 form of a valid address

// ---- Monero ----
// Standard (95 chars, network byte 18), subaddress (95, byte 42) and integrated (106, byte 19)
// mainnet addresses: Monero base58 (8-byte blocks -> 11 chars) and Keccak-256 checksum (4 bytes).
bool MoneroAddressValid(std::string_view s);
std::string MoneroAddressEncode(uint8_t network_byte, std::span<const uint8_t> keys);  // 64 or 72 bytes

// ---- Tor v3 onion ----
// 56 base32 chars [a-z2-7] (case-insensitive) followed by ".onion" is NOT included: pass the 56
// chars only. Checks version byte 3 and the SHA3-256 checksum (rend-spec-v3).
bool OnionV3Valid(std::string_view label56);
std::string OnionV3Encode(std::span<const uint8_t, 32> pubkey);  // returns 56 chars, lower-case

}  // namespace evidex::validate

#endif  // EVIDEX_SCAN_VALIDATE_VALIDATE_H_
