// `evidex similar TARGET [SOURCE...]`: near-duplicates of a file, or of an ssdeep or TLSH hash,
// by ssdeep score and TLSH distance: among the files inside images and the files on disk given,
// or, with no SOURCE, among the files of every listing stored with `evidex files --case --fuzzy`
// (one case with --case).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/vault_cli.h"
#include "fuzzy/ssdeep.h"
#include "fuzzy/tlsh.h"
#include "inventory/inventory.h"
#include "io/source.h"
#include "store/store.h"

namespace evidex::cli {
namespace {

struct Fuzzy {
  std::string ssdeep, tlsh;
};

// Both hashes of a file on disk.
Result<Fuzzy> HashWhole(const std::string& path) {
  Result<std::unique_ptr<Source>> src = OpenRawFile(path);
  if (!src.ok()) return src.status();
  fuzzy::SsdeepHasher s;
  fuzzy::TlshHasher t;
  std::vector<std::byte> buf(1 << 20);
  for (uint64_t off = 0;;) {
    Result<size_t> n = (*src)->ReadAt(off, buf);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    s.Update(buf.data(), *n);
    t.Update(buf.data(), *n);
    off += *n;
  }
  return Fuzzy{s.Finish(), t.Finish()};
}

class SimilarCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "similar", "find near-duplicates of a file (or of an ssdeep or TLSH hash) in images, folders or the case store");
    cmd->add_option("TARGET", target_, "a file, an ssdeep hash (BLOCKSIZE:HASH:HASH) or a TLSH hash")
        ->required();
    cmd->add_option("SOURCE", sources_,
                    "images (their filesystems are walked) or files and folders; none: the files "
                    "stored by `evidex files --case --fuzzy` in every case");
    cmd->add_option("--case", case_, "with no SOURCE: only this case's stored files");
    cmd->add_option("--threshold", threshold_, "lowest ssdeep score listed, 1-100 (default 40)")
        ->check(CLI::Range(1, 100));
    cmd->add_option("--max-distance", max_distance_,
                    "largest TLSH distance listed (default 40; 0 is identical)")
        ->check(CLI::Range(0, 2000));
    cmd->add_flag("--json", json_, "print as JSON");
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    std::error_code ec;
    if (std::filesystem::is_regular_file(target_, ec)) {
      Result<Fuzzy> h = HashWhole(target_);
      if (!h.ok()) {
        PrintError(h.status());
        return kExitSource;
      }
      target_hash_ = *h;
      if (target_hash_.ssdeep.empty() && target_hash_.tlsh.empty()) {
        PrintError(target_ + " is too small or too uniform for a fuzzy hash");
        return kExitUsage;
      }
    } else if (fuzzy::SsdeepCompare(target_, target_).has_value()) {
      target_hash_.ssdeep = target_;
    } else if (fuzzy::TlshDistance(target_, target_).has_value()) {
      target_hash_.tlsh = target_;
    } else {
      PrintError(target_ + " is neither a file nor an ssdeep (BLOCKSIZE:HASH:HASH) or TLSH hash");
      return kExitUsage;
    }
    if (!case_.empty() && !sources_.empty()) {
      PrintError("--case is for the stored files; give it without SOURCE");
      return kExitUsage;
    }
    int rc = sources_.empty() ? FromStore(global) : FromSources();
    if (rc != kExitOk && rc != kExitPartial) return rc;
    std::stable_sort(found_.begin(), found_.end(), [](const Found& a, const Found& b) {
      return std::make_pair(-a.score, a.distance.value_or(1 << 20)) <
             std::make_pair(-b.score, b.distance.value_or(1 << 20));
    });
    Print();
    return rc;
  }

 private:
  struct Found {
    int score = 0;                  // ssdeep, 0 when not similar by ssdeep
    std::optional<int> distance;    // TLSH, when both have one
    std::string source, where;
    Fuzzy hash;
    uint64_t size = 0;
  };

  void Consider(const std::string& source, const std::string& where, uint64_t size,
                const Fuzzy& hash) {
    if (hash.ssdeep.empty() && hash.tlsh.empty()) return;
    ++compared_;
    Found f{0, std::nullopt, source, where, hash, size};
    if (!target_hash_.ssdeep.empty() && !hash.ssdeep.empty())
      f.score = fuzzy::SsdeepCompare(target_hash_.ssdeep, hash.ssdeep).value_or(0);
    if (!target_hash_.tlsh.empty() && !hash.tlsh.empty())
      f.distance = fuzzy::TlshDistance(target_hash_.tlsh, hash.tlsh);
    if (f.score >= threshold_ || (f.distance && *f.distance <= max_distance_))
      found_.push_back(std::move(f));
  }

  int FromSources() {
    std::error_code ec;
    bool partial = false;
    for (const std::string& src : sources_) {
      if (std::filesystem::is_directory(src, ec)) {
        Result<Enumeration> items = EnumerateEvidence(src);
        if (!items.ok()) {
          PrintError(items.status());
          return kExitSource;
        }
        for (const EvidenceItem& it : items->items) {
          Result<Fuzzy> h = HashWhole(it.path);
          if (!h.ok()) {
            PrintError(h.status());
            partial = true;
            continue;
          }
          Consider(src, it.path, std::filesystem::file_size(it.path, ec), *h);
        }
        continue;
      }
      Result<std::unique_ptr<Source>> source = OpenSource(src);
      if (!source.ok()) {
        PrintError(source.status());
        return kExitSource;
      }
      inventory::Options use;
      use.hash = false;
      use.fuzzy = true;
      use.cancel = &g_cancel;
      Result<fs::WalkReport> report = inventory::Run(**source, use, [&](inventory::Entry& e) {
        if (!e.error.empty()) {
          PrintError(e.error);
          partial = true;
        } else if (e.read) {
          Consider(src, e.fs + ":" + e.file.path + (e.file.deleted ? " (deleted)" : ""),
                   e.file.size, {e.ssdeep, e.tlsh});
        }
        return !g_cancel.load();
      });
      if (!report.ok()) {
        PrintError(src + ": " + report.status().message());
        return kExitSource;
      }
      if (report->filesystems.empty()) {  // a plain file: itself
        Result<Fuzzy> h = HashWhole(src);
        if (h.ok()) Consider(src, src, (*source)->Size(), *h);
      }
    }
    if (g_cancel.load()) return kExitInterrupted;
    return partial ? kExitPartial : kExitOk;
  }

  int FromStore(const GlobalOptions& global) {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    int64_t case_id = 0;
    if (!ResolveCaseFilter(*ws, case_, &case_id, &exit_code)) return exit_code;
    Status st = ws->store().ForEachFuzzyFile(
        case_id, [&](const store::StoredFile& f, const store::Sighting& s) {
          Consider("case " + s.case_number + " " + s.evidence_name +
                       (s.evidence_label.empty() ? "" : " (" + s.evidence_label + ")"),
                   f.fs + ":" + f.path + (f.deleted ? " (deleted)" : ""), f.size,
                   {f.ssdeep, f.tlsh});
          return true;
        });
    if (!st.ok()) {
      PrintError(st);
      return StoreExit(st);
    }
    if (compared_ == 0)
      std::fprintf(stderr,
                   "no stored file has a fuzzy hash yet: `evidex files --case CASE E1 --fuzzy` "
                   "stores them\n");
    return kExitOk;
  }

  void Print() {
    if (json_) {
      nlohmann::json out = nlohmann::json::array();
      for (const Found& f : found_) {
        nlohmann::json j = {{"score", f.score}, {"source", f.source}, {"file", f.where},
                            {"size", f.size}, {"ssdeep", f.hash.ssdeep}, {"tlsh", f.hash.tlsh}};
        j["tlsh_distance"] = f.distance ? nlohmann::json(*f.distance) : nlohmann::json(nullptr);
        out.push_back(std::move(j));
      }
      std::printf("%s\n", nlohmann::json{{"target", {{"ssdeep", target_hash_.ssdeep},
                                                     {"tlsh", target_hash_.tlsh}}},
                                         {"threshold", threshold_},
                                         {"max_distance", max_distance_},
                                         {"compared", compared_},
                                         {"similar", out}}
                              .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                              .c_str());
      return;
    }
    if (!target_hash_.ssdeep.empty()) std::printf("target ssdeep %s\n", target_hash_.ssdeep.c_str());
    if (!target_hash_.tlsh.empty()) std::printf("target TLSH   %s\n", target_hash_.tlsh.c_str());
    std::vector<std::vector<std::string>> rows{{"ssdeep", "tlsh", "file", "size", "source"}};
    for (const Found& f : found_)
      rows.push_back({std::to_string(f.score), f.distance ? std::to_string(*f.distance) : "-",
                      f.where, std::to_string(f.size), f.source});
    PrintTable(rows);
    std::printf("%zu of %llu file(s) at ssdeep score %d or more or TLSH distance %d or less\n",
                found_.size(), (unsigned long long)compared_, threshold_, max_distance_);
  }

  std::string target_, case_;
  std::vector<std::string> sources_;
  int threshold_ = 40, max_distance_ = 40;
  bool json_ = false;
  Fuzzy target_hash_;
  std::vector<Found> found_;
  uint64_t compared_ = 0;
};

}  // namespace

std::unique_ptr<Command> MakeSimilarCommand() { return std::make_unique<SimilarCommand>(); }

}  // namespace evidex::cli
