// Watchlist files from partners: CSV, MISP event JSON, STIX 2.1 bundles -> store::Indicator.
//
// CSV: a header line naming at least `type` and `value` columns (also accepted: `kind`,
//   `indicator`; optional `comment`), RFC 4180 quoting; `type` is an evidex kind or a MISP type.
// MISP: an event ({"Event": {...}} or the bare event object, or {"response": [...]} of events),
//   its Attribute array and the Attribute arrays of its Object entries. Types mapped: email,
//   email-src, email-dst -> email; url, link -> url; domain, hostname -> domain; ip-src, ip-dst ->
//   ipv4 or ipv6 (by form); btc -> btc; xmr -> xmr; iban -> iban; phone-number -> phone;
//   md5, sha1, sha256 -> same; domain|ip, ip-dst|port... composite types split on '|' where both
//   halves are known. Attributes with "deleted": true are skipped (not counted as errors).
// STIX 2.1: a bundle's "indicator" objects with "pattern_type": "stix", patterns made of
//   comparisons `[object:property = 'value']` joined by OR/AND (each comparison becomes one
//   indicator): email-addr:value, url:value, domain-name:value, ipv4-addr:value,
//   ipv6-addr:value, file:hashes.MD5 / 'SHA-1' / 'SHA-256', and crypto wallets as MISP's
//   exports write them (x-misp-object / cryptocurrency-wallet:value -> btc/eth/xmr by form).
//
// Every indicator's value goes through Normalize() (phones with `region`). A record that cannot
// be read (bad JSON, a missing column, an invalid value for its type) is an error naming where:
// "line 12" for CSV, a JSON pointer ("/Event/Attribute/3/value") for JSON. A type evidex has no
// kind for is not an error: it is counted in `unknown_types` by type name and reported.
// Nothing is returned unless the file is clean or `partial` is set (then the good records are
// returned and the bad listed).
#ifndef EVIDEX_EXCHANGE_WATCHLIST_H_
#define EVIDEX_EXCHANGE_WATCHLIST_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace evidex::exchange {

enum class WatchlistFormat { kAuto, kCsv, kMisp, kStix };
// By content: '{' with "type": "bundle" -> STIX; '{' otherwise -> MISP; else CSV.
WatchlistFormat DetectFormat(std::string_view data);
const char* FormatName(WatchlistFormat f);  // "csv", "misp", "stix"

struct ParseOptions {
  WatchlistFormat format = WatchlistFormat::kAuto;
  std::string region;    // for national phone numbers
  bool partial = false;  // return the good records even when some are bad
};

struct RecordError {
  std::string where;    // "line 12" or "/Event/Attribute/3"
  std::string message;  // "invalid iban 'DE00...' (checksum)"
};

struct ParsedWatchlist {
  WatchlistFormat format = WatchlistFormat::kCsv;
  std::string name;       // MISP Event.info, STIX bundle's first report/identity name, else ""
  std::string source;     // MISP Orgc.name, STIX created_by_ref identity's name, else ""
  std::string reference;  // MISP Event.uuid, STIX bundle id
  std::vector<store::Indicator> indicators;
  std::vector<RecordError> errors;               // bad records (partial only, else an error)
  std::map<std::string, uint64_t> unknown_types;  // type name -> count, not imported
};

// Code::kCorrupt (message: the first bad record's where and message, and how many bad records)
// when the data is not a readable file of its format, or has bad records and !partial.
// Never throws, never crashes on hostile input (fuzzed: fuzz/watchlist_fuzz.cc).
Result<ParsedWatchlist> ParseWatchlist(std::string_view data, const ParseOptions& options);

}  // namespace evidex::exchange

#endif  // EVIDEX_EXCHANGE_WATCHLIST_H_
