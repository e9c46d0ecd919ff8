// CSV watchlists (RFC 4180): a header naming the type and value columns, one indicator a record.
// Records are read by a single forward pass; a quoted field may span lines, and a record is named
// by the line it starts on.
#include <algorithm>
#include <string>
#include <vector>

#include "exchange/csv.h"
#include "exchange/watchlist_internal.h"

namespace evidex::exchange::internal {
namespace {

std::string LowerTrim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c | 0x20);
  return out;
}

bool Blank(const CsvRecord& r) {
  for (const std::string& f : r.fields)
    if (f.find_first_not_of(" \t") != std::string::npos) return false;
  return true;
}

}  // namespace

void ReadCsv(std::string_view data, Collector* sink, ParsedWatchlist* out, Status* fatal) {
  CsvReader reader(data);
  CsvRecord r;
  // The header: the first record that is not blank.
  bool have_header = false;
  while (reader.Next(&r)) {
    if (!r.error.empty()) {
      *fatal = Corrupt("line " + std::to_string(r.line) + ": " + r.error);
      return;
    }
    if (!Blank(r)) {
      have_header = true;
      break;
    }
  }
  if (!have_header) {
    *fatal = Corrupt("empty CSV watchlist: no header line");
    return;
  }
  const size_t kNone = size_t(-1);
  size_t type_col = kNone, value_col = kNone, comment_col = kNone;
  for (size_t i = 0; i < r.fields.size(); ++i) {
    std::string name = LowerTrim(r.fields[i]);
    if ((name == "type" || name == "kind") && type_col == kNone) type_col = i;
    if ((name == "value" || name == "indicator") && value_col == kNone) value_col = i;
    if (name == "comment" && comment_col == kNone) comment_col = i;
  }
  const std::string header_where = "line " + std::to_string(r.line);
  if (type_col == kNone || value_col == kNone) {
    *fatal = Corrupt(header_where + ": the header names no " +
                     (type_col == kNone ? "'type' (or 'kind')" : "'value' (or 'indicator')") +
                     " column");
    return;
  }
  const size_t needed = std::max(type_col, value_col) + 1;
  while (reader.Next(&r)) {
    std::string where = "line " + std::to_string(r.line);
    if (!r.error.empty()) {
      sink->Error(where, r.error);
      continue;
    }
    if (Blank(r)) continue;
    if (r.fields.size() < needed) {
      sink->Error(where, std::to_string(r.fields.size()) + " field" +
                             (r.fields.size() == 1 ? "" : "s") + ", the header names " +
                             std::to_string(needed) + " or more");
      continue;
    }
    std::string_view comment =
        comment_col < r.fields.size() ? CsvUnguard(r.fields[comment_col]) : "";
    sink->AddTyped(r.fields[type_col], CsvUnguard(r.fields[value_col]), comment, where, where);
  }
  (void)out;
}

}  // namespace evidex::exchange::internal
