#include "scan/utf16.h"

#include <algorithm>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace evidex::scan {
namespace {

inline bool TextByte(uint8_t c) { return (c >= 0x20 && c <= 0x7e) || c == 0x09 || c == 0x0a || c == 0x0d; }

// Tracks the current run of one byte parity.
struct Open {
  size_t start = 0;
  size_t units = 0;
};

void Close(const uint8_t* data, Open& o, size_t min_units, std::vector<Utf16Run>* runs,
           std::string* narrow) {
  if (o.units >= min_units) {
    if (!narrow->empty()) narrow->push_back('\0');
    runs->push_back({o.start, narrow->size(), o.units});
    for (size_t i = 0; i < o.units; ++i) narrow->push_back(char(data[o.start + 2 * i]));
  }
  o.units = 0;
}

// Handles unit positions [from, to) one byte at a time (the slow path, only near text).
void Scalar(const uint8_t* data, size_t size, size_t from, size_t to, Open open[2],
            size_t min_units, std::vector<Utf16Run>* runs, std::string* narrow) {
  for (size_t i = from; i < to; ++i) {
    Open& o = open[i & 1];
    bool ok = i + 1 < size && TextByte(data[i]) && data[i + 1] == 0;
    if (ok) {
      if (o.units == 0) o.start = i;
      // A unit continues the run only if it follows the previous one directly.
      if (o.units > 0 && o.start + 2 * o.units != i) {
        Close(data, o, min_units, runs, narrow);
        o.start = i;
      }
      ++o.units;
    } else if (o.units > 0 && o.start + 2 * o.units <= i) {
      Close(data, o, min_units, runs, narrow);
    }
  }
}

}  // namespace

void FindUtf16Runs(const uint8_t* data, size_t size, size_t min_units, std::vector<Utf16Run>* runs,
                   std::string* narrow) {
  runs->clear();
  min_units = std::max<size_t>(min_units, 3);  // what the vector path can decide exactly
  narrow->clear();
  Open open[2];
  size_t i = 0;
#if defined(__SSE2__)
  // 64 bytes at a time: a block with no "text byte followed by zero" pair and no open run is
  // skipped whole; anything else goes through the scalar path.
  const __m128i zero = _mm_setzero_si128();
  const __m128i lo = _mm_set1_epi8(0x1f), hi = _mm_set1_epi8(0x7f);
  while (i + 65 <= size) {
    uint64_t z = 0, t = 0;
    for (int k = 0; k < 4; ++k) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + 16 * k));
      uint64_t zm = uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)));
      // Signed compare: bytes >= 0x80 are negative, so 0x20..0x7e is (v > 0x1f) && (v < 0x7f).
      uint64_t tm = uint32_t(_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi))));
      z |= zm << (16 * k);
      t |= tm << (16 * k);
    }
    uint64_t next_zero = (z >> 1) | (uint64_t(data[i + 64] == 0) << 63);
    uint64_t units = t & next_zero;
    // Only blocks that can hold part of a run of kMin >= 3 units need the scalar path: three
    // consecutive units of one parity, a unit at the end (a run may go on in the next block),
    // or a run still open from the block before.
    bool may_hold_run = (units & (units >> 2) & (units >> 4)) != 0 || (units >> 62) != 0;
    if (!may_hold_run && open[0].units == 0 && open[1].units == 0) {
      i += 64;
      continue;
    }
    Scalar(data, size, i, i + 64, open, min_units, runs, narrow);
    i += 64;
  }
#endif
  Scalar(data, size, i, size, open, min_units, runs, narrow);
  // Close in byte order of their starts so runs stay sorted by narrow position.
  if (open[0].units > 0 && open[1].units > 0 && open[1].start < open[0].start) std::swap(open[0], open[1]);
  Close(data, open[0], min_units, runs, narrow);
  Close(data, open[1], min_units, runs, narrow);
}

const Utf16Run& RunAt(const std::vector<Utf16Run>& runs, size_t pos) {
  auto it = std::upper_bound(runs.begin(), runs.end(), pos,
                             [](size_t p, const Utf16Run& r) { return p < r.narrow_begin; });
  return it == runs.begin() ? runs.front() : *(it - 1);
}

}  // namespace evidex::scan
