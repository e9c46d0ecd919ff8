// Cooperation requests: what each type must say, the check that refuses an incomplete one, and
// the clocks that run once it is sent (../shared/COOPERATION.md; docs/FORMATS.md, "Cooperation
// requests").
//
// A request is a JSON document (its fields below); the store keeps it (store::CoopRequest.doc) and
// src/coop/service.h moves it through its life. Types:
//   preservation  expedited preservation of stored data (Budapest Art. 29/30; T-CY(2018)11)
//   emergency     emergency disclosure: the preservation fields plus the emergency annex
//   mla           mutual legal assistance for stored data (Art. 31; T-CY(2018)10)
//   epoc          EU European Production Order Certificate (Regulation 2023/1543)
//   epoc-pr       EU European Preservation Order Certificate
//
// Fields (every type has all; Check says which each type needs):
//   type, language ("en": the requesting side's), target_language ("fr"), reference, date
//   (YYYY-MM-DD), status (new, extension, followup_mla, followup_preservation), earlier_reference
//   addressee {key, country, authority, unit, email, phones[], time_zone, kind (247,
//     central_authority, provider)}
//   requesting {organisation, country, officer, address, phone, email, hours, time_zone,
//     reply_channel}; confirmation_contact; operational_authority
//   case {number, title, court, case_numbers[], related_decisions}
//   legal_basis[] (directory.h KnownLegalBases), domestic_grounds
//   offences[] {description, provisions, penalty}; summary; relationship
//   identifiers[] {artifact (id in the case, 0: typed in), kind, value, category (subscriber,
//     identification, traffic, content), observed (YYYY-MM-DDTHH:MM:SS, local to time_zone),
//     time_zone (IANA), port, from, to (YYYY-MM-DD or date-time)}
//   provider {name, address, reason}; necessity; retention
//   mla_follows (true/false), mla_planned_date; traffic_path (Art. 30); no_notification
//   (true/false); confidentiality; period_days
//   urgency; deadline; other_means; delivery_form; authenticity; chain_of_custody
//   emergency {facts, link}; validated_by (EPOC: the judge or prosecutor who validated)
//   earlier_preservation {date, reference, authority, channel}; earlier_mla {same}
//
// Thread safety: free functions.
#ifndef EVIDEX_COOP_REQUEST_H_
#define EVIDEX_COOP_REQUEST_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "coop/docs/translations.h"
#include "core/status.h"

namespace evidex::coop {

const std::vector<std::string>& RequestTypes();    // preservation, emergency, mla, epoc, epoc-pr
const std::vector<std::string>& DataCategories();  // subscriber, identification, traffic, content
bool IsRequestType(const std::string& type);

// A new request document of `type` with every field present and empty.
nlohmann::json EmptyRequest(const std::string& type);

// One missing or inconsistent field: `field` is its path ("identifiers/0/port"); `code` names the
// rule ("identifier.port_missing"): its sentence is the key "problem.<code>" of the request
// translations (coop/docs/i18n), with `{name}` replaced by `args`; `message` is that sentence in
// English, written so a 24/7 officer understands it.
struct Problem {
  std::string field, code;
  std::map<std::string, std::string> args;  // "value", "n" (identifier number, from 1), ...
  std::string message;
};
// The problem's sentence in `lang` (English where the language lacks the text). An identifier's
// problem starts with "Identifier N (value)" in that language.
std::string Describe(const Problem& problem, const Translations& lang);
// Every problem of the request for its type and legal basis. `today` (YYYY-MM-DD) bounds dates;
// `case_artifacts`, when given, are the artifact ids the case still holds: an identifier taken
// from the case whose artifact is gone is a problem.
std::vector<Problem> Check(const nlohmann::json& request, const std::string& today,
                           const std::vector<int64_t>* case_artifacts = nullptr);

// Merges `patch` into `request` (RFC 7396 JSON merge patch: null removes a field) and refuses
// fields the request does not have and the wrong JSON types, naming the field. `type` cannot
// change.
Status Patch(nlohmann::json* request, const nlohmann::json& patch);

// Sets one field by path ("summary", "requesting/phone", "identifiers/0/port", "legal_basis"
// with a comma-separated list, "mla_follows" with yes/no), `value` converted to the field's type.
Status SetField(nlohmann::json* request, const std::string& path, const std::string& value);

// ---- Clocks (COOPERATION.md, "Deadlines") ----
struct Clock {
  int64_t seconds = 0;  // from the moment the request is sent
  int64_t at = 0;       // or, when not 0, a fixed UTC time (a deadline the request asks for)
  std::string what;     // "preservation expires (Budapest Art. 29(7): at least 60 days)"
  int64_t DueFrom(int64_t sent) const { return at != 0 ? at : sent + seconds; }
};
// The clock a sent request runs; std::nullopt when its type and basis carry none (an MLA request
// without a deadline asked).
std::optional<Clock> ClockOf(const nlohmann::json& request);
// How much an extension adds to a preservation's clock, by its legal basis (US 2703(f) 90 days,
// EPOC-PR 30, Budapest 60), with the rule quoted.
Clock ExtensionOf(const nlohmann::json& request);

// UTC seconds of an RFC 3339 time "YYYY-MM-DDTHH:MM:SSZ" (or with an offset); std::nullopt when
// it is not one. And back, "Z" form.
std::optional<int64_t> ParseUtc(const std::string& text);
std::string FormatUtc(int64_t seconds);
// "7d", "12h", "90m", "2w": seconds; std::nullopt otherwise.
std::optional<int64_t> ParseDuration(const std::string& text);

}  // namespace evidex::coop

#endif  // EVIDEX_COOP_REQUEST_H_
