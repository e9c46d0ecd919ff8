// `evidex timeline`: every filesystem time as one sorted timeline (plaso / Timesketch columns).
//
//   timeline SOURCE [--jsonl] [-o FILE] [--from TIME] [--to TIME] [--no-deleted]
//   timeline --case CASE [EVIDENCE...] [the same options]
//       from a source's filesystems, walked now; or from the file listings stored in a case
//       (`evidex files --case`), every evidence item of the case unless some are named (an item
//       with no stored listing is walked now).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/evidence_cli.h"
#include "cli/files_common.h"
#include "cli/vault_cli.h"
#include "exchange/csv.h"
#include "fs/filesystem.h"
#include "io/source.h"
#include "store/store.h"

namespace evidex::cli {
namespace {

using exchange::CsvField;

class TimelineCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "timeline", "every filesystem time of a source or a case as one sorted timeline (plaso/Timesketch CSV)");
    cmd->add_option("SOURCE", sources_,
                    "raw image, device, split raw or E01; with --case: evidence names (default all)");
    cmd->add_option("--case", case_, "the file listings stored in this case (evidex files --case)");
    cmd->add_flag("--jsonl", jsonl_, "JSON lines instead of CSV");
    cmd->add_option("-o,--output", output_, "write there instead of standard output");
    cmd->add_option("--from", from_, "first time kept, UTC (2026-11-02 or 2026-11-02T10:00:00)");
    cmd->add_option("--to", to_, "last time kept, UTC (inclusive)");
    cmd->add_flag("--no-deleted", no_deleted_, "leave deleted entries out");
    return cmd;
  }

  int Run(const GlobalOptions& global) override {
    if ((!from_.empty() && !ParseUtc(from_, &from_s_)) || (!to_.empty() && !ParseUtc(to_, &to_s_))) {
      PrintError("times are YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC)");
      return kExitUsage;
    }
    if (!to_.empty() && to_.find('T') == std::string::npos) to_s_ += 86399;  // the whole day
    if (case_.empty() && sources_.size() != 1) {
      PrintError("give one SOURCE, or --case CASE [EVIDENCE...]");
      return kExitUsage;
    }
    int rc = case_.empty() ? FromSource(sources_[0], "") : FromCase(global);
    if (rc != kExitOk) return rc;
    std::stable_sort(rows_.begin(), rows_.end(),
                     [](const Row& a, const Row& b) { return a.micros < b.micros; });
    return Write();
  }

 private:
  struct Row {
    int64_t micros;
    uint8_t which;  // 0 M, 1 A, 2 C, 3 B
    uint32_t entry;
  };
  struct Entry {
    std::string evidence, fs, path;
    uint64_t size, address;
    bool deleted;
    std::string type;
  };

  // Adds an entry's times inside the range.
  void Add(Entry e, const std::optional<int64_t> (&times)[4]) {
    if (no_deleted_ && e.deleted) return;
    bool any = false;
    for (uint8_t w = 0; w < 4; ++w) {
      if (!times[w]) continue;
      int64_t s = *times[w] / 1000000 - (*times[w] % 1000000 < 0 ? 1 : 0);
      if (s < from_s_ || s > to_s_) continue;
      rows_.push_back({*times[w], w, uint32_t(entries_.size())});
      any = true;
    }
    if (any) entries_.push_back(std::move(e));
  }

  int FromSource(const std::string& path, const std::string& evidence) {
    Result<std::unique_ptr<Source>> source = OpenSource(path);
    if (!source.ok()) {
      PrintError(source.status());
      return kExitSource;
    }
    fs::WalkOptions options;
    options.deleted = !no_deleted_;
    Result<fs::WalkReport> report = fs::Walk(
        **source, options, [&](const fs::FileSystem& f, const fs::FileEntry& e, fs::ContentReader&) {
          const std::optional<int64_t> times[4] = {Micros(e.modified), Micros(e.accessed),
                                                   Micros(e.changed), Micros(e.created)};
          Add({evidence, f.type + "@" + std::to_string(f.offset), e.path, e.size, e.address,
               e.deleted, TypeName(e.type)},
              times);
          return !g_cancel.load();
        });
    if (!report.ok()) {
      PrintError((evidence.empty() ? path : evidence) + ": " + report.status().message());
      return kExitSource;
    }
    for (const std::string& n : report->notes) PrintError("note: " + n);
    return kExitOk;
  }

  int FromCase(const GlobalOptions& global) {
    int exit_code = kExitOk;
    std::optional<vault::Workspace> ws = OpenWorkspace(global, &exit_code);
    if (!ws) return exit_code;
    std::optional<store::Case> c = ResolveCase(*ws, case_, &exit_code);
    if (!c) return exit_code;
    std::vector<store::Evidence> items;
    if (!SelectEvidence(*ws, *c, sources_, "", &items, &exit_code)) return exit_code;
    Result<std::vector<store::FileListing>> listings = ws->store().ListFileListings(c->id);
    if (!listings.ok()) {
      PrintError(listings.status());
      return StoreExit(listings.status());
    }
    for (const store::Evidence& e : items) {
      bool stored = false;
      for (const store::FileListing& l : *listings)
        if (l.evidence_id == e.id && l.status != "superseded") stored = true;
      if (!stored) {
        // No listing stored: the item's filesystems are walked now.
        std::optional<UsableEvidence> u = ResolveUsableEvidence(*ws, *c, e.Name(), &exit_code);
        if (!u) return exit_code;
        std::fprintf(stderr, "%s has no stored file listing (evidex files --case %s %s): walked now\n",
                     e.Name().c_str(), c->number.c_str(), e.Name().c_str());
        int rc = FromSource(u->path, e.Name());
        if (rc != kExitOk) return rc;
        continue;
      }
      Status st = ws->store().ForEachFile(e.id, false, [&](const store::FileIn& in) {
        const store::StoredFile& f = in.file;
        const std::optional<int64_t> times[4] = {f.modified, f.accessed, f.changed, f.created};
        Add({e.Name(), f.fs, f.path, f.size, f.address, f.deleted, f.type}, times);
        return true;
      });
      if (!st.ok()) {
        PrintError(st);
        return StoreExit(st);
      }
    }
    return kExitOk;
  }

  int Write() {
    std::ofstream file;
    if (!OpenOutput(output_, &file)) return kExitOutput;
    std::ostream& out = output_.empty() ? std::cout : file;
    // plaso's descriptions of the four filesystem times.
    static const char* kDesc[4] = {"Content Modification Time", "Last Access Time",
                                   "Metadata Modification Time", "Creation Time"};
    static const char* kMacb[4] = {"M...", ".A..", "..C.", "...B"};
    const bool with_evidence = !case_.empty();
    if (!jsonl_)
      out << "datetime,timestamp,timestamp_desc,macb,message,source,source_long,filename,inode,"
             "deleted,size,fs"
          << (with_evidence ? ",evidence" : "") << "\r\n";
    for (const Row& r : rows_) {
      const Entry& e = entries_[r.entry];
      const std::string when = IsoTimeMicros(r.micros);
      const std::string message = (e.evidence.empty() ? "" : e.evidence + " ") + e.type + " " +
                                  e.path + (e.deleted ? " (deleted)" : "") + " size " +
                                  std::to_string(e.size);
      if (jsonl_) {
        nlohmann::json j = {{"datetime", when}, {"timestamp", r.micros},
                            {"timestamp_desc", kDesc[r.which]}, {"macb", kMacb[r.which]},
                            {"message", message}, {"source", "FILE"},
                            {"source_long", "File system " + e.fs}, {"filename", e.path},
                            {"inode", e.address}, {"deleted", e.deleted}, {"size", e.size},
                            {"fs", e.fs}};
        if (with_evidence) j["evidence"] = e.evidence;
        out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      } else {
        out << when << ',' << r.micros << ',' << kDesc[r.which] << ',' << kMacb[r.which] << ','
            << CsvField(message) << ",FILE," << CsvField("File system " + e.fs) << ','
            << CsvField(e.path) << ',' << e.address << ',' << (e.deleted ? "yes" : "no") << ','
            << e.size << ',' << CsvField(e.fs);
        if (with_evidence) out << ',' << e.evidence;
        out << "\r\n";
      }
    }
    out.flush();
    if (!out) {
      PrintError("cannot write " + (output_.empty() ? std::string("standard output") : output_));
      return kExitOutput;
    }
    if (!output_.empty())
      std::fprintf(stderr, "%zu time(s) of %zu entries written to %s\n", rows_.size(),
                   entries_.size(), output_.c_str());
    return g_cancel.load() ? kExitInterrupted : kExitOk;
  }

  std::vector<std::string> sources_;
  std::string case_, output_, from_, to_;
  bool jsonl_ = false, no_deleted_ = false;
  int64_t from_s_ = INT64_MIN, to_s_ = INT64_MAX;
  std::vector<Entry> entries_;
  std::vector<Row> rows_;
};

}  // namespace

std::unique_ptr<Command> MakeTimelineCommand() { return std::make_unique<TimelineCommand>(); }

}  // namespace evidex::cli
