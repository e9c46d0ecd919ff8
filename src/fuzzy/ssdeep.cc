// ssdeep-2.14-compatible CTPH, written from the published algorithm (Tridgell's spamsum as
// described in Kornblum, DFRWS 2006, and the ssdeep documentation): a rolling hash over a 7-byte
// window decides where pieces end ("triggers" at rolling % blocksize == blocksize - 1); each
// piece contributes one base64 character, the low 6 bits of an FNV-1 style hash of its bytes.
// All 31 candidate block sizes (3 << i) are followed in one pass, dropping the small ones once
// they can no longer be chosen, and Finish picks the block size ssdeep's estimate-and-halve rule
// would pick.
#include "fuzzy/ssdeep.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace evidex::fuzzy {
namespace {

constexpr int kWindow = 7;            // rolling hash window
constexpr uint32_t kMinBlock = 3;     // smallest block size
constexpr size_t kLength = 64;        // characters of the first part (SPAMSUM_LENGTH)
constexpr int kNumBlocks = 31;        // block sizes 3 << 0 .. 3 << 30
constexpr uint32_t kHashInit = 0x28021967;
constexpr uint32_t kHashPrime = 0x01000193;
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr uint64_t BlockSize(int i) { return uint64_t{kMinBlock} << i; }

constexpr uint8_t kInit = kHashInit & 63;

struct Block {
  char half_char = 0;     // the character the second part ends with when the roll is zero
  uint32_t n = 0;         // characters in digest (at most kLength - 1; the last stays in slot 63)
  char digest[kLength] = {};
};

// The piece hashes of 8 block sizes side by side (16-bit lanes: only the low 6 bits matter, and
// they only depend on the low bits of the factors, so multiplying by the prime's low byte is
// enough). GCC/Clang vector extensions: SSE2 on x86-64, NEON on ARM.
typedef uint16_t Lanes __attribute__((vector_size(16)));
constexpr int kLanes = 8;
constexpr uint16_t kPrimeLow = kHashPrime & 0xFF;

}  // namespace

struct SsdeepHasher::State {
  // Rolling hash.
  uint32_t h1 = 0, h2 = 0, h3 = 0;
  uint32_t pos = 0;
  uint8_t window[kWindow] = {};
  uint64_t total = 0;
  int start = 0, end = 1;  // the block sizes still followed: [start, end)
  Block blocks[kNumBlocks];
  // Piece hash of the current piece of each block size (h) and the same not restarted once 32
  // characters are out (half: the second part's last character); room for whole vectors past
  // the end.
  alignas(16) uint16_t h[kNumBlocks + 4 * kLanes] = {};
  alignas(16) uint16_t half[kNumBlocks + 4 * kLanes] = {};

  State() {
    h[0] = kInit;
    half[0] = kInit;
  }

  void Fork() {
    if (end >= kNumBlocks) return;
    blocks[end] = Block{};
    h[end] = h[end - 1];
    half[end] = half[end - 1];
    ++end;
  }

  void TryReduce() {
    if (end - start < 2) return;
    if (BlockSize(start) * kLength >= total) return;
    if (blocks[start + 1].n < kLength / 2) return;
    ++start;
  }

  void Trigger(uint32_t sum) {
    // A trigger at 3 << (i + 1) is also one at 3 << i, so the first miss ends the loop.
    for (int i = start; i < end; ++i) {
      if (sum % BlockSize(i) != BlockSize(i) - 1) break;
      Block& b = blocks[i];
      if (b.n == 0) Fork();
      b.digest[b.n] = kB64[h[i] & 63];
      b.half_char = kB64[half[i] & 63];
      if (b.n < kLength - 1) {
        ++b.n;
        h[i] = kInit;
        if (b.n < kLength / 2) {
          half[i] = kInit;
          b.half_char = 0;
        }
      } else {
        TryReduce();
      }
    }
  }

  // Runs over p[j..size) with K vectors of piece hashes held in registers until the smallest
  // followed block size triggers (which may change what is followed); returns where it stopped.
  template <int K>
  size_t Run(const uint8_t* p, size_t j, size_t size) {
    const size_t first = j;
    Lanes vh[K], vf[K];
    for (int k = 0; k < K; ++k) {
      std::memcpy(&vh[k], h + start + k * kLanes, sizeof(Lanes));
      std::memcpy(&vf[k], half + start + k * kLanes, sizeof(Lanes));
    }
    const uint64_t low_mask = (uint64_t{1} << start) - 1;
    const int shift = start;
    uint32_t a = h1, b = h2, c = h3, w = pos;
    bool hit = false;
    while (j < size) {
      const uint8_t ch = p[j++];
      b = b - a + kWindow * uint32_t{ch};
      a = a + ch - window[w];
      window[w] = ch;
      w = w == kWindow - 1 ? 0 : w + 1;
      c = (c << 5) ^ ch;
      for (int k = 0; k < K; ++k) {
        vh[k] = (vh[k] * kPrimeLow) ^ ch;
        vf[k] = (vf[k] * kPrimeLow) ^ ch;
      }
      // sum % (3 << start) == (3 << start) - 1, i.e. sum + 1 is a multiple of 3 << start.
      const uint64_t s1 = uint64_t{a + b + c} + 1;
      if ((s1 & low_mask) == 0 && (s1 >> shift) % kMinBlock == 0) {
        hit = true;
        break;
      }
    }
    total += j - first;
    h1 = a;
    h2 = b;
    h3 = c;
    pos = w;
    for (int k = 0; k < K; ++k) {
      std::memcpy(h + start + k * kLanes, &vh[k], sizeof(Lanes));
      std::memcpy(half + start + k * kLanes, &vf[k], sizeof(Lanes));
    }
    if (hit) Trigger(a + b + c);
    return j;
  }

  void Update(const uint8_t* p, size_t size) {
    size_t j = 0;
    while (j < size) {
      switch ((end - start + kLanes - 1) / kLanes) {
        case 1: j = Run<1>(p, j, size); break;
        case 2: j = Run<2>(p, j, size); break;
        case 3: j = Run<3>(p, j, size); break;
        default: j = Run<4>(p, j, size); break;
      }
    }
  }

  std::string Digest() const {
    const uint32_t roll = h1 + h2 + h3;
    int bi = start;
    while (bi < kNumBlocks - 1 && BlockSize(bi) * kLength < total) ++bi;
    while (bi >= end) --bi;
    while (bi > start && blocks[bi].n < kLength / 2) --bi;

    std::string out = std::to_string(BlockSize(bi));
    out += ':';
    const Block& b = blocks[bi];
    out.append(b.digest, b.n);
    if (roll != 0) {
      out += kB64[h[bi] & 63];
    } else if (b.n == kLength - 1 && b.digest[b.n] != 0) {
      out += b.digest[b.n];
    }
    out += ':';
    if (bi < end - 1) {
      const Block& d = blocks[bi + 1];
      out.append(d.digest, std::min<size_t>(d.n, kLength / 2 - 1));
      if (roll != 0) {
        out += kB64[half[bi + 1] & 63];
      } else if (d.half_char != 0) {
        out += d.half_char;
      }
    } else if (roll != 0) {
      out += kB64[h[bi] & 63];
    }
    return out;
  }
};

SsdeepHasher::SsdeepHasher() : state_(std::make_unique<State>()) {}
SsdeepHasher::~SsdeepHasher() = default;
void SsdeepHasher::Reset() { *state_ = State{}; }
void SsdeepHasher::Update(const void* data, size_t size) {
  state_->Update(static_cast<const uint8_t*>(data), size);
}
std::string SsdeepHasher::Finish() { return state_->Digest(); }

std::string Ssdeep(const void* data, size_t size) {
  SsdeepHasher h;
  h.Update(data, size);
  return h.Finish();
}

// ---------------------------------------------------------------------------------------------
// Comparison.

namespace {

struct Parsed {
  uint64_t block = 0;
  std::string s1, s2;  // with runs of more than 3 equal characters cut to 3
};

std::string EliminateSequences(std::string_view s) {
  std::string r;
  r.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (i >= 3 && s[i] == s[i - 1] && s[i] == s[i - 2] && s[i] == s[i - 3]) continue;
    r += s[i];
  }
  return r;
}

std::optional<Parsed> Parse(std::string_view h) {
  Parsed p;
  size_t i = 0;
  while (i < h.size() && h[i] >= '0' && h[i] <= '9') {
    p.block = p.block * 10 + static_cast<uint64_t>(h[i] - '0');
    if (p.block > 0xFFFFFFFFu) return std::nullopt;
    ++i;
  }
  if (i == 0 || i >= h.size() || h[i] != ':') return std::nullopt;
  const size_t c1 = h.find(':', i + 1);
  if (c1 == std::string_view::npos) return std::nullopt;
  std::string_view a = h.substr(i + 1, c1 - i - 1);
  std::string_view b = h.substr(c1 + 1);
  if (size_t comma = b.find(','); comma != std::string_view::npos) b = b.substr(0, comma);
  if (a.size() > kLength || b.size() > kLength) return std::nullopt;
  for (std::string_view part : {a, b})
    for (char ch : part)
      if (!std::strchr(kB64, ch) || ch == 0) return std::nullopt;
  p.s1 = EliminateSequences(a);
  p.s2 = EliminateSequences(b);
  return p;
}

bool HasCommonSubstring(const std::string& a, const std::string& b) {
  if (a.size() < kWindow || b.size() < kWindow) return false;
  for (size_t i = 0; i + kWindow <= a.size(); ++i)
    for (size_t j = 0; j + kWindow <= b.size(); ++j)
      if (std::memcmp(a.data() + i, b.data() + j, kWindow) == 0) return true;
  return false;
}

// Edit distance with insertions and deletions costing 1 and changes 2 (never cheaper than a
// deletion plus an insertion), i.e. |a| + |b| - 2 * LCS(a, b).
uint32_t EditDistance(const std::string& a, const std::string& b) {
  std::array<uint32_t, kLength + 1> prev{}, cur{};
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<uint32_t>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<uint32_t>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      uint32_t best = std::min(prev[j] + 1, cur[j - 1] + 1);
      best = std::min(best, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 2));
      cur[j] = best;
    }
    prev = cur;
  }
  return prev[b.size()];
}

uint32_t ScoreStrings(const std::string& a, const std::string& b, uint64_t block) {
  if (a.size() > kLength || b.size() > kLength) return 0;
  if (!HasCommonSubstring(a, b)) return 0;
  uint32_t score = EditDistance(a, b);
  score = score * static_cast<uint32_t>(kLength) / static_cast<uint32_t>(a.size() + b.size());
  score = 100 * score / static_cast<uint32_t>(kLength);
  if (score >= 100) return 0;
  score = 100 - score;
  if (block >= (99 + kWindow) / kWindow * kMinBlock) return score;
  const uint64_t cap = block / kMinBlock * std::min(a.size(), b.size());
  if (score > cap) score = static_cast<uint32_t>(cap);
  return score;
}

}  // namespace

std::optional<int> SsdeepCompare(std::string_view a, std::string_view b) {
  const auto pa = Parse(a);
  const auto pb = Parse(b);
  if (!pa || !pb) return std::nullopt;
  const uint64_t x = pa->block, y = pb->block;
  if (x != y && x * 2 != y && y * 2 != x) return 0;
  if (x == y && pa->s1 == pb->s1 && pa->s2 == pb->s2) return 100;
  uint32_t score;
  if (x == y) {
    score = std::max(ScoreStrings(pa->s1, pb->s1, x), ScoreStrings(pa->s2, pb->s2, x * 2));
  } else if (x * 2 == y) {
    score = ScoreStrings(pb->s1, pa->s2, y);
  } else {
    score = ScoreStrings(pa->s1, pb->s2, x);
  }
  return static_cast<int>(score);
}

}  // namespace evidex::fuzzy
