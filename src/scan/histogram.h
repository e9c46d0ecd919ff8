// A scanner's histogram: how often each normalized value was found (and how often in UTF-16LE),
// written sorted at the end of a scan (bulk_extractor's *_histogram.txt, output.h).
//
// Compact on purpose: a 10 GiB source has millions of distinct values, and the histograms are
// what grows with the source. Values live back to back in one byte arena, entries in one array,
// and an open-addressing table of entry numbers finds them; no allocation per value, so adding,
// sorting (a walk over contiguous memory) and freeing stay cheap. Not thread-safe.
#ifndef EVIDEX_SCAN_HISTOGRAM_H_
#define EVIDEX_SCAN_HISTOGRAM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace evidex::scan {

class Histogram {
 public:
  struct Row {
    std::string_view value;  // valid until the next Add or Clear
    uint64_t count;
    uint64_t utf16;
  };

  void Add(std::string_view value, bool utf16);
  size_t size() const { return entries_.size(); }
  // Every value, most frequent first, ties in byte order of the value.
  std::vector<Row> Sorted() const;
  // Empties it and gives its memory back.
  void Clear();

 private:
  struct Entry {
    uint64_t offset;  // into bytes_
    uint64_t hash;
    uint64_t count;
    uint64_t utf16;
    uint32_t length;
  };
  std::string_view ValueOf(const Entry& e) const { return {bytes_.data() + e.offset, e.length}; }
  void Grow();

  std::string bytes_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> slots_;  // entry number + 1; 0 is empty. Size a power of two.
};

}  // namespace evidex::scan

#endif  // EVIDEX_SCAN_HISTOGRAM_H_
