// TLSH through libtlsh 3.4.4 (tlsh.h). The library's own API takes unsigned int lengths and
// keeps the stream length in 32 bits; this wrapper feeds it in pieces and refuses what it would
// count wrong. Its Tlsh::final must not be called twice (the buckets are freed by the first), so
// Finish always resets.
#include "fuzzy/tlsh.h"

#include <tlsh.h>

#include <algorithm>

namespace evidex::fuzzy {
namespace {

// The hash's length in the library's default build (BUCKETS_128, CHECKSUM_1B), which is
// Debian's; a library built otherwise gives other lengths and Finish refuses them.
constexpr size_t kTlshHexLength = 70;
static_assert(TLSH_STRING_LEN == kTlshHexLength);
// libtlsh's update() takes unsigned int lengths: pieces of at most this.
constexpr size_t kPiece = size_t(1) << 30;

bool IsTlshHex(const std::string& s) {
  return s.size() == kTlshHexLength && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

TlshHasher::TlshHasher() : tlsh_(std::make_unique<Tlsh>()) {}
TlshHasher::~TlshHasher() = default;

void TlshHasher::Reset() {
  tlsh_->reset();
  size_ = 0;
}

void TlshHasher::Update(const std::byte* data, size_t n) {
  if (size_ > kTlshMaxSize) return;  // already too long: Finish gives ""
  if (n > kTlshMaxSize - size_) {
    size_ = kTlshMaxSize + 1;
    return;
  }
  size_ += n;
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  while (n > 0) {
    const size_t piece = std::min(n, kPiece);
    tlsh_->update(p, static_cast<unsigned int>(piece));
    p += piece;
    n -= piece;
  }
}

std::string TlshHasher::Finish() {
  std::string hash;
  if (size_ >= kTlshMinSize && size_ <= kTlshMaxSize) {
    tlsh_->final();
    char buffer[TLSH_STRING_BUFFER_LEN] = {};
    const char* h = tlsh_->getHash(buffer, sizeof buffer);
    if (h != nullptr) hash = h;
    if (hash.size() != kTlshHexLength) hash.clear();  // "" when TLSH gives none
  }
  Reset();
  return hash;
}

std::string TlshOf(const std::byte* data, size_t n) {
  TlshHasher h;
  h.Update(data, n);
  return h.Finish();
}

std::optional<int> TlshDistance(const std::string& a, const std::string& b) {
  if (!IsTlshHex(a) || !IsTlshHex(b)) return std::nullopt;
  Tlsh x, y;
  if (x.fromTlshStr(a.c_str()) != 0 || y.fromTlshStr(b.c_str()) != 0) return std::nullopt;
  return x.totalDiff(&y, /*len_diff=*/true);
}

}  // namespace evidex::fuzzy
