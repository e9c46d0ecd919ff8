// Writes an evidence package (package.h, package_format.h): a pax tar streamed to FILE.partial,
// fsynced and renamed into place.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "core/hash.h"
#include "io/source.h"
#include "vault/certificate.h"
#include "vault/package.h"
#include "vault/package_format.h"
#include "vault/package_internal.h"
#include "vault/uco.h"

namespace evidex::vault {

namespace pf = package_format;
using package_internal::EpochOf;
using package_internal::JsonText;
using package_internal::StreamHasher;

std::string EvidenceMemberName(const PackageEvidence& e) {
  return std::string(pf::kEvidenceDir) + e.digests.sha256 +
         (e.data == EvidenceData::kE01 ? pf::kE01Suffix : pf::kRawSuffix);
}

std::string EwfSegmentExtension(int index) {
  char buf[16];
  if (index < 100) {
    std::snprintf(buf, sizeof buf, "E%02d", index);
  } else {
    int n = index - 100;  // EAA is the 100th segment, then EAB, ... EZZ, FAA, ...
    buf[0] = char('E' + n / 676);
    buf[1] = char('A' + (n / 26) % 26);
    buf[2] = char('A' + n % 26);
    buf[3] = '\0';
  }
  return buf;
}

std::vector<std::string> EvidenceMembers(const PackageEvidence& e) {
  std::vector<std::string> out;
  if (e.member.empty()) return out;
  if (e.data != EvidenceData::kE01) return {e.member};
  const std::string stem = std::string(pf::kEvidenceDir) + e.digests.sha256 + ".";
  for (int i = 1; i <= e.segments; ++i) out.push_back(stem + EwfSegmentExtension(i));
  return out;
}

namespace {

using nlohmann::json;

const char* DataName(EvidenceData d) {
  switch (d) {
    case EvidenceData::kRaw:
      return "raw";
    case EvidenceData::kE01:
      return "e01";
    case EvidenceData::kNone:
      break;
  }
  return "none";
}

json PackageJson(const PackageInput& in, const std::string& created, const PublicKey& key,
                 const std::vector<std::string>& record_signers) {
  json ev = json::array();
  for (const PackageEvidence& e : in.evidence) {
    ev.push_back(json{{"uuid", e.uuid},
                      {"label", e.label},
                      {"number", e.number},
                      {"description", e.description},
                      {"mode", e.mode},
                      {"size", e.size},
                      {"md5", e.digests.md5},
                      {"sha1", e.digests.sha1},
                      {"sha256", e.digests.sha256},
                      {"acquired_started", e.acquired_started},
                      {"acquired_finished", e.acquired_finished},
                      {"examiner", e.examiner},
                      {"data", e.member.empty() ? "none" : DataName(e.data)},
                      {"member", e.member},
                      {"segments", e.segments},
                      {"member_size", e.member_size}});
  }
  const std::string& cu = in.case_info.uuid;
  return json{
      {"format", pf::kFormat},
      {"version", pf::kVersion},
      {"created", created},
      {"tool", in.tool},
      {"unit", {{"name", in.unit.name}, {"country", in.unit.country}}},
      {"key", key.Text()},
      {"fingerprint", key.Fingerprint()},
      {"record_signers", record_signers},
      {"packaged_by", in.packaged_by},
      {"recipient", in.recipient},
      {"data_included", in.include_data},
      {"case",
       {{"uuid", cu},
        {"number", in.case_info.number},
        {"title", in.case_info.title},
        {"offence", in.case_info.offence},
        {"examiner", in.case_info.examiner},
        {"created", in.case_info.created}}},
      {"evidence", std::move(ev)},
      {"custody",
       {{"records", pf::kCustodyDir + cu + pf::kRecordsSuffix},
        {"head", pf::kCustodyDir + cu + pf::kHeadSuffix},
        {"count", in.custody.size()}}},
  };
}

class TarWriter {
 public:
  TarWriter(int fd, int64_t mtime) : mtime_(mtime) {
    a_ = archive_write_new();
    // pax_restricted: plain ustar headers where they suffice, pax extended headers only where
    // needed (members over 8 GiB, long names), so that every tar reads it.
    archive_write_set_format_pax_restricted(a_);
    archive_write_add_filter_none(a_);
    archive_write_set_bytes_in_last_block(a_, 1);
    open_ok_ = archive_write_open_fd(a_, fd) == ARCHIVE_OK;
  }
  ~TarWriter() {
    if (a_) archive_write_free(a_);
  }
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  Status open_status() const {
    return open_ok_ ? Status::Ok() : IoError(std::string("cannot start the archive: ") + Error());
  }

  Status Begin(const std::string& name, uint64_t size) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, int64_t(size));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0444);
    archive_entry_set_mtime(e, mtime_, 0);
    archive_entry_set_uname(e, "evidex");
    archive_entry_set_gname(e, "evidex");
    int r = archive_write_header(a_, e);
    archive_entry_free(e);
    if (r != ARCHIVE_OK) return IoError("cannot write archive member " + name + ": " + Error());
    sums_.emplace_back(name, "");
    return Status::Ok();
  }
  Status Data(const void* data, size_t size) {
    la_ssize_t n = archive_write_data(a_, data, size);
    if (n < 0 || size_t(n) != size)
      return IoError(std::string("cannot write the archive: ") + Error());
    return Status::Ok();
  }
  void EndMember(const std::string& sha256) { sums_.back().second = sha256; }

  Status Small(const std::string& name, const std::string& bytes, bool listed = true) {
    EVIDEX_RETURN_IF_ERROR(Begin(name, bytes.size()));
    EVIDEX_RETURN_IF_ERROR(Data(bytes.data(), bytes.size()));
    EndMember(Sha256Hex(bytes));
    if (!listed) unlisted_.insert(name);
    return Status::Ok();
  }
  Status Close() {
    int r = archive_write_close(a_);
    if (r != ARCHIVE_OK) return IoError(std::string("cannot finish the archive: ") + Error());
    return Status::Ok();
  }
  // "<sha256>  <name>\n" for every member written so far, as sha256sum prints them.
  std::string Sums() const {
    std::string s;
    for (const auto& [name, hash] : sums_)
      if (!unlisted_.count(name)) s += hash + "  " + name + "\n";
    return s;
  }
  std::vector<std::string> Members() const {
    std::vector<std::string> m;
    for (const auto& p : sums_) m.push_back(p.first);
    return m;
  }
  std::string HashOf(const std::string& name) const {
    for (const auto& p : sums_)
      if (p.first == name) return p.second;
    return "";
  }

 private:
  const char* Error() const {
    const char* e = archive_error_string(a_);
    return e ? e : "unknown error";
  }
  archive* a_ = nullptr;
  bool open_ok_ = false;
  int64_t mtime_;
  std::vector<std::pair<std::string, std::string>> sums_;
  std::set<std::string> unlisted_;
};

bool Cancelled(const PackageOptions& o) { return o.cancel && o.cancel->load(); }

// The files of an evidence item's data: the source (raw), or every segment of the E01 set.
Result<std::vector<std::string>> DataFiles(const PackageEvidence& e) {
  if (e.data != EvidenceData::kE01) return std::vector<std::string>{e.data_path};
  const std::string& first = e.data_path;
  if (first.size() < 4 || first.compare(first.size() - 4, 4, ".E01") != 0)
    return InvalidArgument("evidence " + e.label + ": " + first + " is not an .E01 file");
  std::vector<std::string> files;
  for (int i = 1; i < 14000; ++i) {
    std::string f = first.substr(0, first.size() - 3) + EwfSegmentExtension(i);
    struct stat st;
    if (::stat(f.c_str(), &st) != 0) break;
    files.push_back(f);
  }
  if (files.empty()) return NotFound("evidence " + e.label + ": " + first + " does not exist");
  return files;
}

// Streams one evidence file into the archive as `member`, hashing it.
Status WriteEvidenceFile(TarWriter& tar, const PackageEvidence& e, const std::string& file,
                         const std::string& member, const PackageOptions& options,
                         PackageProgress& progress, Digests* digests) {
  // Raw data through io::OpenSource (a split set or a device reads as its bytes); an E01 segment
  // opened as raw so that libewf does not decode it.
  Result<std::unique_ptr<Source>> s =
      e.data == EvidenceData::kRaw ? OpenSource(file) : OpenRawFile(file);
  if (!s.ok())
    return Status(s.status().code(), "evidence " + e.label + ": " + s.status().message());
  Source& source = **s;
  const uint64_t size = source.Size();
  if (e.data == EvidenceData::kRaw && size != e.size)
    return Corrupt("evidence " + e.label + ": " + file + " holds " + std::to_string(size) +
                   " bytes, " + std::to_string(e.size) + " were acquired; not packaged");
  EVIDEX_RETURN_IF_ERROR(tar.Begin(member, size));
  // Each block is read, written to the archive, then handed to the hash threads (no copy).
  StreamHasher hasher;
  uint64_t offset = 0;
  progress.member = member;
  while (offset < size) {
    if (Cancelled(options)) return LimitReached("interrupted");
    std::shared_ptr<Block> block = hasher.GetBlock();
    size_t want = size_t(std::min<uint64_t>(block->capacity(), size - offset));
    Result<size_t> n = source.ReadAt(offset, std::span<std::byte>(block->data(), want));
    if (!n.ok())
      return Status(n.status().code(), "evidence " + e.label + ": " + n.status().message());
    if (*n != want)
      return Corrupt("evidence " + e.label + ": " + file + " ended early at byte " +
                     std::to_string(offset + *n) + "; not packaged");
    block->size = want;
    EVIDEX_RETURN_IF_ERROR(tar.Data(block->data(), want));
    hasher.Push(std::move(block));
    offset += want;
    progress.bytes_done += want;
    if (options.progress) options.progress(progress);
  }
  Result<Digests> d = hasher.Finish();
  if (!d.ok()) return d.status();
  *digests = *d;
  tar.EndMember(digests->sha256);
  return Status::Ok();
}

// Streams one evidence item; checks the recorded hashes of raw data as it goes.
Status WriteEvidence(TarWriter& tar, PackageEvidence& e, const std::vector<std::string>& files,
                     const PackageOptions& options, PackageProgress& progress) {
  std::vector<std::string> members = EvidenceMembers(e);
  for (size_t i = 0; i < files.size(); ++i) {
    Digests d;
    EVIDEX_RETURN_IF_ERROR(WriteEvidenceFile(tar, e, files[i], members[i], options, progress, &d));
    if (e.data == EvidenceData::kRaw) e.member_digests = d;
  }
  if (e.data == EvidenceData::kRaw && !(e.member_digests == e.digests)) {
    return Corrupt("evidence " + e.label + ": the bytes of " + e.data_path +
                   " no longer match the hashes recorded at acquisition (SHA-256 " +
                   e.member_digests.sha256 + ", recorded " + e.digests.sha256 + "); not packaged");
  }
  return Status::Ok();
}

Status SyncDir(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open " + dir, errno);
  int r = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (r != 0) return ErrnoStatus("cannot sync " + dir, err);
  return Status::Ok();
}

Status Validate(const PackageInput& in) {
  if (in.case_info.uuid.empty()) return InvalidArgument("the case has no UUID");
  if (in.evidence.empty()) return InvalidArgument("no evidence to package");
  if (in.custody.empty()) return InvalidArgument("the case has no custody records to package");
  for (const PackageEvidence& e : in.evidence) {
    if (!package_internal::IsHex(e.digests.sha256, 64) ||
        !package_internal::IsHex(e.digests.md5, 32) || !package_internal::IsHex(e.digests.sha1, 40))
      return InvalidArgument("evidence " + e.label + " has no complete MD5/SHA-1/SHA-256");
    if (e.uuid.empty()) return InvalidArgument("evidence " + e.label + " has no UUID");
  }
  for (const CustodyRecord& r : in.custody)
    if (r.case_uuid != in.case_info.uuid)
      return InvalidArgument("custody record " + std::to_string(r.seq) +
                             " belongs to another case");
  return Status::Ok();
}

// Writes everything into `fd`; fills `result`.
Status WriteArchive(int fd, PackageInput& in, const std::string& created, const SigningKey& key,
                    const PackageOptions& options, PackageResult* result) {
  const PublicKey& pub = key.public_key();
  TarWriter tar(fd, EpochOf(created));
  EVIDEX_RETURN_IF_ERROR(tar.open_status());

  // Members and sizes first: package.json and the manifest name them before the bytes come.
  std::set<std::string> members;
  std::vector<std::vector<std::string>> files(in.evidence.size());
  PackageProgress progress;
  for (size_t i = 0; i < in.evidence.size(); ++i) {
    PackageEvidence& e = in.evidence[i];
    e.member.clear();
    e.segments = 0;
    e.member_size = 0;
    if (!in.include_data || e.data == EvidenceData::kNone) continue;
    Result<std::vector<std::string>> f = DataFiles(e);
    if (!f.ok()) return f.status();
    files[i] = std::move(*f);
    e.member = EvidenceMemberName(e);
    e.segments = int(files[i].size());
    if (e.data == EvidenceData::kRaw) {
      e.member_size = e.size;
    } else {
      for (const std::string& file : files[i]) {
        struct stat st;
        if (::stat(file.c_str(), &st) != 0) return ErrnoStatus("cannot read " + file, errno);
        e.member_size += uint64_t(st.st_size);
      }
    }
    if (members.insert(e.member).second) progress.bytes_total += e.member_size;
  }

  std::set<std::string> signer_set;
  std::vector<std::string> signers;
  for (const CustodyRecord& r : in.custody)
    if (r.signer != pub.Text() && signer_set.insert(r.signer).second) signers.push_back(r.signer);

  const std::string& cu = in.case_info.uuid;
  EVIDEX_RETURN_IF_ERROR(
      tar.Small(pf::kPackageJson, JsonText(PackageJson(in, created, pub, signers), 2) + "\n"));
  EVIDEX_RETURN_IF_ERROR(
      tar.Small(pf::kManifest, JsonText(BuildUcoManifest(in, created, pub), 2) + "\n"));
  std::string jsonl;
  for (const CustodyRecord& r : in.custody) jsonl += JsonText(r.ToJson()) + "\n";
  EVIDEX_RETURN_IF_ERROR(tar.Small(pf::kCustodyDir + cu + pf::kRecordsSuffix, jsonl));
  CustodyHead head = SignHead(in.custody.back(), key);
  EVIDEX_RETURN_IF_ERROR(
      tar.Small(pf::kCustodyDir + cu + pf::kHeadSuffix, JsonText(head.ToJson()) + "\n"));
  EVIDEX_RETURN_IF_ERROR(tar.Small(pf::kUnitPub, pub.Text() + "\n"));

  std::map<std::string, const PackageEvidence*> written;  // member → first item that wrote it
  for (size_t i = 0; i < in.evidence.size(); ++i) {
    PackageEvidence& e = in.evidence[i];
    if (e.member.empty()) continue;
    auto it = written.find(e.member);
    if (it != written.end()) {  // the same bytes acquired twice: one member serves both
      if (it->second->segments != e.segments || it->second->member_size != e.member_size)
        return InvalidArgument("evidence " + e.label + " and " + it->second->label +
                               " have the same media hash but different E01 sets");
      e.member_digests = it->second->member_digests;
      continue;
    }
    EVIDEX_RETURN_IF_ERROR(WriteEvidence(tar, e, files[i], options, progress));
    written[e.member] = &e;
  }

  const std::string sums = tar.Sums();
  EVIDEX_RETURN_IF_ERROR(tar.Small(pf::kSums, sums, /*listed=*/false));
  const std::string digest = Sha256Hex(sums);

  CertificateContent cert{&in, created, digest, pub};
  const std::string html = RenderCertificateHtml(cert);
  Result<std::string> pdf = RenderCertificatePdf(cert);
  if (!pdf.ok()) return pdf.status();
  EVIDEX_RETURN_IF_ERROR(tar.Small(pf::kCertificateHtml, html, false));
  EVIDEX_RETURN_IF_ERROR(tar.Small(pf::kCertificatePdf, *pdf, false));

  std::string cert_message = std::string(pf::kCertificateContext) + digest + "\n";
  json cert_hashes = json::object();
  for (const char* name : {pf::kCertificateHtml, pf::kCertificatePdf}) {
    cert_message += tar.HashOf(name) + "  " + name + "\n";
    cert_hashes[name] = tar.HashOf(name);
  }
  json signature{{"format", pf::kSignatureFormat},
                 {"version", pf::kVersion},
                 {"algorithm", "ed25519"},
                 {"signer", pub.Text()},
                 {"fingerprint", pub.Fingerprint()},
                 {"signed", pf::kSums},
                 {"sums_sha256", digest},
                 {"signature", SignatureHex(key.Sign(sums))},
                 {"certificates", cert_hashes},
                 {"certificates_signature", SignatureHex(key.Sign(cert_message))}};
  EVIDEX_RETURN_IF_ERROR(tar.Small(pf::kSignature, JsonText(signature, 2) + "\n", false));
  EVIDEX_RETURN_IF_ERROR(tar.Close());
  result->digest = digest;
  result->members = tar.Members();
  return Status::Ok();
}

}  // namespace

Result<PackageResult> WritePackage(const PackageInput& input, const SigningKey& key,
                                   const std::string& path, const PackageOptions& options) {
  EVIDEX_RETURN_IF_ERROR(Validate(input));
  struct stat st;
  if (::stat(path.c_str(), &st) == 0)
    return InvalidArgument(path + " exists; choose another name or remove it first");
  PackageInput in = input;
  const std::string created = in.created.empty() ? UtcNow() : in.created;
  in.created = created;

  const std::string partial = path + ".partial";
  // A .partial left by a killed run is ours to replace: it was never a package.
  int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("cannot create " + partial, errno);
  PackageResult result;
  Status s = WriteArchive(fd, in, created, key, options, &result);
  if (s.ok() && ::fsync(fd) != 0) s = ErrnoStatus("cannot sync " + partial, errno);
  if (::close(fd) != 0 && s.ok()) s = ErrnoStatus("cannot close " + partial, errno);
  if (s.ok() && ::rename(partial.c_str(), path.c_str()) != 0)
    s = ErrnoStatus("cannot rename " + partial + " to " + path, errno);
  if (!s.ok()) {
    ::unlink(partial.c_str());
    return s;
  }
  EVIDEX_RETURN_IF_ERROR(SyncDir(path));
  result.path = path;
  if (::stat(path.c_str(), &st) == 0) result.bytes = uint64_t(st.st_size);
  return result;
}

}  // namespace evidex::vault
