// Pieces shared by the package writer, reader and checks (not a public interface): the digesters,
// what the reader collects for the checks, and small helpers.
#ifndef EVIDEX_VAULT_PACKAGE_INTERNAL_H_
#define EVIDEX_VAULT_PACKAGE_INTERNAL_H_

#include <openssl/evp.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/hash.h"
#include "core/hash_multi.h"
#include "core/status.h"
#include "vault/package.h"

namespace evidex::vault::package_internal {

// MD5, SHA-1 and SHA-256 of one stream (SHA-256 alone when `all` is false).
class Digester {
 public:
  explicit Digester(bool all = true) : all_(all) {
    sha256_ = EVP_MD_CTX_new();
    EVP_DigestInit_ex(sha256_, EVP_sha256(), nullptr);
    if (all_) {
      md5_ = EVP_MD_CTX_new();
      sha1_ = EVP_MD_CTX_new();
      EVP_DigestInit_ex(md5_, EVP_md5(), nullptr);
      EVP_DigestInit_ex(sha1_, EVP_sha1(), nullptr);
    }
  }
  ~Digester() {
    EVP_MD_CTX_free(md5_);
    EVP_MD_CTX_free(sha1_);
    EVP_MD_CTX_free(sha256_);
  }
  Digester(const Digester&) = delete;
  Digester& operator=(const Digester&) = delete;

  void Update(const void* data, size_t size) {
    EVP_DigestUpdate(sha256_, data, size);
    if (all_) {
      EVP_DigestUpdate(md5_, data, size);
      EVP_DigestUpdate(sha1_, data, size);
    }
    bytes_ += size;
  }
  Digests Finish() {
    Digests d;
    d.sha256 = Final(sha256_);
    if (all_) {
      d.md5 = Final(md5_);
      d.sha1 = Final(sha1_);
    }
    return d;
  }
  uint64_t bytes() const { return bytes_; }

 private:
  static std::string Final(EVP_MD_CTX* ctx) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    return ToHex(md, len);
  }
  bool all_;
  EVP_MD_CTX* md5_ = nullptr;
  EVP_MD_CTX* sha1_ = nullptr;
  EVP_MD_CTX* sha256_ = nullptr;
  uint64_t bytes_ = 0;
};

// MD5, SHA-1 and SHA-256 of an evidence stream, each on its own thread (core/hash_multi.h), so
// that packaging and verifying run at the speed of the slowest hash instead of their sum. Bytes
// are copied into pool blocks (bounded memory: the pool waits for the hash threads), or a block
// filled by the caller is handed over whole (GetBlock / Push: no copy).
class StreamHasher {
 public:
  static constexpr size_t kBlock = 1u << 20;
  StreamHasher() : pool_(kBlock, 8), hasher_(std::make_unique<MultiHasher>(kHashAll)) {}
  ~StreamHasher() { hasher_.reset(); }  // joins the threads before the pool goes
  StreamHasher(const StreamHasher&) = delete;
  StreamHasher& operator=(const StreamHasher&) = delete;

  void Update(const void* data, size_t size) {
    const auto* p = static_cast<const std::byte*>(data);
    while (size > 0) {
      if (!block_) {
        block_ = pool_.Get();
        block_->size = 0;
        block_->offset = bytes_;
      }
      size_t take = std::min(size, block_->capacity() - block_->size);
      std::memcpy(block_->data() + block_->size, p, take);
      block_->size += take;
      bytes_ += take;
      p += take;
      size -= take;
      if (block_->size == block_->capacity()) Flush();
    }
  }
  // An empty block of kBlock bytes for the caller to fill, then Push.
  std::shared_ptr<Block> GetBlock() {
    if (block_) Flush();
    std::shared_ptr<Block> b = pool_.Get();
    b->size = 0;
    b->offset = bytes_;
    return b;
  }
  void Push(std::shared_ptr<Block> block) {
    bytes_ += block->size;
    hasher_->Update(std::move(block));
  }
  Result<Digests> Finish() {
    if (block_ && block_->size) Flush();
    block_.reset();
    return hasher_->Finish();
  }
  uint64_t bytes() const { return bytes_; }

 private:
  void Flush() {
    std::shared_ptr<const Block> b = std::move(block_);
    block_.reset();
    hasher_->Update(b);
  }
  BlockPool pool_;  // outlives the hasher's threads and the current block
  std::unique_ptr<MultiHasher> hasher_;
  std::shared_ptr<Block> block_;
  uint64_t bytes_ = 0;
};

// JSON text that never throws: invalid UTF-8 in a string (a label typed in a legacy encoding, a
// crafted package) is replaced by U+FFFD instead of aborting the dump.
inline std::string JsonText(const nlohmann::json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Seconds since the epoch of an RFC 3339 UTC time ("2026-12-02T04:10:00.123Z"); 0 if unparsable.
inline int64_t EpochOf(const std::string& t) {
  std::tm tm{};
  if (t.size() < 19 || std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
                                   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return int64_t(timegm(&tm));
}

inline bool IsHex(const std::string& s, size_t len) {
  if (s.size() != len) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// What the reader's one pass over the archive collected (package_reader.cc), for the checks
// (package_checks.cc).
struct Member {
  std::string name;
  uint64_t size = 0;
  Digests digests;      // sha256 always; md5/sha1 for evidence members
  std::string content;  // small members only
  bool small = false;
};

struct Scan {
  std::vector<Member> members;
  std::map<std::string, size_t> index;  // name → members[i]
  std::string archive_error;            // "" when the archive read to its end
  bool stopped = false;  // stopped early on purpose (newer version, untrusted signer)
  bool cancelled = false;
  Status sink_error;  // a sink could not take the bytes (disk full, ...)
  uint64_t bytes = 0;
};

// One evidence entry of package.json; false when malformed.
bool ParseEvidence(const nlohmann::json& e, PackageEvidence* p);

// Runs every check on what the pass collected and appends them to the report (package_checks.cc).
void RunChecks(const Scan& scan, const VerifyOptions& options, PackageReport* report);

}  // namespace evidex::vault::package_internal

#endif  // EVIDEX_VAULT_PACKAGE_INTERNAL_H_
