// Finding text in raw bytes, so that the scanners' patterns only run where text can be.
//
// Every scanner's artifact is printable ASCII. FindTextRuns collects the runs of printable
// ASCII (0x20..0x7E, tab, LF, CR) of at least `min_len` bytes, and the runs of at least
// `min_len` UTF-16LE code units holding such characters (at either byte parity), narrowed to
// one byte each. Each kind writes the runs' characters to *text, with a NUL between runs, and record
// where each run came from, so a position in *text maps back to the bytes (RunAt). Random,
// compressed and zeroed regions hold almost no runs and are skipped at vector speed (SSE2),
// which is most of what makes a scan of a disk image fast. Thread-safe: pure functions.
#ifndef EVIDEX_SCAN_TEXT_RUNS_H_
#define EVIDEX_SCAN_TEXT_RUNS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace evidex::scan {

struct TextRun {
  size_t byte_begin;    // offset of the run's first byte in the scanned bytes
  size_t text_begin;    // offset of its first character in the collected text
  size_t len;           // characters in the run (bytes for ASCII, code units for UTF-16LE)
  size_t text_end() const { return text_begin + len; }
};

struct TextRuns {
  std::vector<TextRun> runs;
  std::string text;
};

// Where a compressed stream may begin: a gzip member (1f 8b 08), a zlib stream (78 then 01, 5e,
// 9c or da) or a ZIP local file header (50 4b 03 04), wholly inside the bytes.
enum class Signature : uint8_t { kGzip, kZlib, kZip };
struct SignatureAt {
  Signature kind;
  size_t pos;
};

// Both kinds of runs in one pass over the bytes, and, when `signatures` is given, every stream
// signature in byte order (the same pass: the bytes are in registers already). min_len below 3
// is taken as 3 (what the vector paths decide exactly).
void FindTextRuns(const uint8_t* data, size_t size, size_t min_len, TextRuns* ascii, TextRuns* utf16,
                  std::vector<SignatureAt>* signatures = nullptr);

namespace internal {
// The same without AVX-512 (SSE2, or portable code off x86), for tests comparing the paths.
void FindTextRunsBaseline(const uint8_t* data, size_t size, size_t min_len, TextRuns* ascii,
                          TextRuns* utf16, std::vector<SignatureAt>* signatures = nullptr);
}  // namespace internal

// The run holding text position `pos` (runs non-empty); a NUL separator belongs to the run
// before it.
const TextRun& RunAt(const std::vector<TextRun>& runs, size_t pos);

}  // namespace evidex::scan

#endif  // EVIDEX_SCAN_TEXT_RUNS_H_
