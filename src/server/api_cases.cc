// Cases, members, evidence, custody and the hex view (docs/API.md, "Cases" and "Evidence,
// custody, verification").
#include <algorithm>

#include "cli/evidence_cli.h"
#include "io/source.h"
#include "server/api.h"
#include "vault/custody.h"

namespace evidex::server {
namespace {

using Method = Api::Method;

// The evidence list of a case as JSON, or nullopt with the error sent.
std::optional<nlohmann::json> EvidenceList(Call& call, const store::Case& c) {
  Result<std::vector<store::Evidence>> items = call.store().ListEvidence(c.id);
  Result<std::vector<vault::CustodyRecord>> records = call.store().ListCustody(c.id);
  if (!items.ok() || !records.ok()) {
    SendStatus(call.res, !items.ok() ? items.status() : records.status(), "reading the evidence");
    return std::nullopt;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const store::Evidence& e : *items) out.push_back(EvidenceJson(e, *records));
  return out;
}

std::optional<nlohmann::json> MemberList(Call& call, const store::Case& c) {
  Result<std::vector<store::User>> members = call.store().ListCaseMembers(c.id);
  if (!members.ok()) {
    SendStatus(call.res, members.status(), "reading the case members");
    return std::nullopt;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const store::User& u : *members) out.push_back(UserJson(u));
  return out;
}

// Evidence names by id, for scans and listings.
std::map<int64_t, std::string> EvidenceNames(Call& call, const store::Case& c) {
  std::map<int64_t, std::string> names;
  Result<std::vector<store::Evidence>> items = call.store().ListEvidence(c.id);
  if (items.ok())
    for (const store::Evidence& e : *items) names[e.id] = e.Name();
  return names;
}

void ListCases(Api& api, Call& call) {
  bool all = false;
  std::set<int64_t> mine = api.VisibleCases(call, &all);
  Result<std::vector<store::Case>> cases = call.store().ListCases();
  if (!cases.ok()) return SendStatus(call.res, cases.status(), "listing the cases");
  nlohmann::json out = nlohmann::json::array();
  for (const store::Case& c : *cases) {
    if (!all && !mine.count(c.id)) continue;
    Result<std::vector<store::Evidence>> items = call.store().ListEvidence(c.id);
    out.push_back(CaseJson(c, items.ok() ? items->size() : 0));
  }
  SendJson(call.res, 200, out);
}

void CreateCase(Api& api, Call& call) {
  if (!api.Require(call, Right::kCreateCase)) return;
  std::optional<nlohmann::json> body = JsonBody(call.req, call.res);
  if (!body) return;
  std::optional<std::string> number = StringField(*body, "number", true);
  std::optional<std::string> title = StringField(*body, "title", true);
  std::optional<std::string> offence = StringField(*body, "offence", false);
  std::optional<std::string> examiner =
      StringField(*body, "examiner", false, call.user.display_name);
  if (!number || !title || !offence || !examiner || number->empty() || number->size() > 64 ||
      title->empty() || title->size() > 512 || offence->size() > 512 || examiner->size() > 256) {
    SendError(call.res, 400, "bad_request",
              "takes {\"number\", \"title\", \"offence\", \"examiner\"?} (number and title "
              "not empty)");
    return;
  }
  store::Case c;
  c.number = *number;
  c.title = *title;
  c.offence = *offence;
  c.examiner = examiner->empty() ? call.user.display_name : *examiner;
  store::Store& store = call.store();
  Status st = store.Transaction([&]() -> Status {
    Result<store::Case> added = store.AddCase(c);
    if (!added.ok()) return added.status();
    c = *added;
    vault::CustodyRecord r;
    r.actor = call.Actor();
    r.unit = api.unit().Display();
    r.action = "case-created";
    r.details = {{"number", c.number},
                 {"title", c.title},
                 {"offence", c.offence},
                 {"examiner", c.examiner},
                 {"via", "evidex serve"}};
    EVIDEX_RETURN_IF_ERROR(store.AppendCustody(c.id, r, api.key()).status());
    return store.AddCaseMember(c.id, call.user.id);
  });
  if (st.code() == Code::kInvalidArgument)
    return SendError(call.res, 409, "conflict", "a case with that number exists");
  if (!st.ok()) return SendStatus(call.res, st, "creating the case");
  SendJson(call.res, 201, CaseJson(c, 0));
}

void ShowCase(Api& api, Call& call) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c) return;
  std::optional<nlohmann::json> evidence = EvidenceList(call, *c);
  if (!evidence) return;
  std::optional<nlohmann::json> members = MemberList(call, *c);
  if (!members) return;
  Result<std::vector<store::ScanRecord>> scans = call.store().ListScans(c->id);
  Result<std::vector<store::FileListing>> listings = call.store().ListFileListings(c->id);
  Result<std::optional<vault::CustodyHead>> head = call.store().GetCustodyHead(c->id);
  Result<std::vector<vault::CustodyRecord>> records = call.store().ListCustody(c->id);
  if (!scans.ok() || !listings.ok() || !head.ok() || !records.ok())
    return SendStatus(call.res, Internal("read"), "reading the case");
  std::map<int64_t, std::string> names = EvidenceNames(call, *c);
  std::string now = vault::UtcNow();
  nlohmann::json out = CaseJson(*c, evidence->size());
  out["evidence"] = *evidence;
  out["scans"] = nlohmann::json::array();
  for (const store::ScanRecord& s : *scans)
    out["scans"].push_back(ScanJson(s, names[s.evidence_id], now));
  out["listings"] = nlohmann::json::array();
  for (const store::FileListing& l : *listings)
    out["listings"].push_back({{"id", l.id},
                               {"evidence", names[l.evidence_id]},
                               {"status", l.status},
                               {"started", l.started},
                               {"finished", l.finished},
                               {"files", l.files},
                               {"alerts", l.alerts},
                               {"yara_matches", l.yara_matches},
                               {"error", l.error}});
  out["members"] = *members;
  out["custody"] = {{"records", records->size()},
                    {"head_seq", head->has_value() ? (*head)->seq : 0}};
  api.Audit(call, *c, "case");
  SendJson(call.res, 200, out);
}

// POST /cases/{case}/members and DELETE /cases/{case}/members/{user}.
void ChangeMember(Api& api, Call& call, bool add) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c || !api.Require(call, Right::kManageMembers)) return;
  std::string name;
  if (add) {
    std::optional<nlohmann::json> body = JsonBody(call.req, call.res);
    if (!body) return;
    std::optional<std::string> field = StringField(*body, "user", true);
    if (!field) return SendError(call.res, 400, "bad_request", "takes {\"user\": \"name\"}");
    name = *field;
  } else {
    name = call.Param(2);
  }
  if (!ValidUserName(name)) return SendError(call.res, 400, "bad_request", "not a user name");
  Result<std::optional<store::User>> u = call.store().FindUser(name);
  if (!u.ok()) return SendStatus(call.res, u.status(), "reading the account");
  if (!u->has_value()) return SendError(call.res, 404, "not_found", "no such user");
  Status st = add ? call.store().AddCaseMember(c->id, (*u)->id)
                  : call.store().RemoveCaseMember(c->id, (*u)->id);
  if (!st.ok()) return SendStatus(call.res, st, "changing the case members");
  api.Audit(call, *c, "members", {{"user", name}}, "", add ? "member-added" : "member-removed");
  call.res.status = 204;
}

void Custody(Api& api, Call& call) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c) return;
  std::vector<vault::CustodyRecord> records;
  std::optional<vault::CustodyHead> head;
  api.audit().Flush();  // the reads recorded so far, this user's included
  Status read = ReadChain(call.store(), c->id, &records, &head);
  Result<std::function<bool(const vault::PublicKey&)>> trusted = call.db.ws().TrustedSigners();
  if (!read.ok() || !trusted.ok())
    return SendStatus(call.res, Internal("read"), "reading the custody records");
  vault::ChainReport report = vault::VerifyChain(records, head, *trusted);
  nlohmann::json out = {{"records", nlohmann::json::array()}};
  for (const vault::CustodyRecord& r : records) out["records"].push_back(r.ToJson());
  nlohmann::json problems = nlohmann::json::array();
  for (const vault::ChainProblem& p : report.problems) problems.push_back(p.message);
  out["verification"] = {{"ok", report.ok()}, {"problems", problems}, {"checked", vault::UtcNow()}};
  api.Audit(call, *c, "custody");
  SendJson(call.res, 200, out);
}

void Bytes(Api& api, Call& call) {
  std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
  if (!c || !api.Require(call, Right::kReadBytes)) return;
  std::optional<store::Evidence> e = api.OpenEvidence(call, *c, call.Param(2));
  if (!e) return;
  std::optional<uint64_t> offset = QueryNumber(call.req, "offset", 0, 0, UINT64_MAX >> 1);
  std::optional<uint64_t> length = QueryNumber(call.req, "length", 256, 1, 4096);
  if (!offset || !length)
    return SendError(call.res, 400, "bad_request", "offset is a number, length 1 to 4096");
  if (e->state != store::EvidenceState::kComplete)
    return SendError(call.res, 400, "bad_request", "only complete evidence can be read");
  int exit_code = 0;
  // The path comes from the signed record of the item, never from the request.
  std::optional<cli::UsableEvidence> usable =
      cli::ResolveUsableEvidence(call.db.ws(), *c, e->Name(), &exit_code);
  if (!usable)
    return SendError(call.res, 500, "internal", "the evidence cannot be used (see custody verify)");
  Result<std::unique_ptr<Source>> source = OpenSource(usable->path);
  if (!source.ok()) return SendError(call.res, 500, "internal", "the evidence cannot be opened");
  uint64_t size = (*source)->Size();
  if (*offset >= size) return SendError(call.res, 400, "bad_request", "offset is past the end");
  uint64_t want = std::min<uint64_t>(*length, size - *offset);
  std::vector<std::byte> buf(want);
  size_t got = 0;
  while (got < want) {
    Result<size_t> n = (*source)->ReadAt(*offset + got, std::span(buf).subspan(got));
    if (!n.ok()) return SendError(call.res, 500, "internal", "the evidence could not be read");
    if (*n == 0) break;
    got += *n;
  }
  api.Audit(call, *c, "bytes", {{"offset", *offset}, {"length", got}}, e->uuid);
  SendJson(
      call.res, 200,
      {{"offset", *offset}, {"length", got}, {"size", size}, {"hex", HexEncode(buf.data(), got)}});
}

}  // namespace

void RegisterCaseRoutes(Api& api) {
  api.Route(Method::kGet, "/cases", [&api](Call& call) { ListCases(api, call); });
  api.Route(Method::kPost, "/cases", [&api](Call& call) { CreateCase(api, call); });
  api.Route(Method::kGet, "/cases/([^/]+)", [&api](Call& call) { ShowCase(api, call); });
  api.Route(Method::kGet, "/cases/([^/]+)/members", [&api](Call& call) {
    std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
    if (!c) return;
    if (std::optional<nlohmann::json> m = MemberList(call, *c)) SendJson(call.res, 200, *m);
  });
  api.Route(Method::kPost, "/cases/([^/]+)/members",
            [&api](Call& call) { ChangeMember(api, call, true); });
  api.Route(Method::kDelete, "/cases/([^/]+)/members/([^/]+)",
            [&api](Call& call) { ChangeMember(api, call, false); });
  api.Route(Method::kGet, "/cases/([^/]+)/evidence", [&api](Call& call) {
    std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
    if (!c) return;
    std::optional<nlohmann::json> list = EvidenceList(call, *c);
    if (!list) return;
    api.Audit(call, *c, "evidence");
    SendJson(call.res, 200, *list);
  });
  api.Route(Method::kGet, "/cases/([^/]+)/evidence/([^/]+)", [&api](Call& call) {
    std::optional<store::Case> c = api.OpenCase(call, call.Param(1));
    if (!c) return;
    std::optional<store::Evidence> e = api.OpenEvidence(call, *c, call.Param(2));
    if (!e) return;
    Result<std::vector<vault::CustodyRecord>> records = call.store().ListCustody(c->id);
    if (!records.ok()) return SendStatus(call.res, records.status(), "reading the custody");
    api.Audit(call, *c, "evidence", {{"evidence", e->Name()}}, e->uuid);
    SendJson(call.res, 200, EvidenceJson(*e, *records));
  });
  api.Route(Method::kGet, "/cases/([^/]+)/custody", [&api](Call& call) { Custody(api, call); });
  api.Route(Method::kGet, "/cases/([^/]+)/evidence/([^/]+)/bytes",
            [&api](Call& call) { Bytes(api, call); });
}

}  // namespace evidex::server
