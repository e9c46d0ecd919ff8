// `evidex package`, `evidex verify-package` and `evidex receive`: evidence packages for a
// prosecutor or a foreign authority (vault/package.h; README "Packages").
//
// package: loads the case, its evidence and its custody chain from the workspace, seals a
//   "packaged" record after the chain (in memory), writes the package with that record inside,
//   and only then appends the same record to the store (and "transferred" with --to).
// verify-package: needs no workspace; reads the file once and prints a check per line.
// receive: verifies the package while copying its evidence into the vault's tmp/, commits the
//   objects, then imports case, evidence, custody records and the sender's key and appends
//   "received" records — the store part in one transaction, so a kill leaves no half case.
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/vault_cli.h"
#include "core/hash_multi.h"
#include "core/version.h"
#include "vault/custody.h"
#include "vault/object_store.h"
#include "vault/package.h"

namespace evidex::cli {
namespace {

using vault::PackageCheck;
using vault::PackageEvidence;
using vault::PackageReport;

std::string LoginName() {
  if (const struct passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr)
    return pw->pw_name;
  const char* user = std::getenv("USER");
  return user ? user : "unknown";
}

// --key / --trust-key: "ed25519:<hex>", "<hex>", or a file holding one (a unit.pub).
std::optional<vault::PublicKey> ParseKeyArgument(const std::string& arg, const char* option) {
  Result<vault::PublicKey> k = vault::PublicKey::Parse(arg);
  if (k.ok()) return *k;
  struct stat st;
  if (::stat(arg.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size < 4096) {
    std::ifstream in(arg);
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    k = vault::PublicKey::Parse(line);
    if (k.ok()) return *k;
  }
  PrintError(std::string(option) + " " + arg +
             ": not a public key (expected ed25519:<64 hex digits> or a unit.pub file)");
  return std::nullopt;
}

// Pretty JSON that never throws (a crafted package may carry invalid UTF-8 in its names).
std::string JsonText(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

const char* StateWord(PackageCheck::State s) {
  switch (s) {
    case PackageCheck::State::kOk:
      return "ok";
    case PackageCheck::State::kFailed:
      return "FAILED";
    case PackageCheck::State::kSkipped:
      return "skipped";
  }
  return "?";
}

void PrintReport(const PackageReport& r, bool pinned) {
  std::printf("package  %s\n", r.path.c_str());
  if (!r.case_info.uuid.empty())
    std::printf("case     %s  %s  (%s)\n", r.case_info.number.c_str(), r.case_info.title.c_str(),
                r.case_info.uuid.c_str());
  if (!r.unit.name.empty())
    std::printf("from     %s%s, %s%s\n", r.unit.name.c_str(),
                r.unit.country.empty() ? "" : (" (" + r.unit.country + ")").c_str(),
                r.created.c_str(),
                r.packaged_by.empty() ? "" : (", packaged by " + r.packaged_by).c_str());
  if (!r.recipient.empty()) std::printf("to       %s\n", r.recipient.c_str());
  if (r.signer)
    std::printf("signer   %s  (fingerprint %s)\n", r.signer->Text().c_str(),
                r.signer->Fingerprint().c_str());
  if (!r.digest.empty()) std::printf("digest   %s  (SHA-256 of SHA256SUMS)\n", r.digest.c_str());
  std::printf("\n");
  size_t width = 0;
  for (const PackageCheck& c : r.checks) width = std::max(width, c.name.size());
  size_t failed = 0, skipped = 0;
  for (const PackageCheck& c : r.checks) {
    std::printf("  %-7s  %-*s  %s\n", StateWord(c.state), int(width), c.name.c_str(),
                c.message.c_str());
    failed += c.state == PackageCheck::State::kFailed;
    skipped += c.state == PackageCheck::State::kSkipped;
  }
  std::printf("\n");
  if (r.ok()) {
    std::printf("VERIFIED: %zu checks passed", r.checks.size() - skipped);
    if (skipped) std::printf(", %zu skipped (evidence bytes not included: hashes only)", skipped);
    std::printf("\n");
    if (!pinned && r.signer)
      std::printf(
          "note: the signer was not pinned; compare the fingerprint %s with the sender's "
          "(by phone or letter), or run again with --key\n",
          r.signer->Fingerprint().c_str());
  } else {
    std::printf("NOT VERIFIED: %zu of %zu checks failed\n", failed, r.checks.size());
  }
}

// ---- package ----

class PackageCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd =
        app.add_subcommand("package",
                           "write a signed evidence package (evidence, custody, CASE/UCO manifest, "
                           "transfer certificate) for transfer");
    cmd->add_option("CASE", case_, "case number or local id")->required();
    cmd->add_option("--evidence", evidence_,
                    "only these items (E1, 2 or a UUID; default: all "
                    "complete items)");
    cmd->add_flag("--no-data", no_data_, "hashes only: leave the evidence bytes out");
    cmd->add_option("-o,--output", output_, "the package file to write (must not exist)")
        ->required();
    cmd->add_option("--to", recipient_, "the recipient, recorded as a \"transferred\" record");
    cmd->add_option("--examiner", examiner_, "who packages (default: the case's examiner)");
    cmd->add_flag("--json", json_, "print the result as JSON");
    cmd->add_flag("-q,--quiet", quiet_, "no progress line");
    AddPassphraseOption(cmd, &passphrase_file_);
    return cmd;
  }
  int Run(const GlobalOptions& global) override;

 private:
  std::string case_, output_, recipient_, examiner_, passphrase_file_;
  std::vector<std::string> evidence_;
  bool no_data_ = false, json_ = false, quiet_ = false;
};

int PackageCommand::Run(const GlobalOptions& global) {
  int exit_code = kExitOk;
  std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
  if (!ws) return exit_code;
  std::optional<store::Case> c = ResolveCase(*ws, case_, &exit_code);
  if (!c) return exit_code;
  struct stat st;
  if (::stat(output_.c_str(), &st) == 0) {
    PrintError(output_ + " exists; choose another name or remove it first");
    return kExitUsage;
  }

  // The items.
  std::vector<store::Evidence> items;
  if (!SelectEvidence(*ws, *c, evidence_, "packaged", &items, &exit_code)) return exit_code;
  if (items.empty()) {
    PrintError("case " + c->number + " has no complete evidence to package");
    return kExitUsage;
  }

  // The chain must hold before it is handed on.
  Result<std::vector<vault::CustodyRecord>> records = ws->store().ListCustody(c->id);
  Result<std::optional<vault::CustodyHead>> head = ws->store().GetCustodyHead(c->id);
  Result<std::function<bool(const vault::PublicKey&)>> trusted = ws->TrustedSigners();
  for (const Status& s : {records.status(), head.status(), trusted.status()}) {
    if (!s.ok()) {
      PrintError(s);
      return StoreExit(s);
    }
  }
  if (records->empty()) {
    PrintError("case " + c->number + " has no custody records");
    return kExitVerifyFailed;
  }
  vault::ChainReport chain = vault::VerifyChain(*records, *head, *trusted);
  if (!chain.ok()) {
    PrintError("the custody chain of case " + c->number + " does not verify (" +
               chain.problems.front().message + "); not packaged (see 'evidex custody verify')");
    return kExitVerifyFailed;
  }

  std::optional<vault::SigningKey> key = LoadKey(*ws, passphrase_file_, &exit_code);
  if (!key) return exit_code;

  vault::PackageInput in;
  in.unit = {ws->unit().name, ws->unit().country};
  in.case_info = {c->uuid, c->number, c->title, c->offence, c->examiner, c->created};
  in.include_data = !no_data_;
  in.packaged_by = examiner_.empty() ? c->examiner : examiner_;
  in.recipient = recipient_;
  in.created = vault::UtcNow();
  in.tool = std::string("evidex ") + EVIDEX_VERSION;
  nlohmann::json names = nlohmann::json::array();
  for (const store::Evidence& e : items) {
    PackageEvidence p;
    p.uuid = e.uuid;
    p.label = e.label;
    p.number = e.Name();
    p.description = e.source_description;
    p.mode = e.mode;
    p.size = e.size;
    p.digests = {e.md5, e.sha1, e.sha256};
    p.acquired_started = e.started;
    p.acquired_finished = e.finished;
    p.examiner = e.examiner;
    if (e.mode == "copy") {
      p.data = vault::EvidenceData::kRaw;
      p.data_path = ws->vault_dir() + "/" + e.stored_path;
    } else if (e.mode == "e01") {
      p.data = vault::EvidenceData::kE01;
      p.data_path = ws->vault_dir() + "/" + e.stored_path;
    } else if (::stat(e.source_path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
      p.data = vault::EvidenceData::kRaw;  // a referenced source, read where it is
      p.data_path = e.source_path;
    } else if (!no_data_) {
      std::fprintf(stderr,
                   "evidex: %s %s is a reference to %s, which cannot be packaged as bytes; "
                   "it goes as hashes only\n",
                   e.Name().c_str(), e.label.c_str(), e.source_path.c_str());
    }
    names.push_back({{"evidence", e.uuid}, {"name", e.Name()}, {"sha256", e.sha256}});
    in.evidence.push_back(std::move(p));
  }

  // The "packaged" record goes inside the package; the store gets it once the file is in place.
  vault::CustodyRecord packaged;
  packaged.actor = in.packaged_by;
  packaged.unit = ws->unit().Display();
  packaged.action = "packaged";
  packaged.case_uuid = c->uuid;
  packaged.time = in.created;
  packaged.details = {{"file", output_.substr(output_.rfind('/') + 1)},
                      {"evidence", names},
                      {"data_included", !no_data_}};
  if (!recipient_.empty()) packaged.details["recipient"] = recipient_;
  vault::Seal(packaged, &records->back(), *key);
  in.custody = *records;
  in.custody.push_back(packaged);

  InstallCancelHandler();
  ProgressLine progress(quiet_ || json_);
  vault::PackageOptions options;
  options.cancel = &g_cancel;
  options.progress = [&](const vault::PackageProgress& p) {
    progress.Update(p.bytes_done, p.bytes_total, "packaging");
  };
  Result<vault::PackageResult> res = vault::WritePackage(in, *key, output_, options);
  progress.Finish();
  if (!res.ok()) {
    if (res.status().code() == Code::kLimit) {
      PrintError("interrupted; no package was written and nothing was recorded");
      return kExitInterrupted;
    }
    PrintError(res.status().message() + "; nothing was recorded");
    if (res.status().code() == Code::kCorrupt) return kExitVerifyFailed;
    if (res.status().code() == Code::kNotFound) return kExitSource;
    return ExitCodeFor(res.status());
  }

  // Record it. AppendCustody seals after the same last record with the same fields, so the
  // stored record is the one inside the package — unless someone appended meanwhile.
  vault::CustodyRecord unsealed = packaged;
  unsealed.hash.clear();
  unsealed.signature.clear();
  std::string stored_hash;
  Status s = ws->store().Transaction([&]() -> Status {
    Result<vault::CustodyRecord> r = ws->store().AppendCustody(c->id, unsealed, *key);
    if (!r.ok()) return r.status();
    stored_hash = r->hash;
    if (!recipient_.empty()) {
      vault::CustodyRecord t;
      t.actor = in.packaged_by;
      t.unit = ws->unit().Display();
      t.action = "transferred";
      t.details = {{"recipient", recipient_},
                   {"file", output_.substr(output_.rfind('/') + 1)},
                   {"package_digest", res->digest},
                   {"evidence", names}};
      Result<vault::CustodyRecord> tr = ws->store().AppendCustody(c->id, t, *key);
      if (!tr.ok()) return tr.status();
    }
    return Status::Ok();
  });
  if (!s.ok()) {
    PrintError("the package " + output_ +
               " was written, but its custody record was not: " + s.message());
    return StoreExit(s);
  }
  if (stored_hash != packaged.hash)
    std::fprintf(stderr,
                 "evidex: warning: the custody chain of case %s changed while packaging; "
                 "the package holds the chain up to its own \"packaged\" record\n",
                 c->number.c_str());

  size_t with_data = 0;
  for (const PackageEvidence& e : in.evidence) with_data += e.data != vault::EvidenceData::kNone;
  if (json_) {
    nlohmann::json j = {{"package", res->path},
                        {"bytes", res->bytes},
                        {"digest", res->digest},
                        {"case", c->number},
                        {"evidence", names},
                        {"data_included", !no_data_},
                        {"signer", key->public_key().Text()},
                        {"fingerprint", key->public_key().Fingerprint()},
                        {"custody_records", in.custody.size()}};
    std::printf("%s\n", JsonText(j).c_str());
  } else {
    std::printf("package  %s (%s)\n", res->path.c_str(), HumanBytes(double(res->bytes)).c_str());
    std::printf("case     %s  %s\n", c->number.c_str(), c->title.c_str());
    for (const store::Evidence& e : items)
      std::printf("  %-4s %s  %s  SHA-256 %s\n", e.Name().c_str(), e.label.c_str(),
                  no_data_ ? "(hashes only)" : HumanBytes(double(e.size)).c_str(),
                  e.sha256.c_str());
    std::printf("custody  %zu records, the last one \"packaged\"%s\n", in.custody.size(),
                recipient_.empty() ? "" : "; \"transferred\" recorded here");
    std::printf("digest   %s  (SHA-256 of SHA256SUMS; on the certificate)\n", res->digest.c_str());
    std::printf("signer   %s  (fingerprint %s)\n", key->public_key().Text().c_str(),
                key->public_key().Fingerprint().c_str());
    if (!no_data_ && with_data < in.evidence.size())
      std::printf("note     %zu item(s) go as hashes only\n", in.evidence.size() - with_data);
  }
  return kExitOk;
}

// ---- verify-package ----

class VerifyPackageCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd =
        app.add_subcommand("verify-package",
                           "check an evidence package offline: signature, every file's hash, "
                           "the evidence, the manifest, the chain of custody");
    cmd->add_option("FILE", file_, "the package")->required();
    cmd->add_option("--key", key_,
                    "the sender's public key (ed25519:<hex> or a unit.pub file): "
                    "the package must be signed by it");
    cmd->add_flag("--json", json_, "print the report as JSON");
    cmd->add_flag("-q,--quiet", quiet_, "no progress line");
    return cmd;
  }
  int Run(const GlobalOptions&) override {
    vault::VerifyOptions options;
    if (!key_.empty()) {
      options.expected_key = ParseKeyArgument(key_, "--key");
      if (!options.expected_key) return kExitUsage;
    }
    InstallCancelHandler();
    options.cancel = &g_cancel;
    ProgressLine progress(quiet_ || json_);
    options.progress = [&](const vault::PackageProgress& p) {
      progress.Update(p.bytes_done, p.bytes_total, "verifying");
    };
    Result<PackageReport> r = vault::VerifyPackage(file_, options);
    progress.Finish();
    if (!r.ok()) {
      if (r.status().code() == Code::kLimit) {
        PrintError("interrupted; the package was not verified");
        return kExitInterrupted;
      }
      PrintError(r.status());
      return r.status().code() == Code::kIoError ? kExitSource : kExitUsage;
    }
    if (json_)
      std::printf("%s\n", JsonText(r->ToJson()).c_str());
    else
      PrintReport(*r, options.expected_key.has_value());
    if (!r->ok()) {
      std::fflush(stdout);
      if (!json_) PrintError(file_ + ": " + r->FirstFailure());
      return kExitVerifyFailed;
    }
    return kExitOk;
  }

 private:
  std::string file_, key_;
  bool json_ = false, quiet_ = false;
};

// ---- receive ----

// A raw evidence member into a new vault object (RawObjectWriter: written, read back, committed).
class RawSink : public vault::MemberSink {
 public:
  explicit RawSink(std::unique_ptr<vault::RawObjectWriter> writer) : writer_(std::move(writer)) {}
  Status Write(const std::byte* data, size_t size) override {
    while (size > 0) {
      if (!block_) {
        block_ = pool_.Get();
        block_->size = 0;
        block_->offset = offset_;
      }
      size_t take = std::min(size, block_->capacity() - block_->size);
      std::memcpy(block_->data() + block_->size, data, take);
      block_->size += take;
      data += take;
      size -= take;
      if (block_->size == block_->capacity()) EVIDEX_RETURN_IF_ERROR(Flush());
    }
    return Status::Ok();
  }
  Status Finish() override { return block_ && block_->size ? Flush() : Status::Ok(); }
  Result<vault::CommittedObject> Commit(const std::string& sha256) {
    return writer_->Commit(sha256);
  }

 private:
  Status Flush() {
    offset_ += block_->size;
    std::shared_ptr<const Block> b = std::move(block_);
    block_.reset();
    return writer_->Append(std::move(b));
  }
  // The pool outlives the writer (which holds blocks until they are read back) and the block.
  BlockPool pool_{1u << 20, 16};
  std::unique_ptr<vault::RawObjectWriter> writer_;
  std::shared_ptr<Block> block_;
  uint64_t offset_ = 0;
};

// One segment of an E01 set, as image.E0x in the set's vault tmp directory.
class SegmentSink : public vault::MemberSink {
 public:
  SegmentSink(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~SegmentSink() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Write(const std::byte* data, size_t size) override {
    while (size > 0) {
      ssize_t w = ::write(fd_, data, size);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0)
        return errno == ENOSPC ? IoError("vault disk full writing " + path_)
                               : ErrnoStatus("cannot write " + path_, errno);
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

struct E01Set {
  std::unique_ptr<vault::TmpDir> dir;
  std::vector<std::unique_ptr<SegmentSink>> segments;
};

class ReceiveCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "receive",
        "verify an evidence package and import it into this workspace, continuing "
        "its chain of custody");
    cmd->add_option("FILE", file_, "the package")->required();
    cmd->add_option("--trust-key", trust_key_,
                    "accept this sender key (ed25519:<hex> or a unit.pub file) and remember it; "
                    "needed once per sender unit");
    cmd->add_option("--examiner", examiner_, "who receives (default: your login name)");
    cmd->add_flag("--json", json_, "print the result as JSON");
    cmd->add_flag("-q,--quiet", quiet_, "no progress line");
    AddPassphraseOption(cmd, &passphrase_file_);
    return cmd;
  }
  int Run(const GlobalOptions& global) override;

 private:
  int Import(vault::Workspace& ws, const PackageReport& r, const vault::SigningKey& key,
             const std::map<std::string, std::string>& stored);
  int CheckCase(vault::Workspace& ws, const PackageReport& r);

  std::string file_, trust_key_, examiner_, passphrase_file_;
  bool json_ = false, quiet_ = false;
};

int ReceiveCommand::Run(const GlobalOptions& global) {
  int exit_code = kExitOk;
  std::optional<vault::PublicKey> trust;
  if (!trust_key_.empty()) {
    trust = ParseKeyArgument(trust_key_, "--trust-key");
    if (!trust) return kExitUsage;
  }
  std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
  if (!ws) return exit_code;
  struct stat st;
  if (::stat(file_.c_str(), &st) != 0) {
    PrintError(ErrnoStatus("cannot open " + file_, errno));
    return kExitUsage;
  }
  std::optional<vault::SigningKey> key = LoadKey(*ws, passphrase_file_, &exit_code);
  if (!key) return exit_code;
  Result<std::function<bool(const vault::PublicKey&)>> known = ws->TrustedSigners();
  if (!known.ok()) {
    PrintError(known.status());
    return StoreExit(known.status());
  }
  vault::ObjectStore objects(ws->vault_dir());
  Status init = objects.Init();
  if (init.ok()) init = objects.CleanTmp();
  if (!init.ok()) {
    PrintError(init);
    return kExitOutput;
  }

  // Evidence goes into the vault's tmp/ while it is verified; nothing leaves tmp/ unless every
  // check passes.
  std::map<std::string, std::unique_ptr<RawSink>> raw;  // item uuid → sink
  std::map<std::string, E01Set> e01;                    // item uuid → set
  vault::VerifyOptions options;
  options.signer_trusted = [&](const vault::PublicKey& k) {
    return (*known)(k) || (trust && k == *trust);
  };
  options.sink = [&](const PackageEvidence& item, int segment,
                     uint64_t) -> Result<vault::MemberSink*> {
    if (item.data == vault::EvidenceData::kRaw) {
      Result<std::unique_ptr<vault::RawObjectWriter>> w = objects.NewRawObject(8u << 20);
      if (!w.ok()) return w.status();
      auto sink = std::make_unique<RawSink>(std::move(*w));
      RawSink* p = sink.get();
      raw[item.uuid] = std::move(sink);
      return static_cast<vault::MemberSink*>(p);
    }
    E01Set& set = e01[item.uuid];
    if (!set.dir) {
      Result<std::unique_ptr<vault::TmpDir>> d = objects.NewTmpDir();
      if (!d.ok()) return d.status();
      set.dir = std::move(*d);
    }
    std::string path = set.dir->path() + "/image." + vault::EwfSegmentExtension(segment + 1);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("cannot create " + path, errno);
    set.segments.push_back(std::make_unique<SegmentSink>(path, fd));
    return static_cast<vault::MemberSink*>(set.segments.back().get());
  };
  InstallCancelHandler();
  options.cancel = &g_cancel;
  ProgressLine progress(quiet_ || json_);
  options.progress = [&](const vault::PackageProgress& p) {
    progress.Update(p.bytes_done, p.bytes_total, "receiving");
  };
  Result<PackageReport> r = vault::VerifyPackage(file_, options);
  progress.Finish();
  if (!r.ok()) {
    if (r.status().code() == Code::kLimit) {
      PrintError("interrupted; nothing was received");
      return kExitInterrupted;
    }
    PrintError(r.status().message() + "; nothing was received");
    // The file was there a moment ago: an I/O error now is the vault's (a sink), or the file's.
    return r.status().code() == Code::kNotFound ? kExitUsage : kExitOutput;
  }
  if (!r->ok()) {
    if (!json_)
      PrintReport(*r, true);
    else
      std::printf("%s\n", JsonText(r->ToJson()).c_str());
    std::fflush(stdout);
    std::string why = r->FirstFailure();
    if (why.rfind("signer:", 0) == 0 && r->checks.size() == 1 && !trust) {
      // Unknown sender: say how to accept it, after the fingerprint was checked with the sender.
      const std::string& msg = r->checks[0].message;
      size_t at = msg.find("ed25519:");
      std::string k = at == std::string::npos ? "ed25519:…" : msg.substr(at, 8 + 64);
      PrintError(file_ + ": " + why +
                 "; nothing was received. If the sender confirms this "
                 "fingerprint, run again with --trust-key " +
                 k);
    } else {
      PrintError(file_ + ": " + why + "; nothing was received");
    }
    return kExitVerifyFailed;
  }

  // Refuse early (before anything joins the vault) when the case cannot be imported here.
  if (int code = CheckCase(*ws, *r); code != kExitOk) return code;

  // The E01 sets: their media hashes are checked through libewf before they join the vault.
  std::map<std::string, std::string> stored;  // item uuid → path in the vault
  for (const PackageEvidence& item : r->evidence) {
    auto it = e01.find(item.uuid);
    if (it == e01.end()) continue;
    Status m = vault::VerifyMedia(it->second.dir->path() + "/image.E01", item, &g_cancel);
    if (!m.ok()) {
      PrintError(m.message() + "; nothing was received");
      return m.code() == Code::kLimit ? kExitInterrupted : kExitVerifyFailed;
    }
  }
  for (const PackageEvidence& item : r->evidence) {
    if (auto it = raw.find(item.uuid); it != raw.end()) {
      Result<vault::CommittedObject> o = it->second->Commit(item.digests.sha256);
      if (!o.ok()) {
        PrintError(o.status().message() + "; nothing was recorded");
        return o.status().code() == Code::kCorrupt ? kExitVerifyFailed : kExitOutput;
      }
      stored[item.uuid] = o->path;
    } else if (auto jt = e01.find(item.uuid); jt != e01.end()) {
      jt->second.segments.clear();
      Result<vault::CommittedObject> o =
          objects.CommitEwfSet(std::move(jt->second.dir), item.digests.sha256);
      if (!o.ok()) {
        PrintError(o.status().message() + "; nothing was recorded");
        return kExitOutput;
      }
      stored[item.uuid] = o->path;
    }
  }
  // Items that share their bytes with an earlier one (one member in the package).
  for (const PackageEvidence& item : r->evidence) {
    if (item.member.empty() || stored.count(item.uuid)) continue;
    for (const PackageEvidence& other : r->evidence)
      if (other.member == item.member && stored.count(other.uuid)) {
        stored[item.uuid] = stored[other.uuid];
        break;
      }
  }
  return Import(*ws, *r, *key, stored);
}

// Whether the package's case can join this workspace: a new case, or the same case whose local
// chain is a prefix of the package's. Read-only; Import checks again inside its transaction.
Status CaseConflict(store::Store& st, const PackageReport& r, std::optional<store::Case>* found,
                    size_t* first_new) {
  *first_new = 0;
  Result<std::optional<store::Case>> existing = st.FindCaseByUuid(r.case_info.uuid);
  if (!existing.ok()) return existing.status();
  *found = *existing;
  if (!existing->has_value()) return Status::Ok();
  const store::Case& c = **existing;
  Result<std::vector<vault::CustodyRecord>> local = st.ListCustody(c.id);
  if (!local.ok()) return local.status();
  const size_t n = local->size();
  for (size_t i = 0; i < std::min(n, r.custody.size()); ++i) {
    if ((*local)[i].hash != r.custody[i].hash)
      return Corrupt("case " + c.number + " exists here with a different custody chain (record " +
                     std::to_string(i + 1) + " differs); not imported");
  }
  if (n >= r.custody.size())
    return InvalidArgument("case " + c.number +
                           " already holds every custody record of this "
                           "package (received before?); nothing imported");
  *first_new = n;
  return Status::Ok();
}

int ReceiveCommand::CheckCase(vault::Workspace& ws, const PackageReport& r) {
  std::optional<store::Case> found;
  size_t first_new = 0;
  Status s = CaseConflict(ws.store(), r, &found, &first_new);
  if (s.ok()) return kExitOk;
  PrintError(file_ + ": " + s.message());
  if (s.code() == Code::kCorrupt) return kExitVerifyFailed;
  if (s.code() == Code::kInvalidArgument) return kExitUsage;
  return StoreExit(s);
}

int ReceiveCommand::Import(vault::Workspace& ws, const PackageReport& r,
                           const vault::SigningKey& key,
                           const std::map<std::string, std::string>& stored) {
  const std::string actor = examiner_.empty() ? LoginName() : examiner_;
  const std::string from =
      r.unit.name + (r.unit.country.empty() ? "" : " (" + r.unit.country + ")");
  const std::string file_name = file_.substr(file_.rfind('/') + 1);
  store::Case c;
  size_t imported = 0;
  std::vector<std::string> imported_items, hashes_only;
  std::string refused;  // a reason not to import that is not a store error
  Status s = ws.store().Transaction([&]() -> Status {
    // The sender's key, and the keys it vouches for in the chain, become known here.
    store::KnownKey sender{r.signer->Text(), r.unit.name, r.unit.country, vault::UtcNow(),
                           "received " + file_name + " (package digest " + r.digest + ")"};
    EVIDEX_RETURN_IF_ERROR(ws.store().AddKnownKey(sender));
    for (const vault::PublicKey& k : r.record_signers) {
      store::KnownKey vouched{
          k.Text(), "", "", vault::UtcNow(),
          "signer of custody records, vouched for by " + from + " in " + file_name};
      EVIDEX_RETURN_IF_ERROR(ws.store().AddKnownKey(vouched));
    }

    // The case: new, or the same case whose chain the package continues.
    std::optional<store::Case> existing;
    size_t first_new = 0;
    Status conflict = CaseConflict(ws.store(), r, &existing, &first_new);
    if (!conflict.ok()) {
      if (conflict.code() == Code::kCorrupt || conflict.code() == Code::kInvalidArgument)
        refused = conflict.message();
      return conflict;
    }
    if (existing) {
      c = *existing;
    } else {
      c.uuid = r.case_info.uuid;
      c.number = r.case_info.number;
      c.title = r.case_info.title;
      c.offence = r.case_info.offence;
      c.examiner = r.case_info.examiner;
      c.created = r.case_info.created;
      Result<std::optional<store::Case>> clash = ws.store().FindCase(c.number);
      if (!clash.ok()) return clash.status();
      // Case numbers are each unit's own: another unit's 2026/041 is not ours.
      if (clash->has_value()) c.number += " (" + from + ")";
      Result<store::Case> added = ws.store().AddCase(c);
      if (!added.ok()) return added.status();
      c = *added;
    }
    std::vector<vault::CustodyRecord> rest(r.custody.begin() + long(first_new), r.custody.end());
    EVIDEX_RETURN_IF_ERROR(ws.store().ImportCustody(c.id, rest, r.head));
    imported = rest.size();

    // The evidence whose bytes came, each with a "received" record naming where it now lives.
    for (const PackageEvidence& item : r.evidence) {
      auto it = stored.find(item.uuid);
      if (it == stored.end()) {
        hashes_only.push_back(item.label);
        continue;
      }
      Result<std::optional<store::Evidence>> have = ws.store().FindEvidence(c.id, item.uuid);
      if (!have.ok()) return have.status();
      store::Evidence e;
      if (have->has_value()) {
        e = **have;
      } else {
        e.uuid = item.uuid;
        e.case_id = c.id;
        e.label = item.label;
        e.mode = item.data == vault::EvidenceData::kE01 ? "e01" : "copy";
        e.source_path = "package " + file_name + " from " + from;
        e.source_description = item.description;
        e.size = item.size;
        e.md5 = item.digests.md5;
        e.sha1 = item.digests.sha1;
        e.sha256 = item.digests.sha256;
        e.stored_path = it->second;
        e.tool = "evidex";
        e.tool_version = EVIDEX_VERSION;
        e.started = item.acquired_started;
        e.finished = item.acquired_finished;
        e.examiner = item.examiner;
        e.state = store::EvidenceState::kComplete;
        // Keep the sender's number (E3 stays E3: the certificate and the records name it) when
        // it is free here.
        if (item.number.size() > 1 && item.number[0] == 'E' &&
            item.number.find_first_not_of("0123456789", 1) == std::string::npos &&
            item.number.size() < 10) {
          Result<std::optional<store::Evidence>> taken = ws.store().FindEvidence(c.id, item.number);
          if (!taken.ok()) return taken.status();
          if (!taken->has_value()) e.number = std::stoll(item.number.substr(1));
        }
        Result<store::Evidence> added = ws.store().AddEvidence(e);
        if (!added.ok()) return added.status();
        e = *added;
      }
      vault::CustodyRecord rec;
      rec.actor = actor;
      rec.unit = ws.unit().Display();
      rec.action = "received";
      rec.evidence = e.uuid;
      rec.details = {{"name", e.Name()},   {"label", e.label},
                     {"mode", e.mode},     {"size", e.size},
                     {"md5", e.md5},       {"sha1", e.sha1},
                     {"sha256", e.sha256}, {"stored_path", e.stored_path},
                     {"from", from},       {"package_digest", r.digest},
                     {"verified", true}};
      Result<vault::CustodyRecord> sealed = ws.store().AppendCustody(c.id, rec, key);
      if (!sealed.ok()) return sealed.status();
      imported_items.push_back(e.Name() + " " + e.label);
    }

    vault::CustodyRecord rec;
    rec.actor = actor;
    rec.unit = ws.unit().Display();
    rec.action = "received";
    rec.details = {{"from", from},
                   {"sender_key", r.signer->Text()},
                   {"fingerprint", r.signer->Fingerprint()},
                   {"package", file_name},
                   {"package_digest", r.digest},
                   {"packaged", r.created},
                   {"records_imported", imported},
                   {"verified", true},
                   {"summary", "received from " + from + ", verified"}};
    Result<vault::CustodyRecord> sealed = ws.store().AppendCustody(c.id, rec, key);
    return sealed.status();
  });
  if (!s.ok()) {
    if (!refused.empty()) {
      PrintError(file_ + ": " + refused);
      return s.code() == Code::kCorrupt ? kExitVerifyFailed : kExitUsage;
    }
    PrintError(s.message() + "; nothing was imported");
    return StoreExit(s);
  }
  if (json_) {
    nlohmann::json j = {
        {"case", c.number},           {"case_uuid", c.uuid},       {"from", from},
        {"signer", r.signer->Text()}, {"digest", r.digest},        {"records_imported", imported},
        {"evidence", imported_items}, {"hashes_only", hashes_only}};
    std::printf("%s\n", JsonText(j).c_str());
  } else {
    std::printf("received case %s  %s\n", c.number.c_str(), c.title.c_str());
    std::printf("from     %s, signed by %s (fingerprint %s), verified\n", from.c_str(),
                r.signer->Text().c_str(), r.signer->Fingerprint().c_str());
    for (const std::string& e : imported_items)
      std::printf("evidence %s: into the vault\n", e.c_str());
    for (const std::string& e : hashes_only)
      std::printf(
          "evidence %s: hashes only (no bytes in the package; kept in the custody records)\n",
          e.c_str());
    std::printf("custody  %zu records imported, \"received\" appended\n", imported);
  }
  return kExitOk;
}

}  // namespace

std::unique_ptr<Command> MakePackageCommand() { return std::make_unique<PackageCommand>(); }
std::unique_ptr<Command> MakeVerifyPackageCommand() {
  return std::make_unique<VerifyPackageCommand>();
}
std::unique_ptr<Command> MakeReceiveCommand() { return std::make_unique<ReceiveCommand>(); }

}  // namespace evidex::cli
