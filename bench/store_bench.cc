// evidex-store-bench: the case store's benchmark (docs/PERFORMANCE.md, "Case store";
// bench/store.sh runs it on SQLite and on PostgreSQL).
//
//   evidex-store-bench [--db LOCATION] --occurrences 50M [--cases 100] [--seed 42]
//                      [--reference sqlite3|psql|none] [--csv-out FILE] [--json]
//
// LOCATION is an SQLite file ("sqlite:PATH" or PATH; default: a fresh temporary directory,
// removed at exit) or a libpq URI of an existing, empty PostgreSQL database.
//
// Phases, on one workload (bench/store_workload.h) generated on the fly, twice from its seed:
//   1. reference: the occurrences written as CSV (--csv-out, reused when its stamp matches) and
//      loaded by the database's own bulk loader into a plain table without index — sqlite3
//      `.import --csv` or psql `\copy ... csv` — timed, row count checked, table removed; with
//      sqlite3, also the floor of the trigram index (TextIndexFloor): its distinct values put into
//      an FTS5 index of the store's form by one statement, timed alone;
//   2. ingest: every occurrence through Store::BeginScan / ScanWriter::Add / Finish, one scan per
//      evidence, batches of 4096 (as `evidex scan --case` does); the time is what the store calls
//      take (the generator's own time is left out and shown apart);
//   3. checks and measures: counts per scan, per case and per number of cases holding an
//      artifact (ForEachCaseArtifact) against the truth; random look-ups (FindArtifacts +
//      Sightings, then Occurrences), present and absent, with their answers checked; Correlate on
//      the big case, its top results against the generator's known shared values; a watchlist
//      (AddWatchlist) with a known overlap, its hits counted (ListHits); bytes on disk.
//
// Prints a table with each figure, its reference and ratio, and PASS/FAIL per target, then the
// checks. Exit 0 when every check passed (timings do not change it unless --strict), 1 when a
// check failed or (--strict) a target was missed, 2 on an error.
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bench/corpus_lib.h"
#include "bench/store_workload.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using evidex::Result;
using evidex::Status;
using evidex::bench::CaseSet;
using evidex::bench::Rng;
using evidex::bench::Workload;
using evidex::bench::WorkloadRow;
using evidex::bench::WorkloadTruth;
using Clock = std::chrono::steady_clock;

// Targets (the issue's, at 50 M occurrences on the project's machine).
constexpr double kIngestTarget = 500'000;  // occurrences per second, SQLite
constexpr double kLookupP99Ms = 5;
constexpr double kCorrelateSeconds = 10;
constexpr double kWatchlistSeconds = 60;
constexpr size_t kBatch = 4096;
constexpr const char* kRefTable = "evidex_bench_reference";

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string Quote(const std::string& s) {  // for /bin/sh
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs a shell command, returns its stdout; a non-zero exit is an error naming the command.
Result<std::string> Run(const std::string& command) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return evidex::Internal("cannot run " + command);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  if (rc != 0) {
    return evidex::Internal(command + " failed (status " + std::to_string(rc) +
                            "): " + out.substr(0, 2000));
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

uint64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? uint64_t(st.st_size) : 0;
}

std::string Thousands(uint64_t v) {
  std::string s = std::to_string(v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

std::string Rate(double per_second) { return Thousands(uint64_t(std::llround(per_second))) + "/s"; }

std::string Fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string Fmt(const char* format, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, format);
  std::vsnprintf(buf, sizeof buf, format, ap);
  va_end(ap);
  return buf;
}

// CPU seconds (user + system) of this process or of its waited-for children: on a shared machine
// they say what the work cost, whatever else ran.
double CpuSeconds(int who) {
  rusage u{};
  ::getrusage(who, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string LoadAverage() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

// One progress line on a terminal (stderr), at most five updates a second.
class Progress {
 public:
  explicit Progress(bool quiet) : enabled_(!quiet && ::isatty(2)) {}
  void Start(std::string phase, uint64_t total) {
    phase_ = std::move(phase);
    total_ = total;
    start_ = last_ = Clock::now();
  }
  void Update(uint64_t done) {
    if (!enabled_ || Clock::now() - last_ < std::chrono::milliseconds(200)) return;
    last_ = Clock::now();
    double s = Since(start_), rate = s > 0 ? done / s : 0;
    double eta = rate > 0 && total_ > done ? (total_ - done) / rate : 0;
    std::fprintf(stderr, "\r%-28s %5.1f%%  %s / %s  %.0f/s  ETA %d:%02d   ", phase_.c_str(),
                 total_ ? 100.0 * done / total_ : 0.0, Thousands(done).c_str(),
                 Thousands(total_).c_str(), rate, int(eta) / 60, int(eta) % 60);
    printed_ = true;
  }
  void Finish() {
    if (printed_) std::fprintf(stderr, "\r%-100s\r", "");
    printed_ = false;
  }

 private:
  bool enabled_, printed_ = false;
  std::string phase_;
  uint64_t total_ = 0;
  Clock::time_point start_, last_;
};

// The result checks: each a name, a verdict and what was wrong.
struct Checks {
  struct Item {
    std::string name;
    bool ok = true;
    uint64_t compared = 0;
    std::vector<std::string> problems;
  };
  std::vector<Item> items;
  Item& Begin(const std::string& name) {
    items.emplace_back();
    items.back().name = name;
    return items.back();
  }
  static void Fail(Item& item, const std::string& why) {
    item.ok = false;
    if (item.problems.size() < 8) item.problems.push_back(why);
  }
  bool AllOk() const {
    for (const Item& i : items)
      if (!i.ok) return false;
    return true;
  }
};

std::string Key(const std::string& kind, const std::string& value) { return kind + '\t' + value; }

// ---- CSV (the reference loader's input) ----
class CsvSink : public evidex::bench::WorkloadSink {
 public:
  explicit CsvSink(FILE* f) : f_(f) { buf_.reserve(1 << 22); }
  Status BeginEvidence(int case_index, int evidence_index) override {
    case_ = Workload::CaseNumber(case_index);
    evidence_ = "E" + std::to_string(evidence_index + 1);
    return Status::Ok();
  }
  Status Rows(std::span<const WorkloadRow> rows) override {
    for (const WorkloadRow& r : rows) {
      buf_ += case_;
      buf_ += ',';
      buf_ += evidence_;
      buf_ += ',';
      buf_ += r.kind;
      buf_ += ',';
      Field(r.value);
      buf_ += ',';
      Field(r.feature);
      buf_ += ',';
      buf_ += r.path;
      buf_ += ',';
      Field(r.context);
      buf_ += r.utf16 ? ",1\n" : ",0\n";
    }
    if (buf_.size() > (4 << 20)) return Flush();
    return Status::Ok();
  }
  Status EndEvidence() override { return Status::Ok(); }
  Status Flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
      return evidex::IoError("cannot write the CSV");
    buf_.clear();
    return Status::Ok();
  }

 private:
  void Field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) {
      buf_ += s;
      return;
    }
    buf_ += '"';
    for (char c : s) {
      if (c == '"') buf_ += '"';
      buf_ += c;
    }
    buf_ += '"';
  }
  FILE* f_;
  std::string buf_, case_, evidence_;
};

// ---- The store ingest ----
class StoreSink : public evidex::bench::WorkloadSink {
 public:
  StoreSink(evidex::store::Store* store, int cases) : store_(store), case_ids_(size_t(cases), 0) {
    in_.reserve(kBatch);
  }
  Status BeginEvidence(int case_index, int evidence_index) override {
    auto t0 = Clock::now();
    if (evidence_index == 0) {
      evidex::store::Case c;
      c.number = Workload::CaseNumber(case_index);
      c.title = "Store benchmark case " + std::to_string(case_index + 1);
      c.offence = "fraud";
      c.examiner = "evidex-store-bench";
      Result<evidex::store::Case> added = store_->AddCase(c);
      if (!added.ok()) return added.status();
      case_ids_[size_t(case_index)] = added->id;
    }
    evidex::store::Evidence e;
    e.case_id = case_ids_[size_t(case_index)];
    e.label = "Disk image " + std::to_string(evidence_index + 1);
    e.mode = "reference";
    e.source_path = "/evidence/bench/" + std::to_string(case_index + 1) + "/" +
                    std::to_string(evidence_index + 1) + ".img";
    e.size = 500ull << 30;
    e.tool = "evidex-store-bench";
    e.examiner = "evidex-store-bench";
    e.state = evidex::store::EvidenceState::kComplete;
    Result<evidex::store::Evidence> ev = store_->AddEvidence(e);
    if (!ev.ok()) return ev.status();
    evidence_id_ = ev->id;
    evidex::store::ScanRecord scan;
    scan.case_id = e.case_id;
    scan.evidence_id = ev->id;
    scan.parameters = R"({"tool":"evidex-store-bench"})";
    scan.bytes_total = e.size;
    Result<std::unique_ptr<evidex::store::ScanWriter>> w = store_->BeginScan(scan);
    if (!w.ok()) return w.status();
    writer_ = std::move(w).value();
    rows_ = 0;
    begin_seconds_ += Since(t0);
    seconds_ += Since(t0);
    return Status::Ok();
  }
  Status Rows(std::span<const WorkloadRow> rows) override {
    in_.clear();
    for (const WorkloadRow& r : rows)
      in_.push_back({r.kind, r.value, r.feature, r.path, r.context, r.utf16});
    auto t0 = Clock::now();
    Status s = writer_->Add(in_);
    if (s.ok() && ++batches_ % 64 == 0) s = writer_->Progress(rows_);  // rows stand for bytes
    add_seconds_ += Since(t0);
    seconds_ += Since(t0);
    rows_ += rows.size();
    return s;
  }
  Status EndEvidence() override {
    auto t0 = Clock::now();
    Result<evidex::store::ScanRecord> r = writer_->Finish("complete");
    finish_seconds_ += Since(t0);
    seconds_ += Since(t0);
    writer_.reset();
    if (!r.ok()) return r.status();
    scans_.push_back(*r);
    scan_rows_.push_back(rows_);
    return Status::Ok();
  }

  double seconds() const { return seconds_; }
  // Where it went: cases, evidence and BeginScan; Add (and Progress); Finish.
  double begin_seconds() const { return begin_seconds_; }
  double add_seconds() const { return add_seconds_; }
  double finish_seconds() const { return finish_seconds_; }
  const std::vector<int64_t>& case_ids() const { return case_ids_; }
  const std::vector<evidex::store::ScanRecord>& scans() const { return scans_; }
  const std::vector<uint64_t>& scan_rows() const { return scan_rows_; }

 private:
  evidex::store::Store* store_;
  std::vector<int64_t> case_ids_;
  int64_t evidence_id_ = 0;
  std::unique_ptr<evidex::store::ScanWriter> writer_;
  std::vector<evidex::store::OccurrenceIn> in_;
  std::vector<evidex::store::ScanRecord> scans_;
  std::vector<uint64_t> scan_rows_;
  uint64_t rows_ = 0, batches_ = 0;
  double seconds_ = 0, begin_seconds_ = 0, add_seconds_ = 0, finish_seconds_ = 0;
};

struct Latencies {
  std::vector<double> ms;
  double Percentile(double p) const {
    if (ms.empty()) return 0;
    std::vector<double> v = ms;
    size_t k = std::min(v.size() - 1, size_t(std::ceil(p / 100.0 * double(v.size()))) - 1);
    std::nth_element(v.begin(), v.begin() + long(k), v.end());
    return v[k];
  }
  double Max() const { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
};

// One row of the result table.
struct Row {
  std::string measure, evidex, reference, ratio, target, verdict;
};

struct Options {
  std::string db, reference = "auto", csv_out, report, occurrences_text = "50M";
  int cases = 100;
  uint64_t seed = 42;
  uint64_t big = 0, watchlist = 0;
  size_t lookups = 10'000;
  bool json = false, quiet = false, strict = false, export_check = true;
};

class Bench {
 public:
  explicit Bench(Options o) : o_(std::move(o)), progress_(o_.quiet) {}
  int Main();

 private:
  Status Prepare();
  Status Reference();
  Status TextIndexFloor(const std::string& ref_db);
  Status Ingest();
  void CheckCounts();
  Status Lookups();
  Status CorrelateBig();
  Status WatchlistCheck();
  uint64_t BytesOnDisk(std::string* detail);
  void Report();
  void Say(const std::string& line) {
    progress_.Finish();
    std::fprintf(stderr, "== %s\n", line.c_str());
  }

  Options o_;
  Progress progress_;
  evidex::bench::WorkloadOptions wo_;
  std::unique_ptr<Workload> workload_;
  bool postgres_ = false;
  std::string sqlite_path_, temp_dir_;
  std::unique_ptr<evidex::store::Store> store_;
  WorkloadTruth truth_;
  std::vector<int64_t> case_ids_;
  Checks checks_;
  std::vector<Row> rows_;
  nlohmann::json json_;
  bool target_missed_ = false;
  uint64_t csv_digest_ = 0;
};

Status Bench::Prepare() {
  wo_.occurrences = evidex::bench::ParseCount(o_.occurrences_text);
  if (wo_.occurrences < 1000) return evidex::InvalidArgument("--occurrences: at least 1000");
  wo_.cases = o_.cases;
  wo_.seed = o_.seed;
  // At 50 M: 1 M distinct artifacts in the big case and 1 M indicators; scaled down below.
  wo_.big_case_artifacts = o_.big ? o_.big : std::min<uint64_t>(1'000'000, wo_.occurrences / 50);
  if (!o_.watchlist) o_.watchlist = std::min<uint64_t>(1'000'000, wo_.occurrences / 50);
  workload_ = std::make_unique<Workload>(wo_);

  postgres_ = o_.db.rfind("postgres", 0) == 0;
  if (o_.db.empty()) {
    char tmpl[] = "/tmp/evidex-store-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) return evidex::ErrnoStatus("mkdtemp", errno);
    temp_dir_ = tmpl;
    o_.db = temp_dir_ + "/evidex.db";
  }
  if (!postgres_) {
    sqlite_path_ = o_.db.rfind("sqlite:", 0) == 0 ? o_.db.substr(7) : o_.db;
    if (fs::exists(sqlite_path_))
      return evidex::InvalidArgument(sqlite_path_ + " exists: the benchmark needs a new store");
  }
  if (o_.reference == "auto") o_.reference = postgres_ ? "psql" : "sqlite3";
  if (o_.reference != "none" && o_.reference != "sqlite3" && o_.reference != "psql")
    return evidex::InvalidArgument("--reference: sqlite3, psql or none");
  if (o_.reference != "none" && o_.csv_out.empty()) {
    o_.csv_out =
        (temp_dir_.empty() ? sqlite_path_.empty() ? std::string("/tmp")
                                                  : fs::path(sqlite_path_).parent_path().string()
                           : temp_dir_) +
        "/occurrences.csv";
  }
  json_["backend"] = postgres_ ? "postgresql" : "sqlite";
  json_["occurrences"] = wo_.occurrences;
  json_["cases"] = wo_.cases;
  json_["seed"] = wo_.seed;
  json_["big_case_artifacts"] = wo_.big_case_artifacts;
  json_["watchlist_indicators"] = o_.watchlist;
  json_["load_before"] = LoadAverage();
  return Status::Ok();
}

// CSV then the bulk loader into a plain table, timed; the table is dropped afterwards.
Status Bench::Reference() {
  if (o_.reference == "none") return Status::Ok();
  const std::string stamp_path = o_.csv_out + ".stamp";
  const std::string stamp =
      Fmt("evidex-store-bench csv v1 occurrences=%" PRIu64 " cases=%d seed=%" PRIu64 " big=%" PRIu64
          " pool=%" PRIu64,
          wo_.occurrences, wo_.cases, wo_.seed, wo_.big_case_artifacts, workload_->pool());
  std::string old;
  {
    std::ifstream f(stamp_path);
    std::getline(f, old);
  }
  if (old == stamp && fs::exists(o_.csv_out)) {
    Say("reusing " + o_.csv_out + " (" + stamp + ")");
  } else {
    fs::remove(stamp_path);
    Say("writing the occurrences as CSV to " + o_.csv_out);
    FILE* f = std::fopen(o_.csv_out.c_str(), "w");
    if (!f) return evidex::ErrnoStatus("cannot create " + o_.csv_out, errno);
    CsvSink sink(f);
    WorkloadTruth truth;
    progress_.Start("generating CSV", wo_.occurrences);
    auto t0 = Clock::now();
    Status s = workload_->Run(&sink, kBatch, &truth, [&](uint64_t d) { progress_.Update(d); });
    if (s.ok()) s = sink.Flush();
    if (std::fclose(f) != 0 && s.ok()) s = evidex::IoError("cannot write " + o_.csv_out);
    progress_.Finish();
    EVIDEX_RETURN_IF_ERROR(s);
    double secs = Since(t0);
    csv_digest_ = truth.Digest();
    std::ofstream(stamp_path) << stamp << "\n";
    rows_.push_back(
        {"generator + CSV writing (not a target)", Rate(wo_.occurrences / secs), "", "", "", ""});
    json_["csv_seconds"] = secs;
  }
  json_["csv_bytes"] = FileSize(o_.csv_out);

  const std::string columns =
      "case_number TEXT, evidence TEXT, kind TEXT, value TEXT, feature TEXT, path TEXT, "
      "context TEXT, utf16 INTEGER";
  std::string load, count_cmd, drop, loader;
  uint64_t ref_bytes = 0;
  std::string ref_db;
  if (o_.reference == "sqlite3") {
    ref_db = (sqlite_path_.empty() ? "/tmp/evidex-store-bench" : sqlite_path_) + ".reference.db";
    fs::remove(ref_db);
    EVIDEX_RETURN_IF_ERROR(
        Run("sqlite3 -batch -bail " + Quote(ref_db) + " " +
            Quote(std::string("CREATE TABLE ") + kRefTable + "(" + columns + ")"))
            .status());
    loader = "sqlite3 .import --csv";
    load = "sqlite3 -batch -bail " + Quote(ref_db) + " " +
           Quote(".import --csv " + o_.csv_out + " " + kRefTable);
    count_cmd = "sqlite3 -batch " + Quote(ref_db) + " " +
                Quote(std::string("SELECT count(*) FROM ") + kRefTable);
  } else {
    const std::string psql = "psql -X -q -v ON_ERROR_STOP=1 -At " + Quote(o_.db);
    EVIDEX_RETURN_IF_ERROR(
        Run(psql + " -c " + Quote(std::string("DROP TABLE IF EXISTS ") + kRefTable) + " -c " +
            Quote(std::string("CREATE TABLE ") + kRefTable + "(" + columns + ")"))
            .status());
    loader = "psql \\copy csv";
    load = psql + " -c " +
           Quote(std::string("\\copy ") + kRefTable + " FROM " + Quote(o_.csv_out) +
                 " WITH (FORMAT csv)");
    count_cmd = psql + " -c " + Quote(std::string("SELECT count(*) FROM ") + kRefTable);
    drop = psql + " -c " + Quote(std::string("DROP TABLE ") + kRefTable);
  }
  // The CSV is read once beforehand so that both loaders and the store start equal (page cache).
  EVIDEX_RETURN_IF_ERROR(Run("cat " + Quote(o_.csv_out) + " > /dev/null").status());
  Say("reference: " + load);
  auto t0 = Clock::now();
  double cpu0 = CpuSeconds(RUSAGE_CHILDREN);
  EVIDEX_RETURN_IF_ERROR(Run(load).status());
  double secs = Since(t0);
  // The loader's own CPU (sqlite3 does all the work; psql only sends, the server's is not seen).
  json_["reference_cpu_seconds"] = CpuSeconds(RUSAGE_CHILDREN) - cpu0;
  Result<std::string> count = Run(count_cmd);
  EVIDEX_RETURN_IF_ERROR(count.status());
  Checks::Item& item = checks_.Begin("reference loader: rows = occurrences");
  item.compared = 1;
  if (*count != std::to_string(wo_.occurrences))
    Checks::Fail(item, loader + " loaded " + *count + " rows");
  if (o_.reference == "sqlite3") {
    ref_bytes = FileSize(ref_db) + FileSize(ref_db + "-wal");
    EVIDEX_RETURN_IF_ERROR(TextIndexFloor(ref_db));
    fs::remove(ref_db);
    fs::remove(ref_db + "-journal");
  } else {
    Result<std::string> size =
        Run("psql -X -At " + Quote(o_.db) + " -c " +
            Quote(std::string("SELECT pg_total_relation_size('") + kRefTable + "')"));
    EVIDEX_RETURN_IF_ERROR(size.status());
    ref_bytes = std::stoull(*size);
    EVIDEX_RETURN_IF_ERROR(Run(drop).status());
  }
  json_["reference_loader"] = loader;
  json_["reference_seconds"] = secs;
  json_["reference_rate"] = wo_.occurrences / secs;
  json_["reference_bytes"] = ref_bytes;
  return Status::Ok();
}

// One part of what the store writes, alone, with nothing else around it: the trigram index of
// the distinct values (the web API's text filter; sqlite_case_artifacts.h) in its cheapest form
// (detail=none, as the store's), filled in one statement by sqlite3. The ingest cannot be faster
// than occurrences / this time while it keeps that index.
Status Bench::TextIndexFloor(const std::string& ref_db) {
  const std::string sqlite3 = "sqlite3 -batch -bail " + Quote(ref_db) + " ";
  EVIDEX_RETURN_IF_ERROR(
      Run(sqlite3 + Quote(std::string("CREATE TABLE evidex_bench_values AS SELECT DISTINCT kind, "
                                      "value FROM ") +
                          kRefTable +
                          "; CREATE VIRTUAL TABLE evidex_bench_text USING fts5(value, "
                          "content='', columnsize=0, detail=none, tokenize='trigram')"))
          .status());
  Say("floor: the trigram index of the distinct values alone (sqlite3, FTS5)");
  auto t0 = Clock::now();
  double cpu0 = CpuSeconds(RUSAGE_CHILDREN);
  EVIDEX_RETURN_IF_ERROR(Run(sqlite3 + Quote("INSERT INTO evidex_bench_text (rowid, value) "
                                             "SELECT rowid, value FROM evidex_bench_values"))
                             .status());
  json_["text_floor_seconds"] = Since(t0);
  json_["text_floor_cpu_seconds"] = CpuSeconds(RUSAGE_CHILDREN) - cpu0;
  Result<std::string> values = Run(sqlite3 + Quote("SELECT count(*) FROM evidex_bench_values"));
  EVIDEX_RETURN_IF_ERROR(values.status());
  json_["text_floor_values"] = std::stoull(*values);
  return Status::Ok();
}

Status Bench::Ingest() {
  evidex::store::StoreOptions so;
  so.location = o_.db;
  so.create = true;
  Result<std::unique_ptr<evidex::store::Store>> opened = evidex::store::OpenStore(so);
  if (!opened.ok()) return opened.status();
  store_ = std::move(opened).value();
  Result<uint64_t> before = store_->CountCases();
  if (!before.ok()) return before.status();
  if (*before != 0) return evidex::InvalidArgument(o_.db + " holds cases: use an empty store");

  Say("ingest: " + Thousands(wo_.occurrences) + " occurrences into " + store_->Describe());
  StoreSink sink(store_.get(), wo_.cases);
  progress_.Start("ingest", wo_.occurrences);
  auto t0 = Clock::now();
  double cpu0 = CpuSeconds(RUSAGE_SELF);
  Status s = workload_->Run(&sink, kBatch, &truth_, [&](uint64_t d) { progress_.Update(d); });
  double wall = Since(t0);
  double cpu = CpuSeconds(RUSAGE_SELF) - cpu0;  // generator included
  progress_.Finish();
  EVIDEX_RETURN_IF_ERROR(s);
  case_ids_ = sink.case_ids();
  double secs = sink.seconds();
  double rate = wo_.occurrences / secs;
  json_["ingest_seconds"] = secs;
  json_["ingest_wall_seconds"] = wall;
  json_["ingest_cpu_seconds_with_generator"] = cpu;
  json_["ingest_rate"] = rate;
  json_["distinct_artifacts"] = truth_.distinct;
  json_["big_case_occurrences"] = truth_.cases[0].occurrences;

  std::string ref, ratio, target = postgres_ ? "(SQLite only)" : "≥ 500,000/s", verdict;
  if (json_.contains("reference_rate")) {
    double r = json_["reference_rate"];
    ref = Rate(r) + Fmt(" (%s, %.1f s, CPU %.1f s)",
                        json_["reference_loader"].get<std::string>().c_str(),
                        json_["reference_seconds"].get<double>(),
                        json_["reference_cpu_seconds"].get<double>());
    ratio = Fmt("%.2fx", rate / r);
  }
  if (!postgres_) {
    verdict = rate >= kIngestTarget ? "PASS" : "FAIL";
    target_missed_ |= rate < kIngestTarget;
  }
  rows_.push_back(
      {Fmt("ingest: BeginScan/Add/Finish, %zu scans", sink.scans().size()),
       Rate(rate) + Fmt(" (%.1f s: BeginScan %.1f, Add %.1f, Finish %.1f; process CPU %.1f s, "
                        "generator's %.1f s included, not counted)",
                        secs, sink.begin_seconds(), sink.add_seconds(), sink.finish_seconds(), cpu,
                        wall - secs),
       ref, ratio, target, verdict});
  if (json_.contains("text_floor_seconds")) {
    const double t = json_["text_floor_seconds"];
    rows_.push_back({Fmt("floor: the trigram index alone, %s distinct values in one statement "
                         "(not a target)",
                         Thousands(json_["text_floor_values"].get<uint64_t>()).c_str()),
                     "",
                     Fmt("%.1f s (sqlite3, FTS5 detail=none; CPU %.1f s): an ingest keeping "
                         "that index stays under %s",
                         t, json_["text_floor_cpu_seconds"].get<double>(),
                         Rate(wo_.occurrences / t).c_str()),
                     "", "", ""});
  }
  json_["ingest_begin_seconds"] = sink.begin_seconds();
  json_["ingest_add_seconds"] = sink.add_seconds();
  json_["ingest_finish_seconds"] = sink.finish_seconds();
  json_["generator_seconds"] = wall - secs;

  // The scans' own counts against the rows handed over.
  Checks::Item& item = checks_.Begin("scans: ScanRecord.occurrences = rows added, status");
  uint64_t sum = 0;
  for (size_t i = 0; i < sink.scans().size(); ++i) {
    const evidex::store::ScanRecord& r = sink.scans()[i];
    item.compared++;
    sum += r.occurrences;
    if (r.occurrences != sink.scan_rows()[i] || r.status != "complete")
      Checks::Fail(item, Fmt("scan %" PRId64 ": %" PRIu64 " occurrences, %" PRIu64 " added, %s",
                             r.id, r.occurrences, sink.scan_rows()[i], r.status.c_str()));
  }
  if (sum != wo_.occurrences)
    Checks::Fail(item,
                 Fmt("%" PRIu64 " occurrences in all, expected %" PRIu64, sum, wo_.occurrences));
  if (csv_digest_ != 0) {
    Checks::Item& d = checks_.Begin("workload: the CSV pass and the ingest pass are identical");
    d.compared = 1;
    if (csv_digest_ != truth_.Digest()) Checks::Fail(d, "the two passes' truth digests differ");
  }
  return Status::Ok();
}

// Per case: distinct artifacts and occurrences (ForEachCaseArtifact) against the truth; over all
// cases: how many artifacts k cases hold, which gives the store's distinct artifacts.
void Bench::CheckCounts() {
  Checks::Item& cc = checks_.Begin("CountCases = cases");
  cc.compared = 1;
  Result<uint64_t> n = store_->CountCases();
  if (!n.ok() || *n != uint64_t(wo_.cases))
    Checks::Fail(cc, n.ok() ? Fmt("%" PRIu64, *n) : n.status().ToString());
  if (!o_.export_check) return;

  Checks::Item& item = checks_.Begin(
      "ForEachCaseArtifact: per case distinct artifacts and occurrences, order, and store-wide "
      "artifacts by number of cases = truth");
  std::vector<uint64_t> by_cases(size_t(wo_.cases) + 2, 0);
  uint64_t visited = 0;
  progress_.Start("export (ForEachCaseArtifact)", truth_.distinct);
  auto t0 = Clock::now();
  for (int c = 0; c < wo_.cases; ++c) {
    const WorkloadTruth::CaseTruth& ct = truth_.cases[size_t(c)];
    uint64_t count = 0, occ = 0;
    std::string last_kind, last_value;
    bool ordered = true;
    Status s = store_->ForEachCaseArtifact(
        case_ids_[size_t(c)], [&](const evidex::store::Artifact& a, uint64_t here) {
          if (count > 0 && (a.kind < last_kind || (a.kind == last_kind && a.value <= last_value)))
            ordered = false;
          last_kind = a.kind;
          last_value = a.value;
          count++;
          occ += here;
          by_cases[std::min<size_t>(a.cases, by_cases.size() - 1)]++;
          if (++visited % 65536 == 0) progress_.Update(visited);
          return true;
        });
    item.compared++;
    if (!s.ok()) {
      Checks::Fail(item, "case " + Workload::CaseNumber(c) + ": " + s.ToString());
      continue;
    }
    if (count != ct.distinct() || occ != ct.occurrences)
      Checks::Fail(item,
                   Fmt("case %s: %" PRIu64 " artifacts / %" PRIu64 " occurrences, expected %" PRIu64
                       " / %" PRIu64,
                       Workload::CaseNumber(c).c_str(), count, occ, ct.distinct(), ct.occurrences));
    if (!ordered)
      Checks::Fail(item, "case " + Workload::CaseNumber(c) + ": not ordered by kind, value");
  }
  double secs = Since(t0);
  progress_.Finish();
  // An artifact held by k cases was visited k times.
  uint64_t distinct = 0;
  for (size_t k = 1; k < by_cases.size(); ++k) {
    uint64_t expected = k < truth_.artifacts_by_cases.size() ? truth_.artifacts_by_cases[k] : 0;
    if (by_cases[k] != expected * k)
      Checks::Fail(item, Fmt("artifacts held by %zu cases: %" PRIu64 " visits, expected %" PRIu64
                             " (%" PRIu64 " artifacts)",
                             k, by_cases[k], expected * k, expected));
    distinct += by_cases[k] / k;
  }
  if (distinct != truth_.distinct)
    Checks::Fail(item, Fmt("%" PRIu64 " distinct artifacts in the store, expected %" PRIu64,
                           distinct, truth_.distinct));
  json_["export_seconds"] = secs;
  json_["store_distinct_artifacts"] = distinct;
  rows_.push_back({"export: ForEachCaseArtifact, all cases (not a target)",
                   Thousands(uint64_t(visited / secs)) + Fmt(" artifacts/s (%.1f s)", secs), "", "",
                   "", ""});
}

Status Bench::Lookups() {
  Say("look-ups: " + Thousands(o_.lookups) + " (FindArtifacts + Sightings, then Occurrences)");
  Rng rng(o_.seed ^ 0x6c6f6f6b7570ull);
  const uint64_t pool = truth_.pool, unique_end = truth_.UniqueEnd();
  Latencies search, find, occurrences;
  Checks::Item& item = checks_.Begin(
      "look-ups: present values found once with the right cases, counts and sightings; absent "
      "values not found; Occurrences count");
  std::string value;
  uint64_t present_n = 0, absent_n = 0;
  progress_.Start("look-ups", o_.lookups);
  for (size_t i = 0; i < o_.lookups; ++i) {
    uint64_t u = rng.Below(100), g;
    if (u < 40)
      g = rng.Below(pool);  // shared (or never drawn)
    else if (u < 80)
      g = pool + rng.Below(unique_end - pool);  // case-unique
    else
      g = workload_->AbsentG() + rng.Below(1 << 20);  // never stored
    workload_->Value(g, &value);
    const std::string kind = workload_->KindOf(g);
    const bool any_kind = rng.Below(3) == 0;
    CaseSet expected;
    uint64_t expected_occ = 0;
    if (g < pool) {
      expected = truth_.pool_cases[g];
      expected_occ = truth_.pool_occurrences[g];
    } else if (g < unique_end) {
      for (int c = 0; c < wo_.cases; ++c)
        if (g >= truth_.cases[size_t(c)].unique_first && g < truth_.cases[size_t(c)].unique_end)
          expected.Set(c);
      expected_occ = truth_.unique_occurrences[g - pool];
    }
    const bool present = expected.Count() > 0;
    (present ? present_n : absent_n)++;

    auto t0 = Clock::now();
    Result<std::vector<evidex::store::Artifact>> found =
        store_->FindArtifacts(any_kind ? "" : kind, value);
    auto t1 = Clock::now();
    if (!found.ok()) return found.status();
    std::vector<std::vector<evidex::store::Sighting>> sightings;
    for (const evidex::store::Artifact& a : *found) {
      Result<std::vector<evidex::store::Sighting>> s = store_->Sightings(a.id);
      if (!s.ok()) return s.status();
      sightings.push_back(std::move(s).value());
    }
    auto t2 = Clock::now();
    find.ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    search.ms.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
    item.compared++;

    const std::string what = kind + " " + value;
    if (!present) {
      if (!found->empty()) Checks::Fail(item, what + ": absent, yet found");
      continue;
    }
    if (found->size() != 1) {
      Checks::Fail(item, what + Fmt(": %zu artifacts found, expected 1", found->size()));
      continue;
    }
    const evidex::store::Artifact& a = (*found)[0];
    if (a.kind != kind || a.value != value)
      Checks::Fail(item, what + ": found " + a.kind + " " + a.value);
    if (a.cases != uint64_t(expected.Count()))
      Checks::Fail(item, what + Fmt(": cases %" PRIu64 ", expected %d", a.cases, expected.Count()));
    if (expected_occ != 0xffff && a.occurrences != expected_occ)
      Checks::Fail(item, what + Fmt(": occurrences %" PRIu64 ", expected %" PRIu64, a.occurrences,
                                    expected_occ));
    CaseSet seen;
    uint64_t sum = 0;
    for (const evidex::store::Sighting& s : sightings[0]) {
      sum += s.occurrences;
      auto it = std::find(case_ids_.begin(), case_ids_.end(), s.case_id);
      if (it == case_ids_.end()) {
        Checks::Fail(item, what + Fmt(": sighting in unknown case %" PRId64, s.case_id));
        continue;
      }
      seen.Set(int(it - case_ids_.begin()));
    }
    if (seen.bits != expected.bits)
      Checks::Fail(item, what + Fmt(": sightings in %d cases, not the expected %d", seen.Count(),
                                    expected.Count()));
    if (sum != a.occurrences)
      Checks::Fail(item, what + Fmt(": sightings count %" PRIu64 " occurrences, artifact %" PRIu64,
                                    sum, a.occurrences));
    // The drill-down `evidex search --occurrences` does: one evidence's occurrences.
    if (!sightings[0].empty()) {
      const evidex::store::Sighting& s0 = sightings[0][0];
      auto t3 = Clock::now();
      Result<std::vector<evidex::store::OccurrenceOut>> occ =
          store_->Occurrences(a.id, s0.evidence_id, 10);
      occurrences.ms.push_back(Since(t3) * 1000);
      if (!occ.ok()) return occ.status();
      if (occ->size() != std::min<uint64_t>(10, s0.occurrences))
        Checks::Fail(item, what + Fmt(": Occurrences gave %zu, expected %" PRIu64, occ->size(),
                                      std::min<uint64_t>(10, s0.occurrences)));
      for (const evidex::store::OccurrenceOut& o : *occ)
        if (o.evidence_id != s0.evidence_id || o.path.empty() || o.feature.empty() ||
            o.context.find(o.feature) == std::string::npos) {
          Checks::Fail(item, what + ": an occurrence without its evidence, path or context");
          break;
        }
    }
    if ((i & 63) == 0) progress_.Update(i);
  }
  progress_.Finish();
  auto add = [&](const std::string& name, const Latencies& l, const char* key) {
    double p99 = l.Percentile(99);
    bool ok = p99 < kLookupP99Ms;
    target_missed_ |= !ok;
    rows_.push_back({name,
                     Fmt("p50 %.2f ms, p99 %.2f ms, max %.1f ms", l.Percentile(50), p99, l.Max()),
                     "", "", "p99 < 5 ms", ok ? "PASS" : "FAIL"});
    json_[key] = {
        {"p50_ms", l.Percentile(50)}, {"p99_ms", p99}, {"max_ms", l.Max()}, {"n", l.ms.size()}};
  };
  add("search: FindArtifacts + Sightings (" + Thousands(search.ms.size()) + " look-ups, " +
          Thousands(absent_n) + " absent)",
      search, "search");
  add("one artifact's occurrences in an evidence (Occurrences, 10)", occurrences, "occurrences");
  json_["find_only"] = {{"p50_ms", find.Percentile(50)}, {"p99_ms", find.Percentile(99)}};
  return Status::Ok();
}

Status Bench::CorrelateBig() {
  Say(Fmt("correlate: case %s (%" PRIu64 " distinct artifacts)", Workload::CaseNumber(0).c_str(),
          truth_.cases[0].distinct()));
  evidex::store::CorrelateOptions options;  // defaults: every kind, 100 results
  auto t0 = Clock::now();
  Result<std::vector<evidex::store::Correlation>> r = store_->Correlate(case_ids_[0], options);
  double secs = Since(t0);
  if (!r.ok()) return r.status();
  bool ok = secs < kCorrelateSeconds;
  target_missed_ |= !ok;
  rows_.push_back({Fmt("Correlate, case with %s artifacts (limit %zu)",
                       Thousands(truth_.cases[0].distinct()).c_str(), options.limit),
                   Fmt("%.2f s", secs), "", "", "< 10 s", ok ? "PASS" : "FAIL"});
  json_["correlate_seconds"] = secs;

  // Truth: the big case's values that other cases hold too (all are pool values).
  std::unordered_map<std::string, uint64_t> shared;  // kind \t value -> g
  std::vector<int> counts;
  std::string value;
  for (uint64_t g = 0; g < truth_.pool; ++g) {
    const CaseSet& s = truth_.pool_cases[g];
    if (!s.Has(0) || s.Count() < 2) continue;
    workload_->Value(g, &value);
    shared.emplace(Key(workload_->KindOf(g), value), g);
    counts.push_back(s.Count());
  }
  std::sort(counts.begin(), counts.end());
  Checks::Item& item = checks_.Begin(
      "Correlate: the rarest shared values of the big case, with their counts and sightings");
  size_t want = std::min(options.limit, shared.size());
  item.compared = r->size();
  if (r->size() != want)
    Checks::Fail(
        item, Fmt("%zu results, expected %zu (%zu shared values)", r->size(), want, shared.size()));
  std::vector<int> got;
  double last_score = INFINITY;
  for (const evidex::store::Correlation& k : *r) {
    const std::string what = k.artifact.kind + " " + k.artifact.value;
    auto it = shared.find(Key(k.artifact.kind, k.artifact.value));
    if (it == shared.end()) {
      Checks::Fail(item, what + ": not a value the big case shares");
      continue;
    }
    const uint64_t g = it->second;
    const CaseSet& s = truth_.pool_cases[g];
    got.push_back(int(k.artifact.cases));
    if (k.artifact.cases != uint64_t(s.Count()))
      Checks::Fail(item,
                   what + Fmt(": cases %" PRIu64 ", expected %d", k.artifact.cases, s.Count()));
    if (k.occurrences_here != truth_.pool_in_big[g])
      Checks::Fail(item, what + Fmt(": occurrences here %" PRIu64 ", expected %u",
                                    k.occurrences_here, truth_.pool_in_big[g]));
    if (k.artifact.occurrences != truth_.pool_occurrences[g])
      Checks::Fail(item, what + Fmt(": occurrences %" PRIu64 ", expected %u",
                                    k.artifact.occurrences, truth_.pool_occurrences[g]));
    if (k.score > last_score + 1e-9) Checks::Fail(item, what + ": scores not in order");
    last_score = k.score;
    if (k.elsewhere.empty() || k.elsewhere.size() > 20)
      Checks::Fail(item, what + Fmt(": %zu sightings elsewhere", k.elsewhere.size()));
    for (const evidex::store::Sighting& sg : k.elsewhere) {
      auto c = std::find(case_ids_.begin(), case_ids_.end(), sg.case_id);
      if (c == case_ids_.begin() || c == case_ids_.end() || !s.Has(int(c - case_ids_.begin()))) {
        Checks::Fail(
            item, what + Fmt(": sighting in case %" PRId64 ", which does not hold it", sg.case_id));
        break;
      }
    }
  }
  // Rarest first: the case counts returned are the `want` smallest of the truth (ties broken
  // any way the store likes).
  std::sort(got.begin(), got.end());
  if (got.size() == want && !std::equal(got.begin(), got.end(), counts.begin()))
    Checks::Fail(item, Fmt("not the rarest: returned up to %d cases, the %zu rarest reach %d",
                           got.empty() ? 0 : got.back(), want, want ? counts[want - 1] : 0));
  json_["big_case_shared"] = shared.size();
  return Status::Ok();
}

Status Bench::WatchlistCheck() {
  const uint64_t total = o_.watchlist;
  const uint64_t pool = truth_.pool, unique_end = truth_.UniqueEnd();
  Rng rng(o_.seed ^ 0x7761746368ull);
  // 10 % present (half shared values, half case-unique), 1 % repeated lines, the rest absent.
  const uint64_t present_goal = total / 10, dups = total / 100;
  std::vector<uint64_t> gs;
  gs.reserve(total);
  uint64_t from_pool = 0;
  const uint64_t step = 0x9e3779b97f4a7c15ull;  // odd: visits every g once (mod a power of two)
  for (uint64_t i = 0, start = rng.Next(); i < pool && from_pool < present_goal / 2; ++i) {
    // A walk over the pool in scrambled order, keeping values that were stored.
    uint64_t g = (start + i * step) % pool;
    if (truth_.pool_cases[g].Count() > 0) {
      gs.push_back(g);
      from_pool++;
    }
    if (i > 4 * pool) break;
  }
  // (start + i*step) mod pool repeats when gcd(step, pool) > 1: deduplicate.
  std::sort(gs.begin(), gs.end());
  gs.erase(std::unique(gs.begin(), gs.end()), gs.end());
  const uint64_t uniques = unique_end - pool;
  const uint64_t want_unique = std::min(uniques, present_goal - gs.size());
  for (uint64_t i = 0; i < want_unique; ++i) gs.push_back(pool + i * uniques / want_unique);
  const uint64_t present = gs.size();
  uint64_t expected_hits = 0;
  std::unordered_set<std::string> present_keys;
  std::string value;
  for (uint64_t g : gs) {
    expected_hits += g < pool ? uint64_t(truth_.pool_cases[g].Count()) : 1;
    workload_->Value(g, &value);
    present_keys.insert(Key(workload_->KindOf(g), value));
  }
  for (uint64_t i = 0; gs.size() < total - dups; ++i) gs.push_back(workload_->AbsentG() + i);
  const uint64_t distinct = gs.size();
  while (gs.size() < total) gs.push_back(gs[rng.Below(distinct)]);
  for (size_t i = gs.size(); i > 1; --i) std::swap(gs[i - 1], gs[rng.Below(i)]);

  static const std::unordered_map<std::string, std::string> kTypes = {
      {"email", "email-src"}, {"domain", "domain"}, {"url", "url"},
      {"ipv4", "ip-dst"},     {"ipv6", "ip-dst"},   {"phone", "phone-number"},
      {"ccn", "cc-number"},   {"iban", "iban"},     {"btc", "btc"},
      {"eth", "eth"}};
  std::vector<evidex::store::Indicator> indicators(gs.size());
  for (size_t i = 0; i < gs.size(); ++i) {
    evidex::store::Indicator& in = indicators[i];
    in.kind = workload_->KindOf(gs[i]);
    workload_->Value(gs[i], &in.value);
    in.original = in.value;
    in.type = kTypes.at(in.kind);
    in.reference = std::to_string(i + 2);  // CSV line
  }
  evidex::store::Watchlist list;
  list.name = "store benchmark";
  list.source = "evidex-store-bench";
  list.format = "csv";
  list.file_sha256 = std::string(64, '0');
  Say(Fmt("watchlist: %s indicators (%s present, %s repeated lines)", Thousands(total).c_str(),
          Thousands(present).c_str(), Thousands(dups).c_str()));
  auto t0 = Clock::now();
  Result<evidex::store::Watchlist> added = store_->AddWatchlist(list, indicators);
  double secs = Since(t0);
  if (!added.ok()) return added.status();
  bool ok = secs < kWatchlistSeconds;
  target_missed_ |= !ok;
  rows_.push_back({Fmt("AddWatchlist, %s indicators against the store", Thousands(total).c_str()),
                   Fmt("%.2f s", secs), "", "", "< 60 s", ok ? "PASS" : "FAIL"});
  json_["watchlist_seconds"] = secs;
  indicators.clear();
  indicators.shrink_to_fit();

  Checks::Item& item = checks_.Begin(
      "watchlist: distinct indicators stored, hits = known overlap (indicator x case)");
  item.compared = 1;
  if (added->indicators != distinct)
    Checks::Fail(item, Fmt("%" PRIu64 " indicators stored, expected %" PRIu64 " distinct",
                           added->indicators, distinct));
  auto t1 = Clock::now();
  Result<std::vector<evidex::store::WatchHit>> hits = store_->ListHits(0);
  double list_secs = Since(t1);
  if (!hits.ok()) return hits.status();
  item.compared += hits->size();
  if (hits->size() != expected_hits)
    Checks::Fail(item, Fmt("%zu hits, expected %" PRIu64 " (%" PRIu64 " indicators present)",
                           hits->size(), expected_hits, present));
  std::set<std::pair<std::string, int64_t>> seen;
  for (const evidex::store::WatchHit& h : *hits) {
    const std::string key = Key(h.indicator.kind, h.indicator.value);
    if (!present_keys.count(key)) {
      Checks::Fail(item, "a hit on " + key + ", which no case holds");
      continue;
    }
    if (h.artifact.value != h.indicator.value || h.sightings.empty())
      Checks::Fail(item, "hit on " + key + ": artifact " + h.artifact.value +
                             Fmt(", %zu sightings", h.sightings.size()));
    if (!seen.insert({key, h.case_id}).second) Checks::Fail(item, "hit on " + key + " twice");
  }
  rows_.push_back({"ListHits, all " + Thousands(hits->size()) + " hits (not a target)",
                   Fmt("%.2f s", list_secs), "", "", "", ""});
  json_["watchlist_hits"] = hits->size();
  json_["list_hits_seconds"] = list_secs;
  return Status::Ok();
}

uint64_t Bench::BytesOnDisk(std::string* detail) {
  if (!postgres_) {
    uint64_t db = FileSize(sqlite_path_), wal = FileSize(sqlite_path_ + "-wal");
    *detail = Fmt("db %s + wal %s bytes", Thousands(db).c_str(), Thousands(wal).c_str());
    return db + wal;
  }
  Result<std::string> r =
      Run("psql -X -At " + Quote(o_.db) + " -c 'SELECT pg_database_size(current_database())'");
  if (!r.ok()) {
    *detail = r.status().ToString();
    return 0;
  }
  *detail = "pg_database_size";
  return std::stoull(*r);
}

void Bench::Report() {
  json_["load_after"] = LoadAverage();
  std::string text = Fmt("%s store, %s occurrences in %d cases (seed %" PRIu64
                         "), %s distinct "
                         "artifacts; load average before %s, after %s\n\n",
                         postgres_ ? "PostgreSQL" : "SQLite", Thousands(wo_.occurrences).c_str(),
                         wo_.cases, wo_.seed, Thousands(truth_.distinct).c_str(),
                         json_["load_before"].get<std::string>().c_str(),
                         json_["load_after"].get<std::string>().c_str());
  text += "| measure | evidex store | reference | ratio | target | result |\n";
  text += "|---|---|---|---|---|---|\n";
  for (const Row& r : rows_)
    text += "| " + r.measure + " | " + r.evidex + " | " + r.reference + " | " + r.ratio + " | " +
            r.target + " | " + r.verdict + " |\n";
  text += "\nChecks against the generator's truth:\n\n";
  nlohmann::json jchecks = nlohmann::json::array();
  for (const Checks::Item& i : checks_.items) {
    text += Fmt("* %s: ", i.ok ? "PASS" : "**FAIL**") + i.name + " (" + Thousands(i.compared) +
            " compared)\n";
    for (const std::string& p : i.problems) text += "    * " + p + "\n";
    jchecks.push_back({{"name", i.name}, {"ok", i.ok}, {"problems", i.problems}});
  }
  text += std::string("\nchecks: ") + (checks_.AllOk() ? "all passed" : "FAILED") + "\n";
  std::fprintf(o_.json ? stderr : stdout, "\n%s", text.c_str());
  if (!o_.report.empty()) std::ofstream(o_.report) << text;
  json_["checks"] = jchecks;
  json_["checks_passed"] = checks_.AllOk();
  json_["targets_met"] = !target_missed_;
  nlohmann::json jrows = nlohmann::json::array();
  for (const Row& r : rows_)
    jrows.push_back({{"measure", r.measure},
                     {"evidex", r.evidex},
                     {"reference", r.reference},
                     {"ratio", r.ratio},
                     {"target", r.target},
                     {"result", r.verdict}});
  json_["table"] = jrows;
  if (o_.json) std::printf("%s\n", json_.dump(2).c_str());
}

int Bench::Main() {
  Status s = Prepare();
  if (s.ok()) s = Reference();
  if (s.ok()) s = Ingest();
  if (s.ok()) {
    std::string detail;
    uint64_t bytes = BytesOnDisk(&detail);
    std::string ref, ratio;
    if (json_.contains("reference_bytes")) {
      uint64_t rb = json_["reference_bytes"];
      ref = Fmt("%.1f B/occ (plain table)", double(rb) / wo_.occurrences);
      ratio = Fmt("%.2fx", double(bytes) / double(std::max<uint64_t>(rb, 1)));
    }
    rows_.push_back({"bytes on disk per occurrence, after ingest",
                     Fmt("%.1f B/occ (%s)", double(bytes) / wo_.occurrences, detail.c_str()), ref,
                     ratio, "reported", ""});
    json_["bytes_after_ingest"] = bytes;
    CheckCounts();
    s = Lookups();
  }
  if (s.ok()) s = CorrelateBig();
  if (s.ok()) s = WatchlistCheck();
  if (s.ok()) {
    std::string detail;
    uint64_t bytes = BytesOnDisk(&detail);
    rows_.push_back({"bytes on disk per occurrence, at the end (watchlist stored)",
                     Fmt("%.1f B/occ (%s)", double(bytes) / wo_.occurrences, detail.c_str()), "",
                     "", "reported", ""});
    json_["bytes_at_end"] = bytes;
  }
  progress_.Finish();
  store_.reset();
  if (!temp_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(temp_dir_, ec);
  }
  if (!s.ok()) {
    if (!rows_.empty()) Report();
    std::fprintf(stderr, "evidex-store-bench: %s\n", s.ToString().c_str());
    return 2;
  }
  Report();
  if (!checks_.AllOk()) return 1;
  return o_.strict && target_missed_ ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "evidex-store-bench: the case store's benchmark (ingest, search, correlate, "
      "watchlist) with result checks"};
  Options o;
  app.add_option("--db", o.db,
                 "store: SQLite file (sqlite:PATH or PATH, must not exist) or libpq URI of an "
                 "empty database; default: SQLite in a temporary directory");
  app.add_option("--occurrences", o.occurrences_text, "occurrences (K/M/G: powers of 1000)")
      ->capture_default_str();
  app.add_option("--cases", o.cases, "cases (2-128)")->capture_default_str();
  app.add_option("--seed", o.seed, "workload seed")->capture_default_str();
  app.add_option("--big-case-artifacts", o.big,
                 "distinct artifacts of the big case (default: occurrences / 50, at most 1M)");
  app.add_option("--watchlist", o.watchlist,
                 "watchlist indicators (default: occurrences / 50, at most 1M)");
  app.add_option("--lookups", o.lookups, "random look-ups")->capture_default_str();
  app.add_option("--reference", o.reference,
                 "bulk loader to compare ingest with: sqlite3, psql, none (default: the store's)");
  app.add_option("--csv-out", o.csv_out,
                 "CSV of the occurrences for the reference (kept; reused when its .stamp "
                 "matches; default: beside the store)");
  app.add_option("--report", o.report, "also write the table and the checks (Markdown) here");
  app.add_flag(
      "--no-export", [&](int64_t) { o.export_check = false; },
      "skip the ForEachCaseArtifact count check");
  app.add_flag("--json", o.json, "print the figures as JSON on stdout (the table on stderr)");
  app.add_flag("-q,--quiet", o.quiet, "no progress line");
  app.add_flag("--strict", o.strict, "exit 1 when a target is missed");
  CLI11_PARSE(app, argc, argv);
  return Bench(std::move(o)).Main();
}
