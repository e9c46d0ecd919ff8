// The unit's Ed25519 signing key and its key file (keys.h; docs/FORMATS.md "Unit key file").
// libsodium does all the cryptography: crypto_sign (Ed25519), crypto_pwhash (Argon2id) and
// crypto_aead_xchacha20poly1305_ietf (the sealed secret key; the format name and the public key
// are its associated data, so a key file whose public half was swapped does not open).
#include "vault/keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "core/hash.h"

namespace evidex::vault {
namespace {

constexpr char kFormat[] = "evidex-unit-key-v1";
// A key file is small; anything bigger is not one of ours (and is not read into memory whole).
constexpr size_t kMaxKeyFileBytes = 64 * 1024;

Status EnsureSodium() {
  static std::once_flag once;
  static int rc = -1;
  std::call_once(once, [] { rc = sodium_init(); });
  // sodium_init returns 1 when it was already initialized (by another library): also fine.
  if (rc < 0) return Internal("libsodium could not be initialized");
  return Status::Ok();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes exactly out.size() bytes of hex; false on any other length or a non-hex digit.
bool DecodeHex(std::string_view hex, std::span<uint8_t> out) {
  if (hex.size() != out.size() * 2) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = uint8_t(hi << 4 | lo);
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The associated data of the sealed secret: ties the ciphertext to this format and public key.
std::string AssociatedData(const PublicKey& pk) { return std::string(kFormat) + "\n" + pk.Text(); }

Result<std::string> ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return NotFound("no key file at " + path);
    return ErrnoStatus("cannot read key file " + path, err);
  }
  std::string data;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoStatus("cannot read key file " + path, err);
    }
    if (n == 0) break;
    data.append(buf, size_t(n));
    if (data.size() > kMaxKeyFileBytes) {
      ::close(fd);
      return Corrupt(path + " is not an evidex key file (too large)");
    }
  }
  ::close(fd);
  return data;
}

Result<nlohmann::json> ParseKeyJson(const std::string& path) {
  Result<std::string> text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("format") || j["format"] != kFormat)
    return Corrupt(path + " is not an evidex key file (format " + kFormat + " expected)");
  if (!j.contains("public_key") || !j["public_key"].is_string() || !j.contains("protection") ||
      !j["protection"].is_string())
    return Corrupt(path + ": key file lacks public_key or protection");
  return j;
}

// Reads a hex field of exactly n bytes.
bool HexField(const nlohmann::json& j, const char* name, std::span<uint8_t> out) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() && DecodeHex(it->get_ref<const std::string&>(), out);
}

}  // namespace

// ---- PublicKey, signatures ----

std::string PublicKey::Hex() const { return ToHex(bytes.data(), bytes.size()); }
std::string PublicKey::Text() const { return "ed25519:" + Hex(); }
std::string PublicKey::Fingerprint() const {
  return Sha256Hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()))
      .substr(0, 16);
}

Result<PublicKey> PublicKey::Parse(std::string_view text) {
  text = Trim(text);
  if (text.starts_with("ed25519:")) text.remove_prefix(8);
  PublicKey pk;
  if (!DecodeHex(text, pk.bytes))
    return InvalidArgument("not an Ed25519 public key (expected ed25519:<64 hex digits>)");
  return pk;
}

std::string SignatureHex(const Signature& s) { return ToHex(s.data(), s.size()); }

Result<Signature> ParseSignatureHex(std::string_view hex) {
  Signature s;
  if (!DecodeHex(Trim(hex), s)) return Corrupt("not an Ed25519 signature (128 hex digits)");
  return s;
}

bool VerifySignature(const PublicKey& key, std::string_view message, const Signature& sig) {
  if (!EnsureSodium().ok()) return false;
  return crypto_sign_verify_detached(sig.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.bytes.data()) == 0;
}

// ---- SigningKey ----

Result<SigningKey> SigningKey::Generate() {
  EVIDEX_RETURN_IF_ERROR(EnsureSodium());
  SigningKey k;
  if (crypto_sign_keypair(k.public_.bytes.data(), k.secret_.data()) != 0)
    return Internal("Ed25519 key generation failed");
  return k;
}

Signature SigningKey::Sign(std::span<const uint8_t> message) const {
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_.data());
  return sig;
}

Signature SigningKey::Sign(std::string_view message) const {
  return Sign(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(message.data()), message.size()));
}

SigningKey::~SigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

SigningKey::SigningKey(SigningKey&& other) noexcept
    : secret_(other.secret_), public_(other.public_) {
  sodium_memzero(other.secret_.data(), other.secret_.size());
}

SigningKey& SigningKey::operator=(SigningKey&& other) noexcept {
  if (this != &other) {
    secret_ = other.secret_;
    public_ = other.public_;
    sodium_memzero(other.secret_.data(), other.secret_.size());
  }
  return *this;
}

// ---- Key files ----

KdfLimits KdfLimits::Moderate() {
  return {uint64_t(crypto_pwhash_OPSLIMIT_MODERATE), uint64_t(crypto_pwhash_MEMLIMIT_MODERATE)};
}
KdfLimits KdfLimits::Interactive() {
  return {uint64_t(crypto_pwhash_OPSLIMIT_INTERACTIVE),
          uint64_t(crypto_pwhash_MEMLIMIT_INTERACTIVE)};
}

Status SaveKeyFile(const std::string& path, const SigningKey& key,
                   const std::optional<std::string>& passphrase) {
  return SaveKeyFile(path, key, passphrase, KdfLimits::Moderate());
}

Status SaveKeyFile(const std::string& path, const SigningKey& key,
                   const std::optional<std::string>& passphrase, const KdfLimits& limits) {
  EVIDEX_RETURN_IF_ERROR(EnsureSodium());
  nlohmann::json j;
  j["format"] = kFormat;
  j["public_key"] = key.public_key().Hex();
  std::string secret_hex;
  if (passphrase) {
    if (passphrase->empty()) return InvalidArgument("the passphrase is empty");
    if (limits.opslimit < crypto_pwhash_OPSLIMIT_MIN ||
        limits.memlimit < crypto_pwhash_MEMLIMIT_MIN)
      return InvalidArgument("Argon2id limits below libsodium's minimum");
    std::array<uint8_t, crypto_pwhash_SALTBYTES> salt;
    std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce;
    std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_KEYBYTES> box_key;
    randombytes_buf(salt.data(), salt.size());
    randombytes_buf(nonce.data(), nonce.size());
    if (crypto_pwhash(box_key.data(), box_key.size(), passphrase->data(), passphrase->size(),
                      salt.data(), limits.opslimit, size_t(limits.memlimit),
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
      return Internal("Argon2id key derivation failed (out of memory?)");
    std::string ad = AssociatedData(key.public_key());
    std::vector<uint8_t> sealed(key.secret_.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    unsigned long long sealed_len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.data(), &sealed_len, key.secret_.data(),
                                               key.secret_.size(),
                                               reinterpret_cast<const unsigned char*>(ad.data()),
                                               ad.size(), nullptr, nonce.data(), box_key.data());
    sodium_memzero(box_key.data(), box_key.size());
    j["protection"] = "argon2id";
    j["opslimit"] = limits.opslimit;
    j["memlimit"] = limits.memlimit;
    j["salt"] = ToHex(salt.data(), salt.size());
    j["nonce"] = ToHex(nonce.data(), nonce.size());
    j["sealed"] = ToHex(sealed.data(), size_t(sealed_len));
  } else {
    j["protection"] = "none";
    secret_hex = ToHex(key.secret_.data(), key.secret_.size());
    j["secret_key"] = secret_hex;
  }
  std::string text = j.dump(2) + "\n";
  if (!secret_hex.empty()) sodium_memzero(secret_hex.data(), secret_hex.size());

  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    sodium_memzero(text.data(), text.size());
    if (err == EEXIST) return InvalidArgument("key file " + path + " already exists");
    return ErrnoStatus("cannot create key file " + path, err);
  }
  // The umask may only remove bits; make sure nothing but 0600 is set either way.
  ::fchmod(fd, 0600);
  size_t off = 0;
  Status st;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      st = ErrnoStatus("cannot write key file " + path, errno);
      break;
    }
    off += size_t(n);
  }
  if (st.ok() && ::fsync(fd) != 0) st = ErrnoStatus("cannot write key file " + path, errno);
  ::close(fd);
  sodium_memzero(text.data(), text.size());
  if (!st.ok()) ::unlink(path.c_str());
  return st;
}

Result<bool> KeyFileIsProtected(const std::string& path) {
  Result<nlohmann::json> j = ParseKeyJson(path);
  if (!j.ok()) return j.status();
  const std::string& p = (*j)["protection"].get_ref<const std::string&>();
  if (p == "argon2id") return true;
  if (p == "none") return false;
  return Unsupported(path + ": unknown key protection '" + p + "'");
}

Result<SigningKey> LoadKeyFile(const std::string& path,
                               const std::optional<std::string>& passphrase) {
  EVIDEX_RETURN_IF_ERROR(EnsureSodium());
  Result<nlohmann::json> parsed = ParseKeyJson(path);
  if (!parsed.ok()) return parsed.status();
  nlohmann::json& j = *parsed;
  Result<PublicKey> pk = PublicKey::Parse(j["public_key"].get_ref<const std::string&>());
  if (!pk.ok()) return Corrupt(path + ": " + pk.status().message());
  const std::string& protection = j["protection"].get_ref<const std::string&>();

  SigningKey key;
  if (protection == "none") {
    // The operator relies on file permissions: refuse a file others can read or one we do not own.
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("cannot read key file " + path, errno);
    if ((st.st_mode & 077) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
      return InvalidArgument("key file " + path +
                             " is not protected by a passphrase and has mode " + mode +
                             "; it must be 0600 (chmod 600 " + path + ")");
    }
    if (st.st_uid != ::geteuid())
      return InvalidArgument("key file " + path + " is not owned by the current user");
    if (!HexField(j, "secret_key", key.secret_))
      return Corrupt(path + ": secret_key is not 128 hex digits");
    // Not needed: the file's public_key overwrites this below; only a tampered file differs.
    (void)passphrase;
  } else if (protection == "argon2id") {
    if (!passphrase) return InvalidArgument("key file " + path + " needs a passphrase");
    std::array<uint8_t, crypto_pwhash_SALTBYTES> salt;
    std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce;
    std::array<uint8_t, 64 + crypto_aead_xchacha20poly1305_ietf_ABYTES> sealed;
    if (!HexField(j, "salt", salt) || !HexField(j, "nonce", nonce) ||
        !HexField(j, "sealed", sealed) || !j.contains("opslimit") ||
        !j["opslimit"].is_number_unsigned() || !j.contains("memlimit") ||
        !j["memlimit"].is_number_unsigned())
      return Corrupt(path + ": damaged key file (salt, nonce, sealed, opslimit or memlimit)");
    uint64_t ops = j["opslimit"].get<uint64_t>(), mem = j["memlimit"].get<uint64_t>();
    // Bounds keep a crafted file from asking for unbounded time or memory.
    if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > 64 || mem < crypto_pwhash_MEMLIMIT_MIN ||
        mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
      return Corrupt(path + ": Argon2id limits out of range");
    std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_KEYBYTES> box_key;
    if (crypto_pwhash(box_key.data(), box_key.size(), passphrase->data(), passphrase->size(),
                      salt.data(), ops, size_t(mem), crypto_pwhash_ALG_ARGON2ID13) != 0)
      return Internal("Argon2id key derivation failed (out of memory?)");
    std::string ad = AssociatedData(*pk);
    unsigned long long len = 0;
    int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
        key.secret_.data(), &len, nullptr, sealed.data(), sealed.size(),
        reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce.data(), box_key.data());
    sodium_memzero(box_key.data(), box_key.size());
    if (rc != 0 || len != key.secret_.size())
      return InvalidArgument("wrong passphrase for " + path);
  } else {
    return Unsupported(path + ": unknown key protection '" + protection + "'");
  }
  // The secret key's second half is its public key: it must be the one the file names.
  std::array<uint8_t, 32> derived;
  crypto_sign_ed25519_sk_to_pk(derived.data(), key.secret_.data());
  if (derived != pk->bytes)
    return Corrupt(path + ": the secret key does not belong to the public key in the file");
  key.public_ = *pk;
  return key;
}

// ---- Passphrases ----

namespace {

// Reads one line from the terminal on stdin without echo.
Result<std::string> PromptNoEcho(const std::string& prompt) {
  std::fprintf(stderr, "%s", prompt.c_str());
  std::fflush(stderr);
  termios old{};
  bool restore = tcgetattr(STDIN_FILENO, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (restore) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::fprintf(stderr, "\n");
  if (!got) return InvalidArgument("no passphrase entered");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

Result<std::string> ObtainPassphrase(const std::string& passphrase_file, const std::string& prompt,
                                     bool confirm) {
  std::string pass;
  if (!passphrase_file.empty()) {
    std::ifstream in(passphrase_file, std::ios::binary);
    if (!in) return InvalidArgument("cannot read passphrase file " + passphrase_file);
    std::getline(in, pass);
    if (!pass.empty() && pass.back() == '\r') pass.pop_back();
    if (pass.empty())
      return InvalidArgument("passphrase file " + passphrase_file + " has an empty first line");
    return pass;
  }
  if (const char* env = std::getenv("EVIDEX_PASSPHRASE"); env != nullptr && *env)
    return std::string(env);
  if (!::isatty(STDIN_FILENO))
    return InvalidArgument(
        "a passphrase is needed: use --passphrase-file FILE or set EVIDEX_PASSPHRASE "
        "(standard input is not a terminal)");
  Result<std::string> first = PromptNoEcho(prompt);
  if (!first.ok()) return first.status();
  if (first->empty()) return InvalidArgument("the passphrase is empty");
  if (confirm) {
    Result<std::string> again = PromptNoEcho("Repeat: ");
    if (!again.ok()) return again.status();
    if (*again != *first) return InvalidArgument("the passphrases do not match");
  }
  return std::move(first).value();
}

}  // namespace evidex::vault
