// The checks of an evidence package (package.h), on what the reader's one pass collected
// (package_internal::Scan), in the order a person reads them: format, signature, certificates,
// sums, each evidence item, manifest, custody chain, agreement of custody and manifest.
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "vault/custody.h"
#include "vault/package.h"
#include "vault/package_format.h"
#include "vault/package_internal.h"
#include "vault/uco.h"

namespace evidex::vault::package_internal {

namespace pf = package_format;
using nlohmann::json;

namespace {

const Member* Find(const Scan& s, const std::string& name) {
  auto it = s.index.find(name);
  return it == s.index.end() ? nullptr : &s.members[it->second];
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

bool ParseEvidence(const json& e, PackageEvidence* p) {
  if (!e.is_object() || Str(e, "uuid").empty() || !e.value("size", json()).is_number_unsigned() ||
      !IsHex(Str(e, "md5"), 32) || !IsHex(Str(e, "sha1"), 40) || !IsHex(Str(e, "sha256"), 64))
    return false;
  p->uuid = Str(e, "uuid");
  p->label = Str(e, "label");
  p->number = Str(e, "number");
  p->description = Str(e, "description");
  p->mode = Str(e, "mode");
  p->size = e["size"].get<uint64_t>();
  p->digests = {Str(e, "md5"), Str(e, "sha1"), Str(e, "sha256")};
  p->acquired_started = Str(e, "acquired_started");
  p->acquired_finished = Str(e, "acquired_finished");
  p->examiner = Str(e, "examiner");
  const std::string data = Str(e, "data");
  if (data == "raw")
    p->data = EvidenceData::kRaw;
  else if (data == "e01")
    p->data = EvidenceData::kE01;
  else if (data == "none")
    p->data = EvidenceData::kNone;
  else
    return false;
  if (p->data == EvidenceData::kNone) return Str(e, "member").empty();
  p->member = Str(e, "member");
  if (p->member != EvidenceMemberName(*p)) return false;
  const json& seg = e.value("segments", json());
  const json& msize = e.value("member_size", json());
  if (!seg.is_number_unsigned() || !msize.is_number_unsigned() || seg.get<uint64_t>() > 10000)
    return false;
  p->segments = int(seg.get<uint64_t>());
  p->member_size = msize.get<uint64_t>();
  if (p->segments < 1 || (p->data == EvidenceData::kRaw && p->segments != 1)) return false;
  return true;
}

namespace {

// Parses SHA256SUMS strictly: "<64 hex>  <name>\n" (or " *<name>"), names unique.
bool ParseSums(const std::string& text, std::vector<std::pair<std::string, std::string>>* out,
               std::string* error) {
  std::istringstream in(text);
  std::string line;
  std::set<std::string> seen;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.size() < 67 || !IsHex(line.substr(0, 64), 64) || line[64] != ' ' ||
        (line[65] != ' ' && line[65] != '*')) {
      *error = "line " + std::to_string(n) + " is not \"<sha256>  <name>\"";
      return false;
    }
    std::string name = line.substr(66);
    if (!seen.insert(name).second) {
      *error = name + " is listed twice";
      return false;
    }
    out->emplace_back(name, line.substr(0, 64));
  }
  if (!text.empty() && text.back() != '\n') {
    *error = "the last line is not terminated";
    return false;
  }
  return true;
}

std::string Join(const std::vector<std::string>& v, size_t max = 3) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < max; ++i) s += (i ? ", " : "") + v[i];
  if (v.size() > max) s += " and " + std::to_string(v.size() - max) + " more";
  return s;
}

class Checker {
 public:
  Checker(const Scan& scan, const VerifyOptions& options, PackageReport* report)
      : scan_(scan), options_(options), r_(report) {}
  void Run();

 private:
  void Ok(const std::string& name, const std::string& message) {
    r_->checks.push_back({name, PackageCheck::State::kOk, message});
  }
  void Fail(const std::string& name, const std::string& message) {
    r_->checks.push_back({name, PackageCheck::State::kFailed, message});
  }
  void Skip(const std::string& name, const std::string& message) {
    r_->checks.push_back({name, PackageCheck::State::kSkipped, message});
  }
  bool Format();
  void Signatures();
  void Sums();
  void Evidence();
  void Manifest();
  void Custody();
  void Agreement();

  const Scan& scan_;
  const VerifyOptions& options_;
  PackageReport* r_;
  json pkg_;
  std::vector<std::pair<std::string, std::string>> sums_;
  bool sums_ok_ = false;
  std::string records_member_, head_member_;
};

bool Checker::Format() {
  const Member* m = Find(scan_, pf::kPackageJson);
  if (m == nullptr) {
    Fail("format", "package.json is missing: this is not an evidex package");
    return false;
  }
  pkg_ = json::parse(m->content, nullptr, false);
  if (!pkg_.is_object() || Str(pkg_, "format") != pf::kFormat) {
    Fail("format", "package.json is not an evidex package description");
    return false;
  }
  if (!pkg_.value("version", json()).is_number_integer()) {
    Fail("format", "package.json has no format version");
    return false;
  }
  const int64_t version = pkg_["version"].get<int64_t>();
  if (version < 1 || version > pf::kVersion) {
    Fail("format", "package format version " + std::to_string(version) +
                       " is not one this evidex reads (1.." + std::to_string(pf::kVersion) + ")");
    return false;
  }
  r_->version = int(version);
  r_->created = Str(pkg_, "created");
  r_->tool = Str(pkg_, "tool");
  const json unit = pkg_.value("unit", json::object());
  if (unit.is_object()) {
    r_->unit.name = Str(unit, "name");
    r_->unit.country = Str(unit, "country");
  }
  r_->packaged_by = Str(pkg_, "packaged_by");
  r_->recipient = Str(pkg_, "recipient");
  r_->data_included = pkg_.value("data_included", json()) == true;
  const json c = pkg_.value("case", json());
  if (!c.is_object() || Str(c, "uuid").empty()) {
    Fail("format", "package.json names no case");
    return false;
  }
  r_->case_info = {Str(c, "uuid"),    Str(c, "number"),   Str(c, "title"),
                   Str(c, "offence"), Str(c, "examiner"), Str(c, "created")};
  const json ev = pkg_.value("evidence", json());
  if (!ev.is_array() || ev.empty()) {
    Fail("format", "package.json lists no evidence");
    return false;
  }
  for (const json& e : ev) {
    PackageEvidence p;
    if (!ParseEvidence(e, &p)) {
      Fail("format", "package.json has a malformed evidence entry");
      return false;
    }
    r_->evidence.push_back(std::move(p));
  }
  Result<PublicKey> key = PublicKey::Parse(Str(pkg_, "key"));
  if (!key.ok()) {
    Fail("format", "package.json has no valid signing key");
    return false;
  }
  r_->signer = *key;
  const json rs = pkg_.value("record_signers", json::array());
  if (rs.is_array()) {
    for (const json& k : rs) {
      Result<PublicKey> pk = PublicKey::Parse(k.is_string() ? k.get<std::string>() : "");
      if (pk.ok()) r_->record_signers.push_back(*pk);
    }
  }
  const json cu = pkg_.value("custody", json());
  records_member_ = cu.is_object() ? Str(cu, "records") : "";
  head_member_ = cu.is_object() ? Str(cu, "head") : "";
  const std::string want_records = pf::kCustodyDir + r_->case_info.uuid + pf::kRecordsSuffix;
  const std::string want_head = pf::kCustodyDir + r_->case_info.uuid + pf::kHeadSuffix;
  if (records_member_ != want_records || head_member_ != want_head) {
    Fail("format", "package.json does not name the custody files of case " + r_->case_info.uuid);
    return false;
  }
  Ok("format", "evidex package version " + std::to_string(r_->version) + ", created " +
                   r_->created + " by " + r_->unit.name +
                   (r_->unit.country.empty() ? "" : " (" + r_->unit.country + ")"));
  return true;
}

void Checker::Signatures() {
  const Member* sig = Find(scan_, pf::kSignature);
  const Member* sums = Find(scan_, pf::kSums);
  if (sig == nullptr || sums == nullptr) {
    Fail("signature", std::string(sig ? pf::kSums : pf::kSignature) + " is missing");
    return;
  }
  r_->digest = sums->digests.sha256;
  json j = json::parse(sig->content, nullptr, false);
  if (!j.is_object() || Str(j, "format") != pf::kSignatureFormat) {
    Fail("signature", "SIGNATURE is not an evidex package signature");
    return;
  }
  Result<PublicKey> signer = PublicKey::Parse(Str(j, "signer"));
  Result<Signature> s = ParseSignatureHex(Str(j, "signature"));
  if (!signer.ok() || !s.ok()) {
    Fail("signature", "SIGNATURE is malformed");
    return;
  }
  if (r_->signer && !(*signer == *r_->signer)) {
    Fail("signature",
         "SIGNATURE is by " + signer->Text() + " but package.json names " + r_->signer->Text());
    return;
  }
  const Member* pub = Find(scan_, pf::kUnitPub);
  if (pub == nullptr) {
    Fail("signature", "unit.pub is missing");
    return;
  }
  Result<PublicKey> unit_pub =
      PublicKey::Parse(pub->content.size() && pub->content.back() == '\n'
                           ? pub->content.substr(0, pub->content.size() - 1)
                           : pub->content);
  if (!unit_pub.ok() || !(*unit_pub == *signer)) {
    Fail("signature", "unit.pub does not hold the signing key " + signer->Text());
    return;
  }
  if (options_.expected_key && !(*signer == *options_.expected_key)) {
    Fail("signature", "signed by " + signer->Text() + " (fingerprint " + signer->Fingerprint() +
                          "), not by the expected key " + options_.expected_key->Text());
    return;
  }
  if (!VerifySignature(*signer, sums->content, *s)) {
    Fail("signature",
         "the signature over SHA256SUMS does not verify: the package was altered "
         "after it was signed");
    return;
  }
  std::string how = options_.expected_key ? "the expected key" : "the key it carries";
  Ok("signature", "SHA256SUMS signed by " + how + " " + signer->Text() + " (fingerprint " +
                      signer->Fingerprint() + ")");

  // The certificates.
  std::string message = std::string(pf::kCertificateContext) + sums->digests.sha256 + "\n";
  std::vector<std::string> problems;
  const json certs = j.value("certificates", json::object());
  for (const char* name : {pf::kCertificateHtml, pf::kCertificatePdf}) {
    const Member* c = Find(scan_, name);
    std::string listed = certs.is_object() ? Str(certs, name) : "";
    if (c == nullptr)
      problems.push_back(std::string(name) + " is missing");
    else if (c->digests.sha256 != listed)
      problems.push_back(std::string(name) + " was changed");
    message += listed + "  " + name + "\n";
  }
  Result<Signature> cs = ParseSignatureHex(Str(j, "certificates_signature"));
  if (!cs.ok() || !VerifySignature(*signer, message, *cs))
    problems.push_back("their signature does not verify");
  if (problems.empty())
    Ok("certificates", "certificate.html and certificate.pdf as signed");
  else
    Fail("certificates", Join(problems));
}

void Checker::Sums() {
  const Member* sums = Find(scan_, pf::kSums);
  if (sums == nullptr) {
    Fail("sums", "SHA256SUMS is missing");
    return;
  }
  std::string error;
  if (!ParseSums(sums->content, &sums_, &error)) {
    Fail("sums", "SHA256SUMS is malformed: " + error);
    return;
  }
  std::vector<std::string> changed, missing, extra;
  std::set<std::string> listed;
  for (const auto& [name, hash] : sums_) {
    listed.insert(name);
    const Member* m = Find(scan_, name);
    if (m == nullptr)
      missing.push_back(name);
    else if (m->digests.sha256 != hash)
      changed.push_back(name);
  }
  for (const Member& m : scan_.members) {
    if (m.name == pf::kSums || m.name == pf::kSignature || m.name == pf::kCertificateHtml ||
        m.name == pf::kCertificatePdf)
      continue;
    if (!listed.count(m.name)) extra.push_back(m.name);
  }
  // The content members package.json promises must be listed.
  std::set<std::string> required = {pf::kPackageJson, pf::kManifest, pf::kUnitPub};
  if (!records_member_.empty()) required.insert(records_member_);
  if (!head_member_.empty()) required.insert(head_member_);
  for (const PackageEvidence& e : r_->evidence)
    for (const std::string& member : EvidenceMembers(e)) required.insert(member);
  for (const std::string& name : required)
    if (!listed.count(name) && !Find(scan_, name)) missing.push_back(name);
  for (const std::string& name : required)
    if (!listed.count(name) && Find(scan_, name)) extra.push_back(name + " (not listed)");
  std::vector<std::string> problems;
  if (!changed.empty()) problems.push_back("changed: " + Join(changed));
  if (!missing.empty()) problems.push_back("missing: " + Join(missing));
  if (!extra.empty()) problems.push_back("not listed: " + Join(extra));
  if (problems.empty()) {
    sums_ok_ = true;
    Ok("sums", std::to_string(sums_.size()) + " files match SHA256SUMS (package digest " +
                   sums->digests.sha256 + ")");
  } else {
    std::string msg;
    for (const std::string& p : problems) msg += (msg.empty() ? "" : "; ") + p;
    Fail("sums", msg);
  }
}

void Checker::Evidence() {
  for (PackageEvidence& e : r_->evidence) {
    const std::string name = "evidence " + e.label;
    if (e.member.empty()) {
      Skip(name, "bytes not included in this package (hashes only): SHA-256 " + e.digests.sha256);
      continue;
    }
    std::vector<std::string> missing;
    uint64_t total = 0;
    for (const std::string& member : EvidenceMembers(e)) {
      const Member* m = Find(scan_, member);
      if (m == nullptr)
        missing.push_back(member);
      else
        total += m->size;
    }
    if (!missing.empty()) {
      Fail(name, Join(missing) + " missing from the package");
      continue;
    }
    if (total != e.member_size) {
      Fail(name, e.member + " holds " + std::to_string(total) + " bytes, package.json says " +
                     std::to_string(e.member_size));
      continue;
    }
    if (e.data == EvidenceData::kRaw) {
      const Member* m = Find(scan_, e.member);
      e.member_digests = m->digests;
      std::vector<std::string> bad;
      if (m->size != e.size) bad.push_back("size");
      if (m->digests.md5 != e.digests.md5) bad.push_back("MD5");
      if (m->digests.sha1 != e.digests.sha1) bad.push_back("SHA-1");
      if (m->digests.sha256 != e.digests.sha256) bad.push_back("SHA-256");
      if (bad.empty())
        Ok(name,
           "MD5, SHA-1 and SHA-256 of " + std::to_string(m->size) + " bytes match the acquisition");
      else
        Fail(name, "the bytes do not match the acquisition (" + Join(bad, 4) + " differ; SHA-256 " +
                       m->digests.sha256 + ", recorded " + e.digests.sha256 + ")");
    } else {
      // An E01 is a compressed container: its own bytes are covered by SHA256SUMS; the media
      // hashes need libewf on the files (receive does it, and so does `ewfverify`).
      std::map<std::string, std::string> listed(sums_.begin(), sums_.end());
      std::vector<std::string> bad;
      for (const std::string& member : EvidenceMembers(e))
        if (listed[member] != Find(scan_, member)->digests.sha256) bad.push_back(member);
      if (bad.empty())
        Ok(name, "E01 set of " + std::to_string(e.segments) + " segment(s) intact (" +
                     std::to_string(total) +
                     " bytes as signed); media hashes are checked on receive or with ewfverify");
      else
        Fail(name, "E01 segments do not match SHA256SUMS: " + Join(bad));
    }
  }
}

void Checker::Manifest() {
  const Member* m = Find(scan_, pf::kManifest);
  if (m == nullptr) {
    Fail("manifest", "manifest.jsonld is missing");
    return;
  }
  json j = json::parse(m->content, nullptr, false);
  if (j.is_discarded()) {
    Fail("manifest", "manifest.jsonld is not JSON");
    return;
  }
  Result<std::vector<UcoEvidence>> uco = ReadUcoEvidence(j);
  if (!uco.ok()) {
    Fail("manifest", uco.status().message());
    return;
  }
  std::map<std::string, const UcoEvidence*> by_uuid;
  for (const UcoEvidence& u : *uco) by_uuid[u.uuid] = &u;
  std::vector<std::string> problems;
  for (const PackageEvidence& e : r_->evidence) {
    auto it = by_uuid.find(e.uuid);
    if (it == by_uuid.end()) {
      problems.push_back(e.label + " is not in the manifest");
      continue;
    }
    if (it->second->size != e.size || !(it->second->digests == e.digests))
      problems.push_back(e.label + " has other hashes in the manifest");
    by_uuid.erase(it);
  }
  for (const auto& [uuid, u] : by_uuid)
    problems.push_back("the manifest lists unknown evidence " + uuid);
  if (problems.empty())
    Ok("manifest", "CASE/UCO manifest lists the " + std::to_string(r_->evidence.size()) +
                       " items with the same hashes");
  else
    Fail("manifest", Join(problems));
}

void Checker::Custody() {
  const Member* rec = Find(scan_, records_member_);
  const Member* head = Find(scan_, head_member_);
  if (rec == nullptr || head == nullptr) {
    Fail("custody", (rec ? head_member_ : records_member_) + " is missing");
    return;
  }
  std::istringstream in(rec->content);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    json j = json::parse(line, nullptr, false);
    Result<CustodyRecord> r = CustodyRecord::FromJson(j);
    if (!r.ok()) {
      Fail("custody", "line " + std::to_string(n) + " of " + records_member_ + ": " +
                          (j.is_discarded() ? std::string("not JSON") : r.status().message()));
      return;
    }
    if (r->case_uuid != r_->case_info.uuid) {
      Fail("custody", "record on line " + std::to_string(n) + " belongs to another case");
      return;
    }
    r_->custody.push_back(std::move(*r));
  }
  json hj = json::parse(head->content, nullptr, false);
  Result<CustodyHead> h = CustodyHead::FromJson(hj);
  if (!h.ok()) {
    Fail("custody", head_member_ + ": " + h.status().message());
    return;
  }
  if (h->case_uuid != r_->case_info.uuid) {
    Fail("custody", "the chain head belongs to another case");
    return;
  }
  r_->head = *h;
  if (r_->custody.empty()) {
    Fail("custody", "the package holds no custody records");
    return;
  }
  std::set<std::string> vouched;
  if (r_->signer) vouched.insert(r_->signer->Text());
  for (const PublicKey& k : r_->record_signers) vouched.insert(k.Text());
  ChainReport report = VerifyChain(r_->custody, r_->head,
                                   [&](const PublicKey& k) { return vouched.count(k.Text()) > 0; });
  if (!report.ok()) {
    Fail("custody",
         report.problems.front().message +
             (report.problems.size() == 2 ? " (and 1 more problem)"
              : report.problems.size() > 2
                  ? " (and " + std::to_string(report.problems.size() - 1) + " more problems)"
                  : ""));
    return;
  }
  if (r_->signer && h->signer != r_->signer->Text()) {
    Fail("custody", "the chain head is not signed by the package's signer");
    return;
  }
  Ok("custody",
     std::to_string(report.records) + " records, hash chain, signatures and head intact");
}

void Checker::Agreement() {
  // The custody records that acquired each item must carry the same hashes as the manifest.
  std::vector<std::string> problems;
  size_t compared = 0;
  for (const PackageEvidence& e : r_->evidence) {
    bool found = false;
    for (const CustodyRecord& r : r_->custody) {
      if (r.evidence != e.uuid || r.action != "acquired") continue;
      found = true;
      const json& d = r.details;
      for (const auto& [key, want] : std::vector<std::pair<const char*, std::string>>{
               {"md5", e.digests.md5}, {"sha1", e.digests.sha1}, {"sha256", e.digests.sha256}}) {
        std::string got = Str(d, key);
        if (got.empty() && d.contains("hashes") && d["hashes"].is_object())
          got = Str(d["hashes"], key);
        if (got.empty()) continue;
        ++compared;
        if (got != want)
          problems.push_back(e.label + ": record " + std::to_string(r.seq) + " has " + key + " " +
                             got);
      }
      if (d.value("size", json()).is_number_unsigned() && d["size"].get<uint64_t>() != e.size)
        problems.push_back(e.label + ": record " + std::to_string(r.seq) + " has another size");
    }
    if (!found) problems.push_back(e.label + " has no \"acquired\" custody record");
  }
  if (!problems.empty())
    Fail("agreement", Join(problems));
  else if (compared == 0)
    Fail("agreement", "the acquisition records carry no hashes to compare");
  else
    Ok("agreement", "custody records and manifest agree on the evidence hashes");
}

void Checker::Run() {
  if (!Format()) return;
  Signatures();
  Sums();
  Evidence();
  Manifest();
  Custody();
  Agreement();
}

}  // namespace

void RunChecks(const Scan& scan, const VerifyOptions& options, PackageReport* report) {
  Checker(scan, options, report).Run();
}

}  // namespace evidex::vault::package_internal
