#include "server/api.h"

namespace evidex::server {
namespace {

// What the custody records say of the evidence's last verification.
nlohmann::json Verification(const store::Evidence& e,
                            const std::vector<vault::CustodyRecord>& records) {
  nlohmann::json v = {{"state", "never"}, {"time", nullptr}};
  for (const vault::CustodyRecord& r : records) {
    bool mine = r.evidence == e.uuid;
    if (!mine && r.action == "verified" && r.details.contains("evidence") &&
        r.details["evidence"].is_array())
      for (const nlohmann::json& item : r.details["evidence"])
        if (item.is_object() && item.value("evidence", "") == e.uuid) mine = true;
    if (!mine) continue;
    if (r.action == "verified") v = {{"state", "verified"}, {"time", r.time}};
    if (r.action == "verification-failed") v = {{"state", "failed"}, {"time", r.time}};
  }
  return v;
}

}  // namespace

nlohmann::json EvidenceJson(const store::Evidence& e,
                            const std::vector<vault::CustodyRecord>& records) {
  return {{"id", e.id},
          {"name", e.Name()},
          {"uuid", e.uuid},
          {"label", e.label},
          {"mode", e.mode},
          {"size", e.size},
          {"md5", e.md5},
          {"sha1", e.sha1},
          {"sha256", e.sha256},
          {"state", store::StateName(e.state)},
          {"source_description", e.source_description},
          {"device_model", e.device_model},
          {"device_serial", e.device_serial},
          {"started", e.started},
          {"finished", e.finished},
          {"examiner", e.examiner},
          {"bad_sectors", e.bad_sectors},
          {"verification", Verification(e, records)}};
}

nlohmann::json CaseJson(const store::Case& c, uint64_t evidence_count) {
  return {{"id", c.id},           {"uuid", c.uuid},       {"number", c.number},
          {"title", c.title},     {"offence", c.offence}, {"examiner", c.examiner},
          {"created", c.created}, {"status", c.status},   {"evidence_count", evidence_count}};
}

nlohmann::json ScanJson(const store::ScanRecord& s, const std::string& evidence_name,
                        const std::string& now) {
  return {{"id", s.id},
          {"evidence", evidence_name},
          {"status", store::EffectiveScanStatus(s, now)},
          {"started", s.started},
          {"finished", s.finished},
          {"bytes_total", s.bytes_total},
          {"bytes_done", s.bytes_done},
          {"occurrences", s.occurrences},
          {"artifacts", s.artifacts},
          {"error", s.error}};
}

nlohmann::json ArtifactJson(const store::Artifact& a, store::Role role) {
  return {{"id", a.id},
          {"kind", a.kind},
          {"value", VisibleValue(role, a.kind, a.value)},
          {"cases", a.cases},
          {"occurrences", a.occurrences}};
}

nlohmann::json SightingJson(const store::Sighting& s) {
  return {{"case", s.case_id},
          {"case_number", s.case_number},
          {"evidence", s.evidence_id},
          {"evidence_name", s.evidence_name},
          {"evidence_label", s.evidence_label},
          {"occurrences", s.occurrences}};
}

}  // namespace evidex::server
