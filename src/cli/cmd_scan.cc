// `evidex scan` and `evidex scanners`.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/case_scan.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/evidence_cli.h"
#include "cli/vault_cli.h"
#include "core/hash.h"
#include "core/version.h"
#include "fs/file_map.h"
#include "hashset/hashset.h"
#include "inventory/inventory.h"
#include "scan/hostname.h"
#include "scan/scan_job.h"
#include "scan/scanner.h"

namespace evidex::cli {
namespace {

class ScannersCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    return app.add_subcommand("scanners", "list every scanner with a one-line description");
  }
  int Run(const GlobalOptions&) override {
    for (const scan::ScannerDef* s : scan::AllScanners())
      std::printf("%-8s %s\n", s->name, s->description);
    std::printf("%-8s %s\n", "keyword", "literals and regular expressions from --keywords FILE");
    return kExitOk;
  }
};

class ScanCommand : public Command {
 public:
  CLI::App* Setup(CLI::App& app) override {
    CLI::App* scan =
        app.add_subcommand("scan", "scan evidence for artifacts (emails, URLs, cards, wallets, ...)");
    threads_ = int(std::max(1u, std::thread::hardware_concurrency()));
    scan->add_option("SOURCE", sources_,
                     "files, devices, split raw (.001), E01 sets, directories; with --case: "
                     "evidence names (E1 E2 ...)")
        ->required();
    scan->add_option("--case", case_,
                     "scan evidence stored in this case (SOURCE are its evidence names) and record "
                     "\"scanned\" in its chain of custody");
    scan->add_option("--examiner", examiner_, "with --case: who scans (default: the case's examiner)");
    AddPassphraseOption(scan, &passphrase_file_);
    scan->add_option("-o,--outdir", outdir_, "output directory (created if missing)")->required();
    scan->add_option("-j,--threads", threads_, "worker threads (default: all cores)")->check(CLI::Range(1, 1024));
    scan->add_option("--scanners", scanner_list_, "comma-separated scanners to run instead of the defaults");
    scan->add_option("-e,--enable", enable_, "add a scanner to the defaults");
    scan->add_option("-x,--disable", disable_, "remove a scanner");
    scan->add_option("--keywords", keywords_file_, "file of keywords: one literal or /regex/ (or /regex/i) per line");
    scan->add_flag("-i,--ignore-case", nocase_, "keywords are case-insensitive");
    scan->add_flag("--skip-known", skip_known_,
                   "leave out the content of files in a known-good hash set (evidex hashset "
                   "import --category known): found by hashing every file first");
    scan->add_flag("--jsonl", jsonl_, "also write hits.jsonl (one JSON object per hit)");
    scan->add_flag("--json", json_, "print the summary as JSON on stdout");
    scan->add_flag("-q,--quiet", quiet_, "no progress line and no summary table");
    scan->add_option("--max-depth", max_depth_, "nested decoding depth (0: no decoding)")->check(CLI::Range(0, 32));
    scan->add_option("--max-stream-bytes", max_stream_, "decoded bytes per stream (bomb guard)");
    scan->add_option("--max-decoded", max_decoded_, "decoded bytes under one 16 MiB page (bomb guard)");
    scan->add_option("--page-size", page_size_, "page size (for tests; default 16M)");
    return scan;
  }

  int Run(const GlobalOptions& global) override;

 private:
  friend int evidex::cli::ScanStoredEvidence(const GlobalOptions& global,
                                             StoredScanRequest request);
  // --skip-known: the byte ranges of `source` holding the content of known-good files.
  std::vector<scan::ByteRange> KnownRanges(Source& source, scan::SourceReport& report);
  // --case: resolves SOURCE names to the evidence's bytes (reference evidence re-verified first).
  int PrepareCaseScan(const GlobalOptions& global, scan::ScanJobOptions* opts);
  // --case: one signed "scanned" record per evidence item, in one transaction.
  int RecordScanned(const scan::ScanJobOptions& opts, const scan::ScanSummary& s,
                    const std::string& report);

  // --case: stores the artifacts (one store scan per evidence item).
  int StoreScans(const scan::ScanSummary* s, const Status& failure);

  std::string case_, examiner_, passphrase_file_, keywords_sha256_;
  std::unique_ptr<CaseScanRecorder> recorder_;
  const std::atomic<bool>* cancel_ = nullptr;  // ScanStoredEvidence's caller's; else g_cancel
  std::function<void(const scan::ScanProgress&)> on_progress_;
  std::optional<vault::Workspace> ws_;
  std::optional<store::Case> case_row_;
  std::optional<vault::SigningKey> key_;
  const vault::SigningKey* signer_ = nullptr;  // key_, or a key the caller lends
  std::vector<UsableEvidence> evidence_;
  std::vector<std::string> sources_;
  std::string outdir_, scanner_list_, keywords_file_;
  std::vector<std::string> enable_, disable_;
  int threads_ = 1;
  bool jsonl_ = false, json_ = false, quiet_ = false, nocase_ = false, skip_known_ = false;
  std::vector<std::unique_ptr<hashset::HashSet>> known_sets_;
  int max_depth_ = 5;
  std::string max_stream_ = "256M", max_decoded_ = "1G", page_size_ = "16M";
};

int ScanCommand::Run(const GlobalOptions& global) {
  scan::ScanJobOptions opts;
  opts.sources = sources_;
  opts.outdir = outdir_;
  opts.threads = threads_;
  opts.jsonl = jsonl_;
  opts.engine.max_depth = max_depth_;
  opts.command_line = global.command_line;
  uint64_t v;
  if (!ParseSize(max_stream_, &opts.engine.max_stream_bytes) ||
      !ParseSize(max_decoded_, &opts.engine.max_page_decoded) || !ParseSize(page_size_, &v) ||
      v < 4096 || v > (1ull << 30)) {
    PrintError("sizes are a number with an optional K, M or G (page size from 4K to 1G)");
    return kExitUsage;
  }
  opts.page_size = size_t(v);
  // hits.jsonl names the file each hit is in when the source holds filesystems (The Sleuth Kit
  // walks their metadata once before the bytes are scanned); files of a directory source are
  // files already.
  opts.locator = [](Source& source, scan::SourceReport& report) -> std::unique_ptr<scan::HitLocator> {
    if (!report.relative.empty()) return nullptr;
    Result<std::unique_ptr<fs::FileMap>> map = fs::FileMap::Build(source);
    if (!map.ok() || (*map)->empty()) return nullptr;
    report.description += "; filesystems inside: " + std::to_string((*map)->files()) + " files mapped";
    struct Locator : scan::HitLocator {
      std::unique_ptr<fs::FileMap> map;
      bool Locate(uint64_t offset, scan::HitPlace* place) const override {
        fs::Place p;
        if (!map->Locate(offset, &p)) return false;
        place->fs = std::move(p.fs);
        place->path = p.path;
        place->file_offset = p.file_offset;
        place->deleted = p.deleted;
        return true;
      }
    };
    auto l = std::make_unique<Locator>();
    l->map = std::move(*map);
    return l;
  };

  // --skip-known: the workspace's known-good sets; every file is hashed before its source is
  // scanned and the content of the allocated ones in a set is left out.
  if (skip_known_) {
    Result<std::vector<std::unique_ptr<hashset::HashSet>>> sets =
        hashset::OpenSets(WorkspaceDir(global.data) + "/hashsets");
    if (!sets.ok()) {
      PrintError(sets.status().message() + " (remove it with `evidex hashset remove`)");
      return kExitWorkspace;
    }
    for (auto& set : *sets)
      if (set->info().category == hashset::Category::kKnownGood) known_sets_.push_back(std::move(set));
    if (known_sets_.empty()) {
      PrintError("--skip-known needs a known-good hash set in the workspace "
                 "(evidex hashset import FILE --category known)");
      return kExitUsage;
    }
    opts.skip = [this](Source& source, scan::SourceReport& report) {
      return KnownRanges(source, report);
    };
  }

  // Scanner selection: --scanners replaces the defaults; -e adds, -x removes.
  std::vector<std::string> names;
  if (!scanner_list_.empty()) {
    std::stringstream ss(scanner_list_);
    for (std::string n; std::getline(ss, n, ',');)
      if (!n.empty()) names.push_back(n);
  } else {
    for (const scan::ScannerDef* s : scan::AllScanners())
      if (s->default_enabled) names.push_back(s->name);
  }
  for (const std::string& n : enable_) names.push_back(n);
  for (const std::string& n : disable_) std::erase(names, n);
  for (const std::string& n : names) {
    if (n != "keyword" && scan::FindScanner(n) == nullptr) {
      PrintError("unknown scanner '" + n + "' (see 'evidex scanners')");
      return kExitUsage;
    }
  }
  opts.engine.scanners = names;
  if (!keywords_file_.empty()) {
    std::ifstream in(keywords_file_, std::ios::binary);
    if (!in) {
      PrintError("cannot read keywords file " + keywords_file_);
      return kExitUsage;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    Result<std::vector<scan::Keyword>> kw = scan::ParseKeywords(ss.str(), nocase_);
    if (!kw.ok()) {
      PrintError(keywords_file_ + ": " + kw.status().message());
      return kExitUsage;
    }
    opts.engine.keywords = std::move(kw).value();
    keywords_sha256_ = Sha256Hex(ss.str());
  } else if (std::find(names.begin(), names.end(), "keyword") != names.end()) {
    PrintError("the keyword scanner needs --keywords FILE");
    return kExitUsage;
  }
  if (names.empty() && opts.engine.keywords.empty()) {
    PrintError("no scanner enabled");
    return kExitUsage;
  }
  if (!scan::LoadPublicSuffixList()) return kExitUsage;
  if (!case_.empty()) {
    int rc = PrepareCaseScan(global, &opts);
    if (rc != kExitOk) return rc;
    nlohmann::json params = {{"tool", "evidex"},
                             {"tool_version", EVIDEX_VERSION},
                             {"scanners", opts.engine.scanners},
                             {"keywords", opts.engine.keywords.size()},
                             {"max_depth", opts.engine.max_depth}};
    if (skip_known_) {
      nlohmann::json names = nlohmann::json::array();
      for (const auto& set : known_sets_) names.push_back(set->info().name);
      params["skip_known"] = names;
    }
    if (!keywords_sha256_.empty()) params["keywords_sha256"] = keywords_sha256_;
    Result<std::unique_ptr<CaseScanRecorder>> rec =
        CaseScanRecorder::Begin(ws_->store(), evidence_, params.dump());
    if (!rec.ok()) {
      PrintError("cannot store the scan in case " + case_row_->number + ": " + rec.status().message());
      return StoreExit(rec.status());
    }
    recorder_ = std::move(rec).value();
    opts.hit_sink = recorder_->Sink();
  }

  // Ctrl-C or a kill: stop reading, write what was found, exit 130.
  if (cancel_ != nullptr) {
    opts.cancel = cancel_;
  } else {
    opts.cancel = &g_cancel;
    InstallCancelHandler();
  }
  ProgressLine progress(quiet_);
  std::function<void(const scan::ScanProgress&)> on_progress = on_progress_;
  if (!on_progress && progress.enabled()) {
    on_progress = [&progress](const scan::ScanProgress& p) {
      progress.Update(p.bytes_done, p.bytes_total, p.seconds,
                      "hits " + std::to_string(p.hits));
    };
  }
  Result<scan::ScanSummary> result = scan::RunScan(opts, on_progress);
  progress.Finish();
  if (!result.ok()) {
    if (recorder_) (void)StoreScans(nullptr, result.status());
    PrintError(result.status());
    return result.status().code() == Code::kInvalidArgument ? kExitUsage : kExitOutput;
  }
  const scan::ScanSummary& s = *result;
  for (const std::string& e : s.errors) PrintError(e);
  if (s.interrupted) PrintError("interrupted; results so far are in " + outdir_);
  std::string report = scan::ReportJson(opts, s);
  {
    std::ofstream out(outdir_ + "/report.json", std::ios::binary);
    out << report;
    if (!out) {
      PrintError("cannot write " + outdir_ + "/report.json");
      return kExitOutput;
    }
  }
  if (!case_.empty()) {
    int rc = StoreScans(&s, Status::Ok());
    if (rc != kExitOk) return rc;
    rc = RecordScanned(opts, s, report);
    if (rc != kExitOk) return rc;
  }
  if (json_) {
    std::fputs(report.c_str(), stdout);
  } else if (!quiet_) {
    std::printf("%-8s %12s %10s\n", "scanner", "hits", "utf16le");
    for (const auto& [name, c] : s.counts)
      std::printf("%-8s %12llu %10llu\n", name.c_str(), (unsigned long long)c.first,
                  (unsigned long long)c.second);
    std::printf("scanned %s in %.2f s (%.0f MB/s), %llu decoded streams; output in %s\n",
                HumanBytes(double(s.bytes_scanned)).c_str(), s.seconds,
                s.seconds > 0 ? double(s.bytes_scanned) / 1e6 / s.seconds : 0.0,
                (unsigned long long)s.decoders.streams_decoded, outdir_.c_str());
    if (s.bytes_skipped > 0)
      std::printf("left out %s of known files (not scanned)\n",
                  HumanBytes(double(s.bytes_skipped)).c_str());
  }
  return s.exit_code;
}

std::vector<scan::ByteRange> ScanCommand::KnownRanges(Source& source, scan::SourceReport& report) {
  std::vector<scan::ByteRange> ranges;
  uint64_t files = 0;
  if (!report.relative.empty()) {
    // A file of a directory source: itself, whole, when its digests are in a set.
    StreamHasher hasher;
    std::vector<std::byte> buf(1 << 20);
    for (uint64_t off = 0;;) {
      Result<size_t> n = source.ReadAt(off, buf);
      if (!n.ok()) return {};
      if (*n == 0) break;
      hasher.Update(buf.data(), *n);
      off += *n;
    }
    std::array<std::vector<uint8_t>, 3> raw;
    (void)hasher.Finish(&raw);
    if (!hashset::FindFileInSets(known_sets_, raw).empty()) {
      ranges.push_back({0, source.Size()});
      files = 1;
    }
  } else {
    inventory::Options use;
    use.deleted = false;  // a deleted file's blocks may hold something else by now
    use.magic = false;
    use.sets = &known_sets_;
    use.algorithms = 0;  // only the digests the sets hold (NSRL: all three; a list: one)
    for (const auto& set : known_sets_)
      for (size_t a = 0; a < set->info().counts.size(); ++a)
        if (set->info().counts[a] > 0) use.algorithms |= 1u << a;
    use.cancel = cancel_ != nullptr ? cancel_ : &g_cancel;
    Result<fs::WalkReport> walked = inventory::Run(source, use, [&](inventory::Entry& e) {
      if (e.error.empty() && e.Known() && !e.file.deleted) {
        ++files;
        for (const fs::Extent& x : e.file.extents) ranges.push_back({x.source_offset, x.length});
      }
      return true;
    });
    if (!walked.ok()) return {};
  }
  uint64_t bytes = 0;
  for (const scan::ByteRange& r : ranges) bytes += r.length;
  if (files > 0)
    report.description += "; " + std::to_string(files) + " known file(s) left out (" +
                          HumanBytes(double(bytes)) + ")";
  return ranges;
}

int ScanCommand::PrepareCaseScan(const GlobalOptions& global, scan::ScanJobOptions* opts) {
  int exit_code = kExitOk;
  ws_ = OpenWorkspace(global, &exit_code);
  if (!ws_) return exit_code;
  case_row_ = ResolveCase(*ws_, case_, &exit_code);
  if (!case_row_) return exit_code;
  for (const std::string& name : sources_) {
    std::optional<UsableEvidence> e = ResolveUsableEvidence(*ws_, *case_row_, name, &exit_code);
    if (!e) return exit_code;
    evidence_.push_back(std::move(*e));
  }
  // The key before the scan, so that a wrong passphrase does not waste one (acquire --scan hands
  // over the key it loaded).
  if (signer_ == nullptr) {
    if (!key_) key_ = LoadKey(*ws_, passphrase_file_, &exit_code);
    if (!key_) return exit_code;
    signer_ = &*key_;
  }
  Status chain = ws_->store().CheckChainEnd(case_row_->id, signer_->public_key());
  if (!chain.ok()) {
    PrintError(chain);
    return StoreExit(chain);
  }
  opts->sources.clear();
  opts->source_names.clear();
  for (const UsableEvidence& e : evidence_) {
    // Evidence kept by reference lies outside the write-once vault: re-verified when used.
    if (e.mode == vault::AcquireMode::kReference && !ReverifyEvidence(*ws_, e, quiet_, &exit_code))
      return exit_code;
    opts->sources.push_back(e.path);
    opts->source_names.push_back(e.row.Name());
  }
  return kExitOk;
}

int ScanCommand::StoreScans(const scan::ScanSummary* s, const Status& failure) {
  std::string status = !failure.ok() ? "failed" : s->interrupted ? "interrupted" : "complete";
  const char* why = !s || !s->interrupted ? ""
                    : cancel_ != nullptr       ? "cancelled"
                                               : "interrupted by a signal";
  Result<std::vector<store::ScanRecord>> done =
      recorder_->Finish(s, status, failure.ok() ? why : failure.message());
  recorder_.reset();
  if (!done.ok()) {
    PrintError("the scan's artifacts could not be stored in case " + case_row_->number + ": " +
               done.status().message());
    return StoreExit(done.status());
  }
  if (!failure.ok() || quiet_ || json_) return kExitOk;
  uint64_t occurrences = 0, artifacts = 0;
  for (const store::ScanRecord& r : *done) {
    occurrences += r.occurrences;
    artifacts += r.artifacts;
  }
  std::printf("stored %llu occurrences of %llu distinct artifacts in case %s (%s)\n",
              (unsigned long long)occurrences, (unsigned long long)artifacts,
              case_row_->number.c_str(), status.c_str());
  Result<std::vector<store::WatchHit>> hits = ws_->store().ListHits(case_row_->id);
  if (hits.ok() && !hits->empty())
    std::printf("watchlist hits in case %s: %zu (evidex hits %s)\n", case_row_->number.c_str(),
                hits->size(), case_row_->number.c_str());
  return kExitOk;
}

int ScanCommand::RecordScanned(const scan::ScanJobOptions& opts, const scan::ScanSummary& s,
                               const std::string& report) {
  std::error_code ec;
  std::string outdir = std::filesystem::absolute(opts.outdir, ec).string();
  nlohmann::json counts = nlohmann::json::object();
  for (const auto& [name, c] : s.counts) counts[name] = c.first;
  std::vector<vault::CustodyRecord> records;
  for (size_t i = 0; i < evidence_.size(); ++i) {
    const UsableEvidence& e = evidence_[i];
    vault::CustodyRecord r;
    r.actor = examiner_.empty() ? case_row_->examiner : examiner_;
    r.unit = ws_->unit().Display();
    r.action = "scanned";
    r.evidence = e.row.uuid;
    uint64_t scanned = 0, bad = 0, skipped = 0;
    for (const scan::SourceReport& sr : s.sources)
      if (sr.path == e.path || sr.path.rfind(e.path + "/", 0) == 0) {
        scanned += sr.bytes_scanned;
        bad += sr.bad_bytes;
        skipped += sr.bytes_skipped;
      }
    r.details = {{"name", e.row.Name()},
                 {"sha256", e.signed_digests.sha256},
                 {"reverified", e.mode == vault::AcquireMode::kReference},
                 {"tool", "evidex"},
                 {"tool_version", EVIDEX_VERSION},
                 {"scanners", opts.engine.scanners},
                 {"keywords", opts.engine.keywords.size()},
                 {"bytes_scanned", scanned},
                 {"unreadable_bytes", bad},
                 {"known_files_bytes_left_out", skipped},
                 {"hits_all_items", counts},
                 {"outdir", outdir},
                 {"report_sha256", Sha256Hex(report)},
                 {"interrupted", s.interrupted},
                 {"exit_code", s.exit_code}};
    records.push_back(std::move(r));
  }
  Status st = ws_->store().Transaction([&]() -> Status {
    for (vault::CustodyRecord& r : records) {
      Result<vault::CustodyRecord> sealed = ws_->store().AppendCustody(case_row_->id, r, *signer_);
      if (!sealed.ok()) return sealed.status();
    }
    return Status::Ok();
  });
  if (!st.ok()) {
    PrintError("the scan finished but its custody record could not be written: " + st.message());
    return StoreExit(st);
  }
  if (!quiet_ && !json_)
    std::printf("recorded \"scanned\" in the custody of case %s for %zu evidence item(s)\n",
                case_row_->number.c_str(), records.size());
  return kExitOk;
}

}  // namespace

int ScanStoredEvidence(const GlobalOptions& global, StoredScanRequest request) {
  ScanCommand cmd;
  cmd.case_ = request.case_name;
  cmd.sources_ = request.evidence;
  cmd.outdir_ = request.outdir;
  cmd.examiner_ = request.examiner;
  cmd.key_ = std::move(request.key);
  cmd.signer_ = request.borrowed_key;
  cmd.quiet_ = request.quiet;
  cmd.json_ = request.json;
  cmd.cancel_ = request.cancel;
  cmd.on_progress_ = std::move(request.progress);
  cmd.threads_ = int(std::max(1u, std::thread::hardware_concurrency()));
  return cmd.Run(global);
}

std::unique_ptr<Command> MakeScannersCommand() { return std::make_unique<ScannersCommand>(); }
std::unique_ptr<Command> MakeScanCommand() { return std::make_unique<ScanCommand>(); }

}  // namespace evidex::cli
