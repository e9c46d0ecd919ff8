#include "coop/service.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/hash.h"
#include "exchange/normalize.h"
#include "vault/custody.h"

namespace evidex::coop {
namespace {

using nlohmann::json;

Result<store::Case> CaseById(store::Store& store, int64_t id) {
  Result<std::vector<store::Case>> cases = store.ListCases();
  if (!cases.ok()) return cases.status();
  for (const store::Case& c : *cases)
    if (c.id == id) return c;
  return NotFound("no case " + std::to_string(id));
}

// The identifier kind of a request for an artifact kind ("ipv4" → "ip").
std::string IdentifierKind(const std::string& artifact_kind) {
  if (artifact_kind == "ipv4" || artifact_kind == "ipv6") return "ip";
  return artifact_kind;
}

std::string DefaultCategory(const std::string& type, const std::string& kind) {
  if (kind == "ip") return "identification";
  return type == "mla" || type == "epoc" ? "subscriber" : "subscriber";
}

// The artifact an identifier argument names in the case.
Result<store::Artifact> ResolveIdentifier(store::Store& store, int64_t case_id,
                                          const std::string& arg) {
  bool digits = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits && arg.size() < 16) {
    Result<std::optional<store::CaseArtifact>> a = store.GetCaseArtifact(case_id, std::stoll(arg));
    if (!a.ok()) return a.status();
    if (a->has_value()) return (*a)->artifact;
  }
  std::string kind, value = arg;
  size_t colon = arg.find(':');
  if (colon != std::string::npos && colon > 0 && colon < 12 &&
      arg.substr(0, colon).find_first_not_of("abcdefghijklmnopqrstuvwxyz0-9") == std::string::npos &&
      arg.compare(0, 4, "http") != 0) {
    kind = arg.substr(0, colon);
    value = arg.substr(colon + 1);
  }
  std::vector<store::Artifact> found;
  Result<std::vector<store::Artifact>> exact = store.FindArtifacts(kind, value);
  if (!exact.ok()) return exact.status();
  found = *exact;
  if (found.empty()) {  // the normalized forms ("011 234 5678" is +94112345678 in LK)
    for (const char* k : {"email", "phone", "ipv4", "ipv6", "domain", "url", "iban", "card"}) {
      if (!kind.empty() && kind != k) continue;
      std::optional<std::string> n = exchange::Normalize(k, value, "");
      if (!n) continue;
      Result<std::vector<store::Artifact>> more = store.FindArtifacts(k, *n);
      if (more.ok()) found.insert(found.end(), more->begin(), more->end());
    }
  }
  std::vector<store::Artifact> here;
  for (const store::Artifact& a : found) {
    Result<std::optional<store::CaseArtifact>> in = store.GetCaseArtifact(case_id, a.id);
    if (!in.ok()) return in.status();
    if (in->has_value()) here.push_back(a);
  }
  if (here.empty()) return NotFound("the case holds no artifact \"" + arg + "\" (see evidex artifacts)");
  if (here.size() > 1) {
    std::string kinds;
    for (const store::Artifact& a : here) kinds += (kinds.empty() ? "" : ", ") + a.kind + ":" + a.value;
    return InvalidArgument("\"" + arg + "\" is more than one artifact of the case (" + kinds + "): write KIND:VALUE or its id");
  }
  return here.front();
}

// The next reference of the unit's country for `year`: "LK-2026-0007".
Result<std::string> NextReference(store::Store& store, const std::string& country, const std::string& year) {
  Result<std::vector<store::CoopRequest>> all = store.ListCoopRequests(0);
  if (!all.ok()) return all.status();
  std::string prefix = country + "-" + year + "-";
  int next = 1;
  for (const store::CoopRequest& r : *all)
    if (r.reference.compare(0, prefix.size(), prefix) == 0)
      next = std::max(next, std::atoi(r.reference.c_str() + prefix.size()) + 1);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d", next);
  return prefix + buf;
}

json AddresseeOf(const DirectoryEntry& e, const std::string& type) {
  return {{"key", e.key},
          {"country", e.country},
          {"authority", e.authority},
          {"unit", e.unit},
          {"email", e.email},
          {"phones", e.phones},
          {"time_zone", e.time_zone},
          {"kind", type == "epoc" || type == "epoc-pr" ? "provider"
                   : e.central_authority && type == "mla" ? "central_authority"
                                                           : "247"}};
}

Result<store::CoopRequest> Reload(store::Store& store, int64_t id) {
  Result<std::optional<store::CoopRequest>> r = store.GetCoopRequest(id);
  if (!r.ok()) return r.status();
  if (!r->has_value()) return NotFound("no request " + std::to_string(id));
  return **r;
}

Status Custody(store::Store& store, const store::CoopRequest& r, const Signer& signer,
               const std::string& actor, const std::string& action, json details) {
  if (signer.key == nullptr) return InvalidArgument("the unit's key is needed to sign");
  vault::CustodyRecord rec;
  rec.time = vault::UtcNow();
  rec.actor = actor;
  rec.unit = signer.unit;
  rec.action = action;
  details["request"] = r.reference;
  details["version"] = r.version;
  details["type"] = r.type;
  details["request_uuid"] = r.uuid;
  rec.details = std::move(details);
  Result<vault::CustodyRecord> sealed = store.AppendCustody(r.case_id, rec, *signer.key);
  return sealed.ok() ? Status::Ok() : sealed.status();
}

store::CoopEvent Event(const std::string& actor, const std::string& state, const std::string& note) {
  store::CoopEvent e;
  e.actor = actor;
  e.state = state;
  e.note = note;
  return e;
}

}  // namespace

Result<store::CoopRequest> NewRequest(store::Store& store, const NewRequestArgs& args) {
  if (!IsRequestType(args.type))
    return InvalidArgument("--type must be preservation, emergency, mla, epoc or epoc-pr");
  Result<store::Case> c = CaseById(store, args.case_id);
  if (!c.ok()) return c.status();
  Result<std::optional<DirectoryEntry>> to = GetEntry(store, args.to);
  if (!to.ok()) return to.status();
  if (!to->has_value()) return NotFound("no directory entry " + args.to + " (see evidex directory list)");
  Result<store::Unit> unit = store.GetUnit();
  if (!unit.ok()) return unit.status();

  json doc = EmptyRequest(args.type);
  Result<std::string> ref = NextReference(store, unit->country, args.today.substr(0, 4));
  if (!ref.ok()) return ref.status();
  doc["reference"] = *ref;
  doc["date"] = args.today;
  doc["language"] = args.language.empty() ? "en" : args.language;
  const DirectoryEntry& e = **to;
  doc["target_language"] = !args.target_language.empty() ? args.target_language
                           : e.languages.empty()         ? "en"
                                                         : e.languages.front();
  doc["addressee"] = AddresseeOf(e, args.type);
  // The requesting authority: the unit's own card when the directory has one.
  doc["requesting"]["organisation"] = unit->name;
  doc["requesting"]["country"] = unit->country;
  doc["requesting"]["officer"] = args.actor;
  Result<std::vector<DirectoryEntry>> own = ListEntries(store, "");
  if (!own.ok()) return own.status();
  for (const DirectoryEntry& o : *own) {
    if (!o.own) continue;
    doc["requesting"]["organisation"] = o.authority + (o.unit.empty() ? "" : ", " + o.unit);
    doc["requesting"]["country"] = o.country;
    doc["requesting"]["phone"] = o.phones.empty() ? "" : o.phones.front();
    doc["requesting"]["email"] = o.email;
    doc["requesting"]["hours"] = o.hours;
    doc["requesting"]["time_zone"] = o.time_zone;
    doc["requesting"]["reply_channel"] = o.email.empty() ? "" : "e-mail " + o.email;
    break;
  }
  doc["case"]["number"] = c->number;
  doc["case"]["title"] = c->title;
  doc["case"]["case_numbers"] = json::array({c->number});
  if (!c->offence.empty()) doc["offences"] = json::array({{{"description", c->offence}, {"provisions", ""}, {"penalty", ""}}});
  if (args.type == "epoc" || args.type == "epoc-pr") doc["legal_basis"] = json::array({"eu-2023-1543"});
  else if (args.type == "preservation" && e.country == "US") doc["legal_basis"] = json::array({"us-2703f"});
  else if (std::find(e.legal_bases.begin(), e.legal_bases.end(), "budapest") != e.legal_bases.end())
    doc["legal_basis"] = json::array({"budapest"});
  if (args.type == "preservation") doc["mla_follows"] = true;
  for (const std::string& arg : args.identifiers) {
    Result<store::Artifact> a = ResolveIdentifier(store, args.case_id, arg);
    if (!a.ok()) return a.status();
    json id = {{"artifact", a->id},  {"kind", IdentifierKind(a->kind)}, {"value", a->value},
               {"category", ""},     {"observed", ""}, {"time_zone", ""},
               {"port", 0},          {"from", ""},     {"to", ""}};
    id["category"] = args.category.empty() ? DefaultCategory(args.type, id["kind"]) : args.category;
    doc["identifiers"].push_back(id);
  }
  if (!args.category.empty() &&
      std::find(DataCategories().begin(), DataCategories().end(), args.category) == DataCategories().end())
    return InvalidArgument("--category must be subscriber, identification, traffic or content");

  store::CoopRequest r;
  r.case_id = args.case_id;
  r.reference = *ref;
  r.version = 1;
  r.type = args.type;
  r.state = "draft";
  r.doc = doc.dump();
  return store.AddCoopRequest(r, Event(args.actor, "draft", "written from case " + c->number));
}

Result<store::CoopRequest> FindRequest(store::Store& store, const std::string& name) {
  bool digits = !name.empty() && name.size() < 16 &&
                std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) return Reload(store, std::stoll(name));
  std::string ref = name;
  int version = 0;
  size_t at = name.rfind('@');
  if (at != std::string::npos) {
    ref = name.substr(0, at);
    version = std::atoi(name.c_str() + at + 1);
    if (version <= 0) return InvalidArgument("\"" + name + "\": the version after @ is a number from 1");
  }
  Result<std::vector<store::CoopRequest>> all = store.ListCoopRequests(0);
  if (!all.ok()) return all.status();
  const store::CoopRequest* best = nullptr;
  for (const store::CoopRequest& r : *all)
    if (r.reference == ref && (version == 0 ? (!best || r.version > best->version) : r.version == version))
      best = &r;
  if (!best) return NotFound("no request " + name + " (see evidex request list)");
  return *best;
}

Result<std::vector<Problem>> CheckRequest(store::Store& store, const store::CoopRequest& r,
                                          const std::string& today) {
  json doc = json::parse(r.doc, nullptr, false);
  if (doc.is_discarded()) return Corrupt("request " + r.reference + ": its stored document is not JSON");
  std::vector<int64_t> held;
  if (doc.contains("identifiers") && doc["identifiers"].is_array())
    for (const json& id : doc["identifiers"]) {
      int64_t a = id.value("artifact", int64_t(0));
      if (a == 0) continue;
      Result<std::optional<store::CaseArtifact>> in = store.GetCaseArtifact(r.case_id, a);
      if (!in.ok()) return in.status();
      if (in->has_value()) held.push_back(a);
    }
  std::sort(held.begin(), held.end());
  return Check(doc, today, &held);
}

Result<store::CoopRequest> EditRequest(store::Store& store, const store::CoopRequest& r,
                                       const json& change, const std::string& actor) {
  json doc = json::parse(r.doc, nullptr, false);
  if (doc.is_discarded()) return Corrupt("request " + r.reference + ": its stored document is not JSON");
  EVIDEX_RETURN_IF_ERROR(Patch(&doc, change));
  if (r.state == "draft") {
    EVIDEX_RETURN_IF_ERROR(store.UpdateCoopDraft(r.id, doc.dump(), r.due));
    return Reload(store, r.id);
  }
  // A finalized request stays as it is: the change is a new version.
  Result<std::vector<store::CoopRequest>> all = store.ListCoopRequests(r.case_id);
  if (!all.ok()) return all.status();
  int version = r.version;
  for (const store::CoopRequest& o : *all)
    if (o.reference == r.reference) version = std::max(version, o.version);
  store::CoopRequest next;
  next.case_id = r.case_id;
  next.reference = r.reference;
  next.version = version + 1;
  next.supersedes = r.id;
  next.follows = r.follows;
  next.type = r.type;
  next.state = "draft";
  next.doc = doc.dump();
  return store.AddCoopRequest(next, Event(actor, "draft",
                                          "version " + std::to_string(next.version) + " of " +
                                              r.reference + ", replacing version " +
                                              std::to_string(r.version)));
}

Result<store::CoopRequest> Finalize(store::Store& store, const store::CoopRequest& r,
                                    const Signer& signer, const std::string& actor,
                                    const std::string& today) {
  if (r.state != "draft")
    return InvalidArgument("request " + r.reference + " is " + r.state + ": only a draft is finalized");
  Result<std::vector<Problem>> problems = CheckRequest(store, r, today);
  if (!problems.ok()) return problems.status();
  if (!problems->empty()) {
    std::string list;
    for (const Problem& p : *problems) list += (list.empty() ? "" : "; ") + p.field;
    return InvalidArgument(std::to_string(problems->size()) + " field" +
                           (problems->size() == 1 ? " is" : "s are") +
                           " missing or wrong (see evidex request check " + r.reference + "): " + list);
  }
  if (signer.key == nullptr) return InvalidArgument("the unit's key is needed to sign");
  const std::string signature = vault::SignatureHex(signer.key->Sign(r.doc));
  Status st = store.Transaction([&]() -> Status {
    EVIDEX_RETURN_IF_ERROR(store.SetCoopState(r.id, "draft", Event(actor, "finalized", "signed by " + signer.public_key), "", signature));
    if (r.supersedes != 0) {
      Result<store::CoopRequest> old = Reload(store, r.supersedes);
      if (!old.ok()) return old.status();
      if (old->state == "finalized")
        EVIDEX_RETURN_IF_ERROR(store.SetCoopState(old->id, "finalized",
                                                  Event(actor, "superseded", "replaced by version " + std::to_string(r.version)),
                                                  "", ""));
    }
    return Custody(store, r, signer, actor, "request-finalized",
                   {{"document_sha256", Sha256Hex(r.doc)}, {"signature", signature}, {"signer", signer.public_key}});
  });
  if (!st.ok()) return st;
  return Reload(store, r.id);
}

std::vector<std::string> NextStates(const std::string& state) {
  if (state == "draft") return {"finalized"};
  if (state == "finalized") return {"sent", "withdrawn"};
  if (state == "sent") return {"acknowledged", "answered", "refused", "withdrawn", "expired"};
  if (state == "acknowledged") return {"answered", "refused", "withdrawn", "expired"};
  return {};
}

Result<store::CoopRequest> Transition(store::Store& store, const store::CoopRequest& r,
                                      const std::string& to, const std::string& note,
                                      const std::string& actor, int64_t now, const Signer& signer) {
  if (to == "finalized") return InvalidArgument("use evidex request finalize: it checks and signs");
  std::vector<std::string> next = NextStates(r.state);
  if (std::find(next.begin(), next.end(), to) == next.end()) {
    std::string allowed;
    for (const std::string& s : next) allowed += (allowed.empty() ? "" : ", ") + s;
    return InvalidArgument("request " + r.reference + " is " + r.state + "; it can become " +
                           (allowed.empty() ? "nothing else" : allowed) + ", not " + to);
  }
  json doc = json::parse(r.doc, nullptr, false);
  if (doc.is_discarded()) return Corrupt("request " + r.reference + ": its stored document is not JSON");
  std::string due = r.due, clock_note;
  if (to == "sent") {
    std::optional<Clock> clock = ClockOf(doc);
    due = clock ? FormatUtc(clock->DueFrom(now)) : "";
    if (clock) clock_note = clock->what + ": " + due;
  } else if (to != "acknowledged") {
    due = "";
  }
  Status st = store.Transaction([&]() -> Status {
    EVIDEX_RETURN_IF_ERROR(store.SetCoopState(
        r.id, r.state,
        Event(actor, to, note + (clock_note.empty() ? "" : (note.empty() ? "" : "; ") + clock_note)), due, ""));
    // An extension, once sent, moves the clock of the request it extends.
    if (to == "sent" && doc.value("status", "") == "extension" && r.follows != 0) {
      Result<store::CoopRequest> orig = Reload(store, r.follows);
      if (!orig.ok()) return orig.status();
      std::optional<int64_t> old_due = ParseUtc(orig->due);
      if (old_due && (orig->state == "sent" || orig->state == "acknowledged")) {
        Clock ext = ExtensionOf(doc);
        std::string moved = FormatUtc(*old_due + ext.seconds);
        EVIDEX_RETURN_IF_ERROR(store.SetCoopState(
            orig->id, orig->state,
            Event(actor, orig->state, "extension " + r.reference + " sent (" + ext.what + "): now until " + moved),
            moved, ""));
      }
    }
    return Custody(store, r, signer, actor, "request-" + to, {{"note", note}, {"due", due}});
  });
  if (!st.ok()) return st;
  return Reload(store, r.id);
}

Result<store::CoopRequest> Extend(store::Store& store, const store::CoopRequest& r,
                                  const std::string& actor, const std::string& today) {
  if (r.type != "preservation" && r.type != "epoc-pr")
    return InvalidArgument("only a preservation request is extended (" + r.reference + " is " + r.type + ")");
  if (r.state != "sent" && r.state != "acknowledged")
    return InvalidArgument("request " + r.reference + " is " + r.state + ": only a preservation that runs (sent or acknowledged) is extended");
  json doc = json::parse(r.doc, nullptr, false);
  if (doc.is_discarded()) return Corrupt("request " + r.reference + ": its stored document is not JSON");
  Result<store::Unit> unit = store.GetUnit();
  if (!unit.ok()) return unit.status();
  Result<std::string> ref = NextReference(store, unit->country, today.substr(0, 4));
  if (!ref.ok()) return ref.status();
  doc["status"] = "extension";
  doc["earlier_reference"] = r.reference;
  doc["reference"] = *ref;
  doc["date"] = today;
  store::CoopRequest next;
  next.case_id = r.case_id;
  next.reference = *ref;
  next.follows = r.id;
  next.type = r.type;
  next.state = "draft";
  next.doc = doc.dump();
  return store.AddCoopRequest(next, Event(actor, "draft", "extension of " + r.reference));
}

Result<store::CoopRequest> FollowUp(store::Store& store, const store::CoopRequest& r,
                                    const std::string& actor, const std::string& today) {
  if (r.type != "preservation" && r.type != "emergency" && r.type != "epoc-pr")
    return InvalidArgument("an MLA request follows a preservation or emergency request (" + r.reference + " is " + r.type + ")");
  if (r.state == "draft") return InvalidArgument("request " + r.reference + " is still a draft");
  json old = json::parse(r.doc, nullptr, false);
  if (old.is_discarded()) return Corrupt("request " + r.reference + ": its stored document is not JSON");
  json doc = EmptyRequest("mla");
  for (const char* k : {"language", "target_language", "requesting", "confirmation_contact",
                        "operational_authority", "case", "domestic_grounds", "offences", "summary",
                        "relationship", "identifiers", "provider", "confidentiality", "chain_of_custody"})
    if (old.contains(k)) doc[k] = old[k];
  for (const std::string& b : old.value("legal_basis", std::vector<std::string>{}))
    if (b != "us-2703f" && b != "eu-2023-1543") doc["legal_basis"].push_back(b);
  doc["no_notification"] = old["no_notification"];
  Result<store::Unit> unit = store.GetUnit();
  if (!unit.ok()) return unit.status();
  Result<std::string> ref = NextReference(store, unit->country, today.substr(0, 4));
  if (!ref.ok()) return ref.status();
  doc["reference"] = *ref;
  doc["date"] = today;
  doc["status"] = "followup_preservation";
  doc["earlier_reference"] = old["reference"];
  doc["earlier_preservation"] = {{"date", old.value("date", "")},
                                 {"reference", old.value("reference", "")},
                                 {"authority", old["addressee"].value("authority", "")},
                                 {"channel", "24/7 network (" + old["addressee"].value("key", "") + ")"}};
  // The central authority of the same country, when the directory has one.
  doc["addressee"] = old["addressee"];
  doc["addressee"]["kind"] = "central_authority";
  Result<std::vector<DirectoryEntry>> entries = ListEntries(store, old["addressee"].value("country", ""));
  if (!entries.ok()) return entries.status();
  bool found = false;
  for (const DirectoryEntry& e : *entries)
    if (e.central_authority) {
      doc["addressee"] = AddresseeOf(e, "mla");
      found = true;
      break;
    }
  if (!found) doc["addressee"]["authority"] = "";  // to be named: check says so
  store::CoopRequest next;
  next.case_id = r.case_id;
  next.reference = *ref;
  next.follows = r.id;
  next.type = "mla";
  next.state = "draft";
  next.doc = doc.dump();
  return store.AddCoopRequest(next, Event(actor, "draft", "MLA request following " + r.reference));
}

Result<std::vector<DueItem>> Due(store::Store& store, int64_t case_id, int64_t now, int64_t within) {
  Result<std::vector<store::CoopRequest>> all = store.ListCoopRequests(case_id);
  if (!all.ok()) return all.status();
  std::vector<DueItem> out;
  for (const store::CoopRequest& r : *all) {
    if (r.state != "sent" && r.state != "acknowledged") continue;
    std::optional<int64_t> due = ParseUtc(r.due);
    if (!due || *due > now + within) continue;
    out.push_back({r, *due, *due < now});
  }
  std::sort(out.begin(), out.end(), [](const DueItem& a, const DueItem& b) { return a.due < b.due; });
  return out;
}

Result<std::vector<DirectoryEntry>> ListEntries(store::Store& store, const std::string& country) {
  Result<std::vector<store::DirectoryRecord>> rows = store.ListDirectory(country);
  if (!rows.ok()) return rows.status();
  std::vector<DirectoryEntry> out;
  for (const store::DirectoryRecord& row : *rows) {
    json j = json::parse(row.doc, nullptr, false);
    Result<DirectoryEntry> e = j.is_discarded() ? Result<DirectoryEntry>(Corrupt("not JSON")) : EntryFromJson(j);
    if (!e.ok()) return Corrupt("directory entry " + row.key + ": " + e.status().message());
    out.push_back(std::move(e).value());
  }
  return out;
}

Result<std::optional<DirectoryEntry>> GetEntry(store::Store& store, const std::string& key) {
  Result<std::optional<store::DirectoryRecord>> row = store.GetDirectoryEntry(key);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return std::optional<DirectoryEntry>();
  json j = json::parse((*row)->doc, nullptr, false);
  Result<DirectoryEntry> e = j.is_discarded() ? Result<DirectoryEntry>(Corrupt("not JSON")) : EntryFromJson(j);
  if (!e.ok()) return Corrupt("directory entry " + key + ": " + e.status().message());
  return std::optional<DirectoryEntry>(std::move(e).value());
}

Status PutEntries(store::Store& store, const std::vector<DirectoryEntry>& entries,
                  const std::string& today) {
  std::vector<store::DirectoryRecord> rows;
  std::set<std::string> keys;
  for (const DirectoryEntry& e : entries) {
    std::vector<std::string> problems = Validate(e, today);
    if (!keys.insert(e.key).second) problems.push_back("key: \"" + e.key + "\" twice");
    if (!problems.empty()) {
      std::string all;
      for (const std::string& p : problems) all += (all.empty() ? "" : "; ") + p;
      return InvalidArgument("entry " + e.key + ": " + all);
    }
    store::DirectoryRecord row;
    row.key = e.key;
    row.country = e.country;
    row.doc = ToJson(e).dump();
    rows.push_back(std::move(row));
  }
  return store.PutDirectoryEntries(rows);
}

json RequestJson(const store::CoopRequest& r) {
  json doc = json::parse(r.doc, nullptr, false);
  return {{"id", r.id},
          {"uuid", r.uuid},
          {"case_id", r.case_id},
          {"reference", r.reference},
          {"version", r.version},
          {"supersedes", r.supersedes},
          {"follows", r.follows},
          {"type", r.type},
          {"state", r.state},
          {"due", r.due},
          {"signature", r.signature},
          {"created", r.created},
          {"updated", r.updated},
          {"document", doc.is_discarded() ? json() : doc}};
}

}  // namespace evidex::coop
