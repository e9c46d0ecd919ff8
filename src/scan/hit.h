// A hit: one artifact found, with its provenance.
#ifndef EVIDEX_SCAN_HIT_H_
#define EVIDEX_SCAN_HIT_H_

#include <cstdint>
#include <string>

namespace evidex::scan {

struct Hit {
  uint32_t scanner = 0;     // index into Engine::scanners()
  bool utf16 = false;       // found as UTF-16LE text
  uint64_t offset = 0;      // top-level byte offset (of the artifact, or of its outermost container)
  std::string path;         // forensic path: "1048576" or "1048576-GZIP-2210" (bulk_extractor style)
  std::string feature;      // the artifact as written (UTF-8)
  std::string normalized;   // its canonical form
  std::string context;      // raw bytes around it (16 before, 16 after)
  uint64_t stream_pos = 0;  // position in the innermost stream (engine-internal ordering)
};

}  // namespace evidex::scan

#endif  // EVIDEX_SCAN_HIT_H_
