// Shared by the watchlist readers (watchlist_csv.cc, watchlist_misp.cc, watchlist_stix.cc):
// the type table, the collector every reader adds its records to, and JSON reading with bounded
// nesting. Not a public header.
#ifndef EVIDEX_EXCHANGE_WATCHLIST_INTERNAL_H_
#define EVIDEX_EXCHANGE_WATCHLIST_INTERNAL_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "exchange/watchlist.h"

namespace evidex::exchange::internal {

// JSON documents nested deeper than this are refused before they are parsed (a MISP event is 5
// levels deep, a STIX bundle 4; the limit only keeps hostile input from costing stack or time).
constexpr int kMaxJsonDepth = 64;

// The kinds a file's type name may hold, tried in order (an "ip-dst" is IPv4 or IPv6 by its
// form); empty when evidex has no kind for the type. `type` is matched case-insensitively.
std::span<const std::string_view> KindsForType(std::string_view type);

// Receives every record a reader finds, normalizes its value and files it as an indicator, an
// error or an unknown type.
class Collector {
 public:
  Collector(const ParseOptions& options, ParsedWatchlist* out) : options_(options), out_(out) {}

  // One value of the file's type `type` (an evidex kind or a MISP type; "a|b" composite types
  // take a value "x|y" and give an indicator per half evidex knows). `where` names the value
  // for an error ("line 3", "/Event/Attribute/2/value").
  void AddTyped(std::string_view type, std::string_view value, std::string_view comment,
                std::string_view reference, std::string_view where);
  // One value that may be any of `kinds`, in order; `type` is recorded as the indicator's type.
  // Returns false (and records an error) when it is none of them.
  bool AddKinds(std::span<const std::string_view> kinds, std::string_view type,
                std::string_view value, std::string_view comment, std::string_view reference,
                std::string_view where);
  void Error(std::string_view where, std::string message);
  void Unknown(std::string_view type_name);

 private:
  const ParseOptions& options_;
  ParsedWatchlist* out_;
};

// Values in messages: at most 80 bytes, quoted.
std::string Quote(std::string_view value);

// Parses `data` as JSON: Code::kCorrupt naming the byte, line and column of the first syntax
// error, or nesting deeper than kMaxJsonDepth. Never throws.
Result<nlohmann::json> ParseJson(std::string_view data);

// "/a/b" + "c" -> "/a/b/c" (RFC 6901 escapes).
std::string Pointer(std::string_view base, std::string_view token);
std::string Pointer(std::string_view base, size_t index);

// Members of a JSON object, nullptr / nullopt when absent, of another type, or `j` is not an
// object.
const nlohmann::json* Member(const nlohmann::json& j, const char* key);
std::optional<std::string_view> StringMember(const nlohmann::json& j, const char* key);
// true, "true", "1" or 1 (MISP writes its flags in all these ways).
bool FlagMember(const nlohmann::json& j, const char* key);

void ReadCsv(std::string_view data, Collector* sink, ParsedWatchlist* out, Status* fatal);
void ReadMisp(const nlohmann::json& doc, Collector* sink, ParsedWatchlist* out, Status* fatal);
void ReadStix(const nlohmann::json& doc, Collector* sink, ParsedWatchlist* out, Status* fatal);

// STIX patterning (watchlist_stix.cc), exposed for the tests.
struct StixComparison {
  std::string path;  // as written: "file:hashes.'SHA-256'"
  std::string op;    // "=", "!=", "IN", "LIKE", ... ("NOT =" when negated)
  std::vector<std::optional<std::string>> values;  // string literals; nullopt for other literals
};
// The pattern's comparisons in order; Code::kCorrupt "at character N: ..." when it is malformed.
Result<std::vector<StixComparison>> ParseStixPattern(std::string_view pattern);

}  // namespace evidex::exchange::internal

#endif  // EVIDEX_EXCHANGE_WATCHLIST_INTERNAL_H_
