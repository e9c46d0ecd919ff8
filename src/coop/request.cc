#include "coop/request.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "coop/directory.h"

namespace evidex::coop {
namespace {

using nlohmann::json;

json Party() {
  return {{"date", ""}, {"reference", ""}, {"authority", ""}, {"channel", ""}};
}

json OffenceTemplate() { return {{"description", ""}, {"provisions", ""}, {"penalty", ""}}; }

json IdentifierTemplate() {
  return {{"artifact", 0},     {"kind", ""},      {"value", ""}, {"category", ""},
          {"observed", ""},    {"time_zone", ""}, {"port", 0},   {"from", ""},
          {"to", ""}};
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Text(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  std::string s = j[key].get<std::string>();
  size_t b = s.find_first_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s;
}

std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.is_object() && j.contains(key) && j[key].is_array())
    for (const json& v : j[key])
      if (v.is_string() && !v.get<std::string>().empty()) out.push_back(v.get<std::string>());
  return out;
}

// Days since 1970 of YYYY-MM-DD, or std::nullopt.
std::optional<int64_t> Day(const std::string& d) {
  std::optional<int64_t> t = ParseUtc(d + "T00:00:00Z");
  if (!t || d.size() != 10) return std::nullopt;
  return *t / 86400;
}

// A local date-time "YYYY-MM-DDTHH:MM:SS" (no offset: the identifier's time_zone says it).
bool IsLocalTime(const std::string& s) {
  return s.size() == 19 && ParseUtc(s + "Z").has_value();
}

// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS": seconds for ordering; std::nullopt otherwise.
std::optional<int64_t> RangeBound(const std::string& s) {
  if (s.size() == 10) {
    std::optional<int64_t> d = Day(s);
    return d ? std::optional<int64_t>(*d * 86400) : std::nullopt;
  }
  if (IsLocalTime(s)) return ParseUtc(s + "Z");
  return std::nullopt;
}

class Checker {
 public:
  using Args = std::map<std::string, std::string>;
  Checker(const json& r, const std::string& today) : r_(r), today_(today) {}
  std::vector<Problem> problems;

  // `code`'s problem when the text at `path` is empty.
  void Need(const std::string& path, const std::string& code, Args args = {}) {
    if (Lookup(path).empty()) Add(path, code, std::move(args));
  }
  void Add(const std::string& path, const std::string& code, Args args = {}) {
    problems.push_back({path, code, std::move(args), ""});
  }
  // The text at a "a/b" path ("" when absent or not text).
  std::string Lookup(const std::string& path) const {
    const json* j = &r_;
    size_t pos = 0;
    while (true) {
      size_t slash = path.find('/', pos);
      std::string part = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
      if (!j->is_object() || !j->contains(part)) return "";
      j = &(*j)[part];
      if (slash == std::string::npos) break;
      pos = slash + 1;
    }
    if (j->is_string()) {
      std::string s = j->get<std::string>();
      return s.find_first_not_of(" \t\r\n") == std::string::npos ? "" : s;
    }
    return "";
  }
  // A date at `path`, if any: "<code>.invalid" when it is not YYYY-MM-DD, "<code>.future" when
  // `past` and it lies after today.
  void Date(const std::string& path, const std::string& code, bool past) {
    std::string d = Lookup(path);
    if (d.empty()) return;
    std::optional<int64_t> day = Day(d), now = Day(today_);
    if (!day) Add(path, code + ".invalid", {{"value", d}});
    else if (past && now && *day > *now) Add(path, code + ".future", {{"value", d}});
  }

 private:
  const json& r_;
  std::string today_;
};

// `text` with each "{name}" replaced by args[name], in one pass (a value that itself holds
// "{...}" stays as written); an unknown name stays as it is.
std::string Fill(const std::string& text, const std::map<std::string, std::string>& args) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t close = text[i] == '{' ? text.find('}', i) : std::string::npos;
    if (close != std::string::npos) {
      auto it = args.find(text.substr(i + 1, close - i - 1));
      if (it != args.end()) {
        out += it->second;
        i = close + 1;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace

const std::vector<std::string>& RequestTypes() {
  static const std::vector<std::string> k{"preservation", "emergency", "mla", "epoc", "epoc-pr"};
  return k;
}
const std::vector<std::string>& DataCategories() {
  static const std::vector<std::string> k{"subscriber", "identification", "traffic", "content"};
  return k;
}
bool IsRequestType(const std::string& type) { return Has(RequestTypes(), type); }

json EmptyRequest(const std::string& type) {
  return {
      {"type", type},
      {"language", "en"},
      {"target_language", "en"},
      {"reference", ""},
      {"date", ""},
      {"status", "new"},
      {"earlier_reference", ""},
      {"addressee",
       {{"key", ""}, {"country", ""}, {"authority", ""}, {"unit", ""}, {"email", ""},
        {"phones", json::array()}, {"time_zone", ""}, {"kind", ""}}},
      {"requesting",
       {{"organisation", ""}, {"country", ""}, {"officer", ""}, {"address", ""}, {"phone", ""},
        {"email", ""}, {"hours", ""}, {"time_zone", ""}, {"reply_channel", ""}}},
      {"confirmation_contact", ""},
      {"operational_authority", ""},
      {"case",
       {{"number", ""}, {"title", ""}, {"court", ""}, {"case_numbers", json::array()},
        {"related_decisions", ""}}},
      {"legal_basis", json::array()},
      {"domestic_grounds", ""},
      {"offences", json::array()},
      {"summary", ""},
      {"relationship", ""},
      {"identifiers", json::array()},
      {"provider", {{"name", ""}, {"address", ""}, {"reason", ""}}},
      {"necessity", ""},
      {"retention", ""},
      {"mla_follows", nullptr},
      {"mla_planned_date", ""},
      {"traffic_path", false},
      {"no_notification", nullptr},
      {"confidentiality", ""},
      {"period_days", type == "preservation" || type == "epoc-pr" ? 60 : 0},
      {"urgency", ""},
      {"deadline", ""},
      {"other_means", ""},
      {"delivery_form", ""},
      {"authenticity", ""},
      {"chain_of_custody", ""},
      {"emergency", {{"facts", ""}, {"link", ""}}},
      {"validated_by", ""},
      {"earlier_preservation", Party()},
      {"earlier_mla", Party()},
  };
}

std::string Describe(const Problem& problem, const Translations& lang) {
  std::map<std::string, std::string> args = problem.args;
  if (args.count("n")) {
    auto v = args.find("value");
    args["label"] = Fill(lang.Get(v != args.end() && !v->second.empty() ? "problem.label_value"
                                                                          : "problem.label"),
                         args);
  }
  return Fill(lang.Get("problem." + problem.code), args);
}

std::vector<Problem> Check(const json& r, const std::string& today,
                           const std::vector<int64_t>* case_artifacts) {
  Checker c(r, today);
  std::vector<Problem>& out = c.problems;
  auto english = [&out] {
    Result<Translations> en = Translations::ForLanguage("en");
    for (Problem& p : out) p.message = en.ok() ? Describe(p, *en) : p.code;
    return out;
  };
  const std::string type = Text(r, "type");
  if (!IsRequestType(type)) {
    c.Add("type", "type.unknown", {{"value", type}});
    return english();
  }
  const bool preserve = type == "preservation" || type == "emergency" || type == "epoc-pr";
  const bool eu = type == "epoc" || type == "epoc-pr";
  const std::vector<std::string> bases = Strings(r, "legal_basis");

  // Header, addressee, requesting authority (T-CY items 1-7).
  c.Need("reference", "reference.missing");
  c.Need("date", "date.missing");
  c.Date("date", "date", true);
  std::string status = Text(r, "status");
  if (!Has({"new", "extension", "followup_mla", "followup_preservation"}, status))
    c.Add("status", "status.unknown", {{"value", status}});
  else if (status != "new")
    c.Need("earlier_reference", "earlier_reference.missing", {{"status", status}});
  c.Need("addressee/authority", "addressee.missing");
  std::string country = c.Lookup("addressee/country");
  if (country.size() != 2) c.Add("addressee/country", "addressee_country.missing");
  c.Need("requesting/organisation", "requesting_organisation.missing");
  c.Need("requesting/officer", "requesting_officer.missing");
  if (c.Lookup("requesting/phone").empty() && c.Lookup("requesting/email").empty())
    c.Add("requesting/phone", "requesting_contact.missing");
  std::string tz = c.Lookup("requesting/time_zone");
  if (tz.empty()) c.Add("requesting/time_zone", "requesting_time_zone.missing");
  else if (!IsIanaTimeZone(tz)) c.Add("requesting/time_zone", "requesting_time_zone.invalid", {{"value", tz}});
  c.Need("requesting/reply_channel", "reply_channel.missing");
  if (type != "emergency") {
    c.Need("confirmation_contact", "confirmation_contact.missing");
    c.Need("operational_authority", "operational_authority.missing");
  }

  // Legal basis.
  for (size_t i = 0; i < bases.size(); ++i)
    if (!Has(KnownLegalBases(), bases[i]))
      c.Add("legal_basis/" + std::to_string(i), "legal_basis.unknown", {{"value", bases[i]}});
  if (type == "mla" && bases.empty()) c.Add("legal_basis", "legal_basis.mla");
  if (eu && !Has(bases, "eu-2023-1543")) c.Add("legal_basis", "legal_basis.eu");
  if (Has(bases, "us-2703f") && country.size() == 2 && country != "US")
    c.Add("legal_basis", "legal_basis.us", {{"country", country}});

  // Offences and facts (Art. 29(2)(b)).
  const json& offences = r.contains("offences") && r["offences"].is_array() ? r["offences"] : json::array();
  if (offences.empty()) c.Add("offences", "offences.missing");
  for (size_t i = 0; i < offences.size(); ++i) {
    std::string p = "offences/" + std::to_string(i);
    Checker::Args n{{"offence", std::to_string(i + 1)}};
    if (Text(offences[i], "description").empty()) c.Add(p + "/description", "offence.description", n);
    if (Text(offences[i], "provisions").empty()) c.Add(p + "/provisions", "offence.provisions", n);
    if (type == "mla" && Text(offences[i], "penalty").empty()) c.Add(p + "/penalty", "offence.penalty", n);
  }
  c.Need("summary", "summary.missing");

  // The data (Art. 29(2)(c)): each identifier with its category, time and time zone.
  const json& ids = r.contains("identifiers") && r["identifiers"].is_array() ? r["identifiers"] : json::array();
  if (ids.empty()) c.Add("identifiers", "identifiers.missing");
  for (size_t i = 0; i < ids.size(); ++i) {
    const json& id = ids[i];
    std::string p = "identifiers/" + std::to_string(i);
    std::string kind = Text(id, "kind"), value = Text(id, "value");
    // Every identifier problem starts with "Identifier N (value)" (Describe).
    auto add = [&](const std::string& field, const std::string& code, Checker::Args more = {}) {
      more["n"] = std::to_string(i + 1);
      more["value"] = value;
      c.Add(p + "/" + field, "identifier." + code, std::move(more));
    };
    if (kind.empty()) add("kind", "kind_missing");
    if (value.empty()) add("value", "value_missing");
    std::string category = Text(id, "category");
    if (!Has(DataCategories(), category)) add("category", "category_missing");
    std::string observed = Text(id, "observed"), itz = Text(id, "time_zone");
    bool ip = kind == "ip" || kind == "ipv4" || kind == "ipv6";
    int64_t port = id.contains("port") && id["port"].is_number_integer() ? id["port"].get<int64_t>() : 0;
    if (ip && port <= 0) add("port", "port_missing");
    if (port < 0 || port > 65535) add("port", "port_range");
    if (ip && observed.empty()) add("observed", "observed_missing");
    if (!observed.empty() && !IsLocalTime(observed)) add("observed", "observed_invalid", {{"time", observed}});
    if ((ip || !observed.empty()) && itz.empty()) add("time_zone", "time_zone_missing");
    if (!itz.empty() && !IsIanaTimeZone(itz)) add("time_zone", "time_zone_invalid", {{"time_zone", itz}});
    std::string from = Text(id, "from"), to = Text(id, "to");
    std::optional<int64_t> f = RangeBound(from), t = RangeBound(to);
    if (!from.empty() && !f) add("from", "from_invalid", {{"time", from}});
    if (!to.empty() && !t) add("to", "to_invalid", {{"time", to}});
    if (f && t && *f > *t) add("to", "range_reversed");
    if ((category == "traffic" || category == "content") && (from.empty() || to.empty()))
      add("from", "range_missing");
    int64_t artifact = id.contains("artifact") && id["artifact"].is_number_integer() ? id["artifact"].get<int64_t>() : 0;
    if (artifact != 0 && case_artifacts != nullptr &&
        !std::binary_search(case_artifacts->begin(), case_artifacts->end(), artifact))
      add("artifact", "artifact_gone");
  }

  // Provider, necessity, what follows.
  c.Need("provider/name", type == "mla" ? "provider.missing_mla" : "provider.missing");
  if (preserve) {
    c.Need("relationship", "relationship.missing");
    c.Need("necessity", "necessity.missing");
    if (!r.contains("no_notification") || !r["no_notification"].is_boolean())
      c.Add("no_notification", "no_notification.missing");
    int64_t days = r.contains("period_days") && r["period_days"].is_number_integer() ? r["period_days"].get<int64_t>() : 0;
    if (type != "emergency" && Has(bases, "budapest") && days < 60)
      c.Add("period_days", "period_days.short");
  }
  if (type == "preservation") {
    if (!r.contains("mla_follows") || !r["mla_follows"].is_boolean() || !r["mla_follows"].get<bool>())
      c.Add("mla_follows", "mla_follows.missing");
    c.Date("mla_planned_date", "mla_planned_date", false);
  }
  if (type == "emergency") {
    c.Need("emergency/facts", "emergency_facts.missing");
    c.Need("emergency/link", "emergency_link.missing");
  } else if (!c.Lookup("emergency/facts").empty()) {
    c.Need("emergency/link", "emergency_link.missing");
  }
  if (type == "mla") {
    c.Need("case/court", "court.missing");
    if (Strings(r.contains("case") ? r["case"] : json::object(), "case_numbers").empty())
      c.Add("case/case_numbers", "case_numbers.missing");
    c.Need("provider/address", "provider_address.missing");
    c.Need("provider/reason", "provider_reason.missing");
    c.Need("relationship", "relevance.missing");
    c.Need("other_means", "other_means.missing");
    c.Need("delivery_form", "delivery_form.missing");
    c.Need("authenticity", "authenticity.missing");
    if (status == "followup_preservation") {
      c.Need("earlier_preservation/reference", "earlier_preservation_reference.missing");
      c.Need("earlier_preservation/date", "earlier_preservation_date.missing");
    }
  }
  if (!c.Lookup("urgency").empty()) c.Need("deadline", "deadline.missing");
  c.Date("deadline", "deadline", false);
  if (eu) {
    if (c.Lookup("addressee/kind") != "provider") c.Add("addressee/kind", "addressee_kind.eu");
    if (type == "epoc") {
      bool heavy = std::any_of(ids.begin(), ids.end(), [](const json& id) {
        std::string cat = Text(id, "category");
        return cat == "traffic" || cat == "content";
      });
      if (heavy) c.Need("validated_by", "validated_by.missing");
    }
  }
  c.Date("earlier_preservation/date", "earlier_preservation_date", true);
  c.Date("earlier_mla/date", "earlier_mla_date", true);
  return english();
}

namespace {

Status PatchInto(json* target, const json& patch, const json& shape, const std::string& path) {
  if (!patch.is_object()) return InvalidArgument((path.empty() ? "the change" : path) + ": must be a JSON object");
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    std::string p = path.empty() ? it.key() : path + "/" + it.key();
    if (!shape.contains(it.key())) return InvalidArgument("unknown field \"" + p + "\"");
    const json& want = shape[it.key()];
    json& slot = (*target)[it.key()];
    if (it->is_null()) {
      slot = want;  // back to empty
      continue;
    }
    if (p == "type") return InvalidArgument("the type of a request cannot change");
    if (want.is_null()) {  // a yes/no not answered yet
      if (!it->is_boolean()) return InvalidArgument(p + ": must be true or false");
      slot = *it;
    } else if (want.is_object()) {
      if (!slot.is_object()) slot = want;
      EVIDEX_RETURN_IF_ERROR(PatchInto(&slot, *it, want, p));
    } else if (want.is_array()) {
      if (!it->is_array()) return InvalidArgument(p + ": must be an array");
      const json element = p == "offences" ? OffenceTemplate() : p == "identifiers" ? IdentifierTemplate() : json("");
      json out = json::array();
      for (size_t i = 0; i < it->size(); ++i) {
        const json& v = (*it)[i];
        std::string ep = p + "/" + std::to_string(i);
        if (element.is_object()) {
          json e = element;
          EVIDEX_RETURN_IF_ERROR(PatchInto(&e, v, element, ep));
          out.push_back(std::move(e));
        } else {
          if (!v.is_string()) return InvalidArgument(ep + ": must be a string");
          out.push_back(v);
        }
      }
      slot = std::move(out);
    } else if (want.is_boolean()) {
      if (!it->is_boolean()) return InvalidArgument(p + ": must be true or false");
      slot = *it;
    } else if (want.is_number_integer()) {
      if (!it->is_number_integer()) return InvalidArgument(p + ": must be a whole number");
      slot = *it;
    } else {
      if (!it->is_string()) return InvalidArgument(p + ": must be text");
      if (it->get<std::string>().size() > 100000) return InvalidArgument(p + ": longer than 100,000 bytes");
      slot = *it;
    }
  }
  return Status::Ok();
}

}  // namespace

Status Patch(json* request, const json& patch) {
  json shape = EmptyRequest(request->value("type", ""));
  json copy = *request;
  EVIDEX_RETURN_IF_ERROR(PatchInto(&copy, patch, shape, ""));
  *request = std::move(copy);
  return Status::Ok();
}

Status SetField(json* request, const std::string& path, const std::string& value) {
  // Build a patch {"a": {"b": value}}; arrays of objects by index copy the array first.
  std::vector<std::string> parts;
  size_t pos = 0;
  while (true) {
    size_t slash = path.find('/', pos);
    parts.push_back(path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos));
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  json shape = EmptyRequest(request->value("type", ""));
  // Walk the shape to find the field's type; an index into offences/identifiers edits a copy.
  json patch = json::object();
  json* out = &patch;
  const json* cur_shape = &shape;
  const json* cur_value = request;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (cur_shape->is_array()) {
      // parts[i] is an index: the whole array goes in the patch, with that element changed.
      const std::string& array_name = parts[i - 1];
      if (array_name != "offences" && array_name != "identifiers")  // a list of text: set as a whole
        return InvalidArgument(path + ": " + array_name + " is a list of text: set it as a whole, comma-separated");
      json array = cur_value && cur_value->is_array() ? *cur_value : json::array();
      size_t index = 0;
      if (part == "+") index = array.size();
      else {
        char* end = nullptr;
        unsigned long n = std::strtoul(part.c_str(), &end, 10);
        if (part.empty() || *end != '\0' || n > array.size())
          return InvalidArgument(path + ": no element " + part + " (use + to add one)");
        index = n;
      }
      const json element = array_name == "offences" ? OffenceTemplate() : IdentifierTemplate();
      if (index == array.size()) array.push_back(element);
      if (i + 1 >= parts.size()) return InvalidArgument(path + ": name a field of the element");
      json& el = array[index];
      const std::string& field = parts[i + 1];
      if (i + 2 != parts.size() || !element.contains(field))
        return InvalidArgument("unknown field \"" + path + "\"");
      if (element[field].is_number_integer()) {
        char* end = nullptr;
        long long n = std::strtoll(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0') return InvalidArgument(path + ": must be a whole number");
        el[field] = n;
      } else {
        el[field] = value;
      }
      (*out)[array_name] = array;
      return Patch(request, patch);
    }
    if (!cur_shape->is_object() || !cur_shape->contains(part))
      return InvalidArgument("unknown field \"" + path + "\"");
    const json& want = (*cur_shape)[part];
    cur_value = cur_value && cur_value->is_object() && cur_value->contains(part) ? &(*cur_value)[part] : nullptr;
    if (i + 1 == parts.size()) {
      if (want.is_array()) {
        json list = json::array();
        size_t p = 0;
        while (p <= value.size()) {
          size_t comma = value.find(',', p);
          if (comma == std::string::npos) comma = value.size();
          std::string item = value.substr(p, comma - p);
          size_t b = item.find_first_not_of(' '), e = item.find_last_not_of(' ');
          if (b != std::string::npos) list.push_back(item.substr(b, e - b + 1));
          p = comma + 1;
        }
        if (part == "offences" || part == "identifiers")
          return InvalidArgument(path + ": set its elements, e.g. " + part + "/+/" + (part == "offences" ? "description" : "value"));
        (*out)[part] = list;
      } else if (want.is_null() || want.is_boolean()) {
        if (value == "yes" || value == "true") (*out)[part] = true;
        else if (value == "no" || value == "false") (*out)[part] = false;
        else if (value.empty()) (*out)[part] = nullptr;
        else return InvalidArgument(path + ": yes or no");
      } else if (want.is_number_integer()) {
        char* end = nullptr;
        long long n = std::strtoll(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0') return InvalidArgument(path + ": must be a whole number");
        (*out)[part] = n;
      } else if (want.is_object()) {
        return InvalidArgument(path + ": name one of its fields, e.g. " + path + "/" + want.begin().key());
      } else {
        (*out)[part] = value;
      }
      return Patch(request, patch);
    }
    if (want.is_object()) {
      (*out)[part] = json::object();
      out = &(*out)[part];
    }
    cur_shape = &want;
  }
  return InvalidArgument("unknown field \"" + path + "\"");
}

std::optional<int64_t> ParseUtc(const std::string& text) {
  int y, mo, d, h, mi, s;
  char rest[16] = {0};
  if (text.size() < 20 || std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%15s", &y, &mo, &d, &h, &mi, &s, rest) != 7)
    return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[mo - 1] + (mo == 2 && leap ? 1 : 0)) return std::nullopt;
  std::string tail(rest);
  int64_t offset = 0;
  if (!tail.empty() && tail[0] == '.') {  // fractions of a second
    size_t k = 1;
    while (k < tail.size() && tail[k] >= '0' && tail[k] <= '9') ++k;
    tail = tail.substr(k);
  }
  if (tail == "Z") {
    offset = 0;
  } else if (tail.size() == 6 && (tail[0] == '+' || tail[0] == '-') && tail[3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(tail.c_str() + 1, "%2d:%2d", &oh, &om) != 2 || oh > 23 || om > 59) return std::nullopt;
    offset = (tail[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  int yy = y - (mo <= 2);
  const int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  const unsigned yoe = unsigned(yy - era * 400);
  const unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + int64_t(doe) - 719468;
  return days * 86400 + h * 3600 + mi * 60 + s - offset;
}

std::string FormatUtc(int64_t seconds) {
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int64_t rem = seconds - days * 86400;
  // Howard Hinnant's civil_from_days.
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = unsigned(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = int64_t(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  char buf[64];  // room for any int64 year, so the compiler can prove no truncation
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)(y + (m <= 2)), m, d,
                int(rem / 3600), int(rem % 3600 / 60), int(rem % 60));
  return buf;
}

std::optional<int64_t> ParseDuration(const std::string& text) {
  if (text.size() < 2) return std::nullopt;
  char unit = text.back();
  char* end = nullptr;
  long long n = std::strtoll(text.c_str(), &end, 10);
  if (end != text.c_str() + text.size() - 1 || n < 0 || n > 100000) return std::nullopt;
  switch (unit) {
    case 'm': return n * 60;
    case 'h': return n * 3600;
    case 'd': return n * 86400;
    case 'w': return n * 7 * 86400;
    default: return std::nullopt;
  }
}

std::optional<Clock> ClockOf(const json& r) {
  const std::string type = Text(r, "type");
  const std::vector<std::string> bases = Strings(r, "legal_basis");
  const bool emergency = !Text(r.contains("emergency") ? r["emergency"] : json::object(), "facts").empty();
  int64_t days = r.contains("period_days") && r["period_days"].is_number_integer() ? r["period_days"].get<int64_t>() : 0;
  if (type == "preservation") {
    if (Has(bases, "us-2703f")) return Clock{90 * 86400, 0, "preservation expires (18 USC 2703(f): 90 days)"};
    return Clock{std::max<int64_t>(days, 60) * 86400, 0,
                 "preservation expires (Budapest Art. 29(7): at least 60 days)"};
  }
  if (type == "epoc-pr") return Clock{60 * 86400, 0, "preservation expires (EPOC-PR: 60 days)"};
  if (type == "epoc")
    return emergency ? Clock{8 * 3600, 0, "answer due (EPOC emergency: 8 hours)"}
                     : Clock{10 * 86400, 0, "answer due (EPOC: 10 days)"};
  std::string deadline = Text(r, "deadline");
  if (!deadline.empty()) {
    std::optional<int64_t> d = ParseUtc(deadline + "T23:59:59Z");
    if (d) return Clock{0, *d, "answer asked by " + deadline};
  }
  if (type == "emergency") return Clock{8 * 3600, 0, "answer expected (emergency disclosure: hours; 8 hours)"};
  return std::nullopt;
}

Clock ExtensionOf(const json& r) {
  const std::vector<std::string> bases = Strings(r, "legal_basis");
  if (Text(r, "type") == "epoc-pr") return Clock{30 * 86400, 0, "EPOC-PR extension: 30 days"};
  if (Has(bases, "us-2703f")) return Clock{90 * 86400, 0, "18 USC 2703(f) renewal: 90 days"};
  return Clock{60 * 86400, 0, "Budapest Art. 29(7) extension: 60 days"};
}

}  // namespace evidex::coop
