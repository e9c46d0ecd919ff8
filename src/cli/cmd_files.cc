// `evidex files`: what the filesystems inside a source hold (inventory/inventory.h).
//
//   files SOURCE [--json | --jsonl | --csv] [-o FILE] [--no-hash] [--no-deleted] [--fuzzy]
//                [--yara RULES [--yara-files-only]]
//   files --case CASE EVIDENCE [the same options]
//       every partition, filesystem, file and directory: path, type, size, deleted, MACB times
//       (UTC), metadata address; with MD5 / SHA-1 / SHA-256, the file type (libmagic) and the
//       workspace's hash sets (alert / known) unless --no-hash; ssdeep and TLSH with --fuzzy; with
//       --yara, the rules matching each file's content (read once for everything) and matching
//       the unallocated space. With --case the listing is stored in the case (store.h, "Files
//       inside evidence") and a signed "scanned" record is added to the evidence's custody.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/evidence_cli.h"
#include "cli/files_common.h"
#include "cli/vault_cli.h"
#include "core/hash.h"
#include "core/version.h"
#include "exchange/csv.h"
#include "hashset/hashset.h"
#include "inventory/inventory.h"
#include "io/source.h"
#include "store/store.h"
#include "yara/yara.h"

namespace evidex::cli {
namespace {

using exchange::CsvField;

nlohmann::json YaraJson(const std::vector<yara::Match>& matches, uint64_t base = 0) {
  nlohmann::json out = nlohmann::json::array();
  for (const yara::Match& m : matches) {
    nlohmann::json strings = nlohmann::json::array();
    for (const yara::StringMatch& s : m.strings)
      strings.push_back({{"id", s.id}, {"offset", base + s.offset}, {"length", s.length},
                         {"data", HexBytes(s.data)}});
    out.push_back({{"rule", m.rule}, {"namespace", m.ns}, {"tags", m.tags}, {"meta", m.meta},
                   {"strings", strings}});
    if (m.strings_truncated) out.back()["strings_truncated"] = true;
  }
  return out;
}

store::YaraMatchRecord YaraRecord(const nlohmann::json& j) {
  store::YaraMatchRecord r;
  r.rule = j["rule"].get<std::string>();
  r.ns = j["namespace"].get<std::string>();
  r.tags = j["tags"].get<std::vector<std::string>>();
  r.meta = j["meta"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.strings = j["strings"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

std::string RuleNames(const std::vector<yara::Match>& matches) {
  std::string s;
  for (const yara::Match& m : matches) s += (s.empty() ? "" : ";") + m.rule;
  return s;
}

class FilesCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "files", "list the partitions, filesystems and files inside a source, deleted ones too");
    cmd->add_option("SOURCE", source_,
                    "raw image, device, split raw or E01; with --case: an evidence name (E1)")
        ->required();
    cmd->add_option("--case", case_,
                    "list evidence stored in this case, store the listing in the case and record "
                    "\"scanned\" in its chain of custody");
    cmd->add_option("--examiner", examiner_, "with --case: who lists (default: the case's examiner)");
    AddPassphraseOption(cmd, &passphrase_file_);
    cmd->add_flag("--json", json_, "one JSON document");
    cmd->add_flag("--jsonl", jsonl_, "one JSON object per file");
    cmd->add_flag("--csv", csv_, "CSV, one row per file");
    cmd->add_option("-o,--output", output_, "write there instead of standard output");
    cmd->add_flag("--no-hash", no_hash_, "no content hashes, file types or hash-set matches");
    cmd->add_flag("--no-deleted", no_deleted_, "leave deleted entries out");
    cmd->add_flag("--fuzzy", fuzzy_, "also ssdeep and TLSH hashes of every file of 4 KiB or more");
    cmd->add_flag("--quiet", quiet_, "no progress line");
    cmd->add_option("--yara", yara_path_,
                    "YARA rules: a rule file or a directory of .yar/.yara files, run on every "
                    "file and on unallocated space");
    cmd->add_flag("--yara-files-only", yara_files_only_, "YARA on files only, not unallocated space");
    cmd->add_option("--yara-timeout", yara_timeout_, "seconds a file's YARA scan may take (60)")
        ->check(CLI::Range(0, 86400));
    cmd->add_option("--yara-whole", yara_whole_mib_,
                    "MiB up to which a file is scanned whole; larger ones in 16 MiB blocks (256)")
        ->check(CLI::Range(1, 1 << 20));
    return cmd;
  }

  int Run(const GlobalOptions& global) override;

 private:
  int PrepareCase(const GlobalOptions& global);
  int RecordScanned(const store::FileListing& listing, const std::string& report);

  std::string source_, output_, case_, examiner_, passphrase_file_;
  bool json_ = false, jsonl_ = false, csv_ = false, no_hash_ = false, no_deleted_ = false,
       quiet_ = false, fuzzy_ = false, yara_files_only_ = false;
  std::string yara_path_;
  int yara_timeout_ = 60;
  int yara_whole_mib_ = 256;
  std::unique_ptr<yara::Rules> rules_;
  // --case
  std::optional<vault::Workspace> ws_;
  std::optional<store::Case> case_row_;
  std::optional<vault::SigningKey> key_;
  std::optional<UsableEvidence> evidence_;
};

int FilesCommand::PrepareCase(const GlobalOptions& global) {
  int exit_code = kExitOk;
  ws_ = OpenWorkspace(global, &exit_code);
  if (!ws_) return exit_code;
  case_row_ = ResolveCase(*ws_, case_, &exit_code);
  if (!case_row_) return exit_code;
  evidence_ = ResolveUsableEvidence(*ws_, *case_row_, source_, &exit_code);
  if (!evidence_) return exit_code;
  key_ = LoadKey(*ws_, passphrase_file_, &exit_code);
  if (!key_) return exit_code;
  Status chain = ws_->store().CheckChainEnd(case_row_->id, key_->public_key());
  if (!chain.ok()) {
    PrintError(chain);
    return StoreExit(chain);
  }
  // Evidence kept by reference lies outside the write-once vault: re-verified when used.
  if (evidence_->mode == vault::AcquireMode::kReference &&
      !ReverifyEvidence(*ws_, *evidence_, quiet_, &exit_code))
    return exit_code;
  return kExitOk;
}

int FilesCommand::Run(const GlobalOptions& global) {
  if (int(json_) + int(jsonl_) + int(csv_) > 1) {
    PrintError("give one of --json, --jsonl, --csv");
    return kExitUsage;
  }
  inventory::Options use;
  use.hash = !no_hash_;
  use.fuzzy = fuzzy_;
  use.deleted = !no_deleted_;
  use.cancel = &g_cancel;
  // The rules first: a rule that does not compile is the examiner's to fix before any reading.
  if (!yara_path_.empty()) {
    Result<std::unique_ptr<yara::Rules>> r = yara::Rules::Compile(yara_path_);
    if (!r.ok()) {
      PrintError(r.status().message());
      return kExitUsage;  // the rules are the examiner's input, as an option is
    }
    rules_ = std::move(*r);
    use.rules = rules_.get();
    use.yara.timeout_seconds = yara_timeout_;
    use.yara.whole_limit = uint64_t(yara_whole_mib_) << 20;
  }
  std::string path = source_;
  if (!case_.empty()) {
    int rc = PrepareCase(global);
    if (rc != kExitOk) return rc;
    path = evidence_->path;
  }
  Result<std::unique_ptr<Source>> source = OpenSource(path);
  if (!source.ok()) {
    PrintError(source.status());
    return kExitSource;
  }
  // The workspace's hash sets, when there is a workspace (none otherwise).
  std::vector<std::unique_ptr<hashset::HashSet>> sets;
  if (!no_hash_) {
    Result<std::vector<std::unique_ptr<hashset::HashSet>>> s =
        hashset::OpenSets(WorkspaceDir(global.data) + "/hashsets");
    if (!s.ok()) {
      PrintError(s.status().message() + " (remove it with `evidex hashset remove`)");
      return kExitWorkspace;
    }
    sets = std::move(*s);
    use.sets = &sets;
  }
  // --case: the listing is stored as it goes (a killed run keeps what was committed).
  std::unique_ptr<store::FileWriter> writer;
  if (ws_) {
    nlohmann::json params = {{"tool", "evidex"}, {"tool_version", EVIDEX_VERSION},
                             {"hash", use.hash}, {"fuzzy", use.fuzzy},
                             {"deleted", use.deleted}};
    nlohmann::json set_names = nlohmann::json::array();
    for (const auto& s : sets)
      set_names.push_back({{"name", s->info().name},
                           {"category", hashset::CategoryName(s->info().category)}});
    params["hash_sets"] = set_names;
    if (rules_) {
      params["yara_rules"] = rules_->files();
      params["yara_unallocated"] = !yara_files_only_;
    }
    store::FileListing listing;
    listing.case_id = case_row_->id;
    listing.evidence_id = evidence_->row.id;
    listing.parameters = params.dump();
    Result<std::unique_ptr<store::FileWriter>> w = ws_->store().BeginFiles(listing);
    if (!w.ok()) {
      PrintError("cannot store the listing in case " + case_row_->number + ": " +
                 w.status().message());
      return StoreExit(w.status());
    }
    writer = std::move(*w);
  }
  InstallCancelHandler();
  std::ofstream file;
  if (!OpenOutput(output_, &file)) return kExitOutput;
  std::ostream& out = output_.empty() ? std::cout : file;
  ProgressLine progress(quiet_);
  std::vector<std::vector<std::string>> table{
      {"fs", "path", "type", "size", "del", "modified (UTC)", "sha256", "match"}};
  nlohmann::json files = nlohmann::json::array();
  if (csv_)
    out << "fs,path,type,size,deleted,address,modified,accessed,changed,created,md5,sha1,sha256,"
           "mime,match,yara,ssdeep,tlsh\r\n";
  uint64_t unreadable = 0, alerts = 0, known = 0, yara_matched = 0, yara_failed = 0,
           yara_unallocated = 0;
  std::vector<std::string> yara_lines;  // "fs path: rule;rule" for the text output
  std::vector<store::FileIn> batch;
  Status store_error = Status::Ok();
  auto store_batch = [&](bool all) {
    if (!writer || !store_error.ok() || batch.empty() || (!all && batch.size() < 2000)) return;
    store_error = writer->Add(batch);
    batch.clear();
  };

  auto emit = [&](inventory::Entry& e) {
    const fs::FileEntry& f = e.file;
    nlohmann::json j = {{"fs_offset", e.fs_offset}, {"fs_type", e.fs_type}, {"path", f.path},
                        {"type", TypeName(f.type)}, {"size", f.size}, {"address", f.address},
                        {"deleted", f.deleted}, {"modified", IsoTime(f.modified)},
                        {"accessed", IsoTime(f.accessed)}, {"changed", IsoTime(f.changed)},
                        {"created", IsoTime(f.created)}};
    const bool content = e.read && e.error.empty();
    std::string match_text, yara_text;
    store::FileIn in;
    if (content && rules_) {
      j["yara"] = YaraJson(e.yara);
      for (const nlohmann::json& m : j["yara"]) in.yara.push_back(YaraRecord(m));
      yara_text = RuleNames(e.yara);
      if (!e.yara.empty()) {
        ++yara_matched;
        yara_lines.push_back(e.fs + " " + f.path + ": " + yara_text);
      }
      if (!e.yara_error.empty()) {
        ++yara_failed;
        j["yara_error"] = e.yara_error;
        PrintError(e.yara_error);
      }
    }
    if (content && use.hash) {
      nlohmann::json matches = nlohmann::json::array();
      for (const hashset::SetMatch& m : e.matches) {
        const hashset::SetInfo& i = m.set->info();
        const bool alert = i.category == hashset::Category::kAlert;
        matches.push_back({{"set", i.name}, {"category", hashset::CategoryName(i.category)},
                           {"label", m.label}});
        in.matches.push_back({i.name, hashset::CategoryName(i.category), m.label});
        if (!match_text.empty()) match_text += "; ";
        match_text += std::string(alert ? "ALERT " : "known ") + i.name +
                      (m.label.empty() ? "" : " (" + m.label + ")");
      }
      if (e.Alert()) ++alerts;
      else if (e.Known()) ++known;
      j["md5"] = e.digests.md5, j["sha1"] = e.digests.sha1, j["sha256"] = e.digests.sha256;
      j["mime"] = e.mime;
      j["match"] = matches;
    }
    if (content && !e.ssdeep.empty()) j["ssdeep"] = e.ssdeep;
    if (content && !e.tlsh.empty()) j["tlsh"] = e.tlsh;
    if (!e.error.empty()) {
      ++unreadable;
      j["error"] = e.error;
      PrintError(e.error);
    }
    if (writer) {
      store::StoredFile& s = in.file;
      s.fs = e.fs, s.path = f.path, s.type = TypeName(f.type), s.size = f.size;
      s.address = f.address, s.deleted = f.deleted;
      s.modified = Micros(f.modified), s.accessed = Micros(f.accessed);
      s.changed = Micros(f.changed), s.created = Micros(f.created);
      if (content && use.hash) {
        s.md5 = e.digests.md5, s.sha1 = e.digests.sha1, s.sha256 = e.digests.sha256;
        s.mime = e.mime;
      }
      if (content) s.ssdeep = e.ssdeep, s.tlsh = e.tlsh;
      s.error = e.error;
      batch.push_back(std::move(in));
      store_batch(false);
    }
    if (jsonl_) {
      out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else if (csv_) {
      out << CsvField(e.fs) << ',' << CsvField(f.path) << ',' << TypeName(f.type) << ','
          << f.size << ',' << (f.deleted ? "yes" : "no") << ',' << f.address << ','
          << IsoTime(f.modified) << ',' << IsoTime(f.accessed) << ',' << IsoTime(f.changed) << ','
          << IsoTime(f.created) << ',' << e.digests.md5 << ',' << e.digests.sha1 << ','
          << e.digests.sha256 << ',' << CsvField(e.mime) << ',' << CsvField(match_text) << ','
          << CsvField(yara_text) << ',' << CsvField(content ? e.ssdeep : "") << ','
          << (content ? e.tlsh : "") << "\r\n";
    } else if (json_) {
      files.push_back(std::move(j));
    } else {
      table.push_back({e.fs, f.path, TypeName(f.type), std::to_string(f.size),
                       f.deleted ? "yes" : "", IsoTime(f.modified, false),
                       e.digests.sha256.substr(0, std::min<size_t>(16, e.digests.sha256.size())),
                       yara_text.empty() ? match_text
                                         : match_text + (match_text.empty() ? "" : "; ") +
                                               "YARA " + yara_text});
    }
    return store_error.ok();
  };
  Result<fs::WalkReport> report = inventory::Run(
      **source, use, emit, [&](const inventory::Progress& p) {
        progress.Update(p.bytes_read, 0, *p.path);
      });
  store_batch(true);

  // YARA on unallocated space: free blocks of every filesystem and bytes outside them.
  nlohmann::json unallocated = nlohmann::json::array();
  uint64_t unallocated_bytes = 0;
  if (report.ok() && rules_ && !yara_files_only_ && !g_cancel.load() && store_error.ok()) {
    Result<fs::WalkReport> runs = fs::UnallocatedRuns(**source, [&](const fs::ByteRun& run) {
      uint64_t pos = run.offset;
      const uint64_t end = run.offset + run.length;
      yara::ReadFn read = [&](std::span<std::byte> buf) -> Result<size_t> {
        size_t want = size_t(std::min<uint64_t>(buf.size(), end - pos));
        if (want == 0) return size_t(0);
        Result<size_t> n = (*source)->ReadAt(pos, buf.first(want));
        if (n.ok()) pos += *n;
        return n;
      };
      Result<std::vector<yara::Match>> m = rules_->Scan(run.length, read, use.yara);
      unallocated_bytes += run.length;
      progress.Update(unallocated_bytes, 0, "unallocated");
      const std::string where = (run.fs.empty() ? std::string("outside filesystems")
                                                : run.fs + " unallocated") +
                                " at byte " + std::to_string(run.offset);
      if (!m.ok()) {
        ++yara_failed;
        PrintError(where + ": " + m.status().message());
        return !g_cancel.load();
      }
      if (m->empty()) return !g_cancel.load();
      nlohmann::json j = {{"area", "unallocated"}, {"fs", run.fs}, {"offset", run.offset},
                          {"length", run.length}, {"yara", YaraJson(*m, run.offset)}};
      ++yara_unallocated;
      yara_lines.push_back(where + " (" + std::to_string(run.length) + " bytes): " + RuleNames(*m));
      if (writer && store_error.ok())
        for (const nlohmann::json& y : j["yara"]) {
          store_error = writer->AddUnallocatedYara(run.offset, YaraRecord(y));
          if (!store_error.ok()) break;
        }
      if (jsonl_) {
        out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      } else if (csv_) {
        out << CsvField(run.fs) << ",,unallocated," << run.length << ",,," << ",,,,,,,,,"
            << CsvField(RuleNames(*m)) << ",,\r\n";
      }
      unallocated.push_back(std::move(j));
      return !g_cancel.load() && store_error.ok();
    });
    if (!runs.ok()) PrintError(source_ + ": unallocated space: " + runs.status().message());
  }
  progress.Finish();

  auto partitions_json = [&] {
    nlohmann::json p = nlohmann::json::array();
    for (const fs::Partition& x : report->partitions)
      p.push_back({{"slot", x.slot}, {"start", x.start}, {"length", x.length},
                   {"scheme", x.scheme}, {"description", x.description},
                   {"allocated", x.allocated}});
    return p;
  };
  auto filesystems_json = [&] {
    nlohmann::json p = nlohmann::json::array();
    for (const fs::FileSystem& x : report->filesystems)
      p.push_back({{"offset", x.offset}, {"type", x.type}, {"label", x.label},
                   {"block_size", x.block_size}, {"blocks", x.block_count},
                   {"partition", x.partition}});
    return p;
  };
  // --case: the listing's outcome, then its custody record.
  int store_rc = kExitOk;
  std::string stored_line;  // printed last
  if (writer) {
    const char* status = !report.ok() || !store_error.ok() ? "failed"
                         : g_cancel.load()                 ? "interrupted"
                                                           : "complete";
    std::string error = !report.ok()         ? report.status().message()
                        : !store_error.ok()  ? store_error.message()
                        : g_cancel.load()    ? "interrupted by a signal"
                                             : "";
    nlohmann::json rep = nlohmann::json::object();
    if (report.ok())
      rep = {{"partitions", partitions_json()}, {"filesystems", filesystems_json()},
             {"notes", report->notes}, {"entries", report->entries}, {"unreadable", unreadable},
             {"yara_failed", yara_failed}, {"unallocated_bytes_scanned", unallocated_bytes}};
    const std::string rep_text = rep.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    Result<store::FileListing> done = writer->Finish(status, error, rep_text);
    writer.reset();
    if (!done.ok()) {
      PrintError("the listing could not be stored in case " + case_row_->number + ": " +
                 done.status().message());
      return StoreExit(done.status());
    }
    if (!store_error.ok()) {
      PrintError("the listing could not be stored in case " + case_row_->number + ": " +
                 store_error.message());
      return StoreExit(store_error);
    }
    store_rc = RecordScanned(*done, rep_text);
    if (store_rc == kExitOk && !json_ && !jsonl_ && !csv_ && output_.empty())
      stored_line = "stored " + std::to_string(done->files) + " entries of " +
                    evidence_->row.Name() + " in case " + case_row_->number + " (" + status +
                    "): " + std::to_string(done->alerts) + " in an alert set, " +
                    std::to_string(done->yara_matches) + " YARA match(es)" +
                    (done->alerts + done->yara_matches > 0
                         ? "; evidex hits " + case_row_->number
                         : std::string()) +
                    "\n";
  }
  if (!report.ok()) {
    PrintError(source_ + ": " + report.status().message());
    return kExitSource;
  }
  if (json_) {
    out << nlohmann::json{{"source", source_},
                          {"description", (*source)->Describe()},
                          {"size", (*source)->Size()},
                          {"partitions", partitions_json()},
                          {"filesystems", filesystems_json()},
                          {"notes", report->notes},
                          {"files", files},
                          {"unallocated_yara", unallocated},
                          {"entries", report->entries},
                          {"alert", alerts},
                          {"known", known},
                          {"yara_matched", yara_matched},
                          {"yara_unallocated", yara_unallocated},
                          {"yara_failed", yara_failed},
                          {"unreadable", unreadable}}
               .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
        << '\n';
  } else if (!jsonl_ && !csv_) {
    out << source_ << ": " << (*source)->Describe() << ", " << (*source)->Size() << " bytes\n";
    for (const fs::Partition& p : report->partitions)
      out << "  partition " << p.slot << " (" << p.scheme << "): bytes " << p.start << "-"
          << p.start + p.length << ", " << p.description << (p.allocated ? "" : " (unallocated)")
          << "\n";
    for (const fs::FileSystem& f : report->filesystems)
      out << "  filesystem " << f.type << " at byte " << f.offset
          << (f.label.empty() ? "" : ", label " + f.label) << ", " << f.block_count
          << " blocks of " << f.block_size << " bytes\n";
    for (const std::string& n : report->notes) out << "  note: " << n << "\n";
    if (!yara_lines.empty()) {
      out << "YARA matches:\n";
      for (const std::string& l : yara_lines) out << "  " << l << "\n";
    }
    out.flush();
    if (output_.empty()) PrintTable(table);  // PrintTable writes to standard output
    else
      for (const auto& row : table) {
        for (size_t i = 0; i < row.size(); ++i) out << (i ? "  " : "") << row[i];
        out << "\n";
      }
    out << report->entries << " entries; " << alerts << " in an alert set, " << known
        << " known; " << unreadable << " unreadable\n";
    if (rules_)
      out << yara_matched << " file(s) matched YARA rules (" << rules_->rule_count()
          << " rules from " << rules_->files().size() << " file(s))"
          << (yara_files_only_ ? std::string()
                               : ", " + std::to_string(yara_unallocated) +
                                     " region(s) of unallocated space")
          << "; " << yara_failed << " scan(s) failed\n";
  }
  for (const std::string& n : report->notes)
    if (json_ || jsonl_ || csv_) PrintError("note: " + n);
  out.flush();
  if (!out) {
    PrintError("cannot write " + (output_.empty() ? std::string("standard output") : output_));
    return kExitOutput;
  }
  if (!stored_line.empty()) std::printf("%s", stored_line.c_str());
  if (store_rc != kExitOk) return store_rc;
  if (g_cancel.load()) return kExitInterrupted;
  return unreadable > 0 ? kExitPartial : kExitOk;
}

int FilesCommand::RecordScanned(const store::FileListing& listing, const std::string& report) {
  vault::CustodyRecord r;
  r.actor = examiner_.empty() ? case_row_->examiner : examiner_;
  r.unit = ws_->unit().Display();
  r.action = "scanned";
  r.evidence = evidence_->row.uuid;
  r.details = {{"name", evidence_->row.Name()},
               {"what", "files"},
               {"sha256", evidence_->signed_digests.sha256},
               {"reverified", evidence_->mode == vault::AcquireMode::kReference},
               {"tool", "evidex"},
               {"tool_version", EVIDEX_VERSION},
               {"listing", listing.uuid},
               {"status", listing.status},
               {"entries", listing.files},
               {"alerts", listing.alerts},
               {"yara_matches", listing.yara_matches},
               {"parameters", nlohmann::json::parse(listing.parameters, nullptr, false)},
               {"report_sha256", Sha256Hex(report)}};
  Result<vault::CustodyRecord> sealed = ws_->store().AppendCustody(case_row_->id, r, *key_);
  if (!sealed.ok()) {
    PrintError("the listing was stored but its custody record could not be written: " +
               sealed.status().message());
    return StoreExit(sealed.status());
  }
  return kExitOk;
}

}  // namespace

std::unique_ptr<Command> MakeFilesCommand() { return std::make_unique<FilesCommand>(); }

}  // namespace evidex::cli
