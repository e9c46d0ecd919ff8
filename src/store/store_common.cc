// Store logic both back ends share (store_common.h).
#include "store/store_common.h"

#include <algorithm>

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

}  // namespace evidex::store
