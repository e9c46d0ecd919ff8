// Verifies an evidence package (package.h): one streaming pass over the tar, every member hashed
// while read, then the checks in the order a person reads them.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <vector>

#include "core/hash.h"
#include "io/source.h"
#include "vault/package.h"
#include "vault/package_format.h"
#include "vault/package_internal.h"
#include "vault/uco.h"

namespace evidex::vault {

namespace pf = package_format;
using package_internal::Digester;
using package_internal::IsHex;
using package_internal::StreamHasher;
using nlohmann::json;

bool PackageReport::ok() const {
  if (checks.empty()) return false;
  for (const PackageCheck& c : checks)
    if (c.state == PackageCheck::State::kFailed) return false;
  return true;
}

std::string PackageReport::FirstFailure() const {
  for (const PackageCheck& c : checks)
    if (c.state == PackageCheck::State::kFailed) return c.name + ": " + c.message;
  return "";
}

json PackageReport::ToJson() const {
  json checks_json = json::array();
  for (const PackageCheck& c : checks) {
    const char* state = c.state == PackageCheck::State::kOk       ? "ok"
                        : c.state == PackageCheck::State::kFailed ? "failed"
                                                                  : "skipped";
    checks_json.push_back(json{{"check", c.name}, {"result", state}, {"message", c.message}});
  }
  json ev = json::array();
  for (const PackageEvidence& e : evidence) {
    ev.push_back(json{{"uuid", e.uuid},
                      {"label", e.label},
                      {"size", e.size},
                      {"md5", e.digests.md5},
                      {"sha1", e.digests.sha1},
                      {"sha256", e.digests.sha256},
                      {"member", e.member}});
  }
  return json{{"package", path},
              {"ok", ok()},
              {"version", version},
              {"created", created},
              {"unit", {{"name", unit.name}, {"country", unit.country}}},
              {"signer", signer ? signer->Text() : ""},
              {"fingerprint", signer ? signer->Fingerprint() : ""},
              {"digest", digest},
              {"data_included", data_included},
              {"case", {{"uuid", case_info.uuid}, {"number", case_info.number}, {"title", case_info.title}}},
              {"evidence", ev},
              {"custody_records", custody.size()},
              {"checks", checks_json}};
}

namespace {

// What one pass over the archive collected.
struct Member {
  std::string name;
  uint64_t size = 0;
  Digests digests;      // sha256 always; md5/sha1 for evidence members
  std::string content;  // small members only
  bool small = false;
};

struct Scan {
  std::vector<Member> members;
  std::map<std::string, size_t> index;  // name → members[i]
  std::string archive_error;            // "" when the archive read to its end
  bool stopped = false;                 // stopped early on purpose (newer version, untrusted signer)
  bool cancelled = false;
  Status sink_error;                    // a sink could not take the bytes (disk full, ...)
  uint64_t bytes = 0;
};

bool IsSmall(const std::string& name) {
  return name.rfind(pf::kEvidenceDir, 0) != 0;
}

// A member name we accept: relative, no "..", no empty parts, printable.
bool SafeName(const std::string& name) {
  if (name.empty() || name.size() > 512 || name[0] == '/') return false;
  std::string part;
  std::istringstream in(name);
  while (std::getline(in, part, '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return false;
  return name.back() != '/';
}

// One evidence entry of package.json; false when malformed.
bool ParseEvidence(const json& e, PackageEvidence* p);

// Writes a member to a file under extract_dir (VerifyOptions::extract_dir).
class FileSink : public MemberSink {
 public:
  FileSink(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~FileSink() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Write(const std::byte* data, size_t size) override {
    while (size > 0) {
      ssize_t w = ::write(fd_, data, size);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return ErrnoStatus("cannot write " + path_, errno);
      data += w;
      size -= size_t(w);
    }
    return Status::Ok();
  }
  Status Finish() override {
    if (::fsync(fd_) != 0) return ErrnoStatus("cannot sync " + path_, errno);
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
};

class Reader {
 public:
  Reader(const std::string& path, const VerifyOptions& options, PackageReport* report)
      : path_(path), options_(options), report_(report) {}

  Scan Run();

 private:
  void Fail(const std::string& name, const std::string& message) {
    report_->checks.push_back({name, PackageCheck::State::kFailed, message});
  }
  // Reads the current entry's data; returns false (archive_error set) on a read error.
  bool ReadData(archive* a, Member& m, Scan& scan, MemberSink* sink);
  // package.json seen: early checks that can stop the pass, and the evidence members' owners.
  bool EarlyChecks(const std::string& content);
  // The sink for an evidence member (nullptr: none); false on error (archive_error set).
  bool SinkFor(const std::string& name, uint64_t size, Scan& scan, MemberSink** sink);

  const std::string& path_;
  const VerifyOptions& options_;
  PackageReport* report_;
  PackageProgress progress_;
  std::vector<PackageEvidence> items_;                     // from package.json
  std::map<std::string, std::pair<size_t, int>> owners_;   // member → (item, segment)
  std::vector<std::unique_ptr<FileSink>> file_sinks_;
};

bool Reader::ReadData(archive* a, Member& m, Scan& scan, MemberSink* sink) {
  const bool small = IsSmall(m.name);
  // Small members: SHA-256 here; evidence: MD5, SHA-1 and SHA-256 on the hash threads.
  Digester digester(/*all=*/false);
  std::unique_ptr<StreamHasher> hasher;
  if (!small) hasher = std::make_unique<StreamHasher>();
  const void* buf = nullptr;
  size_t len = 0;
  la_int64_t offset = 0;
  uint64_t expect = 0;  // next offset: sparse holes come back as gaps and are zeros
  static const std::vector<std::byte> kZeros(64 * 1024, std::byte{0});
  auto consume = [&](const std::byte* data, size_t n) -> bool {
    if (small) {
      if (m.content.size() + n > pf::kMaxSmallMember) {
        scan.archive_error =
            m.name + " is larger than " + std::to_string(pf::kMaxSmallMember >> 20) + " MiB";
        return false;
      }
      m.content.append(reinterpret_cast<const char*>(data), n);
      digester.Update(data, n);
    } else {
      hasher->Update(data, n);
    }
    if (sink != nullptr) {
      Status s = sink->Write(data, n);
      if (!s.ok()) {
        scan.archive_error = s.message();
        scan.sink_error = s;
        return false;
      }
    }
    return true;
  };
  for (;;) {
    if (options_.cancel && options_.cancel->load()) {
      scan.archive_error = "interrupted";
      scan.cancelled = true;
      return false;
    }
    int r = archive_read_data_block(a, &buf, &len, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      const char* e = archive_error_string(a);
      scan.archive_error = std::string("damaged or truncated inside ") + m.name + " (" +
                           (e ? e : "read error") + ")";
      return false;
    }
    if (offset < 0 || uint64_t(offset) < expect) {
      scan.archive_error = "reading " + m.name + ": blocks out of order";
      return false;
    }
    // Fill a sparse gap with zeros (we never write sparse members, but a re-packed tar might).
    while (expect < uint64_t(offset)) {
      size_t n = size_t(std::min<uint64_t>(kZeros.size(), uint64_t(offset) - expect));
      if (!consume(kZeros.data(), n)) return false;
      expect += n;
    }
    if (!consume(static_cast<const std::byte*>(buf), len)) return false;
    expect += len;
    if (!small) {
      progress_.bytes_done += len;
      if (options_.progress) options_.progress(progress_);
    }
  }
  if (sink != nullptr) {
    Status s = sink->Finish();
    if (!s.ok()) {
      scan.archive_error = s.message();
      scan.sink_error = s;
      return false;
    }
  }
  if (small) {
    m.size = digester.bytes();
    m.digests = digester.Finish();
  } else {
    m.size = hasher->bytes();
    Result<Digests> d = hasher->Finish();
    if (!d.ok()) {
      scan.archive_error = d.status().message();
      scan.sink_error = d.status();  // ours, not the package's
      return false;
    }
    m.digests = *d;
  }
  m.small = small;
  return true;
}

bool Reader::EarlyChecks(const std::string& content) {
  json j = json::parse(content, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return true;  // reported by the format check later
  if (j.value("format", json()) == pf::kFormat && j.value("version", json()).is_number_integer()) {
    int64_t v = j["version"].get<int64_t>();
    if (v > pf::kVersion) {
      Fail("format", "package format version " + std::to_string(v) +
                         " is newer than this evidex reads (" + std::to_string(pf::kVersion) +
                         "); upgrade evidex to verify it");
      return false;
    }
  }
  if (!j.value("key", json()).is_string()) return true;
  Result<PublicKey> key = PublicKey::Parse(j["key"].get<std::string>());
  if (!key.ok()) return true;
  if (options_.expected_key && !(*key == *options_.expected_key)) {
    Fail("signer", "the package is signed by " + key->Text() + " (fingerprint " +
                       key->Fingerprint() + "), not by the expected key " +
                       options_.expected_key->Text());
    return false;
  }
  if (options_.signer_trusted && !options_.signer_trusted(*key)) {
    Fail("signer", "the package is signed by an unknown key " + key->Text() + " (fingerprint " +
                       key->Fingerprint() + ")");
    return false;
  }
  if (j.contains("evidence") && j["evidence"].is_array()) {
    for (const json& e : j["evidence"]) {
      PackageEvidence p;
      if (!ParseEvidence(e, &p)) continue;  // reported by the format check later
      std::vector<std::string> members = EvidenceMembers(p);
      if (!members.empty() && owners_.count(members[0])) continue;  // shared by two items
      items_.push_back(p);
      for (size_t i = 0; i < members.size(); ++i)
        owners_[members[i]] = {items_.size() - 1, int(i)};
      progress_.bytes_total += p.member_size;
    }
  }
  return true;
}

bool Reader::SinkFor(const std::string& name, uint64_t size, Scan& scan, MemberSink** sink) {
  *sink = nullptr;
  if (IsSmall(name)) return true;
  auto it = owners_.find(name);
  if (options_.sink) {
    if (it == owners_.end()) return true;  // not an item's member: the sums check says so
    Result<MemberSink*> s = options_.sink(items_[it->second.first], it->second.second, size);
    if (!s.ok()) {
      scan.archive_error = s.status().message();
      scan.sink_error = s.status();
      return false;
    }
    *sink = *s;
    return true;
  }
  if (options_.extract_dir.empty()) return true;
  std::string base = name.substr(sizeof(pf::kEvidenceDir) - 1);
  if (base.find('/') != std::string::npos) {
    scan.archive_error = "member " + name + " is nested below evidence/";
    return false;
  }
  std::string out = options_.extract_dir + "/" + base;
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd < 0) {
    scan.sink_error = ErrnoStatus("cannot create " + out, errno);
    scan.archive_error = scan.sink_error.message();
    return false;
  }
  file_sinks_.push_back(std::make_unique<FileSink>(out, fd));
  report_->extracted.emplace_back(name, out);
  *sink = file_sinks_.back().get();
  return true;
}

Scan Reader::Run() {
  Scan scan;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);  // tar only: nothing else is an evidex package
  if (archive_read_open_filename(a, path_.c_str(), pf::kBlockSize) != ARCHIVE_OK) {
    // Opening reads the first header: a file that is not a tar fails here.
    const char* e = archive_error_string(a);
    int err = archive_errno(a);
    scan.archive_error = (err == 0 || err == EILSEQ || err == -1  // libarchive's FILE_FORMAT, MISC
                              ? std::string("not a tar archive (")
                              : std::string("cannot read it (")) +
                         (e ? e : "unknown error") + ")";
    archive_read_free(a);
    return scan;
  }
  for (;;) {
    archive_entry* entry = nullptr;
    int r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      const char* e = archive_error_string(a);
      scan.archive_error = scan.members.empty()
                               ? std::string("not a tar archive (") + (e ? e : "unreadable") + ")"
                               : std::string("damaged or truncated after ") +
                                     scan.members.back().name + " (" + (e ? e : "unreadable") + ")";
      break;
    }
    const char* raw_name = archive_entry_pathname(entry);
    std::string name = raw_name ? raw_name : "";
    if (archive_entry_filetype(entry) == AE_IFDIR) continue;  // a re-packed tar may add them
    if (archive_entry_filetype(entry) != AE_IFREG) {
      scan.archive_error = "member " + name + " is not a regular file";
      break;
    }
    if (!SafeName(name)) {
      scan.archive_error = "member name \"" + name + "\" is not a safe relative path";
      break;
    }
    if (scan.index.count(name)) {
      scan.archive_error = "member " + name + " appears twice";
      break;
    }
    Member m;
    m.name = name;
    MemberSink* sink = nullptr;
    uint64_t size = archive_entry_size_is_set(entry) ? uint64_t(archive_entry_size(entry)) : 0;
    if (!SinkFor(name, size, scan, &sink)) break;
    progress_.member = name;
    if (!ReadData(a, m, scan, sink)) break;
    scan.bytes += m.size;
    scan.index[name] = scan.members.size();
    scan.members.push_back(std::move(m));
    if (name == pf::kPackageJson && !EarlyChecks(scan.members.back().content)) {
      scan.stopped = true;
      break;
    }
  }
  archive_read_free(a);
  return scan;
}

// ---- Checks on what was read ----

const Member* Find(const Scan& s, const std::string& name) {
  auto it = s.index.find(name);
  return it == s.index.end() ? nullptr : &s.members[it->second];
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

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
  if (data == "raw") p->data = EvidenceData::kRaw;
  else if (data == "e01") p->data = EvidenceData::kE01;
  else if (data == "none") p->data = EvidenceData::kNone;
  else return false;
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
  r_->case_info = {Str(c, "uuid"), Str(c, "number"), Str(c, "title"), Str(c, "offence"),
                   Str(c, "examiner"), Str(c, "created")};
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
    Fail("signature", "SIGNATURE is by " + signer->Text() + " but package.json names " +
                          r_->signer->Text());
    return;
  }
  const Member* pub = Find(scan_, pf::kUnitPub);
  if (pub == nullptr) {
    Fail("signature", "unit.pub is missing");
    return;
  }
  Result<PublicKey> unit_pub = PublicKey::Parse(
      pub->content.size() && pub->content.back() == '\n' ? pub->content.substr(0, pub->content.size() - 1)
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
    Fail("signature", "the signature over SHA256SUMS does not verify: the package was altered "
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
    if (c == nullptr) problems.push_back(std::string(name) + " is missing");
    else if (c->digests.sha256 != listed) problems.push_back(std::string(name) + " was changed");
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
    if (m == nullptr) missing.push_back(name);
    else if (m->digests.sha256 != hash) changed.push_back(name);
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
      if (m == nullptr) missing.push_back(member);
      else total += m->size;
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
        Ok(name, "MD5, SHA-1 and SHA-256 of " + std::to_string(m->size) +
                     " bytes match the acquisition");
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
  for (const auto& [uuid, u] : by_uuid) problems.push_back("the manifest lists unknown evidence " + uuid);
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
  ChainReport report = VerifyChain(r_->custody, r_->head, [&](const PublicKey& k) {
    return vouched.count(k.Text()) > 0;
  });
  if (!report.ok()) {
    Fail("custody", report.problems.front().message +
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
  Ok("custody", std::to_string(report.records) + " records, hash chain, signatures and head intact");
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
        if (got.empty() && d.contains("hashes") && d["hashes"].is_object()) got = Str(d["hashes"], key);
        if (got.empty()) continue;
        ++compared;
        if (got != want)
          problems.push_back(e.label + ": record " + std::to_string(r.seq) + " has " + key + " " + got);
      }
      if (d.value("size", json()).is_number_unsigned() && d["size"].get<uint64_t>() != e.size)
        problems.push_back(e.label + ": record " + std::to_string(r.seq) + " has another size");
    }
    if (!found) problems.push_back(e.label + " has no \"acquired\" custody record");
  }
  if (!problems.empty()) Fail("agreement", Join(problems));
  else if (compared == 0) Fail("agreement", "the acquisition records carry no hashes to compare");
  else Ok("agreement", "custody records and manifest agree on the evidence hashes");
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

Status VerifyMedia(const std::string& file, const PackageEvidence& e,
                   const std::atomic<bool>* cancel) {
  Result<std::unique_ptr<Source>> s = OpenSource(file);
  if (!s.ok()) return s.status();
  Source& src = **s;
  if (src.Size() != e.size)
    return Corrupt("evidence " + e.label + ": " + std::to_string(src.Size()) + " bytes, " +
                   std::to_string(e.size) + " acquired");
  StreamHasher hasher;
  for (uint64_t offset = 0; offset < src.Size();) {
    if (cancel && cancel->load()) return LimitReached("interrupted");
    std::shared_ptr<Block> block = hasher.GetBlock();
    size_t want = size_t(std::min<uint64_t>(block->capacity(), src.Size() - offset));
    Result<size_t> n = src.ReadAt(offset, std::span<std::byte>(block->data(), want));
    if (!n.ok()) return n.status();
    if (*n != want)
      return Corrupt("evidence " + e.label + ": ends early at byte " + std::to_string(offset + *n));
    block->size = want;
    hasher.Push(std::move(block));
    offset += want;
  }
  Result<Digests> digests = hasher.Finish();
  if (!digests.ok()) return digests.status();
  const Digests& d = *digests;
  if (!(d == e.digests))
    return Corrupt("evidence " + e.label + ": the media's hashes do not match the acquisition (SHA-256 " +
                   d.sha256 + ", recorded " + e.digests.sha256 + ")");
  return Status::Ok();
}

Result<PackageReport> VerifyPackage(const std::string& path, const VerifyOptions& options) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("cannot open " + path, errno);
  if (!S_ISREG(st.st_mode)) return InvalidArgument(path + " is not a regular file");
  if (::access(path.c_str(), R_OK) != 0) return ErrnoStatus("cannot read " + path, errno);
  PackageReport report;
  report.path = path;
  Reader reader(path, options, &report);
  Scan scan = reader.Run();
  if (scan.cancelled) return LimitReached("interrupted");
  if (!scan.sink_error.ok()) return scan.sink_error;  // our side failed, not the package
  if (scan.stopped) return report;  // the early check said why
  if (!scan.archive_error.empty()) {
    report.checks.insert(report.checks.begin(),
                         {"archive", PackageCheck::State::kFailed, scan.archive_error});
    // What was read is still checked, so the report says as much as it can.
  } else {
    report.checks.push_back({"archive", PackageCheck::State::kOk,
                             std::to_string(scan.members.size()) + " members, " +
                                 std::to_string(scan.bytes) + " bytes"});
  }
  Checker(scan, options, &report).Run();
  return report;
}

}  // namespace evidex::vault
