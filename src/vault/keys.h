// The unit's signing key: Ed25519 (libsodium), encrypted at rest.
//
// A key file is JSON (docs/FORMATS.md, "Unit key file"):
//   {"format":"evidex-unit-key-v1","public_key":"<64 hex>","protection":"argon2id",
//    "opslimit":N,"memlimit":N,"salt":"<hex>","nonce":"<hex>","sealed":"<hex>"}
// "argon2id": the 64-byte secret key sealed with XChaCha20-Poly1305 (libsodium's
// crypto_aead_xchacha20poly1305_ietf; associated data "evidex-unit-key-v1\n" + public key text)
// under a key derived from the passphrase by Argon2id (crypto_pwhash, MODERATE limits by default).
// "none": {"secret_key":"<hex>"}, and the file must be mode 0600 and owned by the caller; the
// operator chose to rely on file permissions (documented in README).
// The public half is also written alone as unit.pub (one line: "ed25519:<64 hex>").
#ifndef EVIDEX_VAULT_KEYS_H_
#define EVIDEX_VAULT_KEYS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace evidex::vault {

struct PublicKey {
  std::array<uint8_t, 32> bytes{};
  std::string Hex() const;          // 64 lower-case hex digits
  std::string Text() const;         // "ed25519:<hex>", the form in unit.pub and manifests
  std::string Fingerprint() const;  // first 16 hex digits of SHA-256(bytes), for people
  static Result<PublicKey> Parse(std::string_view text);  // accepts Text() or Hex()
  bool operator==(const PublicKey&) const = default;
};

using Signature = std::array<uint8_t, 64>;
std::string SignatureHex(const Signature& s);
Result<Signature> ParseSignatureHex(std::string_view hex);

struct KdfLimits;

class SigningKey {
 public:
  static Result<SigningKey> Generate();
  const PublicKey& public_key() const { return public_; }
  Signature Sign(std::span<const uint8_t> message) const;
  Signature Sign(std::string_view message) const;
  ~SigningKey();  // wipes the secret (sodium_memzero)
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;

 private:
  SigningKey() = default;
  std::array<uint8_t, 64> secret_{};
  PublicKey public_;
  friend Result<SigningKey> LoadKeyFile(const std::string&, const std::optional<std::string>&);
  friend Status SaveKeyFile(const std::string&, const SigningKey&,
                            const std::optional<std::string>&, const KdfLimits&);
};

bool VerifySignature(const PublicKey& key, std::string_view message, const Signature& sig);

// Writes the key file (mode 0600, created exclusively: an existing file is an error). With a
// passphrase: Argon2id protection; std::nullopt: "none" (plain, permissions only).
Status SaveKeyFile(const std::string& path, const SigningKey& key,
                   const std::optional<std::string>& passphrase);
// Argon2id cost (crypto_pwhash opslimit/memlimit), recorded in the file. SaveKeyFile above uses
// Moderate(); tests use Interactive() to stay fast. LoadKeyFile accepts at most memlimit 1 GiB.
struct KdfLimits {
  uint64_t opslimit = 0, memlimit = 0;
  static KdfLimits Moderate();     // crypto_pwhash_*_MODERATE: 3 passes, 256 MiB
  static KdfLimits Interactive();  // crypto_pwhash_*_INTERACTIVE: 2 passes, 64 MiB
};
Status SaveKeyFile(const std::string& path, const SigningKey& key,
                   const std::optional<std::string>& passphrase, const KdfLimits& limits);
// Loads it. A wrong passphrase gives Code::kInvalidArgument with "wrong passphrase for <path>";
// a "none" file readable by others is refused.
Result<SigningKey> LoadKeyFile(const std::string& path, const std::optional<std::string>& passphrase);
// True when the file needs a passphrase.
Result<bool> KeyFileIsProtected(const std::string& path);

// Where a passphrase comes from, in this order: --passphrase-file FILE (first line), the
// EVIDEX_PASSPHRASE environment variable, a no-echo prompt on the terminal — only when stdin is a
// terminal; otherwise an error that says how to provide one. Never waits on a non-terminal.
Result<std::string> ObtainPassphrase(const std::string& passphrase_file, const std::string& prompt,
                                     bool confirm);

}  // namespace evidex::vault

#endif  // EVIDEX_VAULT_KEYS_H_
