// Store logic both back ends share (store_common.h).
#include "store/store_common.h"

#include <algorithm>
#include <tuple>

namespace evidex::store {

Status CheckChainEndOf(const Case& c, const std::optional<vault::CustodyRecord>& last,
                       const std::optional<vault::CustodyHead>& head,
                       const vault::PublicKey& signer, const std::vector<KnownKey>& known) {
  std::vector<vault::PublicKey> trusted{signer};
  for (const KnownKey& k : known)
    if (Result<vault::PublicKey> pk = vault::PublicKey::Parse(k.public_key); pk.ok())
      trusted.push_back(*pk);
  auto is_trusted = [&](const vault::PublicKey& pk) {
    return std::find(trusted.begin(), trusted.end(), pk) != trusted.end();
  };
  const std::optional<vault::CustodyRecord>& r = last;
  const std::optional<vault::CustodyHead>& h = head;
  bool consistent = !r ? !h
                       : h && h->seq == r->seq && h->hash == r->hash && h->case_uuid == c.uuid &&
                             r->ComputeHash() == r->hash && vault::VerifyHead(*h, is_trusted);
  if (!consistent)
    return Corrupt("the custody chain of case " + c.number +
                   " does not end at its signed head; nothing was recorded (run 'evidex "
                   "custody verify " +
                   c.number + "')");
  return Status::Ok();
}

Status NewerSchema(int version) {
  return Unsupported("this workspace was written by a newer evidex (schema " +
                     std::to_string(version) + "; this one reads up to " +
                     std::to_string(kSchemaVersion) + ")");
}

Status CheckNewCoopRequest(const CoopRequest& request, const CoopEvent& created) {
  if (request.state != "draft")
    return InvalidArgument("a new cooperation request is a draft, not '" + request.state + "'");
  if (!created.state.empty() && created.state != "draft")
    return InvalidArgument("a new cooperation request's first event enters 'draft', not '" +
                           created.state + "'");
  return Status::Ok();
}

Status CoopStateMismatch(int64_t id, const std::optional<std::string>& actual,
                         const std::string& expected) {
  if (!actual) return NotFound("no cooperation request with id " + std::to_string(id));
  return InvalidArgument("request " + std::to_string(id) + " is " + *actual + ", not " + expected);
}

std::string DumpCustodyDetails(const nlohmann::json& details) {
  return details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json ParseCustodyDetails(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return {{"unparsable", text}};
  return j;
}

bool AllDigits(const std::string& s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string EffectiveListingStatus(const FileListing& listing, const std::string& now) {
  ScanRecord as_scan;
  as_scan.status = listing.status;
  as_scan.updated = listing.updated;
  return EffectiveScanStatus(as_scan, now);
}

std::string DumpTags(const std::vector<std::string>& tags) {
  return nlohmann::json(tags).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> ParseTags(const std::string& text) {
  std::vector<std::string> out;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) return out;
  for (const nlohmann::json& t : j)
    if (t.is_string()) out.push_back(t.get<std::string>());
  return out;
}

bool IsAlertFile(const FileIn& file) {
  return std::any_of(file.matches.begin(), file.matches.end(),
                     [](const FileSetMatch& m) { return m.category == "alert"; });
}

const char* HashColumn(const std::string& hash) {
  switch (hash.size()) {
    case 32:
      return "md5";
    case 40:
      return "sha1";
    case 64:
      return "sha256";
    default:
      return "";
  }
}

std::string Lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return s;
}

std::vector<FileAlert> OrderAlerts(std::vector<NumberedAlert> alerts) {
  auto rank = [](const std::string& kind) {
    return kind == "hashset" ? 0 : kind == "yara" ? 1 : 2;
  };
  std::stable_sort(
      alerts.begin(), alerts.end(), [&](const NumberedAlert& a, const NumberedAlert& b) {
        return std::make_tuple(a.alert.case_id, a.evidence_number, rank(a.alert.kind)) <
               std::make_tuple(b.alert.case_id, b.evidence_number, rank(b.alert.kind));
      });
  std::vector<FileAlert> out;
  out.reserve(alerts.size());
  for (NumberedAlert& a : alerts) out.push_back(std::move(a.alert));
  return out;
}

size_t ApproximateSize(const FileIn& in) {
  const StoredFile& f = in.file;
  size_t n = sizeof(FileIn) + f.fs.size() + f.path.size() + f.type.size() + f.md5.size() +
             f.sha1.size() + f.sha256.size() + f.mime.size() + f.ssdeep.size() + f.tlsh.size() +
             f.error.size();
  for (const FileSetMatch& m : in.matches)
    n += sizeof m + m.set.size() + m.category.size() + m.label.size();
  for (const YaraMatchRecord& y : in.yara) {
    n += sizeof y + y.rule.size() + y.ns.size() + y.meta.size() + y.strings.size();
    for (const std::string& t : y.tags) n += sizeof t + t.size();
  }
  return n;
}

const char* RoleName(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "admin";
    case Role::kExaminer:
      return "examiner";
    case Role::kInvestigator:
      return "investigator";
    case Role::kProsecutor:
      return "prosecutor";
    case Role::kViewer:
      return "viewer";
  }
  return "viewer";
}

std::optional<Role> ParseRole(const std::string& name) {
  for (Role r : {Role::kAdmin, Role::kExaminer, Role::kInvestigator, Role::kProsecutor,
                 Role::kViewer})
    if (name == RoleName(r)) return r;
  return std::nullopt;
}

}  // namespace evidex::store
