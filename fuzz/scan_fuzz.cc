// Fuzzes the whole scanner set and the decoders: the input is one page.
#include <cstdint>
#include <memory>
#include <vector>

#include "scan/engine.h"
#include "scan/hostname.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidex::scan;
  static const std::unique_ptr<Engine> engine = [] {
    LoadPublicSuffixList();
    EngineOptions opts;
    opts.keywords = {{"secret", false, true}, {"inv-[0-9]{3,5}", true, false}};
    opts.max_stream_bytes = 4u << 20;
    opts.max_page_decoded = 16u << 20;
    return std::move(Engine::Create(opts)).value();
  }();
  static const std::unique_ptr<Worker> worker = engine->NewWorker();
  std::vector<Hit> hits;
  PageStats stats;
  Page page;
  page.data = std::span<const uint8_t>(data, size);
  // Keep the middle so both the lead and the margin paths are exercised.
  page.keep_begin = size / 8;
  page.keep_end = size - size / 8;
  worker->ScanPage(page, &hits, &stats);
  for (const Hit& h : hits) {
    if (h.scanner >= engine->scanners().size() || h.feature.empty()) __builtin_trap();
  }
  return 0;
}
