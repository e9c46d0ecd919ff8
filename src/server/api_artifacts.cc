// Artifacts, correlations, the case graph, search, hits, files and the case report
// (docs/API.md, "Artifacts"). Other cases' sightings are shown only for cases the user sees; the
// rest are counted in other_cases_hidden, never named.
#include <algorithm>
#include <cctype>

#include "server/api.h"
#include "vault/custody.h"

namespace evidex::server {
namespace {

using Method = Api::Method;

bool ValidKind(const std::string& kind) {
  if (kind.empty() || kind.size() > 16) return false;
  for (char c : kind)
    if (!std::islower(static_cast<unsigned char>(c)) &&
        !std::isdigit(static_cast<unsigned char>(c)))
      return false;
  return true;
}

// Query parameter "evidence" as an evidence id of case `c` (0 when absent); false with 400/404
// sent when bad.
bool EvidenceFilter(Api& api, Call& call, const store::Case& c, int64_t* id) {
  *id = 0;
  std::string name = Query(call.req, "evidence");
  if (name.empty()) return true;
  std::optional<store::Evidence> e = api.OpenEvidence(call, c, name);
  if (!e) return false;
  *id = e->id;
  return true;
}

// Sightings split into those the user sees and the number of other cases.
nlohmann::json VisibleSightings(const std::vector<store::Sighting>& all,
                                const std::set<int64_t>& cases, bool see_all, uint64_t* hidden) {
  nlohmann::json out = nlohmann::json::array();
  std::set<int64_t> hidden_cases;
  for (const store::Sighting& s : all) {
    if (see_all || cases.count(s.case_id))
      out.push_back(SightingJson(s));
    else
      hidden_cases.insert(s.case_id);
  }
  *hidden = hidden_cases.size();
  return out;
}

nlohmann::json CaseArtifactJson(const store::CaseArtifact& a, store::Role role) {
  nlohmann::json j = ArtifactJson(a.artifact, role);
  j["occurrences_here"] = a.occurrences_here;
  j["evidence_count"] = a.evidence_count;
  return j;
}

std::optional<store::ArtifactQuery::Sort> ParseSort(const std::string& s) {
  using Sort = store::ArtifactQuery::Sort;
  if (s.empty() || s == "occurrences") return Sort::kOccurrences;
  if (s == "value") return Sort::kValue;
  if (s == "kind") return Sort::kKind;
  if (s == "cases") return Sort::kCases;
  return std::nullopt;
}

void ListArtifacts(Api& api, Call& call) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c) return;
  store::ArtifactQuery q;
  q.kind = Query(call.req, "kind");
  q.text = Query(call.req, "q");
  q.cursor = Query(call.req, "cursor");
  std::optional<store::ArtifactQuery::Sort> sort = ParseSort(Query(call.req, "sort"));
  std::string order = Query(call.req, "order");
  std::optional<uint64_t> limit = QueryNumber(call.req, "limit", 50, 1, 1000);
  if ((!q.kind.empty() && !ValidKind(q.kind)) || q.text.size() > 256 || q.cursor.size() > 1024 ||
      !sort || !limit || (!order.empty() && order != "asc" && order != "desc"))
    return SendError(call.res, 400, "bad_request", "a bad query parameter");
  q.sort = *sort;
  q.descending = order.empty() ? (q.sort == store::ArtifactQuery::Sort::kOccurrences ||
                                  q.sort == store::ArtifactQuery::Sort::kCases)
                               : order == "desc";
  q.limit = *limit;
  if (!EvidenceFilter(api, call, *c, &q.evidence_id)) return;
  Result<store::ArtifactPage> page = call.store().ListCaseArtifacts(c->id, q);
  if (!page.ok()) {
    if (page.status().code() == Code::kInvalidArgument)
      return SendError(call.res, 400, "bad_request", "a bad cursor");
    return SendStatus(call.res, page.status(), "listing the artifacts");
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const store::CaseArtifact& a : page->rows)
    rows.push_back(CaseArtifactJson(a, call.user.role));
  api.Audit(call, *c, "artifacts",
            {{"kind", q.kind}, {"q", q.text}, {"evidence", Query(call.req, "evidence")}});
  SendJson(call.res, 200,
           {{"rows", rows},
            {"total", page->total},
            {"total_exact", page->total_exact},
            {"next_cursor", page->next_cursor.empty() ? nlohmann::json(nullptr)
                                                      : nlohmann::json(page->next_cursor)},
            {"prev_cursor", page->prev_cursor.empty() ? nlohmann::json(nullptr)
                                                      : nlohmann::json(page->prev_cursor)}});
}

void Kinds(Api& api, Call& call) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c) return;
  int64_t evidence = 0;
  if (!EvidenceFilter(api, call, *c, &evidence)) return;
  Result<std::vector<std::pair<std::string, uint64_t>>> kinds =
      call.store().CountCaseArtifactsByKind(c->id, evidence);
  if (!kinds.ok()) return SendStatus(call.res, kinds.status(), "counting the artifacts");
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [kind, count] : *kinds) out.push_back({{"kind", kind}, {"count", count}});
  api.Audit(call, *c, "artifact kinds", {{"evidence", Query(call.req, "evidence")}});
  SendJson(call.res, 200, out);
}

// The artifact of path parameter 2 in case `c`, with its sightings; 400/404 sent otherwise.
struct CaseArtifactFound {
  store::CaseArtifact row;
  std::vector<store::Sighting> sightings;
};
std::optional<CaseArtifactFound> OpenArtifact(Call& call, const store::Case& c) {
  std::optional<int64_t> id = ParseId(call.Param(2));
  if (!id) {
    SendError(call.res, 400, "bad_request", "an artifact is named by its id (digits)");
    return std::nullopt;
  }
  Result<std::optional<store::CaseArtifact>> row = call.store().GetCaseArtifact(c.id, *id);
  if (!row.ok()) {
    SendStatus(call.res, row.status(), "reading the artifact");
    return std::nullopt;
  }
  if (!row->has_value()) {
    SendError(call.res, 404, "not_found", "no such artifact in this case");
    return std::nullopt;
  }
  CaseArtifactFound found;
  found.row = std::move(**row);
  Result<std::vector<store::Sighting>> sightings = call.store().Sightings(*id);
  if (!sightings.ok()) {
    SendStatus(call.res, sightings.status(), "reading the artifact");
    return std::nullopt;
  }
  found.sightings = std::move(sightings).value();
  return found;
}

void ShowArtifact(Api& api, Call& call) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c) return;
  std::optional<CaseArtifactFound> a = OpenArtifact(call, *c);
  if (!a) return;
  bool all = false;
  std::set<int64_t> cases = api.VisibleCases(call, &all);
  uint64_t hidden = 0;
  nlohmann::json sightings = VisibleSightings(a->sightings, cases, all, &hidden);
  api.Audit(call, *c, "artifact", {{"artifact", a->row.artifact.id}});
  SendJson(call.res, 200,
           {{"artifact", CaseArtifactJson(a->row, call.user.role)},
            {"sightings", sightings},
            {"other_cases_hidden", hidden}});
}

// "1048576": a byte offset in the source; anything else (decoded data, a file of a directory
// item) has none.
nlohmann::json SourceOffset(const std::string& path) {
  if (path.empty() || path.size() > 19 ||
      !std::all_of(path.begin(), path.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    return nullptr;
  return std::stoull(path);
}

void Occurrences(Api& api, Call& call) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c) return;
  std::optional<CaseArtifactFound> a = OpenArtifact(call, *c);
  if (!a) return;
  int64_t only = 0;
  if (!EvidenceFilter(api, call, *c, &only)) return;
  std::optional<uint64_t> limit = QueryNumber(call.req, "limit", 100, 1, 1000);
  if (!limit) return SendError(call.res, 400, "bad_request", "limit is 1 to 1000");
  const bool mask = a->row.artifact.kind == "ccn" && MasksCards(call.user.role);
  nlohmann::json out = nlohmann::json::array();
  for (const store::Sighting& s : a->sightings) {
    if (s.case_id != c->id || (only != 0 && s.evidence_id != only)) continue;
    if (out.size() >= *limit) break;
    Result<std::vector<store::OccurrenceOut>> occ =
        call.store().Occurrences(a->row.artifact.id, s.evidence_id, *limit - out.size());
    if (!occ.ok()) return SendStatus(call.res, occ.status(), "reading the occurrences");
    for (const store::OccurrenceOut& o : *occ)
      out.push_back({{"evidence", o.evidence_id},
                     {"evidence_name", s.evidence_name},
                     {"path", o.path},
                     {"offset", SourceOffset(o.path)},
                     {"feature", mask ? MaskCardNumber(o.feature) : o.feature},
                     {"context_hex", mask ? "" : HexEncode(o.context.data(), o.context.size())},
                     {"utf16", o.utf16}});
  }
  api.Audit(call, *c, "occurrences",
            {{"artifact", a->row.artifact.id}, {"evidence", Query(call.req, "evidence")}});
  SendJson(call.res, 200, out);
}

std::optional<std::vector<std::string>> KindList(const std::string& text) {
  std::vector<std::string> kinds;
  size_t pos = 0;
  while (!text.empty() && pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    std::string k = text.substr(pos, end - pos);
    if (!ValidKind(k)) return std::nullopt;
    kinds.push_back(k);
    pos = end + 1;
  }
  return kinds;
}

void Correlations(Api& api, Call& call) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c) return;
  std::optional<std::vector<std::string>> kinds = KindList(Query(call.req, "kind"));
  std::optional<uint64_t> limit = QueryNumber(call.req, "limit", 100, 1, 1000);
  if (!kinds || !limit) return SendError(call.res, 400, "bad_request", "a bad kind or limit");
  store::CorrelateOptions options;
  options.kinds = *kinds;
  options.limit = *limit;
  Result<std::vector<store::Correlation>> found = call.store().Correlate(c->id, options);
  if (!found.ok()) return SendStatus(call.res, found.status(), "correlating");
  bool all = false;
  std::set<int64_t> cases = api.VisibleCases(call, &all);
  nlohmann::json out = nlohmann::json::array();
  for (const store::Correlation& k : *found) {
    uint64_t hidden = 0;
    nlohmann::json elsewhere = VisibleSightings(k.elsewhere, cases, all, &hidden);
    out.push_back({{"artifact", ArtifactJson(k.artifact, call.user.role)},
                   {"occurrences_here", k.occurrences_here},
                   {"score", k.score},
                   {"elsewhere", elsewhere},
                   {"other_cases_hidden", hidden}});
  }
  api.Audit(call, *c, "correlations", {{"kind", Query(call.req, "kind")}});
  SendJson(call.res, 200, out);
}

void Graph(Api& api, Call& call) {
  bool all = false;
  std::set<int64_t> visible = api.VisibleCases(call, &all);
  Result<std::vector<store::Case>> cases = call.store().ListCases();
  if (!cases.ok()) return SendStatus(call.res, cases.status(), "listing the cases");
  nlohmann::json nodes = nlohmann::json::array();
  struct Edge {
    uint64_t shared = 0;
    nlohmann::json examples = nlohmann::json::array();
  };
  std::map<std::pair<int64_t, int64_t>, Edge> edges;
  std::vector<store::Case> shown;
  for (const store::Case& c : *cases)
    if (all || visible.count(c.id)) shown.push_back(c);
  std::set<int64_t> shown_ids;
  for (const store::Case& c : shown) shown_ids.insert(c.id);
  for (const store::Case& c : shown) {
    Result<std::vector<std::pair<std::string, uint64_t>>> kinds =
        call.store().CountCaseArtifactsByKind(c.id, 0);
    uint64_t artifacts = 0;
    if (kinds.ok())
      for (const auto& [k, n] : *kinds) artifacts += n;
    nodes.push_back(
        {{"id", c.id}, {"number", c.number}, {"title", c.title}, {"artifacts", artifacts}});
    store::CorrelateOptions options;
    options.limit = 1000;
    Result<std::vector<store::Correlation>> found = call.store().Correlate(c.id, options);
    if (!found.ok()) continue;
    for (const store::Correlation& k : *found) {
      std::set<int64_t> others;
      for (const store::Sighting& s : k.elsewhere)
        if (s.case_id > c.id && shown_ids.count(s.case_id)) others.insert(s.case_id);
      for (int64_t o : others) {
        Edge& e = edges[{c.id, o}];
        ++e.shared;
        if (e.examples.size() < 3) e.examples.push_back(ArtifactJson(k.artifact, call.user.role));
      }
    }
  }
  nlohmann::json out_edges = nlohmann::json::array();
  for (const auto& [ab, e] : edges)
    out_edges.push_back(
        {{"a", ab.first}, {"b", ab.second}, {"shared", e.shared}, {"examples", e.examples}});
  for (const store::Case& c : shown) api.Audit(call, c, "graph");
  SendJson(call.res, 200, {{"nodes", nodes}, {"edges", out_edges}});
}

void Search(Api& api, Call& call) {
  std::string q = Query(call.req, "q");
  std::string kind = Query(call.req, "kind");
  if (q.empty() || q.size() > 256 || (!kind.empty() && !ValidKind(kind)))
    return SendError(call.res, 400, "bad_request", "q (1-256 characters) and kind");
  Result<std::vector<store::Artifact>> exact = call.store().FindArtifacts(kind, q);
  Result<std::vector<store::Artifact>> prefix = call.store().FindArtifactsByPrefix(kind, q, 50);
  if (!exact.ok() || !prefix.ok()) return SendStatus(call.res, Internal("search"), "searching");
  std::vector<store::Artifact> found = *exact;
  for (const store::Artifact& a : *prefix)
    if (std::none_of(found.begin(), found.end(),
                     [&](const store::Artifact& f) { return f.id == a.id; }))
      found.push_back(a);
  bool all = false;
  std::set<int64_t> cases = api.VisibleCases(call, &all);
  nlohmann::json out = nlohmann::json::array();
  std::set<int64_t> audited;
  for (const store::Artifact& a : found) {
    Result<std::vector<store::Sighting>> sightings = call.store().Sightings(a.id);
    if (!sightings.ok()) continue;
    uint64_t hidden = 0;
    nlohmann::json seen = VisibleSightings(*sightings, cases, all, &hidden);
    if (seen.empty()) continue;  // only in cases the user does not see: not told
    for (const nlohmann::json& s : seen) audited.insert(s["case"].get<int64_t>());
    out.push_back({{"artifact", ArtifactJson(a, call.user.role)},
                   {"sightings", seen},
                   {"other_cases_hidden", hidden}});
  }
  Result<std::vector<store::Case>> all_cases = call.store().ListCases();
  if (all_cases.ok())
    for (const store::Case& c : *all_cases)
      if (audited.count(c.id)) api.Audit(call, c, "search", {{"q", q}, {"kind", kind}});
  SendJson(call.res, 200, out);
}

nlohmann::json FileJson(const store::StoredFile& f) {
  auto time = [](const std::optional<int64_t>& t) {
    return t ? nlohmann::json(*t) : nlohmann::json(nullptr);
  };
  return {{"id", f.id},
          {"fs", f.fs},
          {"path", f.path},
          {"type", f.type},
          {"size", f.size},
          {"address", f.address},
          {"deleted", f.deleted},
          {"modified", time(f.modified)},
          {"accessed", time(f.accessed)},
          {"changed", time(f.changed)},
          {"created", time(f.created)},
          {"md5", f.md5},
          {"sha1", f.sha1},
          {"sha256", f.sha256},
          {"mime", f.mime},
          {"ssdeep", f.ssdeep},
          {"tlsh", f.tlsh},
          {"error", f.error}};
}

// GET /cases/{case}/hits, also part of the report.
nlohmann::json HitsJson(Call& call, const store::Case& c, bool* ok) {
  Result<std::vector<store::FileAlert>> alerts = call.store().ListFileAlerts(c.id);
  Result<std::vector<store::WatchHit>> hits = call.store().ListHits(c.id);
  *ok = alerts.ok() && hits.ok();
  nlohmann::json out = {{"file_alerts", nlohmann::json::array()},
                        {"watchlist_hits", nlohmann::json::array()}};
  if (!*ok) return out;
  for (const store::FileAlert& a : *alerts)
    out["file_alerts"].push_back(
        {{"kind", a.kind},
         {"evidence", a.evidence_id},
         {"evidence_name", a.evidence_name},
         {"evidence_label", a.evidence_label},
         {"file", a.file ? FileJson(*a.file) : nlohmann::json(nullptr)},
         {"offset", a.offset},
         {"set", {{"set", a.set.set}, {"category", a.set.category}, {"label", a.set.label}}},
         {"yara", {{"rule", a.yara.rule}, {"namespace", a.yara.ns}, {"tags", a.yara.tags}}},
         {"watchlist", a.watchlist},
         {"indicator", {{"kind", a.indicator.kind}, {"value", a.indicator.value}}}});
  for (const store::WatchHit& h : *hits) {
    nlohmann::json sightings = nlohmann::json::array();
    for (const store::Sighting& s : h.sightings) sightings.push_back(SightingJson(s));
    out["watchlist_hits"].push_back(
        {{"watchlist", h.watchlist_name},
         {"indicator",
          {{"kind", h.indicator.kind},
           {"value", VisibleValue(call.user.role, h.indicator.kind, h.indicator.value)},
           {"type", h.indicator.type},
           {"comment", h.indicator.comment},
           {"reference", h.indicator.reference}}},
         {"artifact", ArtifactJson(h.artifact, call.user.role)},
         {"sightings", sightings},
         {"found", h.found}});
  }
  return out;
}

void Files(Api& api, Call& call) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c) return;
  std::string name = Query(call.req, "evidence");
  if (name.empty()) return SendError(call.res, 400, "bad_request", "evidence is required");
  std::optional<store::Evidence> e = api.OpenEvidence(call, *c, name);
  if (!e) return;
  std::string q = Query(call.req, "q");
  std::optional<uint64_t> limit = QueryNumber(call.req, "limit", 100, 1, 1000);
  std::optional<uint64_t> cursor = QueryNumber(call.req, "cursor", 0, 0, UINT64_MAX >> 1);
  if (!limit || !cursor || q.size() > 256)
    return SendError(call.res, 400, "bad_request",
                     "limit is 1 to 1000, cursor a number from an earlier page");
  nlohmann::json rows = nlohmann::json::array();
  uint64_t index = 0;
  bool more = false;
  Status st = call.store().ForEachFile(e->id, false, [&](const store::FileIn& f) {
    if (!q.empty() && f.file.path.find(q) == std::string::npos) return true;
    if (index++ < *cursor) return true;
    if (rows.size() >= *limit) {
      more = true;
      return false;
    }
    rows.push_back(FileJson(f.file));
    return true;
  });
  if (!st.ok()) return SendStatus(call.res, st, "reading the files");
  api.Audit(call, *c, "files", {{"evidence", e->Name()}, {"q", q}, {"cursor", *cursor}}, e->uuid);
  SendJson(call.res, 200,
           {{"rows", rows},
            {"next_cursor", more ? nlohmann::json(std::to_string(*cursor + rows.size()))
                                 : nlohmann::json(nullptr)}});
}

void Report(Api& api, Call& call) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c || !api.Require(call, Right::kReport)) return;
  store::Store& store = call.store();
  Result<std::vector<store::Evidence>> evidence = store.ListEvidence(c->id);
  std::vector<vault::CustodyRecord> records;
  std::optional<vault::CustodyHead> head;
  api.audit().Flush();  // the reads recorded so far, this user's included
  Status read = ReadChain(store, c->id, &records, &head);
  Result<std::vector<store::ScanRecord>> scans = store.ListScans(c->id);
  Result<std::vector<std::pair<std::string, uint64_t>>> kinds =
      store.CountCaseArtifactsByKind(c->id, 0);
  Result<std::function<bool(const vault::PublicKey&)>> trusted = call.db.ws().TrustedSigners();
  if (!evidence.ok() || !read.ok() || !scans.ok() || !kinds.ok() || !trusted.ok())
    return SendStatus(call.res, Internal("read"), "reading the case");
  std::map<int64_t, std::string> names;
  nlohmann::json ev = nlohmann::json::array();
  for (const store::Evidence& e : *evidence) {
    names[e.id] = e.Name();
    ev.push_back(EvidenceJson(e, records));
  }
  nlohmann::json custody = nlohmann::json::array();
  for (const vault::CustodyRecord& r : records) custody.push_back(r.ToJson());
  vault::ChainReport chain = vault::VerifyChain(records, head, *trusted);
  nlohmann::json problems = nlohmann::json::array();
  for (const vault::ChainProblem& p : chain.problems) problems.push_back(p.message);
  std::string now = vault::UtcNow();
  nlohmann::json scan_rows = nlohmann::json::array();
  for (const store::ScanRecord& s : *scans)
    scan_rows.push_back(ScanJson(s, names[s.evidence_id], now));
  nlohmann::json kind_rows = nlohmann::json::array();
  for (const auto& [k, n] : *kinds) kind_rows.push_back({{"kind", k}, {"count", n}});
  store::ArtifactQuery top;
  top.limit = 25;
  Result<store::ArtifactPage> page = store.ListCaseArtifacts(c->id, top);
  nlohmann::json top_rows = nlohmann::json::array();
  if (page.ok())
    for (const store::CaseArtifact& a : page->rows)
      top_rows.push_back(CaseArtifactJson(a, call.user.role));
  store::CorrelateOptions co;
  co.limit = 25;
  Result<std::vector<store::Correlation>> corr = store.Correlate(c->id, co);
  bool all = false;
  std::set<int64_t> cases = api.VisibleCases(call, &all);
  nlohmann::json corr_rows = nlohmann::json::array();
  if (corr.ok())
    for (const store::Correlation& k : *corr) {
      uint64_t hidden = 0;
      nlohmann::json elsewhere = VisibleSightings(k.elsewhere, cases, all, &hidden);
      corr_rows.push_back({{"artifact", ArtifactJson(k.artifact, call.user.role)},
                           {"occurrences_here", k.occurrences_here},
                           {"score", k.score},
                           {"elsewhere", elsewhere},
                           {"other_cases_hidden", hidden}});
    }
  bool hits_ok = false;
  nlohmann::json hits = HitsJson(call, *c, &hits_ok);
  api.Audit(call, *c, "report");
  SendJson(
      call.res, 200,
      {{"case", CaseJson(*c, evidence->size())},
       {"unit", api.unit().Display()},
       {"generated", now},
       {"generated_by", call.Actor()},
       {"evidence", ev},
       {"custody", custody},
       {"custody_verification", {{"ok", chain.ok()}, {"problems", problems}, {"checked", now}}},
       {"scans", scan_rows},
       {"artifact_kinds", kind_rows},
       {"top_artifacts", top_rows},
       {"correlations", corr_rows},
       {"hits", hits}});
}

}  // namespace

void RegisterArtifactRoutes(Api& api) {
  api.Route(Method::kGet, "/cases/([^/]+)/artifacts",
            [&api](Call& call) { ListArtifacts(api, call); });
  api.Route(Method::kGet, "/cases/([^/]+)/artifacts/kinds",
            [&api](Call& call) { Kinds(api, call); });
  api.Route(Method::kGet, "/cases/([^/]+)/artifacts/([^/]+)",
            [&api](Call& call) { ShowArtifact(api, call); });
  api.Route(Method::kGet, "/cases/([^/]+)/artifacts/([^/]+)/occurrences",
            [&api](Call& call) { Occurrences(api, call); });
  api.Route(Method::kGet, "/cases/([^/]+)/correlations",
            [&api](Call& call) { Correlations(api, call); });
  api.Route(Method::kGet, "/graph", [&api](Call& call) { Graph(api, call); });
  api.Route(Method::kGet, "/search", [&api](Call& call) { Search(api, call); });
  api.Route(Method::kGet, "/cases/([^/]+)/hits", [&api](Call& call) {
    std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
    if (!c) return;
    bool ok = false;
    nlohmann::json hits = HitsJson(call, *c, &ok);
    if (!ok) return SendStatus(call.res, Internal("read"), "reading the hits");
    api.Audit(call, *c, "hits");
    SendJson(call.res, 200, hits);
  });
  api.Route(Method::kGet, "/cases/([^/]+)/files", [&api](Call& call) { Files(api, call); });
  api.Route(Method::kGet, "/cases/([^/]+)/report", [&api](Call& call) { Report(api, call); });
}

}  // namespace evidex::server
