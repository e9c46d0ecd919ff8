// Fuzzes the watchlist readers (exchange/watchlist.h): the input is a watchlist file, read as
// detected and as each of CSV, MISP and STIX, with and without partial import, and given to the
// STIX pattern parser on its own. Whatever the bytes: no crash, hang or unbounded recursion; a
// strict read that succeeds has no bad records; and every indicator is in its kind's canonical
// form (Normalize of it gives it back).
#include <cstdint>
#include <string>

#include "exchange/normalize.h"
#include "exchange/watchlist.h"
#include "exchange/watchlist_internal.h"
#include "scan/hostname.h"

namespace {

void Check(const evidex::Result<evidex::exchange::ParsedWatchlist>& w,
           const evidex::exchange::ParseOptions& options) {
  if (!w.ok()) return;
  if (!options.partial && !w->errors.empty()) __builtin_trap();
  for (const evidex::store::Indicator& i : w->indicators) {
    std::optional<std::string> again = evidex::exchange::Normalize(i.kind, i.value, options.region);
    if (i.kind.empty() || !again || *again != i.value) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidex::exchange;
  static const bool psl = evidex::scan::LoadPublicSuffixList();
  (void)psl;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  (void)DetectFormat(s);
  for (WatchlistFormat f : {WatchlistFormat::kAuto, WatchlistFormat::kCsv, WatchlistFormat::kMisp,
                            WatchlistFormat::kStix}) {
    ParseOptions options;
    options.format = f;
    options.region = "LK";
    options.partial = true;
    Check(ParseWatchlist(s, options), options);
    if (f == WatchlistFormat::kAuto) {
      options.partial = false;
      options.region = "";
      Check(ParseWatchlist(s, options), options);
    }
  }
  (void)internal::ParseStixPattern(s);
  return 0;
}
