// Watchlist files from partners: CSV, MISP event JSON, STIX 2.1 bundles -> store::Indicator.
//
// CSV: a header line naming at least `type` and `value` columns (also accepted: `kind`,
//   `indicator`; optional `comment`), RFC 4180 quoting; `type` is an evidex kind or a MISP type.
// MISP: an event ({"Event": {...}}, the bare event object, a list of {"Event": ...}, or
//   {"response": [...]} of events), its Attribute array and the Attribute arrays of its Object
//   entries. Types mapped: email, email-src, email-dst, email-reply-to, whois-registrant-email ->
//   email; url, link -> url; domain, hostname -> domain (onion for a .onion name); ip-src, ip-dst
//   -> ipv4 or ipv6 (by form; a /32 or /128 is its address, a wider network is counted unknown
//   as "ip-dst (CIDR)"); btc -> btc (or eth: MISP has no Ethereum type); xmr; iban; cc-number ->
//   ccn; phone-number, whois-registrant-phone -> phone; md5, sha1, sha256. Composite types
//   ("domain|ip", "filename|sha256", "ip-dst|port") give one indicator per half evidex has a
//   kind for. Attributes and objects with "deleted": true are skipped (not counted as errors).
// STIX 2.1 (and 2.0): a bundle's "indicator" objects with "pattern_type": "stix" (or none),
//   not revoked, patterns of comparisons `[object:property = 'value']` joined by AND/OR/
//   FOLLOWEDBY with qualifiers (each `=` comparison, and each string of an IN list, on a known
//   path becomes one indicator): email-addr:value, url:value, domain-name:value,
//   ipv4-addr:value, ipv6-addr:value, network-traffic:dst_ref/src_ref.value,
//   email-message:from_ref.value / to_refs[*].value..., file:hashes.MD5 / 'SHA-1' / 'SHA-256',
//   cryptocurrency-wallet:value / :address -> btc/eth/xmr by form, bank-account:iban_number;
//   and "x-misp-attribute" objects (how MISP's STIX export writes btc, iban, phone-number...)
//   read as MISP attributes. Another pattern_type, path or operator is counted as unknown
//   ("pattern_type sigma", "file:name", "ipv4-addr:value ISSUBSET"). An indicator's type is the
//   object path as written ("file:hashes.'SHA-256'").
//
// Every indicator's value goes through Normalize() (phones with `region`). A record that cannot
// be read (a missing column, an invalid value for its type, a malformed STIX pattern) is an
// error naming where: "line 12" for CSV, a JSON pointer ("/Event/Attribute/3/value",
// "/objects/4/pattern") for JSON. A type evidex has no kind for is not an error: it is counted in
// `unknown_types` by type name and reported. The full description: docs/FORMATS.md, "Watchlists
// (read)".
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
  std::vector<RecordError> errors;                // bad records (partial only, else an error)
  std::map<std::string, uint64_t> unknown_types;  // type name -> count, not imported
};

// Code::kCorrupt when the data is not a readable file of its format (not JSON, with its byte,
// line and column; JSON nested deeper than 64 levels; no MISP event or STIX bundle; no CSV
// header), partial or not; and when it has bad records and !partial (message: the first bad
// record's where and message, and how many bad records). Code::kLimit for data over 256 MiB.
// Never throws, never crashes on hostile input, and takes time linear in its size (fuzzed:
// fuzz/watchlist_fuzz.cc). Thread-safe (no shared state).
Result<ParsedWatchlist> ParseWatchlist(std::string_view data, const ParseOptions& options);

}  // namespace evidex::exchange

#endif  // EVIDEX_EXCHANGE_WATCHLIST_H_
