// `evidex hashset`: known-file hash sets in the workspace (hashsets/<id>.evhs, hashset/hashset.h).
//
//   hashset import FILE --category known|alert [--name N] [--label L] [--description D]
//                  [--format auto|nsrl-rds3|hashdeep|list|vics] [--partial] [--json]
//   hashset list [--json]
//   hashset remove ID|NAME
//   hashset lookup HASH... [--json]       which sets hold each MD5 / SHA-1 / SHA-256
//   hashset check PATH... [--json] [--alerts-only]
//                                          hashes every file (a directory: every file under it)
//                                          and tells alert / known / unknown, alerts first
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/vault_cli.h"
#include "core/hash.h"
#include "hashset/hashset.h"
#include "hashset/import.h"
#include "io/source.h"
#include "store/store.h"

namespace evidex::cli {
namespace {

namespace fs = std::filesystem;
using hashset::Algorithm;
using hashset::HashSet;

std::string UtcNowIso() {
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

using hashset::SetMatch;
using Sets = std::vector<std::unique_ptr<HashSet>>;

nlohmann::json MatchesJson(const std::vector<SetMatch>& m) {
  nlohmann::json out = nlohmann::json::array();
  for (const SetMatch& x : m)
    out.push_back({{"set", x.set->info().name}, {"set_id", x.set->info().id},
                   {"category", hashset::CategoryName(x.set->info().category)}, {"label", x.label}});
  return out;
}

std::string MatchesText(const std::vector<SetMatch>& m) {
  std::string s;
  for (const SetMatch& x : m) {
    if (!s.empty()) s += "; ";
    s += std::string(hashset::CategoryName(x.set->info().category)) + ": " + x.set->info().name;
    if (!x.label.empty()) s += " (" + x.label + ")";
  }
  return s;
}

// MD5, SHA-1 and SHA-256 of one file in one read.
Status HashFile(const std::string& path, std::array<std::vector<uint8_t>, 3>* out) {
  Result<std::unique_ptr<Source>> src = OpenRawFile(path);
  if (!src.ok()) return src.status();
  StreamHasher hasher;
  std::vector<std::byte> buf(1 << 20);
  uint64_t off = 0;
  for (;;) {
    Result<size_t> n = (*src)->ReadAt(off, buf);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    hasher.Update(buf.data(), *n);
    off += *n;
  }
  hasher.Finish(out);
  return Status::Ok();
}

class HashsetCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "hashset", "known-file hash sets (NSRL, hashdeep, md5sum lists, Project VIC): import, "
                   "list, remove, lookup, check");
    cmd->require_subcommand(1);
    import_ = cmd->add_subcommand("import", "compile a hash-set file into the workspace");
    import_->add_option("FILE", file_, "NSRL RDSv3 database, hashdeep file, hash list or VICS JSON")
        ->required();
    import_->add_option("--category", category_, "known (files to leave out) or alert (to flag)")
        ->required()
        ->check(CLI::IsMember({"known", "known-good", "alert"}));
    import_->add_option("--name", name_, "its name (default: the file's name)");
    import_->add_option("--label", label_, "what its files are (\"malware\", ...)");
    import_->add_option("--description", description_, "a line about it");
    import_->add_option("--format", format_, "auto (default), nsrl-rds3, hashdeep, list or vics")
        ->check(CLI::IsMember({"auto", "nsrl-rds3", "hashdeep", "list", "vics"}));
    import_->add_flag("--partial", partial_, "import the good records when some are bad");
    import_->add_flag("--json", json_, "print the result as JSON");
    list_ = cmd->add_subcommand("list", "list the hash sets");
    list_->add_flag("--json", json_, "print as JSON");
    remove_ = cmd->add_subcommand("remove", "remove a hash set");
    remove_->add_option("SET", target_, "its id or name (see list)")->required();
    lookup_ = cmd->add_subcommand("lookup", "which sets hold these MD5 / SHA-1 / SHA-256 values");
    lookup_->add_option("HASH", hashes_, "hex digests")->required();
    lookup_->add_flag("--json", json_, "print as JSON");
    check_ = cmd->add_subcommand("check", "hash files and match them against every set");
    check_->add_option("PATH", paths_, "files or directories")->required();
    check_->add_flag("--alerts-only", alerts_only_, "list only the files in an alert set");
    check_->add_flag("--json", json_, "print as JSON");
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    dir_ = ws->dir() + "/hashsets";
    if (import_->parsed()) return Import();
    Result<Sets> sets = hashset::OpenSets(dir_);
    if (!sets.ok()) {
      PrintError(sets.status().message() + " (remove it with `evidex hashset remove` and import it again)");
      return kExitWorkspace;
    }
    if (list_->parsed()) return List(*sets);
    if (remove_->parsed()) return Remove(*sets);
    if (lookup_->parsed()) return Lookup(*sets);
    return Check(*sets);
  }

 private:
  int Import() {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) {
      PrintError("cannot create " + dir_ + ": " + ec.message());
      return kExitOutput;
    }
    hashset::SetInfo info;
    info.id = store::NewUuid();
    info.name = name_.empty() ? fs::path(file_).filename().string() : name_;
    info.category = *hashset::ParseCategory(category_);
    info.description = description_;
    info.source_file = file_;
    info.imported = UtcNowIso();
    info.labels = {label_};
    hashset::Builder builder(std::move(info));
    hashset::ImportOptions options;
    options.format = format_;
    options.partial = partial_;
    Result<hashset::ImportReport> report = hashset::ImportFile(file_, options, &builder);
    if (!report.ok()) {
      const Code code = report.status().code();
      const bool bad_record = code == Code::kInvalidArgument || code == Code::kCorrupt;
      PrintError(report.status().message() +
                 (bad_record && !partial_ ? "; nothing imported (--partial imports the good records)"
                                          : ""));
      return code == Code::kInternal ? ExitCodeFor(report.status()) : kExitSource;
    }
    for (const hashset::ImportError& e : report->errors)
      PrintError(file_ + ": " + e.where + ": " + e.message + " (skipped)");
    const std::string path = dir_ + "/" + builder.info().id + ".evhs";
    Status st = builder.Write(path);
    if (!st.ok()) {
      PrintError(st);
      return kExitOutput;
    }
    const hashset::SetInfo& i = builder.info();
    if (json_) {
      std::printf("%s\n", nlohmann::json{{"id", i.id}, {"name", i.name},
                                         {"category", hashset::CategoryName(i.category)},
                                         {"format", report->format}, {"records", report->records},
                                         {"md5", i.counts[0]}, {"sha1", i.counts[1]},
                                         {"sha256", i.counts[2]}, {"skipped", report->bad_records},
                                         {"labels", i.labels}}
                              .dump(2)
                              .c_str());
    } else {
      std::printf("hash set %s \"%s\" (%s, %s): %llu records, %llu MD5, %llu SHA-1, %llu SHA-256 "
                  "distinct; %llu skipped\n",
                  i.id.c_str(), i.name.c_str(), hashset::CategoryName(i.category),
                  report->format.c_str(), (unsigned long long)report->records,
                  (unsigned long long)i.counts[0], (unsigned long long)i.counts[1],
                  (unsigned long long)i.counts[2], (unsigned long long)report->bad_records);
    }
    return kExitOk;
  }

  int List(const Sets& sets) {
    if (json_) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& s : sets) {
        const hashset::SetInfo& i = s->info();
        out.push_back({{"id", i.id}, {"name", i.name},
                       {"category", hashset::CategoryName(i.category)}, {"format", i.format},
                       {"description", i.description}, {"labels", i.labels},
                       {"md5", i.counts[0]}, {"sha1", i.counts[1]}, {"sha256", i.counts[2]},
                       {"source_file", i.source_file}, {"source_sha256", i.source_sha256},
                       {"imported", i.imported}, {"bytes", s->mapped_bytes()}});
      }
      std::printf("%s\n", out.dump(2).c_str());
      return kExitOk;
    }
    if (sets.empty()) {
      std::printf("no hash sets (evidex hashset import FILE --category known|alert)\n");
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows{
        {"id", "name", "category", "format", "md5", "sha1", "sha256", "imported"}};
    for (const auto& s : sets) {
      const hashset::SetInfo& i = s->info();
      rows.push_back({i.id, i.name, hashset::CategoryName(i.category), i.format,
                      std::to_string(i.counts[0]), std::to_string(i.counts[1]),
                      std::to_string(i.counts[2]), i.imported});
    }
    PrintTable(rows);
    return kExitOk;
  }

  int Remove(const Sets& sets) {
    std::vector<const HashSet*> found;
    for (const auto& s : sets)
      if (s->info().id == target_ || s->info().name == target_) found.push_back(s.get());
    if (found.empty()) {
      PrintError("no hash set " + target_ + " (see evidex hashset list)");
      return kExitUsage;
    }
    if (found.size() > 1) {
      PrintError("several hash sets are named " + target_ + "; give its id");
      return kExitUsage;
    }
    std::error_code ec;
    const std::string path = found[0]->path();
    const std::string id = found[0]->info().id, name = found[0]->info().name;
    if (!fs::remove(path, ec) || ec) {
      PrintError("cannot remove " + path + ": " + ec.message());
      return kExitOutput;
    }
    std::printf("hash set %s \"%s\" removed\n", id.c_str(), name.c_str());
    return kExitOk;
  }

  int Lookup(const Sets& sets) {
    nlohmann::json out = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows{{"hash", "found in"}};
    for (const std::string& h : hashes_) {
      std::optional<Algorithm> a = hashset::AlgorithmForHexLength(h.size());
      uint8_t d[32];
      if (!a || !hashset::ParseHexDigest(h, *a, d)) {
        PrintError("not an MD5, SHA-1 or SHA-256 in hex: " + h);
        return kExitUsage;
      }
      std::vector<SetMatch> m = hashset::FindInSets(sets, *a, d);
      out.push_back({{"hash", hashset::HexDigest(d, *a)}, {"algorithm", hashset::AlgorithmName(*a)},
                     {"matches", MatchesJson(m)}});
      rows.push_back({hashset::HexDigest(d, *a), m.empty() ? "-" : MatchesText(m)});
    }
    if (json_) std::printf("%s\n", out.dump(2).c_str());
    else PrintTable(rows);
    return kExitOk;
  }

  int Check(const Sets& sets) {
    struct FileResult {
      std::string path;
      std::array<std::vector<uint8_t>, 3> digests;
      std::vector<SetMatch> matches;
      bool alert = false;
      std::string error;
    };
    std::vector<FileResult> results;
    bool partial = false;
    for (const std::string& p : paths_) {
      Result<Enumeration> items = EnumerateEvidence(p);
      if (!items.ok()) {
        PrintError(items.status());
        return kExitSource;
      }
      for (const Status& e : items->errors) {
        PrintError(e);
        partial = true;
      }
      for (const EvidenceItem& it : items->items) {
        FileResult r;
        r.path = it.path;
        Status st = HashFile(it.path, &r.digests);
        if (!st.ok()) {
          r.error = st.message();
          PrintError(st);
          partial = true;
          results.push_back(std::move(r));
          continue;
        }
        r.matches = hashset::FindFileInSets(sets, r.digests);
        r.alert = std::any_of(r.matches.begin(), r.matches.end(), [](const SetMatch& m) {
          return m.set->info().category == hashset::Category::kAlert;
        });
        results.push_back(std::move(r));
      }
    }
    std::stable_sort(results.begin(), results.end(),
                     [](const FileResult& a, const FileResult& b) { return a.alert > b.alert; });
    size_t alerts = 0, known = 0, unknown = 0;
    for (const FileResult& r : results) {
      if (!r.error.empty()) continue;
      (r.alert ? alerts : r.matches.empty() ? unknown : known)++;
    }
    if (json_) {
      nlohmann::json files = nlohmann::json::array();
      for (const FileResult& r : results) {
        if (alerts_only_ && !r.alert) continue;
        nlohmann::json j = {{"path", r.path}};
        if (!r.error.empty()) {
          j["error"] = r.error;
        } else {
          j["status"] = r.alert ? "alert" : r.matches.empty() ? "unknown" : "known";
          j["md5"] = hashset::HexDigest(r.digests[0].data(), Algorithm::kMd5);
          j["sha1"] = hashset::HexDigest(r.digests[1].data(), Algorithm::kSha1);
          j["sha256"] = hashset::HexDigest(r.digests[2].data(), Algorithm::kSha256);
          j["matches"] = MatchesJson(r.matches);
        }
        files.push_back(std::move(j));
      }
      std::printf("%s\n", nlohmann::json{{"files", files}, {"alert", alerts}, {"known", known},
                                         {"unknown", unknown}, {"sets", sets.size()}}
                              .dump(2)
                              .c_str());
    } else {
      std::vector<std::vector<std::string>> rows{{"status", "file", "sha256", "found in"}};
      for (const FileResult& r : results) {
        if (alerts_only_ && !r.alert) continue;
        if (!r.error.empty()) continue;
        rows.push_back({r.alert ? "ALERT" : r.matches.empty() ? "unknown" : "known", r.path,
                        hashset::HexDigest(r.digests[2].data(), Algorithm::kSha256),
                        r.matches.empty() ? "-" : MatchesText(r.matches)});
      }
      PrintTable(rows);
      std::printf("%zu file(s): %zu alert, %zu known, %zu unknown (%zu hash set(s))\n",
                  alerts + known + unknown, alerts, known, unknown, sets.size());
    }
    return partial ? kExitPartial : kExitOk;
  }

  CLI::App *import_ = nullptr, *list_ = nullptr, *remove_ = nullptr, *lookup_ = nullptr,
           *check_ = nullptr;
  std::string dir_, file_, category_, name_, label_, description_, format_ = "auto", target_;
  std::vector<std::string> hashes_, paths_;
  bool partial_ = false, json_ = false, alerts_only_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeHashsetCommand() { return std::make_unique<HashsetCommand>(); }

}  // namespace evidex::cli
