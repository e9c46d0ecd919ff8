// ListCaseArtifacts' cursor and page assembly, shared by both back ends (case_artifact_page.h).
#include "store/case_artifact_page.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/hash.h"
#include "store/store_common.h"

namespace evidex::store {
namespace {

constexpr uint8_t kCursorVersion = 2;
constexpr size_t kTagBytes = 8;
// A value of a few KiB (a long URL) still fits; anything longer is not a cursor we made.
constexpr size_t kMaxCursorText = 24 * 1024;
constexpr size_t kMaxKindBytes = 64;

enum class Direction : uint8_t { kAfter = 0, kBefore = 1 };

struct Cursor {
  Direction direction = Direction::kAfter;
  CaseArtifact boundary;  // only the key fields are set
  PageTotal total;        // the query's total when its first page was read
};

// What makes two queries the same query, length-prefixed so no two differ only in where a field
// ends. Not the limit: a client may change the page size and keep its place.
std::string Fingerprint(int64_t case_id, const ArtifactQuery& q) {
  std::string f;
  auto field = [&](const std::string& s) { f += std::to_string(s.size()) + ":" + s + ";"; };
  field(std::to_string(case_id));
  field(q.kind);
  field(q.text);
  field(std::to_string(q.evidence_id));
  field(std::to_string(int(q.sort)));
  field(q.descending ? "desc" : "asc");
  return f;
}

std::string Tag(const std::string& fingerprint, std::string_view record) {
  std::string hex = Sha256Hex(fingerprint + std::string(record));
  uint8_t tag[kTagBytes];
  FromHex(std::string_view(hex).substr(0, 2 * kTagBytes), tag, kTagBytes);
  return std::string(reinterpret_cast<const char*>(tag), kTagBytes);
}

void PutU64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(char((v >> (8 * i)) & 0xff));
}
void PutText(std::string& out, const std::string& s) {
  PutU64(out, s.size());
  out += s;
}

// Reads the record front to back; any short read fails.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  bool U8(uint8_t* v) {
    if (rest_.empty()) return false;
    *v = uint8_t(rest_[0]);
    rest_.remove_prefix(1);
    return true;
  }
  bool U64(uint64_t* v) {
    if (rest_.size() < 8) return false;
    *v = 0;
    for (int i = 0; i < 8; ++i) *v = (*v << 8) | uint8_t(rest_[i]);
    rest_.remove_prefix(8);
    return true;
  }
  bool Text(std::string* s, size_t max) {
    uint64_t n = 0;
    if (!U64(&n) || n > max || n > rest_.size()) return false;
    *s = std::string(rest_.substr(0, n));
    rest_.remove_prefix(n);
    return true;
  }
  bool Done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

std::string EncodeCursor(const std::string& fingerprint, Direction d, const CaseArtifact& row,
                         ArtifactQuery::Sort sort, const PageTotal& total) {
  std::string record;
  record.push_back(char(kCursorVersion));
  record.push_back(char(d));
  PutText(record, row.artifact.kind);
  PutU64(record, sort == ArtifactQuery::Sort::kCases ? row.artifact.cases : row.occurrences_here);
  PutText(record, row.artifact.value);
  PutU64(record, uint64_t(row.artifact.id));
  PutU64(record, total.total);
  record.push_back(char(total.exact ? 1 : 0));
  return EncodeBase64Url(Tag(fingerprint, record) + record);
}

Status BadCursor() {
  return InvalidArgument(
      "the cursor was not made by this query (another case, filter or sort), or is damaged");
}

Result<Cursor> DecodeCursor(const std::string& fingerprint, const ArtifactQuery& q) {
  std::string bytes;
  if (q.cursor.size() > kMaxCursorText || !DecodeBase64Url(q.cursor, &bytes) ||
      bytes.size() < kTagBytes)
    return BadCursor();
  std::string_view record = std::string_view(bytes).substr(kTagBytes);
  if (bytes.compare(0, kTagBytes, Tag(fingerprint, record)) != 0) return BadCursor();
  Reader r(record);
  uint8_t version = 0, direction = 0, exact = 0;
  uint64_t number = 0, id = 0, total = 0;
  Cursor c;
  if (!r.U8(&version) || version != kCursorVersion || !r.U8(&direction) || direction > 1 ||
      !r.Text(&c.boundary.artifact.kind, kMaxKindBytes) || !r.U64(&number) ||
      !r.Text(&c.boundary.artifact.value, kMaxCursorText) || !r.U64(&id) || !r.U64(&total) ||
      !r.U8(&exact) || exact > 1 || !r.Done())
    return BadCursor();
  // Counts and ids are stored as SQL integers: a boundary outside their range is not ours.
  if (number > uint64_t(INT64_MAX) || id == 0 || id > uint64_t(INT64_MAX)) return BadCursor();
  if (!q.kind.empty() && c.boundary.artifact.kind != q.kind) return BadCursor();
  c.direction = Direction(direction);
  c.boundary.artifact.id = int64_t(id);
  c.boundary.artifact.cases = c.boundary.occurrences_here = number;
  c.total = {total, exact == 1};
  return c;
}

// True when `a` comes before `b` in the ascending order of `sort`.
bool KeyLess(ArtifactQuery::Sort sort, const CaseArtifact& a, const CaseArtifact& b) {
  const Artifact &x = a.artifact, &y = b.artifact;
  switch (sort) {
    case ArtifactQuery::Sort::kOccurrences:
      return std::tie(a.occurrences_here, x.id) < std::tie(b.occurrences_here, y.id);
    case ArtifactQuery::Sort::kCases:
      return std::tie(x.cases, x.id) < std::tie(y.cases, y.id);
    case ArtifactQuery::Sort::kValue:
      return std::tie(x.value, x.id) < std::tie(y.value, y.id);
    case ArtifactQuery::Sort::kKind:
      return std::tie(x.kind, x.value, x.id) < std::tie(y.kind, y.value, y.id);
  }
  return false;
}

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string EncodeBase64Url(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64Url[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kBase64Url[(acc << (6 - bits)) & 0x3f]);
  return out;
}

bool DecodeBase64Url(std::string_view text, std::string* bytes) {
  // Canonical only: no padding, no other alphabet, no length that leaves a partial byte, and
  // zero unused bits (so one record has exactly one text).
  if (text.size() % 4 == 1) return false;
  bytes->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : text) {
    const char* at = ch == '\0' ? nullptr : std::strchr(kBase64Url, ch);
    if (at == nullptr) return false;
    acc = (acc << 6) | uint32_t(at - kBase64Url);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes->push_back(char((acc >> bits) & 0xff));
    }
  }
  return (acc & ((1u << bits) - 1)) == 0;
}

SortKeyValues KeyValues(ArtifactQuery::Sort sort, const CaseArtifact& row) {
  switch (sort) {
    case ArtifactQuery::Sort::kOccurrences:
      return {{int64_t(row.occurrences_here)}, {}};
    case ArtifactQuery::Sort::kCases:
      return {{int64_t(row.artifact.cases)}, {}};
    case ArtifactQuery::Sort::kValue:
      return {{}, {row.artifact.value}};
    case ArtifactQuery::Sort::kKind:
      return {{}, {row.artifact.kind, row.artifact.value}};
  }
  return {};
}

std::string KeyColumns(ArtifactQuery::Sort sort, const std::string& occurrences,
                       const std::string& id) {
  switch (sort) {
    case ArtifactQuery::Sort::kOccurrences:
      return occurrences + ", " + id;
    case ArtifactQuery::Sort::kCases:
      return "c.cases, " + id;
    case ArtifactQuery::Sort::kValue:
      return "c.value, " + id;
    case ArtifactQuery::Sort::kKind:
      return "c.kind, c.value, " + id;
  }
  return id;
}

std::string KeyOrder(ArtifactQuery::Sort sort, const std::string& occurrences,
                     const std::string& id, bool descending) {
  const char* dir = descending ? " DESC" : " ASC";
  std::string columns = KeyColumns(sort, occurrences, id), out = " ORDER BY ";
  size_t start = 0;
  for (;;) {
    size_t comma = columns.find(", ", start);
    out += columns.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    out += dir;
    if (comma == std::string::npos) return out;
    out += ", ";
    start = comma + 2;
  }
}

std::string TextNeedle(const std::string& text) { return Lower(text); }

ArtifactPlanLimits& PlanLimits() {
  static ArtifactPlanLimits limits;
  return limits;
}

ArtifactScope ScopeOf(const ArtifactQuery& query,
                      const std::vector<std::pair<std::string, uint64_t>>& counts) {
  ArtifactScope out;
  for (const auto& [kind, n] : counts) {
    out.held += n;
    if (!query.kind.empty() && kind != query.kind) continue;
    out.scope += n;
    out.kinds.push_back(kind);
  }
  out.read_evidence = query.evidence_id != 0 && (query.sort == ArtifactQuery::Sort::kOccurrences ||
                                                 out.held < PlanLimits().small_evidence);
  return out;
}

size_t TextCharacters(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xc0) != 0x80;
  return n;
}

std::string TrigramTerms(const std::string& needle) {
  // Where each code point starts: a trigram is three of them.
  std::vector<size_t> starts;
  for (size_t i = 0; i < needle.size(); ++i)
    if ((static_cast<unsigned char>(needle[i]) & 0xc0) != 0x80) starts.push_back(i);
  starts.push_back(needle.size());
  auto quoted = [](std::string_view term) {
    std::string out = "\"";
    for (char c : term) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + "\"";
  };
  if (starts.size() < 4) return quoted(needle);
  std::vector<std::string_view> terms;
  for (size_t i = 0; i + 3 < starts.size(); ++i)
    terms.push_back(std::string_view(needle).substr(starts[i], starts[i + 3] - starts[i]));
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  std::string out;
  for (std::string_view t : terms) out += (out.empty() ? "" : " AND ") + quoted(t);
  return out;
}

std::optional<PageTotal> CarriedTotal(int64_t case_id, const ArtifactQuery& query) {
  if (query.cursor.empty()) return std::nullopt;
  Result<Cursor> c = DecodeCursor(Fingerprint(case_id, query), query);
  if (!c.ok()) return std::nullopt;
  return c->total;
}

Result<PageTotal> PageTotalOf(int64_t case_id, const ArtifactQuery& query, uint64_t scope,
                              const std::function<Result<uint64_t>()>& count_capped) {
  if (query.text.empty()) return PageTotal{scope, true};
  if (std::optional<PageTotal> carried = CarriedTotal(case_id, query)) return *carried;
  Result<uint64_t> n = count_capped();
  if (!n.ok()) return n.status();
  const uint64_t cap = PlanLimits().text_total_cap;
  return PageTotal{std::min(*n, cap), *n <= cap};
}

Result<ArtifactPage> AssembleArtifactPage(int64_t case_id, const ArtifactQuery& query,
                                          const std::vector<std::string>& kinds,
                                          const PageTotal& total, const CaseArtifactFetch& fetch) {
  if (query.limit < 1 || query.limit > kMaxArtifactPageLimit)
    return InvalidArgument("a page holds 1 to " + std::to_string(kMaxArtifactPageLimit) +
                           " rows, not " + std::to_string(query.limit));
  const std::string fingerprint = Fingerprint(case_id, query);
  std::optional<Cursor> cursor;
  if (!query.cursor.empty()) {
    Result<Cursor> c = DecodeCursor(fingerprint, query);
    if (!c.ok()) return c.status();
    cursor = *c;
  }
  // The page before a boundary is read in the reverse order from it, then turned round.
  const bool backward = cursor && cursor->direction == Direction::kBefore;
  const bool descending = query.descending != backward;
  const CaseArtifact* after = cursor ? &cursor->boundary : nullptr;
  const size_t want = query.limit + 1;  // one more says whether there is a page beyond

  std::vector<CaseArtifact> rows;
  if (query.sort == ArtifactQuery::Sort::kKind && !kinds.empty() && !kinds.front().empty()) {
    // By kind: the kinds in reading order, each a range of its value index, the boundary's kind
    // from the boundary, later ones from their start, until the page is full.
    std::vector<std::string> ordered = kinds;
    std::sort(ordered.begin(), ordered.end());
    if (descending) std::reverse(ordered.begin(), ordered.end());
    for (const std::string& kind : ordered) {
      if (rows.size() >= want) break;
      const CaseArtifact* from = nullptr;
      if (after != nullptr) {
        int order = kind.compare(after->artifact.kind);
        if (order == 0)
          from = after;
        else if (descending ? order > 0 : order < 0)
          continue;  // before the boundary
      }
      Result<std::vector<CaseArtifact>> got =
          fetch(kind, ArtifactQuery::Sort::kValue, from, descending, want - rows.size());
      if (!got.ok()) return got.status();
      rows.insert(rows.end(), std::make_move_iterator(got->begin()),
                  std::make_move_iterator(got->end()));
    }
  } else {
    for (const std::string& kind : kinds) {
      Result<std::vector<CaseArtifact>> got = fetch(kind, query.sort, after, descending, want);
      if (!got.ok()) return got.status();
      rows.insert(rows.end(), std::make_move_iterator(got->begin()),
                  std::make_move_iterator(got->end()));
    }
  }
  auto in_order = [&](const CaseArtifact& a, const CaseArtifact& b) {
    return descending ? KeyLess(query.sort, b, a) : KeyLess(query.sort, a, b);
  };
  std::sort(rows.begin(), rows.end(), in_order);
  const bool beyond = rows.size() > query.limit;
  if (beyond) rows.resize(query.limit);
  if (backward) std::reverse(rows.begin(), rows.end());

  ArtifactPage page;
  page.total = total.total;
  page.total_exact = total.exact;
  auto make = [&](Direction d, const CaseArtifact& row) {
    return EncodeCursor(fingerprint, d, row, query.sort, total);
  };
  if (rows.empty()) {
    // Past either end (rows removed since): the way back is from the boundary itself.
    if (cursor)
      (backward ? page.next_cursor : page.prev_cursor) =
          make(backward ? Direction::kAfter : Direction::kBefore, cursor->boundary);
    return page;
  }
  const bool more_after = backward ? true : beyond;
  const bool more_before = backward ? beyond : cursor.has_value();
  if (more_after) page.next_cursor = make(Direction::kAfter, rows.back());
  if (more_before) page.prev_cursor = make(Direction::kBefore, rows.front());
  page.rows = std::move(rows);
  return page;
}

}  // namespace evidex::store
