#include "server/api.h"

namespace evidex::server {

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
