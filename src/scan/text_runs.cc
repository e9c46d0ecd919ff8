#include "scan/text_runs.h"

#include <algorithm>
#include <cstdlib>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define EVIDEX_TEXT_RUNS_AVX512 1
#define EVIDEX_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,bmi,bmi2,lzcnt,popcnt")))
#endif

namespace evidex::scan {
namespace {

// How far ahead of the block being classified its bytes are asked for: the page was just written
// by another core (the read), and waiting for it was 40 % of this pass.
constexpr size_t kPrefetchAhead = 1024;

inline bool TextByte(uint8_t c) { return (c >= 0x20 && c <= 0x7e) || c == 0x09 || c == 0x0a || c == 0x0d; }

// The classification of the 64 bytes at p, one bit per byte.
struct Masks {
  uint64_t text;  // bit k: byte k is text (0x20..0x7E, tab, LF, CR)
  uint64_t zero;  // bit k: byte k is 0
  uint64_t sig;   // bit k: bytes k, k+1 begin a stream signature (1f 8b, 78 01|5e|9c|da, PK)
};

inline bool SigPair(uint8_t a, uint8_t b) {
  return (a == 0x1f && b == 0x8b) || (a == 'P' && b == 'K') ||
         (a == 0x78 && (b == 0x01 || b == 0x5e || b == 0x9c || b == 0xda));
}

// The whole signature at `pos` (its first two bytes passed SigPair or are checked here).
inline void CheckSignature(const uint8_t* d, size_t size, size_t pos, std::vector<SignatureAt>* out) {
  const size_t left = size - pos;
  if (left >= 3 && d[pos] == 0x1f && d[pos + 1] == 0x8b && d[pos + 2] == 0x08) {
    out->push_back({Signature::kGzip, pos});
  } else if (left >= 2 && d[pos] == 0x78 &&
             (d[pos + 1] == 0x01 || d[pos + 1] == 0x5e || d[pos + 1] == 0x9c || d[pos + 1] == 0xda)) {
    out->push_back({Signature::kZlib, pos});
  } else if (left >= 4 && d[pos] == 'P' && d[pos + 1] == 'K' && d[pos + 2] == 3 && d[pos + 3] == 4) {
    out->push_back({Signature::kZip, pos});
  }
}

// Each reads the 65 bytes at p (the 65th for signatures straddling the block's end).
// The portable one serves targets without SSE2; kept compiled everywhere.
[[maybe_unused]] inline Masks Block64Portable(const uint8_t* p) {
  Masks m{0, 0, 0};
  for (int k = 0; k < 64; ++k) {
    m.text |= uint64_t(TextByte(p[k])) << k;
    m.zero |= uint64_t(p[k] == 0) << k;
    m.sig |= uint64_t(SigPair(p[k], p[k + 1])) << k;
  }
  return m;
}

#if defined(__SSE2__)
inline Masks Block64Sse2(const uint8_t* p) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i lo = _mm_set1_epi8(0x1f), hi = _mm_set1_epi8(0x7f);
  const __m128i tab = _mm_set1_epi8(0x09), lf = _mm_set1_epi8(0x0a), cr = _mm_set1_epi8(0x0d);
  Masks m{0, 0, 0};
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    __m128i n = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k + 1));
    auto eq = [](__m128i x, int c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(char(c))); };
    __m128i zl = _mm_or_si128(_mm_or_si128(eq(n, 0x01), eq(n, 0x5e)), _mm_or_si128(eq(n, 0x9c), eq(n, 0xda)));
    __m128i sig = _mm_or_si128(_mm_or_si128(_mm_and_si128(eq(v, 0x1f), eq(n, 0x8b)),
                                            _mm_and_si128(eq(v, 'P'), eq(n, 'K'))),
                               _mm_and_si128(eq(v, 0x78), zl));
    m.sig |= uint64_t(uint32_t(_mm_movemask_epi8(sig))) << (16 * k);
    // Signed compare: bytes >= 0x80 are negative, so 0x20..0x7e is (v > 0x1f) && (v < 0x7f).
    __m128i printable = _mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi));
    __m128i ws = _mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
    m.text |= uint64_t(uint32_t(_mm_movemask_epi8(_mm_or_si128(printable, ws)))) << (16 * k);
    m.zero |= uint64_t(uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)))) << (16 * k);
  }
  return m;
}
#endif

#if defined(EVIDEX_TEXT_RUNS_AVX512)
EVIDEX_TARGET_AVX512 inline Masks Block64Avx512(const uint8_t* p) {
  const __m512i v = _mm512_loadu_si512(p);
  // 0x20..0x7e: (v - 0x20) < 0x5f unsigned; then tab, LF and CR.
  __mmask64 text = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8(0x20)),
                                          _mm512_set1_epi8(0x5f));
  text |= _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(0x09)) |
          _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(0x0a)) |
          _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(0x0d));
  const __m512i n = _mm512_loadu_si512(p + 1);
  auto eq = [](__m512i x, int c) EVIDEX_TARGET_AVX512 {
    return _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(char(c)));
  };
  __mmask64 sig = (eq(v, 0x1f) & eq(n, 0x8b)) | (eq(v, 'P') & eq(n, 'K')) |
                  (eq(v, 0x78) & (eq(n, 0x01) | eq(n, 0x5e) | eq(n, 0x9c) | eq(n, 0xda)));
  return Masks{uint64_t(text), uint64_t(_mm512_cmpeq_epi8_mask(v, _mm512_setzero_si512())),
               uint64_t(sig)};
}
#endif

// Accumulates runs: `step` is 1 for ASCII, 2 for UTF-16LE.
class Collector {
 public:
  Collector(const uint8_t* data, size_t min_len, size_t step, std::vector<TextRun>* runs, std::string* text)
      : data_(data), min_len_(min_len), step_(step), runs_(runs), text_(text) {}
  struct Open {
    size_t start = 0;
    size_t len = 0;
  };
  // Unit at byte i (of parity slot s) is text (ok) or not.
  void Unit(Open& o, size_t i, bool ok) {
    if (ok) {
      if (o.len > 0 && o.start + step_ * o.len != i) Close(o);
      if (o.len == 0) o.start = i;
      ++o.len;
    } else if (o.len > 0 && o.start + step_ * o.len <= i) {
      Close(o);
    }
  }
  void Close(Open& o) {
    if (o.len >= min_len_) {
      if (!text_->empty()) text_->push_back('\0');
      runs_->push_back({o.start, text_->size(), o.len});
      if (step_ == 1) {
        text_->append(reinterpret_cast<const char*>(data_) + o.start, o.len);
      } else {
        // Narrow: every unit is a text byte and a zero byte, so packing the 16-bit units with
        // unsigned saturation yields the text bytes, 16 at a time.
        size_t at = text_->size();
        text_->resize(at + o.len);
        char* out = text_->data() + at;
        const uint8_t* in = data_ + o.start;
        size_t k = 0;
#if defined(__SSE2__)
        for (; k + 16 <= o.len; k += 16) {
          __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 2 * k));
          __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 2 * k + 16));
          _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k), _mm_packus_epi16(lo, hi));
        }
#endif
        for (; k < o.len; ++k) out[k] = char(in[2 * k]);
      }
    }
    o.len = 0;
  }

 private:
  const uint8_t* data_;
  size_t min_len_, step_;
  std::vector<TextRun>* runs_;
  std::string* text_;
};

// The scan, for one way of classifying 64-byte blocks (inlined into each dispatch target).
template <Masks (*kBlock)(const uint8_t*)>
__attribute__((always_inline)) inline void FindTextRunsWith(const uint8_t* data, size_t size,
                                                             size_t min_len, TextRuns* ascii,
                                                             TextRuns* utf16,
                                                             std::vector<SignatureAt>* sigs) {
  if (sigs != nullptr) sigs->clear();
  ascii->runs.clear();
  ascii->text.clear();
  utf16->runs.clear();
  utf16->text.clear();
  min_len = std::max<size_t>(min_len, 3);  // what the vector paths decide exactly
  Collector ca(data, min_len, 1, &ascii->runs, &ascii->text);
  Collector cu(data, min_len, 2, &utf16->runs, &utf16->text);
  Collector::Open o;        // ASCII
  Collector::Open open[2];  // UTF-16LE, by byte parity
  auto unit_ok = [&](size_t i) { return i + 1 < size && TextByte(data[i]) && data[i + 1] == 0; };
  size_t i = 0;
  // Bit-parallel over 64-byte blocks: runs are read off the masks with bit scans, so a block
  // of random or zero bytes costs a few instructions, not 64 byte tests.
  while (i + 65 <= size) {
    __builtin_prefetch(data + i + kPrefetchAhead);
    const Masks mk = kBlock(data + i);
    if (sigs != nullptr && mk.sig != 0) {
      for (uint64_t m = mk.sig; m != 0; m &= m - 1)
        CheckSignature(data, size, i + size_t(__builtin_ctzll(m)), sigs);
    }
    // --- ASCII ---
    uint64_t t = mk.text;
    bool ascii_done = false;
    if (o.len > 0) {  // the open run goes on with the block's leading text bytes
      uint64_t n = ~t == 0 ? 64 : uint64_t(__builtin_ctzll(~t));
      o.len += n;
      if (n == 64) {
        ascii_done = true;
      } else {
        ca.Close(o);
        t &= ~((uint64_t(1) << n) - 1);
      }
    }
    if (!ascii_done) {
      // Starts of runs with at least min_len (capped at 64) text bytes inside this block.
      uint64_t m = t;
      for (size_t k = 1; k < std::min<size_t>(min_len, 64) && m != 0; ++k) m &= t >> k;
      // The run reaching the block's end stays open: it may go on in the next block.
      size_t top = (t >> 63) == 0 ? 64 : (~t == 0 ? 0 : 64 - size_t(__builtin_clzll(~t)));
      while (m != 0) {
        size_t s0 = size_t(__builtin_ctzll(m));
        if (s0 >= top) break;
        size_t len = size_t(__builtin_ctzll(~(t >> s0)));
        o.start = i + s0;
        o.len = len;
        ca.Close(o);
        m &= ~((uint64_t(1) << (s0 + len)) - 1);
      }
      if (top < 64) {
        o.start = i + top;
        o.len = 64 - top;
      }
    }
    // --- UTF-16LE: a unit is a text byte followed by a zero byte ---
    uint64_t next_zero = (mk.zero >> 1) | (uint64_t(data[i + 64] == 0) << 63);
    uint64_t units = mk.text & next_zero;
    if (units == 0 && open[0].len == 0 && open[1].len == 0) {  // no UTF-16LE text here
      i += 64;
      continue;
    }
    // Each byte parity separately (i is even, so bit k has the parity of k), bit-parallel with a
    // stride of two bits, as for ASCII above.
    for (size_t p = 0; p < 2; ++p) {
      const uint64_t lane = p == 0 ? 0x5555555555555555ull : 0xaaaaaaaaaaaaaaaaull;
      uint64_t u = units & lane;
      const uint64_t gaps = ~u & lane;  // positions of this parity without a unit
      Collector::Open& op = open[p];
      if (op.len > 0) {  // the open run goes on with the block's leading units
        if (gaps == 0) {
          op.len += 32;
          continue;
        }
        size_t first_gap = size_t(__builtin_ctzll(gaps));
        op.len += (first_gap - p) / 2;
        cu.Close(op);
        u &= ~((uint64_t(1) << first_gap) - 1);
      }
      uint64_t m = u;
      for (size_t k = 1; k < std::min<size_t>(min_len, 32) && m != 0; ++k) m &= u >> (2 * k);
      // The run reaching this parity's last position (62 + p) stays open.
      size_t top = 64;
      if ((u >> (62 + p)) & 1) {
        uint64_t below = gaps & ((uint64_t(1) << (62 + p)) - 1);
        top = below == 0 ? p : 63 - size_t(__builtin_clzll(below)) + 2;
      }
      while (m != 0) {
        size_t s0 = size_t(__builtin_ctzll(m));
        if (s0 >= top) break;
        uint64_t after = gaps >> s0;  // non-zero: the run ends before position 62 + p
        size_t end = s0 + size_t(__builtin_ctzll(after));
        op.start = i + s0;
        op.len = (end - s0) / 2;
        cu.Close(op);
        m &= end >= 64 ? 0 : ~((uint64_t(1) << end) - 1);
      }
      if (top < 64) {
        op.start = i + top;
        op.len = (62 + p - top) / 2 + 1;
      }
    }
    i += 64;
  }
  for (; i < size; ++i) {
    if (sigs != nullptr) CheckSignature(data, size, i, sigs);
    ca.Unit(o, i, TextByte(data[i]));
    cu.Unit(open[i & 1], i, unit_ok(i));
  }
  ca.Close(o);
  // Close in byte order of their starts so runs stay sorted by text position.
  if (open[0].len > 0 && open[1].len > 0 && open[1].start < open[0].start) std::swap(open[0], open[1]);
  cu.Close(open[0]);
  cu.Close(open[1]);
}

#if defined(EVIDEX_TEXT_RUNS_AVX512)
EVIDEX_TARGET_AVX512 void FindTextRunsAvx512(const uint8_t* data, size_t size, size_t min_len,
                                             TextRuns* ascii, TextRuns* utf16,
                                             std::vector<SignatureAt>* sigs) {
  FindTextRunsWith<Block64Avx512>(data, size, min_len, ascii, utf16, sigs);
}
#endif

}  // namespace

namespace internal {
void FindTextRunsBaseline(const uint8_t* data, size_t size, size_t min_len, TextRuns* ascii,
                          TextRuns* utf16, std::vector<SignatureAt>* sigs) {
#if defined(__SSE2__)
  FindTextRunsWith<Block64Sse2>(data, size, min_len, ascii, utf16, sigs);
#else
  FindTextRunsWith<Block64Portable>(data, size, min_len, ascii, utf16, sigs);
#endif
}
}  // namespace internal

// AVX-512BW where the CPU has it (EVIDEX_NO_AVX512=1 in the environment turns it off), else the
// baseline; the unit tests check that both give the same runs.
void FindTextRuns(const uint8_t* data, size_t size, size_t min_len, TextRuns* ascii, TextRuns* utf16,
                  std::vector<SignatureAt>* signatures) {
#if defined(EVIDEX_TEXT_RUNS_AVX512)
  static const bool kAvx512 =
      __builtin_cpu_supports("avx512bw") && std::getenv("EVIDEX_NO_AVX512") == nullptr;
  if (kAvx512) return FindTextRunsAvx512(data, size, min_len, ascii, utf16, signatures);
#endif
  internal::FindTextRunsBaseline(data, size, min_len, ascii, utf16, signatures);
}

const TextRun& RunAt(const std::vector<TextRun>& runs, size_t pos) {
  auto it = std::upper_bound(runs.begin(), runs.end(), pos,
                             [](size_t p, const TextRun& r) { return p < r.text_begin; });
  return it == runs.begin() ? runs.front() : *(it - 1);
}

}  // namespace evidex::scan
