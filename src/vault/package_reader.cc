// Verifies an evidence package (package.h): one streaming pass over the tar, every member hashed
// while read (evidence also handed to sinks); then the checks (package_checks.cc). Also the
// report's JSON form and VerifyMedia.
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
using nlohmann::json;
using package_internal::Digester;
using package_internal::Member;
using package_internal::ParseEvidence;
using package_internal::RunChecks;
using package_internal::Scan;
using package_internal::StreamHasher;

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
  return json{
      {"package", path},
      {"ok", ok()},
      {"version", version},
      {"created", created},
      {"unit", {{"name", unit.name}, {"country", unit.country}}},
      {"signer", signer ? signer->Text() : ""},
      {"fingerprint", signer ? signer->Fingerprint() : ""},
      {"digest", digest},
      {"data_included", data_included},
      {"case",
       {{"uuid", case_info.uuid}, {"number", case_info.number}, {"title", case_info.title}}},
      {"evidence", ev},
      {"custody_records", custody.size()},
      {"checks", checks_json}};
}

namespace {

bool IsSmall(const std::string& name) { return name.rfind(pf::kEvidenceDir, 0) != 0; }

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
  std::vector<PackageEvidence> items_;                    // from package.json
  std::map<std::string, std::pair<size_t, int>> owners_;  // member → (item, segment)
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
      for (size_t i = 0; i < members.size(); ++i) owners_[members[i]] = {items_.size() - 1, int(i)};
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
    return Corrupt("evidence " + e.label +
                   ": the media's hashes do not match the acquisition (SHA-256 " + d.sha256 +
                   ", recorded " + e.digests.sha256 + ")");
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
  if (scan.stopped) return report;                    // the early check said why
  if (!scan.archive_error.empty()) {
    report.checks.insert(report.checks.begin(),
                         {"archive", PackageCheck::State::kFailed, scan.archive_error});
    // What was read is still checked, so the report says as much as it can.
  } else {
    report.checks.push_back({"archive", PackageCheck::State::kOk,
                             std::to_string(scan.members.size()) + " members, " +
                                 std::to_string(scan.bytes) + " bytes"});
  }
  RunChecks(scan, options, &report);
  return report;
}

}  // namespace evidex::vault
