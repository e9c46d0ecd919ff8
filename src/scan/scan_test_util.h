// Helpers shared by the scan module's tests.
#ifndef EVIDEX_SCAN_SCAN_TEST_UTIL_H_
#define EVIDEX_SCAN_SCAN_TEST_UTIL_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scan/engine.h"

namespace evidex::scan::testing {

// ASCII text as UTF-16LE bytes.
inline std::string ToUtf16le(std::string_view s) {
  std::string out;
  for (char c : s) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

// Scans `bytes` as one page whose keep region is all of it.
inline std::vector<Hit> ScanWhole(const Engine& engine, std::string_view bytes) {
  std::unique_ptr<Worker> w = engine.NewWorker();
  std::vector<Hit> hits;
  PageStats stats;
  Page page;
  page.data = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  page.keep_end = bytes.size();
  w->ScanPage(page, &hits, &stats);
  return hits;
}

}  // namespace evidex::scan::testing

#endif  // EVIDEX_SCAN_SCAN_TEST_UTIL_H_
