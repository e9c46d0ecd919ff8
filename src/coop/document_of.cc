#include "coop/document_of.h"

#include <nlohmann/json.hpp>

#include "coop/docs/translations.h"

namespace evidex::coop {
namespace {

using nlohmann::json;

std::string S(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

std::string Join(const json& j, const char* key, const char* sep) {
  std::string out;
  if (j.is_object() && j.contains(key) && j[key].is_array())
    for (const json& v : j[key])
      if (v.is_string()) out += (out.empty() ? "" : sep) + v.get<std::string>();
  return out;
}

// Whether the translations have a text for `key` (every language has English's keys).
bool HasText(const std::string& key) {
  Result<Translations> en = Translations::ForLanguage("en");
  return en.ok() && en->Has(key);
}

void Add(DocSection* s, const char* label, const std::string& value, bool translate = false) {
  if (!value.empty()) s->fields.push_back({label, value, translate});
}

void YesNo(DocSection* s, const char* label, const json& v) {
  if (v.is_boolean()) s->fields.push_back({label, v.get<bool>() ? "yes" : "no", true});
}

}  // namespace

Document DocumentOf(const store::CoopRequest& r, const std::string& signer) {
  json d = json::parse(r.doc, nullptr, false);
  if (d.is_discarded()) d = json::object();
  const std::string type = S(d, "type");
  Document doc;
  doc.title = S(d, "status") == "extension" ? "title.extension" : "title." + type;
  doc.reference = r.reference + (r.version > 1 ? " (v" + std::to_string(r.version) + ")" : "");
  doc.date = S(d, "date");
  doc.draft = r.state == "draft";
  doc.signature = signer;

  DocSection header{"section.header", {}, std::nullopt};
  // The reference and date head the document already (the renderer's title block).
  Add(&header, "field.status", "status." + S(d, "status"), true);
  Add(&header, "field.earlier_reference", S(d, "earlier_reference"));
  doc.sections.push_back(header);

  const json a = d.value("addressee", json::object());
  DocSection to{"section.addressee", {}, std::nullopt};
  Add(&to, "field.addressee", S(a, "authority") + (S(a, "unit").empty() ? "" : ", " + S(a, "unit")));
  Add(&to, "field.country", S(a, "country"));
  Add(&to, "field.email", S(a, "email"));
  Add(&to, "field.phone", Join(a, "phones", ", "));
  Add(&to, "field.time_zone", S(a, "time_zone"));
  doc.sections.push_back(to);

  const json q = d.value("requesting", json::object());
  DocSection from{"section.requesting", {}, std::nullopt};
  Add(&from, "field.authority", S(q, "organisation"));
  Add(&from, "field.country", S(q, "country"));
  Add(&from, "field.officer", S(q, "officer"));
  Add(&from, "field.address", S(q, "address"));
  Add(&from, "field.phone", S(q, "phone"));
  Add(&from, "field.email", S(q, "email"));
  Add(&from, "field.hours", S(q, "hours"));
  Add(&from, "field.time_zone", S(q, "time_zone"));
  Add(&from, "field.reply_channel", S(q, "reply_channel"));
  Add(&from, "field.confirmation_contact", S(d, "confirmation_contact"));
  Add(&from, "field.operational_authority", S(d, "operational_authority"));
  doc.sections.push_back(from);

  const json c = d.value("case", json::object());
  DocSection cs{"section.case", {}, std::nullopt};
  Add(&cs, "field.case_numbers", Join(c, "case_numbers", ", "));
  Add(&cs, "field.court", S(c, "court"));
  const json ep = d.value("earlier_preservation", json::object());
  if (!S(ep, "reference").empty())
    Add(&cs, "field.earlier_preservation",
        S(ep, "reference") + ", " + S(ep, "date") + ", " + S(ep, "authority") + ", " + S(ep, "channel"));
  const json em = d.value("earlier_mla", json::object());
  if (!S(em, "reference").empty())
    Add(&cs, "field.earlier_mla", S(em, "reference") + ", " + S(em, "date") + ", " + S(em, "authority"));
  doc.sections.push_back(cs);

  DocSection legal{"section.legal", {}, std::nullopt};
  if (d.contains("legal_basis") && d["legal_basis"].is_array())
    for (const json& b : d["legal_basis"])
      if (b.is_string()) Add(&legal, "field.legal_basis", "basis." + b.get<std::string>(), true);
  Add(&legal, "field.domestic_grounds", S(d, "domestic_grounds"));
  if (d.contains("offences") && d["offences"].is_array())
    for (const json& o : d["offences"]) {
      Add(&legal, "field.offences", S(o, "description") + (S(o, "provisions").empty() ? "" : " — " + S(o, "provisions")));
      Add(&legal, "field.penalty", S(o, "penalty"));
    }
  doc.sections.push_back(legal);

  DocSection facts{"section.facts", {}, std::nullopt};
  Add(&facts, "field.summary", S(d, "summary"));
  Add(&facts, "field.relationship", S(d, "relationship"));
  doc.sections.push_back(facts);

  DocSection data{"section.data", {}, DocTable{}};
  data.table->columns = {"col.kind", "col.identifier", "col.category", "col.observed", "col.time_zone",
                         "col.range_from", "col.range_to"};
  data.table->translate = {true, false, true, false, false, false, false};
  if (d.contains("identifiers") && d["identifiers"].is_array())
    for (const json& id : d["identifiers"]) {
      // An address with its port as written everywhere: 203.0.113.7:51234, [2001:db8::1]:51234.
      std::string value = S(id, "value");
      int64_t port = id.value("port", int64_t(0));
      if (port > 0)
        value = (value.find(':') != std::string::npos ? "[" + value + "]" : value) + ":" +
                std::to_string(port);
      // Kinds and categories in the document's languages; a kind without a text is "Other",
      // named beside the value.
      std::string kind = S(id, "kind");
      if (kind == "ipv4" || kind == "ipv6") kind = "ip";
      std::string kind_key = "kind." + kind;
      if (!kind.empty() && !HasText(kind_key)) {
        value += " (" + kind + ")";
        kind_key = "kind.other";
      }
      std::string category = S(id, "category");
      data.table->rows.push_back({kind.empty() ? "" : kind_key, value,
                                  HasText("category." + category) ? "category." + category : "",
                                  S(id, "observed"), S(id, "time_zone"), S(id, "from"), S(id, "to")});
    }
  doc.sections.push_back(data);

  const json p = d.value("provider", json::object());
  DocSection prov{"section.provider", {}, std::nullopt};
  Add(&prov, "field.provider", S(p, "name"));
  Add(&prov, "field.provider_address", S(p, "address"));
  Add(&prov, "field.provider_reason", S(p, "reason"));
  doc.sections.push_back(prov);

  DocSection need{"section.necessity", {}, std::nullopt};
  Add(&need, "field.necessity", S(d, "necessity"));
  Add(&need, "field.retention", S(d, "retention"));
  if (d.contains("period_days") && d["period_days"].is_number_integer() && d["period_days"].get<int64_t>() > 0)
    Add(&need, "field.period", std::to_string(d["period_days"].get<int64_t>()));
  Add(&need, "field.urgency", S(d, "urgency"));
  Add(&need, "field.deadline", S(d, "deadline"));
  if (type == "preservation") YesNo(&need, "field.traffic_path", d.value("traffic_path", json()));
  if (!need.fields.empty()) doc.sections.push_back(need);

  DocSection follow{"section.followup", {}, std::nullopt};
  YesNo(&follow, "field.mla_follows", d.value("mla_follows", json()));
  Add(&follow, "field.mla_planned_date", S(d, "mla_planned_date"));
  Add(&follow, "field.other_means", S(d, "other_means"));
  if (!follow.fields.empty()) doc.sections.push_back(follow);

  DocSection conf{"section.confidentiality", {}, std::nullopt};
  YesNo(&conf, "field.no_notification", d.value("no_notification", json()));
  Add(&conf, "field.confidentiality", S(d, "confidentiality"));
  if (!conf.fields.empty()) doc.sections.push_back(conf);

  DocSection del{"section.delivery", {}, std::nullopt};
  Add(&del, "field.delivery_form", S(d, "delivery_form"));
  Add(&del, "field.authenticity", S(d, "authenticity"));
  Add(&del, "field.chain_of_custody", S(d, "chain_of_custody"));
  if (!del.fields.empty()) doc.sections.push_back(del);

  const json e = d.value("emergency", json::object());
  DocSection emg{"section.emergency", {}, std::nullopt};
  Add(&emg, "field.emergency_facts", S(e, "facts"));
  Add(&emg, "field.emergency_link", S(e, "link"));
  if (!emg.fields.empty()) doc.sections.push_back(emg);

  DocSection sig{"section.signature", {}, std::nullopt};
  Add(&sig, "field.signed_by", S(q, "officer"));
  Add(&sig, "field.signature", signer);
  doc.sections.push_back(sig);
  return doc;
}

}  // namespace evidex::coop
