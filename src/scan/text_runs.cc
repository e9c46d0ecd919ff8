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

inline bool TextByte(uint8_t c) { return (c >= 0x20 && c <= 0x7e) || c == 0x09 || c == 0x0a || c == 0x0d; }

// The classification of the 64 bytes at p, one bit per byte.
struct Masks {
  uint64_t text;  // bit k: byte k is text (0x20..0x7E, tab, LF, CR)
  uint64_t zero;  // bit k: byte k is 0
};

inline Masks Block64Portable(const uint8_t* p) {
  Masks m{0, 0};
  for (int k = 0; k < 64; ++k) {
    m.text |= uint64_t(TextByte(p[k])) << k;
    m.zero |= uint64_t(p[k] == 0) << k;
  }
  return m;
}

#if defined(__SSE2__)
inline Masks Block64Sse2(const uint8_t* p) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i lo = _mm_set1_epi8(0x1f), hi = _mm_set1_epi8(0x7f);
  const __m128i tab = _mm_set1_epi8(0x09), lf = _mm_set1_epi8(0x0a), cr = _mm_set1_epi8(0x0d);
  Masks m{0, 0};
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
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
  return Masks{uint64_t(text), uint64_t(_mm512_cmpeq_epi8_mask(v, _mm512_setzero_si512()))};
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
                                                             TextRuns* utf16) {
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
    const Masks mk = kBlock(data + i);
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
                                             TextRuns* ascii, TextRuns* utf16) {
  FindTextRunsWith<Block64Avx512>(data, size, min_len, ascii, utf16);
}
#endif

}  // namespace

namespace internal {
void FindTextRunsBaseline(const uint8_t* data, size_t size, size_t min_len, TextRuns* ascii,
                          TextRuns* utf16) {
#if defined(__SSE2__)
  FindTextRunsWith<Block64Sse2>(data, size, min_len, ascii, utf16);
#else
  FindTextRunsWith<Block64Portable>(data, size, min_len, ascii, utf16);
#endif
}
}  // namespace internal

// AVX-512BW where the CPU has it (EVIDEX_NO_AVX512=1 in the environment turns it off), else the
// baseline; the unit tests check that both give the same runs.
void FindTextRuns(const uint8_t* data, size_t size, size_t min_len, TextRuns* ascii, TextRuns* utf16) {
#if defined(EVIDEX_TEXT_RUNS_AVX512)
  static const bool kAvx512 =
      __builtin_cpu_supports("avx512bw") && std::getenv("EVIDEX_NO_AVX512") == nullptr;
  if (kAvx512) return FindTextRunsAvx512(data, size, min_len, ascii, utf16);
#endif
  internal::FindTextRunsBaseline(data, size, min_len, ascii, utf16);
}

const TextRun& RunAt(const std::vector<TextRun>& runs, size_t pos) {
  auto it = std::upper_bound(runs.begin(), runs.end(), pos,
                             [](size_t p, const TextRun& r) { return p < r.text_begin; });
  return it == runs.begin() ? runs.front() : *(it - 1);
}

}  // namespace evidex::scan
