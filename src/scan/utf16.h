// Finding UTF-16LE text in raw bytes, so that one set of ASCII patterns serves both encodings.
//
// FindUtf16Runs looks for runs of at least `min_units` (3 at the least)
// UTF-16LE code units that are ASCII text
// (tab, LF, CR, or 0x20..0x7E followed by a zero byte), at either byte parity. It writes each
// run's characters, narrowed to one byte each, to *narrow, with a NUL between runs, and records
// where each run came from. Scanning *narrow with the ASCII patterns then finds UTF-16LE
// artifacts; Utf16Runs maps a position back to the bytes. Runs do not overlap and are ordered
// by narrow position (and so by byte position within each parity).
// The scan of random or zero bytes is vectorized (SSE2) and costs a small fraction of a pattern
// pass. Thread-safe: pure function of its input.
#ifndef EVIDEX_SCAN_UTF16_H_
#define EVIDEX_SCAN_UTF16_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace evidex::scan {

struct Utf16Run {
  size_t byte_begin;    // offset of the first code unit in the scanned bytes
  size_t narrow_begin;  // offset of its first character in the narrow text
  size_t units;         // characters in the run
  size_t narrow_end() const { return narrow_begin + units; }
};

void FindUtf16Runs(const uint8_t* data, size_t size, size_t min_units, std::vector<Utf16Run>* runs,
                   std::string* narrow);

// The run holding narrow position `pos` (runs must be non-empty and pos < narrow size); a NUL
// separator belongs to the run before it.
const Utf16Run& RunAt(const std::vector<Utf16Run>& runs, size_t pos);

}  // namespace evidex::scan

#endif  // EVIDEX_SCAN_UTF16_H_
