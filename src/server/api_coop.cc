// The 24/7 directory and cooperation requests over HTTP (docs/API.md, "Cooperation"): thin over
// src/coop/service.h, with the case access rules of every other case route.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>

#include "coop/docs/render.h"
#include "coop/docs/translations.h"
#include "coop/document_of.h"
#include "coop/service.h"
#include "server/api.h"

namespace evidex::server {
namespace {

using Method = Api::Method;
using nlohmann::json;

int64_t Now() { return int64_t(std::time(nullptr)); }
std::string Today() { return coop::FormatUtc(Now()).substr(0, 10); }

// A coop error as an answer: 400 with the message for what the user can fix (the message names
// the field or the state), 404 for what does not exist, 500 otherwise.
void SendCoopStatus(httplib::Response& res, const Status& st, const std::string& what) {
  if (st.code() == Code::kInvalidArgument) return SendError(res, 400, "bad_request", st.message());
  if (st.code() == Code::kNotFound) return SendError(res, 404, "not_found", st.message());
  SendStatus(res, st, what);
}

// The language of the user's messages: the first language of Accept-Language, by weight, that
// the request translations have ("fr-CH;q=0.9" counts as "fr"); English otherwise.
coop::Translations UserLanguage(const httplib::Request& req) {
  std::string header = req.get_header_value("Accept-Language"), best;
  double best_q = 0;
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t comma = header.find(',', pos);
    std::string item = header.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? header.size() + 1 : comma + 1;
    double q = 1;
    if (size_t semi = item.find(';'); semi != std::string::npos) {
      size_t eq = item.find("q=", semi);
      q = eq == std::string::npos ? 1 : std::strtod(item.c_str() + eq + 2, nullptr);
      item.resize(semi);
    }
    item.erase(0, item.find_first_not_of(' '));
    std::string code = item.substr(0, 2);
    for (char& ch : code) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    if (q > best_q && (item.size() == 2 || (item.size() > 2 && item[2] == '-'))) {
      const std::vector<std::string> have = coop::Translations::Languages();
      if (std::find(have.begin(), have.end(), code) != have.end()) {
        best = code;
        best_q = q;
      }
    }
  }
  // `best` is one of Languages() or empty: English, compiled in, is always there.
  return std::move(coop::Translations::ForLanguage(best.empty() ? "en" : best)).value();
}

// Each problem with its field, its rule (code, args) and its sentence in the user's language.
json Problems(const std::vector<coop::Problem>& problems, const coop::Translations& lang) {
  json out = json::array();
  for (const coop::Problem& p : problems)
    out.push_back({{"field", p.field}, {"code", p.code}, {"args", p.args}, {"message", coop::Describe(p, lang)}});
  return out;
}

json EntryJson(const coop::DirectoryEntry& e, const std::string& today, int64_t now) {
  json j = coop::ToJson(e);
  j["stale"] = coop::IsStale(e, today);
  std::optional<bool> open = coop::OpenAt(e, now);
  j["open_now"] = open ? json(*open) : json();
  return j;
}

// The request of path parameter `param` in case `c`; 400 / 404 sent otherwise.
std::optional<store::CoopRequest> OpenRequest(Call& call, const store::Case& c, const std::string& param) {
  std::optional<int64_t> id = ParseId(param);
  if (!id) {
    SendError(call.res, 400, "bad_request", "a request is named by its id (digits)");
    return std::nullopt;
  }
  Result<std::optional<store::CoopRequest>> r = call.store().GetCoopRequest(*id);
  if (!r.ok()) {
    SendStatus(call.res, r.status(), "reading the request");
    return std::nullopt;
  }
  if (!r->has_value() || (*r)->case_id != c.id) {
    SendError(call.res, 404, "not_found", "no such request in this case");
    return std::nullopt;
  }
  return **r;
}

// The request with its problems and (optionally) its history.
void SendRequest(Call& call, int status, const store::CoopRequest& r, bool history) {
  json out = coop::RequestJson(r);
  Result<std::vector<coop::Problem>> problems = coop::CheckRequest(call.store(), r, Today());
  if (!problems.ok()) return SendStatus(call.res, problems.status(), "checking the request");
  out["problems"] = Problems(*problems, UserLanguage(call.req));
  out["next_states"] = coop::NextStates(r.state);
  if (history) {
    Result<std::vector<store::CoopEvent>> events = call.store().ListCoopEvents(r.id);
    if (!events.ok()) return SendStatus(call.res, events.status(), "reading the history");
    out["history"] = json::array();
    for (const store::CoopEvent& e : *events)
      out["history"].push_back({{"seq", e.seq}, {"time", e.time}, {"actor", e.actor}, {"state", e.state}, {"note", e.note}});
  }
  SendJson(call.res, status, out);
}

coop::Signer SignerOf(Api& api) {
  return coop::Signer{&api.key(), api.key().public_key().Text(), api.unit().Display()};
}

void Document(Api& api, Call& call, const store::Case& c, const store::CoopRequest& r) {
  std::string format = Query(call.req, "format");
  if (format != "pdf" && format != "docx" && format != "png")
    return SendError(call.res, 400, "bad_request", "format is pdf, docx or png");
  json d = json::parse(r.doc, nullptr, false);
  std::string lang = Query(call.req, "language");
  if (lang.empty()) lang = d.is_discarded() ? "en" : d.value("target_language", "en");
  Result<coop::Translations> primary = coop::Translations::ForLanguage(lang);
  if (!primary.ok()) return SendError(call.res, 400, "bad_request", primary.status().message());
  std::optional<coop::Translations> second;
  if (std::string b = Query(call.req, "bilingual"); !b.empty()) {
    Result<coop::Translations> t = coop::Translations::ForLanguage(b);
    if (!t.ok()) return SendError(call.res, 400, "bad_request", t.status().message());
    second = std::move(t).value();
  }
  std::string signer = r.signature.empty() ? "" : api.unit().public_key + " / " + api.unit().Display();
  coop::Document doc = coop::DocumentOf(r, signer);
  std::string bytes;
  if (format == "png") {
    // The preview: one page of the PDF as an image, shown in the page (no download).
    std::optional<int64_t> page = ParseId(Query(call.req, "page").empty() ? "1" : Query(call.req, "page"));
    std::optional<int64_t> dpi = ParseId(Query(call.req, "dpi").empty() ? "96" : Query(call.req, "dpi"));
    if (!page || !dpi || *page > 10000 || *dpi > 300)
      return SendError(call.res, 400, "bad_request", "page is a page number and dpi 18 to 300");
    Result<coop::PagePreview> png =
        coop::RenderPagePng(doc, *primary, second ? &*second : nullptr, int(*page), double(*dpi));
    if (!png.ok()) return SendCoopStatus(call.res, png.status(), "rendering the preview");
    if (*page == 1)  // one record per preview, not per page turned
      api.Audit(call, c, "request preview", {{"request", r.reference}, {"version", r.version}});
    call.res.set_header("X-Pages", std::to_string(png->pages));
    call.res.set_header("Cache-Control", "no-store");
    call.res.set_content(png->png, "image/png");
    return;
  }
  if (format == "docx") {
    Result<std::string> docx = coop::RenderDocx(doc, *primary, second ? &*second : nullptr);
    if (!docx.ok()) return SendStatus(call.res, docx.status(), "rendering the document");
    bytes = std::move(docx).value();
  } else {
    char path[] = "/tmp/evidex-request-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return SendError(call.res, 500, "internal", "rendering the document failed");
    close(fd);
    Status st = coop::RenderPdf(doc, *primary, second ? &*second : nullptr, path);
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    unlink(path);
    if (!st.ok()) return SendStatus(call.res, st, "rendering the document");
  }
  api.Audit(call, c, "request document", {{"request", r.reference}, {"version", r.version}, {"format", format}});
  std::string name = r.reference + "-v" + std::to_string(r.version) + "." + format;
  call.res.set_header("Content-Disposition", "attachment; filename=\"" + name + "\"");
  call.res.set_content(bytes, format == "pdf" ? "application/pdf"
                                              : "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
}

}  // namespace

void RegisterCoopRoutes(Api& api) {
  api.Route(Method::kGet, "/directory", [](Call& call) {
    Result<std::vector<coop::DirectoryEntry>> entries = coop::ListEntries(call.store(), Query(call.req, "country"));
    if (!entries.ok()) return SendStatus(call.res, entries.status(), "reading the directory");
    const std::string language = Query(call.req, "language"), today = Today();
    const bool open_now = Query(call.req, "open_now") == "1";
    const int64_t now = Now();
    json out = json::array();
    for (const coop::DirectoryEntry& e : *entries) {
      if (!language.empty() && std::find(e.languages.begin(), e.languages.end(), language) == e.languages.end()) continue;
      if (open_now && coop::OpenAt(e, now) != true) continue;
      out.push_back(EntryJson(e, today, now));
    }
    SendJson(call.res, 200, out);
  });
  api.Route(Method::kPost, "/directory", [&api](Call& call) {
    if (!api.Require(call, Right::kManageDirectory)) return;
    std::optional<json> body = JsonBody(call.req, call.res);
    if (!body) return;
    json entry = *body;
    if (!entry.contains("last_verified")) entry["last_verified"] = Today();
    Result<coop::DirectoryEntry> e = coop::EntryFromJson(entry);
    if (!e.ok()) return SendError(call.res, 400, "bad_request", e.status().message());
    Status st = coop::PutEntries(call.store(), {*e}, Today());
    if (!st.ok()) return SendCoopStatus(call.res, st, "storing the entry");
    SendJson(call.res, 201, EntryJson(*e, Today(), Now()));
  });
  api.Route(Method::kGet, "/directory/([^/]+)", [](Call& call) {
    Result<std::optional<coop::DirectoryEntry>> e = coop::GetEntry(call.store(), call.Param(1));
    if (!e.ok()) return SendStatus(call.res, e.status(), "reading the directory");
    if (!e->has_value()) return SendError(call.res, 404, "not_found", "no such directory entry");
    SendJson(call.res, 200, EntryJson(**e, Today(), Now()));
  });
  api.Route(Method::kDelete, "/directory/([^/]+)", [&api](Call& call) {
    if (!api.Require(call, Right::kManageDirectory)) return;
    Status st = call.store().DeleteDirectoryEntry(call.Param(1));
    if (!st.ok()) return SendCoopStatus(call.res, st, "removing the entry");
    call.res.status = 204;
  });

  api.Route(Method::kGet, "/requests/due", [&api](Call& call) {
    std::optional<int64_t> within = coop::ParseDuration(Query(call.req, "within").empty() ? "7d" : Query(call.req, "within"));
    if (!within) return SendError(call.res, 400, "bad_request", "within is a duration such as 7d or 12h");
    bool all = false;
    std::set<int64_t> mine = api.VisibleCases(call, &all);
    Result<std::vector<coop::DueItem>> due = coop::Due(call.store(), 0, Now(), *within);
    if (!due.ok()) return SendStatus(call.res, due.status(), "reading the requests");
    json out = json::array();
    for (const coop::DueItem& d : *due) {
      if (!all && !mine.count(d.request.case_id)) continue;
      json j = coop::RequestJson(d.request);
      j["overdue"] = d.overdue;
      out.push_back(j);
    }
    SendJson(call.res, 200, out);
  });
  api.Route(Method::kGet, "/cases/([^/]+)/requests", [&api](Call& call) {
    std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
    if (!c) return;
    Result<std::vector<store::CoopRequest>> all = call.store().ListCoopRequests(c->id);
    if (!all.ok()) return SendStatus(call.res, all.status(), "reading the requests");
    json out = json::array();
    for (const store::CoopRequest& r : *all) out.push_back(coop::RequestJson(r));
    SendJson(call.res, 200, out);
  });
  api.Route(Method::kPost, "/cases/([^/]+)/requests", [&api](Call& call) {
    std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
    if (!c || !api.Require(call, Right::kDraftRequest)) return;
    std::optional<json> body = JsonBody(call.req, call.res);
    if (!body) return;
    coop::NewRequestArgs args;
    args.case_id = c->id;
    args.actor = call.Actor();
    args.today = Today();
    try {
      args.type = body->value("type", "");
      args.to = body->value("to", "");
      // Artifact ids (numbers or digits) or values.
      for (const json& id : body->value("identifiers", json::array()))
        args.identifiers.push_back(id.is_number_integer() ? std::to_string(id.get<int64_t>()) : id.get<std::string>());
      args.category = body->value("category", "");
      args.language = body->value("language", "en");
      args.target_language = body->value("target_language", "");
    } catch (const json::exception&) {
      return SendError(call.res, 400, "bad_request",
                       "takes {\"type\", \"to\", \"identifiers\": [...], \"category\"?, \"language\"?, \"target_language\"?}");
    }
    Result<store::CoopRequest> r = coop::NewRequest(call.store(), args);
    if (!r.ok()) return SendCoopStatus(call.res, r.status(), "writing the request");
    SendRequest(call, 201, *r, false);
  });
  api.Route(Method::kGet, "/cases/([^/]+)/requests/([^/]+)", [&api](Call& call) {
    std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
    if (!c) return;
    std::optional<store::CoopRequest> r = OpenRequest(call, *c, call.Param(2));
    if (!r) return;
    SendRequest(call, 200, *r, true);
  });
  api.Route(Method::kPost, "/cases/([^/]+)/requests/([^/]+)", [&api](Call& call) {
    std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
    if (!c || !api.Require(call, Right::kDraftRequest)) return;
    std::optional<store::CoopRequest> r = OpenRequest(call, *c, call.Param(2));
    if (!r) return;
    std::optional<json> body = JsonBody(call.req, call.res);
    if (!body) return;
    Result<store::CoopRequest> out = coop::EditRequest(call.store(), *r, *body, call.Actor());
    if (!out.ok()) return SendCoopStatus(call.res, out.status(), "changing the request");
    SendRequest(call, out->id == r->id ? 200 : 201, *out, false);
  });
  api.Route(Method::kPost, "/cases/([^/]+)/requests/([^/]+)/finalize", [&api](Call& call) {
    std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
    if (!c || !api.Require(call, Right::kFinalizeRequest)) return;
    std::optional<store::CoopRequest> r = OpenRequest(call, *c, call.Param(2));
    if (!r) return;
    Result<store::CoopRequest> out = coop::Finalize(call.store(), *r, SignerOf(api), call.Actor(), Today());
    if (!out.ok()) return SendCoopStatus(call.res, out.status(), "finalizing the request");
    SendRequest(call, 200, *out, true);
  });
  api.Route(Method::kPost, "/cases/([^/]+)/requests/([^/]+)/mark", [&api](Call& call) {
    std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
    if (!c || !api.Require(call, Right::kFinalizeRequest)) return;
    std::optional<store::CoopRequest> r = OpenRequest(call, *c, call.Param(2));
    if (!r) return;
    std::optional<json> body = JsonBody(call.req, call.res);
    if (!body) return;
    std::optional<std::string> state = StringField(*body, "state", true);
    std::optional<std::string> note = StringField(*body, "note", false);
    if (!state || !note) return SendError(call.res, 400, "bad_request", "takes {\"state\", \"note\"?}");
    Result<store::CoopRequest> out = coop::Transition(call.store(), *r, *state, *note, call.Actor(), Now(), SignerOf(api));
    if (!out.ok()) return SendCoopStatus(call.res, out.status(), "changing the request's state");
    SendRequest(call, 200, *out, true);
  });
  for (const char* verb : {"extend", "follow-up"}) {
    const bool extend = std::string(verb) == "extend";
    api.Route(Method::kPost, std::string("/cases/([^/]+)/requests/([^/]+)/") + verb, [&api, extend](Call& call) {
      std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
      if (!c || !api.Require(call, Right::kDraftRequest)) return;
      std::optional<store::CoopRequest> r = OpenRequest(call, *c, call.Param(2));
      if (!r) return;
      Result<store::CoopRequest> out = extend ? coop::Extend(call.store(), *r, call.Actor(), Today())
                                              : coop::FollowUp(call.store(), *r, call.Actor(), Today());
      if (!out.ok()) return SendCoopStatus(call.res, out.status(), "writing the request");
      SendRequest(call, 201, *out, false);
    });
  }
  api.Route(Method::kGet, "/cases/([^/]+)/requests/([^/]+)/document", [&api](Call& call) {
    std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
    if (!c) return;
    std::optional<store::CoopRequest> r = OpenRequest(call, *c, call.Param(2));
    if (!r) return;
    Document(api, call, *c, *r);
  });
}

}  // namespace evidex::server
