// Internal to the store: what both back ends share of Store::ListCaseArtifacts (store.h, "The case
// artifact table"): the cursor and the assembly of a page from per-kind fetches. No I/O.
//
// Order. A page is ordered by a sort key and then by artifact id, both in the asked direction:
//   kOccurrences: (occurrences_here, id)   kCases: (artifact.cases, id)
//   kValue:       (value, id)              kKind:  (kind, value, id)
// Text compares byte by byte (SQLite BINARY, PostgreSQL COLLATE "C"), as std::string does.
//
// Cursor. Opaque text (base64url, no padding) of a small binary record: format version, direction
// (the page after, or before, the boundary row), the boundary row's key (kind, number, value, id)
// and an 8-byte tag, SHA-256 of the query's fingerprint (case, kind, text, evidence, sort, order)
// followed by the record, which also carries the total of the query's first page (a text filter's
// count is not redone page after page). A cursor made by another query, or edited, fails the tag
// and is refused
// with kInvalidArgument; so is anything that does not decode exactly. The tag is an integrity
// check, not a secret: a client able to compute it only names a position in a table it may read
// anyway.
//
// Fetching. The back end's summary has an index per (case, kind, sort key): a page over every kind
// is merged from one range read per kind (each at most limit + 1 rows), so no query sorts the
// case. A query read from a smaller set (one evidence's rows, a text filter's trigram matches:
// the back end's plan, sqlite_case_artifacts.h "Plans") is fetched with kind "" (every kind, or
// the query's) in one read that sorts that set.
//
// Thread safety: free functions, no shared state.
#ifndef EVIDEX_STORE_CASE_ARTIFACT_PAGE_H_
#define EVIDEX_STORE_CASE_ARTIFACT_PAGE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace evidex::store {

constexpr size_t kMaxArtifactPageLimit = 1000;

// The bounds that choose a page's plan (both back ends; sqlite_case_artifacts.cc, pg_accounts.cc).
// Process-wide; the tests lower them (set before any store is used, never while one is).
struct ArtifactPlanLimits {
  // An evidence holding fewer artifacts than this (of every kind: the read costs them all) is
  // read whole from evidence_artifacts and sorted; a larger one is read by walking the case summary
  // in the page's order and keeping the evidence's rows.
  uint64_t small_evidence = 50000;
  // A text filter's trigram matches (of a kind, store-wide on SQLite, of the case on
  // PostgreSQL) are read and sorted when fewer than this (SQLite: and than the walk would cost,
  // sqlite_case_artifacts.h); otherwise the summary is walked. 0: always walked.
  uint64_t text_candidates = 20000;
  // A text-filtered total is counted up to this; past it `total` is this and total_exact false.
  uint64_t text_total_cap = 10000;
  // SQLite: the rows a text-filtered walk of one kind reads before a page it leaves short is read
  // from the trigram matches instead; 0: 4 times the walk's expected rows, at least 2,000.
  uint64_t walk_budget = 0;
};
ArtifactPlanLimits& PlanLimits();

// What a query reads, from the rows per kind of its case (or evidence): `scope` the rows of the
// query's kind (every kind: all), `held` of every kind, `kinds` the kinds with rows the query
// allows, and whether the evidence's own rows are read (an evidence holding fewer than
// small_evidence rows, or the order of its occurrences) rather than the case summary walked.
struct ArtifactScope {
  uint64_t scope = 0, held = 0;
  std::vector<std::string> kinds;
  bool read_evidence = false;
};
ArtifactScope ScopeOf(const ArtifactQuery& query,
                      const std::vector<std::pair<std::string, uint64_t>>& counts);

// Characters (UTF-8 code points) of `text`: a trigram index needs at least 3.
size_t TextCharacters(const std::string& text);
// The FTS5 query of the rows holding every trigram of `needle` (3 or more code points): an AND of
// its distinct trigrams, each quoted ("" for a quote). A superset of the rows holding `needle` as
// a substring (the trigrams may lie apart; the index also folds case): each is tested again. An
// index with detail=none, which keeps no positions, answers it; it refuses a phrase.
std::string TrigramTerms(const std::string& needle);

// Rows of `kind` ("": every kind the query allows) of the query's case (or evidence) passing its
// text filter, strictly after `after` (nullptr: from the start) in the order of `sort` with
// `descending`, at most `limit` of them, in that order. `sort` is the query's, except that kKind
// within one kind is asked as kValue (the kind is fixed: a range of the value index).
using CaseArtifactFetch = std::function<Result<std::vector<CaseArtifact>>(
    const std::string& kind, ArtifactQuery::Sort sort, const CaseArtifact* after, bool descending,
    size_t limit)>;

// A page's count of matching rows; exact false: at least that many (a capped text count).
struct PageTotal {
  uint64_t total = 0;
  bool exact = true;
};

// Validates the query (limit 1..kMaxArtifactPageLimit, the cursor), fetches from each of `kinds`
// and assembles the page with its cursors, which carry `total` on to the next pages.
Result<ArtifactPage> AssembleArtifactPage(int64_t case_id, const ArtifactQuery& query,
                                          const std::vector<std::string>& kinds,
                                          const PageTotal& total, const CaseArtifactFetch& fetch);

// The total carried by the query's cursor (the total of its first page), when the query has a
// cursor this query made; the back ends reuse it instead of counting a text filter's matches
// again on every page. std::nullopt without a cursor or with one AssembleArtifactPage refuses.
std::optional<PageTotal> CarriedTotal(int64_t case_id, const ArtifactQuery& query);

// A page's total: `scope` (the rows of the query's kinds) without a text filter; with one, the
// total its cursor carries, else `count_capped()` (the matching rows, counted up to
// text_total_cap + 1) capped at text_total_cap, exact when not past it.
Result<PageTotal> PageTotalOf(int64_t case_id, const ArtifactQuery& query, uint64_t scope,
                              const std::function<Result<uint64_t>()>& count_capped);

// The bound values of a row's key for `sort`, in key order without the id: kOccurrences
// {occurrences_here}, kCases {cases}, kValue {value}, kKind {kind, value}. The back ends bind them,
// then the id, after a row-value comparison with the key columns.
struct SortKeyValues {
  std::vector<int64_t> numbers;    // kOccurrences, kCases
  std::vector<std::string> texts;  // kValue: value; kKind: kind, value
};
SortKeyValues KeyValues(ArtifactQuery::Sort sort, const CaseArtifact& row);

// The key columns of `sort` over a summary row aliased "c" ("c.kind", "c.value", "c.cases"), with
// `occurrences` for the occurrences here and `id` for the artifact id: "c.occurrences, c.artifact".
std::string KeyColumns(ArtifactQuery::Sort sort, const std::string& occurrences,
                       const std::string& id);
// "ORDER BY <key columns> DESC, ..." or ASC for each.
std::string KeyOrder(ArtifactQuery::Sort sort, const std::string& occurrences,
                     const std::string& id, bool descending);

// "<" when reading the descending order, ">" otherwise.
inline const char* KeyComparison(bool descending) { return descending ? " < " : " > "; }

// The text filter's needle: ASCII lower case (values are matched lower-cased).
std::string TextNeedle(const std::string& text);

// Exposed for the tests.
std::string EncodeBase64Url(std::string_view bytes);
bool DecodeBase64Url(std::string_view text, std::string* bytes);

}  // namespace evidex::store

#endif  // EVIDEX_STORE_CASE_ARTIFACT_PAGE_H_
