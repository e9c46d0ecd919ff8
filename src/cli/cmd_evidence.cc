// `evidex export CASE EVIDENCE -o FILE` and `evidex dispose CASE EVIDENCE --reason ...`.
//
// export writes the evidence's media bytes (a raw image, whatever the stored form) to FILE,
// hashing them on the way (MD5, SHA-1, SHA-256 on their own threads) and comparing with the item's
// signed hashes; FILE appears (by rename from FILE.partial) only when they match, and an
// "exported" custody record says where it went.
//
// dispose records a "disposed" custody record (reason, authority) and marks the item disposed in
// one transaction, then removes the bytes the vault holds for it (a raw object shared with another
// item that is not disposed is kept). Running it again on a disposed item finishes a removal a
// kill interrupted. Evidence kept by reference is not the vault's to remove: the record says so.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/evidence_cli.h"
#include "cli/vault_cli.h"
#include "core/hash_multi.h"
#include "core/version.h"
#include "io/source.h"
#include "vault/custody.h"

namespace evidex::cli {
namespace {

namespace fs = std::filesystem;

// Copies `source` to the open descriptor `fd`, hashing every byte once; returns the digests.
Result<Digests> CopyHashing(Source& source, int fd, const std::string& dest, ProgressLine& progress) {
  constexpr size_t kBlock = 4u << 20;
  BlockPool pool(kBlock, 8);
  MultiHasher hasher;
  BlockWorker writer([fd, &dest](const std::shared_ptr<const Block>& b) -> Status {
    size_t done = 0;
    while (done < b->size) {
      ssize_t n = ::write(fd, b->data() + done, b->size - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno == ENOSPC ? "disk full writing " + dest : "cannot write " + dest, errno);
      }
      done += size_t(n);
    }
    return Status::Ok();
  });
  const uint64_t size = source.Size();
  for (uint64_t off = 0; off < size;) {
    if (g_cancel.load()) return LimitReached("interrupted");
    if (writer.failed()) break;
    std::shared_ptr<Block> b = pool.Get();
    size_t want = size_t(std::min<uint64_t>(kBlock, size - off));
    Result<size_t> n = source.ReadAt(off, std::span<std::byte>(b->data(), want));
    if (!n.ok()) return n.status();
    if (*n == 0) return IoError(source.Describe() + " ended at byte " + std::to_string(off));
    b->size = *n;
    b->offset = off;
    off += *n;
    std::shared_ptr<const Block> cb = std::move(b);
    hasher.Update(cb);
    writer.Push(cb);
    progress.Update(off, size, "exporting");
  }
  EVIDEX_RETURN_IF_ERROR(writer.Drain());
  return hasher.Finish();
}

class ExportCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "export", "write an evidence item's bytes to a file (hash-verified, recorded in custody)");
    cmd->add_option("CASE", case_, "case number or local id")->required();
    cmd->add_option("EVIDENCE", evidence_, "evidence name (E1) or UUID")->required();
    cmd->add_option("-o,--output", output_, "the file to write (must not exist)")->required();
    cmd->add_option("--to", recipient_, "who receives the copy, for the record");
    cmd->add_option("--examiner", examiner_, "who exports (default: the case's examiner)");
    cmd->add_flag("--json", json_, "print the result as JSON");
    cmd->add_flag("-q,--quiet", quiet_, "no progress line");
    AddPassphraseOption(cmd, &passphrase_file_);
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    std::optional<store::Case> c = ResolveCase(*ws, case_, &exit_code);
    if (!c) return exit_code;
    std::optional<UsableEvidence> e = ResolveUsableEvidence(*ws, *c, evidence_, &exit_code);
    if (!e) return exit_code;
    std::optional<vault::SigningKey> key = LoadKey(*ws, passphrase_file_, &exit_code);
    if (!key) return exit_code;
    Status chain = ws->store().CheckChainEnd(c->id, key->public_key());
    if (!chain.ok()) {
      PrintError(chain);
      return StoreExit(chain);
    }
    std::error_code ec;
    if (fs::exists(output_, ec)) {
      PrintError(output_ + " exists; export never overwrites a file");
      return kExitUsage;
    }
    Result<std::unique_ptr<Source>> src = OpenSource(e->path);
    if (!src.ok()) {
      PrintError(e->row.Name() + ": " + src.status().message());
      return kExitSource;
    }
    InstallCancelHandler();
    const std::string partial = output_ + ".partial";
    int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      PrintError(ErrnoStatus("cannot create " + partial, errno));
      return kExitOutput;
    }
    auto started = std::chrono::steady_clock::now();
    ProgressLine progress(quiet_ || json_);
    Result<Digests> d = CopyHashing(**src, fd, output_, progress);
    progress.Finish();
    bool synced = d.ok() && ::fsync(fd) == 0;
    ::close(fd);
    auto fail = [&](const std::string& why, int code) {
      ::unlink(partial.c_str());
      PrintError(why);
      return code;
    };
    if (!d.ok())
      return fail(d.status().message(), d.status().code() == Code::kLimit ? kExitInterrupted : kExitOutput);
    if (!synced) return fail("cannot write " + output_ + " to disk", kExitOutput);
    if (*d != e->signed_digests)
      return fail(e->row.Name() + "'s bytes do not match its signed hashes (SHA-256 recorded " +
                      e->signed_digests.sha256 + ", read " + d->sha256 + "); nothing exported",
                  kExitVerifyFailed);
    ::chmod(partial.c_str(), 0444);
    if (::renameat2(AT_FDCWD, partial.c_str(), AT_FDCWD, output_.c_str(), RENAME_NOREPLACE) != 0)
      return fail(ErrnoStatus("cannot rename " + partial + " to " + output_, errno).message(),
                  kExitOutput);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    vault::CustodyRecord r;
    r.actor = examiner_.empty() ? c->examiner : examiner_;
    r.unit = ws->unit().Display();
    r.action = "exported";
    r.evidence = e->row.uuid;
    r.details = {{"name", e->row.Name()},
                 {"destination", fs::absolute(output_, ec).string()},
                 {"format", "raw"},
                 {"size", e->row.size},
                 {"md5", d->md5},
                 {"sha1", d->sha1},
                 {"sha256", d->sha256},
                 {"verified", true},
                 {"tool", "evidex"},
                 {"tool_version", EVIDEX_VERSION}};
    if (!recipient_.empty()) r.details["recipient"] = recipient_;
    Result<vault::CustodyRecord> sealed = ws->store().AppendCustody(c->id, r, *key);
    if (!sealed.ok()) {
      PrintError(output_ + " was written and verified, but its custody record failed: " +
                 sealed.status().message());
      return StoreExit(sealed.status());
    }
    if (json_) {
      nlohmann::json j = {{"case", c->number},       {"evidence", e->row.Name()},
                          {"output", output_},       {"size", e->row.size},
                          {"md5", d->md5},           {"sha1", d->sha1},
                          {"sha256", d->sha256},     {"verified", true},
                          {"custody_seq", sealed->seq}, {"seconds", seconds}};
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf("%s %s exported to %s: %s, SHA-256 %s matches its signed record; custody record %lld\n",
                  e->row.Name().c_str(), e->row.label.c_str(), output_.c_str(),
                  HumanBytes(double(e->row.size)).c_str(), d->sha256.c_str(),
                  (long long)sealed->seq);
    }
    return kExitOk;
  }

 private:
  std::string case_, evidence_, output_, recipient_, examiner_, passphrase_file_;
  bool json_ = false, quiet_ = false;
};

// Removes what the vault holds for `e` (write-once files: their modes are relaxed first).
Status RemoveStoredBytes(vault::Workspace& ws, const store::Evidence& e, bool* removed) {
  *removed = false;
  if (e.stored_path.empty()) return Status::Ok();
  fs::path p = fs::path(ws.vault_dir()) / e.stored_path;
  std::error_code ec;
  fs::path target = e.mode == "e01" ? p.parent_path() : p;  // an E01 set: its <id>/ directory
  if (!fs::exists(target, ec)) return Status::Ok();
  if (e.mode == "e01") {
    fs::permissions(target, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(target, ec);
  } else {
    fs::remove(target, ec);
  }
  if (ec) return IoError("cannot remove " + target.string() + ": " + ec.message());
  *removed = true;
  return Status::Ok();
}

class DisposeCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "dispose", "record an evidence item's disposal and remove the bytes the vault holds");
    cmd->add_option("CASE", case_, "case number or local id")->required();
    cmd->add_option("EVIDENCE", evidence_, "evidence name (E1) or UUID")->required();
    cmd->add_option("--reason", reason_, "why (returned to owner, destroyed by order ...)")->required();
    cmd->add_option("--authority", authority_, "the decision or order that allows it");
    cmd->add_option("--examiner", examiner_, "who disposes (default: the case's examiner)");
    AddPassphraseOption(cmd, &passphrase_file_);
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    std::optional<store::Case> c = ResolveCase(*ws, case_, &exit_code);
    if (!c) return exit_code;
    Result<std::optional<store::Evidence>> found = ws->store().FindEvidence(c->id, evidence_);
    if (!found.ok()) {
      PrintError(found.status());
      return StoreExit(found.status());
    }
    if (!found->has_value()) {
      PrintError("no evidence " + evidence_ + " in case " + c->number);
      return kExitUsage;
    }
    store::Evidence e = **found;
    if (e.state == store::EvidenceState::kDisposed) {
      // Already recorded: finish a removal that a kill may have interrupted.
      return Remove(*ws, e, /*recorded_now=*/false);
    }
    if (e.state != store::EvidenceState::kComplete) {
      PrintError(e.Name() + " is " + StateText(e) + ": only complete evidence is disposed of");
      return kExitUsage;
    }
    std::optional<vault::SigningKey> key = LoadKey(*ws, passphrase_file_, &exit_code);
    if (!key) return exit_code;
    vault::CustodyRecord r;
    r.actor = examiner_.empty() ? c->examiner : examiner_;
    r.unit = ws->unit().Display();
    r.action = "disposed";
    r.evidence = e.uuid;
    r.details = {{"name", e.Name()},   {"label", e.label},   {"reason", reason_},
                 {"mode", e.mode},     {"sha256", e.sha256}, {"stored_path", e.stored_path},
                 {"vault_bytes", e.mode == "reference" ? "not held by the vault (reference)"
                                                       : "removed from the vault"}};
    if (!authority_.empty()) r.details["authority"] = authority_;
    e.state = store::EvidenceState::kDisposed;
    Status st = ws->store().Transaction([&]() -> Status {
      EVIDEX_RETURN_IF_ERROR(ws->store().UpdateEvidence(e));
      return ws->store().AppendCustody(c->id, r, *key).status();
    });
    if (!st.ok()) {
      PrintError(st);
      return StoreExit(st);
    }
    return Remove(*ws, e, true);
  }

 private:
  int Remove(vault::Workspace& ws, const store::Evidence& e, bool recorded_now) {
    // A raw object is content-addressed: keep it while another live item uses it.
    Result<std::vector<store::Case>> cases = ws.store().ListCases();
    if (!cases.ok()) {
      PrintError(cases.status());
      return StoreExit(cases.status());
    }
    for (const store::Case& other : *cases) {
      Result<std::vector<store::Evidence>> items = ws.store().ListEvidence(other.id);
      if (!items.ok()) continue;
      for (const store::Evidence& x : *items) {
        if (x.id != e.id && x.stored_path == e.stored_path && !e.stored_path.empty() &&
            x.state != store::EvidenceState::kDisposed) {
          std::printf("%s disposed of; its bytes are kept: %s (case %s) holds the same object\n",
                      e.Name().c_str(), x.Name().c_str(), other.number.c_str());
          return kExitOk;
        }
      }
    }
    bool removed = false;
    Status st = RemoveStoredBytes(ws, e, &removed);
    if (!st.ok()) {
      PrintError(e.Name() + " is recorded as disposed, but " + st.message() +
                 "; run the same command again");
      return kExitOutput;
    }
    std::printf("%s %s%s%s\n", e.Name().c_str(),
                recorded_now ? "disposed of (custody record written)" : "was already disposed of",
                removed ? "; its bytes were removed from the vault" : "",
                e.mode == "reference" ? "; the referenced source is not the vault's to remove" : "");
    return kExitOk;
  }

  std::string case_, evidence_, reason_, authority_, examiner_, passphrase_file_;
};

}  // namespace

std::unique_ptr<Command> MakeExportCommand() { return std::make_unique<ExportCommand>(); }
std::unique_ptr<Command> MakeDisposeCommand() { return std::make_unique<DisposeCommand>(); }

}  // namespace evidex::cli
