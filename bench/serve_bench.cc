// evidex-serve-bench: the web API under load (bench/serve.sh, docs/PERFORMANCE.md "Web API").
//
//   evidex-serve-bench populate --db LOCATION --occurrences 5M [--seed 42] [--case-number N]
//       Stores one case holding every occurrence of the store workload (bench/store_workload.h):
//       the workload's cases become evidence items of that one case (one stored scan each), so a
//       5M run is a case of 5 million occurrences with realistic value reuse. Prints the case id.
//   evidex-serve-bench load --url http://127.0.0.1:PORT --user U --password P --case ID
//       [--clients 20] [--seconds 30] [--seed 1] [--json] [--table FILE] [--slow MS]
//       Signs in, then each client walks the case's artifact table as the web UI does: a random
//       kind filter (or none), sort and order, a text filter one time in five (a piece of a value
//       seen on an earlier page), the first page, then up to 20 pages on through next_cursor and
//       sometimes back through prev_cursor; the counts per kind now and then. Every answer must be
//       200 with rows no longer than the limit; anything else is counted as an error (exit 1).
//       One request in ten names an evidence item. Reports requests, throughput and latency
//       percentiles (p50, p95, p99, max), overall and per class of query (--table: as markdown
//       rows: kinds, page, kind, text, kind+text, evidence, evidence+text).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "bench/corpus_lib.h"
#include "bench/store_workload.h"
#include "store/store.h"

namespace {

using evidex::Result;
using evidex::Status;
using evidex::bench::Rng;
using evidex::bench::Workload;
using evidex::bench::WorkloadRow;
using Clock = std::chrono::steady_clock;

// ---- populate ----
class OneCaseSink : public evidex::bench::WorkloadSink {
 public:
  OneCaseSink(evidex::store::Store* store, int64_t case_id) : store_(store), case_id_(case_id) {}
  Status BeginEvidence(int case_index, int evidence_index) override {
    evidex::store::Evidence e;
    e.case_id = case_id_;
    e.label = "Seized device " + std::to_string(case_index + 1) + "." +
              std::to_string(evidence_index + 1);
    e.mode = "reference";
    e.source_path = "/evidence/bench/" + std::to_string(case_index + 1) + "-" +
                    std::to_string(evidence_index + 1) + ".img";
    e.size = 500ull << 30;
    e.tool = "evidex-serve-bench";
    e.examiner = "evidex-serve-bench";
    e.state = evidex::store::EvidenceState::kComplete;
    Result<evidex::store::Evidence> ev = store_->AddEvidence(e);
    if (!ev.ok()) return ev.status();
    evidex::store::ScanRecord scan;
    scan.case_id = case_id_;
    scan.evidence_id = ev->id;
    scan.parameters = R"({"tool":"evidex-serve-bench"})";
    scan.bytes_total = e.size;
    Result<std::unique_ptr<evidex::store::ScanWriter>> w = store_->BeginScan(scan);
    if (!w.ok()) return w.status();
    writer_ = std::move(w).value();
    return Status::Ok();
  }
  Status Rows(std::span<const WorkloadRow> rows) override {
    in_.clear();
    for (const WorkloadRow& r : rows)
      in_.push_back({r.kind, r.value, r.feature, r.path, r.context, r.utf16});
    return writer_->Add(in_);
  }
  Status EndEvidence() override {
    Result<evidex::store::ScanRecord> r = writer_->Finish("complete");
    writer_.reset();
    return r.ok() ? Status::Ok() : r.status();
  }

 private:
  evidex::store::Store* store_;
  int64_t case_id_;
  std::unique_ptr<evidex::store::ScanWriter> writer_;
  std::vector<evidex::store::OccurrenceIn> in_;
};

int Populate(const std::string& db, const std::string& occurrences_text, uint64_t seed,
             const std::string& number) {
  evidex::bench::WorkloadOptions wo;
  wo.occurrences = evidex::bench::ParseCount(occurrences_text);
  if (wo.occurrences < 1000) {
    std::fprintf(stderr, "evidex-serve-bench: --occurrences: at least 1000\n");
    return 2;
  }
  wo.cases = 4;  // 4 workload cases: 4-16 evidence items of the one stored case
  wo.seed = seed;
  wo.big_case_artifacts = wo.occurrences / 5;
  Result<std::unique_ptr<evidex::store::Store>> store = evidex::store::OpenStore({db, false});
  if (!store.ok()) {
    std::fprintf(stderr, "evidex-serve-bench: %s\n", store.status().ToString().c_str());
    return 2;
  }
  evidex::store::Case c;
  c.number = number;
  c.title = "Web benchmark case";
  c.offence = "fraud";
  c.examiner = "evidex-serve-bench";
  Result<evidex::store::Case> added = (*store)->AddCase(c);
  if (!added.ok()) {
    std::fprintf(stderr, "evidex-serve-bench: %s\n", added.status().ToString().c_str());
    return 2;
  }
  OneCaseSink sink(store->get(), added->id);
  Workload workload(wo);
  evidex::bench::WorkloadTruth truth;
  auto t0 = Clock::now();
  Status s = workload.Run(&sink, 4096, &truth, [&](uint64_t done) {
    if (done % (1u << 20) < 4096)
      std::fprintf(stderr, "\rpopulate: %llu / %llu", (unsigned long long)done,
                   (unsigned long long)wo.occurrences);
  });
  std::fprintf(stderr, "\n");
  if (!s.ok()) {
    std::fprintf(stderr, "evidex-serve-bench: %s\n", s.ToString().c_str());
    return 2;
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::fprintf(stderr, "populate: %llu occurrences into case %lld in %.1f s\n",
               (unsigned long long)truth.occurrences, (long long)added->id, secs);
  std::printf("%lld\n", (long long)added->id);
  return 0;
}

// ---- load ----
// What a request asked, for the figures per class.
struct Sample {
  double ms;
  bool ok;
  const char* what;  // "kinds", "page", "kind", "text", "kind+text", "evidence", "evidence+text"
};

class LoadClient {
 public:
  LoadClient(const std::string& url, const std::string& cookie, int64_t case_id, uint64_t seed,
             std::vector<std::string> kinds, std::vector<std::string> evidence)
      : cli_(url),
        cookie_(cookie),
        case_id_(case_id),
        rng_(seed),
        kinds_(std::move(kinds)),
        evidence_(std::move(evidence)) {
    cli_.set_keep_alive(true);
    cli_.set_tcp_nodelay(true);
    cli_.set_read_timeout(30, 0);
  }

  // Runs until `stop`; appends every request's latency to samples.
  void Run(const std::atomic<bool>& stop, std::vector<Sample>* samples) {
    static const char* kSorts[] = {"occurrences", "value", "kind", "cases"};
    while (!stop.load(std::memory_order_relaxed)) {
      std::string base = "/api/v1/cases/" + std::to_string(case_id_) + "/artifacts?limit=50";
      if (rng_.Chance(0.1)) {
        Get("/api/v1/cases/" + std::to_string(case_id_) + "/artifacts/kinds", "kinds", samples,
            nullptr);
        continue;
      }
      bool kind = false, text = false, evidence = false;
      if (!kinds_.empty() && rng_.Chance(0.6)) {
        base += "&kind=" + kinds_[rng_.Below(kinds_.size())];
        kind = true;
      }
      base += std::string("&sort=") + kSorts[rng_.Below(4)];
      base += rng_.Chance(0.5) ? "&order=asc" : "&order=desc";
      if (!pieces_.empty() && rng_.Chance(0.2)) {
        base += "&q=" + httplib::detail::encode_query_param(pieces_[rng_.Below(pieces_.size())]);
        text = true;
      }
      if (!evidence_.empty() && rng_.Chance(0.1)) {
        base += "&evidence=" + evidence_[rng_.Below(evidence_.size())];
        evidence = true;
      }
      const char* what = evidence ? (text ? "evidence+text" : "evidence")
                         : text   ? (kind ? "kind+text" : "text")
                         : kind   ? "kind"
                                  : "page";
      nlohmann::json page;
      if (!Get(base, what, samples, &page)) continue;
      int walk = int(rng_.Below(21));
      for (int i = 0; i < walk && !stop.load(std::memory_order_relaxed); ++i) {
        bool back = i > 1 && rng_.Chance(0.2);
        const nlohmann::json& c = page[back ? "prev_cursor" : "next_cursor"];
        if (!c.is_string() || c.get<std::string>().empty()) break;
        const std::string cursor = c.get<std::string>();
        if (!Get(base + "&cursor=" + httplib::detail::encode_query_param(cursor), what, samples,
                 &page))
          break;
      }
    }
  }

 private:
  bool Get(const std::string& path, const char* what, std::vector<Sample>* samples,
           nlohmann::json* out) {
    httplib::Headers h = {{"Cookie", cookie_}};
    auto t0 = Clock::now();
    httplib::Result r = cli_.Get(path.c_str(), h);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    bool ok = r && r->status == 200;
    if (ok && out) {
      *out = nlohmann::json::parse(r->body, nullptr, false);
      ok = out->is_object() && (*out)["rows"].is_array() && (*out)["rows"].size() <= 50;
      if (ok) Remember(*out);
    }
    if (!ok && errors_ < 5) {
      ++errors_;
      std::fprintf(stderr, "load: GET %s -> %s\n", path.c_str(),
                   r ? (std::to_string(r->status) + " " + r->body.substr(0, 200)).c_str()
                     : httplib::to_string(r.error()).c_str());
    }
    if (slow_ms_ > 0 && ms > slow_ms_) std::fprintf(stderr, "slow %.0f ms: %s\n", ms, path.c_str());
    samples->push_back({ms, ok, what});
    return ok;
  }
  // Pieces of values seen, for text filters that find something.
  void Remember(const nlohmann::json& page) {
    const auto& rows = page["rows"];
    if (rows.empty() || pieces_.size() > 200) return;
    const nlohmann::json& value = rows[rng_.Below(rows.size())]["value"];
    if (!value.is_string()) return;
    std::string v = value.get<std::string>();
    if (v.size() < 6) return;
    size_t len = 3 + rng_.Below(3);
    pieces_.push_back(v.substr(rng_.Below(v.size() - len), len));
  }

  httplib::Client cli_;
  std::string cookie_;
  int64_t case_id_;
  Rng rng_;
  std::vector<std::string> kinds_;
  std::vector<std::string> evidence_;  // names: E1, E2, ...
  std::vector<std::string> pieces_;
  int errors_ = 0;

 public:
  double slow_ms_ = 0;  // > 0: requests slower than this are printed on stderr
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, size_t(p / 100.0 * double(v.size())));
  std::nth_element(v.begin(), v.begin() + long(i), v.end());
  return v[i];
}

int Load(const std::string& url, const std::string& user, const std::string& password,
         int64_t case_id, int clients, int seconds, uint64_t seed, bool json,
         const std::string& table_file, double slow_ms) {
  httplib::Client login(url);
  nlohmann::json body = {{"user", user}, {"password", password}};
  httplib::Result r = login.Post("/api/v1/login", body.dump(), "application/json");
  if (!r || r->status != 200) {
    std::fprintf(stderr, "evidex-serve-bench: login failed: %s\n",
                 r ? (std::to_string(r->status) + " " + r->body).c_str()
                   : httplib::to_string(r.error()).c_str());
    return 2;
  }
  std::string cookie;
  for (const auto& [k, v] : r->headers)
    if (k == "Set-Cookie" && v.rfind("evidex_session=", 0) == 0) cookie = v.substr(0, v.find(';'));
  if (cookie.empty()) {
    std::fprintf(stderr, "evidex-serve-bench: login set no evidex_session cookie\n");
    return 2;
  }
  // One field of each element of the case's list at `path` (".../artifacts/kinds": "kind").
  auto field_of_list = [&](const std::string& path, const char* field,
                           std::vector<std::string>* out) {
    const std::string url = "/api/v1/cases/" + std::to_string(case_id) + path;
    httplib::Result got = login.Get(url.c_str(), httplib::Headers{{"Cookie", cookie}});
    if (!got || got->status != 200) {
      std::fprintf(stderr, "evidex-serve-bench: GET %s: %s\n", url.c_str(),
                   got ? (std::to_string(got->status) + " " + got->body).c_str() : "no answer");
      return false;
    }
    for (const auto& e : nlohmann::json::parse(got->body)) out->push_back(e.value(field, ""));
    return true;
  };
  std::vector<std::string> kinds, evidence;
  if (!field_of_list("/artifacts/kinds", "kind", &kinds) ||
      !field_of_list("/evidence", "name", &evidence))
    return 2;

  std::atomic<bool> stop{false};
  std::vector<std::vector<Sample>> samples(static_cast<size_t>(clients));
  std::vector<std::thread> threads;
  auto t0 = Clock::now();
  for (int i = 0; i < clients; ++i)
    threads.emplace_back([&, i] {
      LoadClient c(url, cookie, case_id, seed * 1000 + uint64_t(i), kinds, evidence);
      c.slow_ms_ = slow_ms;
      c.Run(stop, &samples[size_t(i)]);
    });
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  double wall = std::chrono::duration<double>(Clock::now() - t0).count();

  std::vector<double> ms;
  std::map<std::string, std::vector<double>> by_what;
  uint64_t errors = 0;
  for (const auto& s : samples)
    for (const Sample& x : s) {
      ms.push_back(x.ms);
      by_what[x.what].push_back(x.ms);
      errors += !x.ok;
    }
  double p50 = Percentile(ms, 50), p95 = Percentile(ms, 95), p99 = Percentile(ms, 99);
  double max = ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end());
  nlohmann::json out = {{"clients", clients},      {"seconds", wall},
                        {"requests", ms.size()},   {"errors", errors},
                        {"requests_per_second", double(ms.size()) / wall},
                        {"p50_ms", p50},           {"p95_ms", p95},
                        {"p99_ms", p99},           {"max_ms", max}};
  // Per class, as markdown table rows (bench/serve.sh writes them into its results).
  std::string table;
  double worst_p95 = 0;
  for (auto& [what, v] : by_what) {
    worst_p95 = std::max(worst_p95, Percentile(v, 95));
    char line[200];
    std::snprintf(line, sizeof line, "| %s | %zu | %.1f | %.1f | %.1f | %.1f |\n", what.c_str(),
                  v.size(), Percentile(v, 50), Percentile(v, 95), Percentile(v, 99),
                  *std::max_element(v.begin(), v.end()));
    table += line;
  }
  out["worst_p95_ms"] = worst_p95;
  if (!table_file.empty()) {
    std::FILE* f = std::fopen(table_file.c_str(), "w");
    if (f == nullptr) {
      std::fprintf(stderr, "evidex-serve-bench: cannot write %s\n", table_file.c_str());
      return 2;
    }
    std::fputs(table.c_str(), f);
    std::fclose(f);
  }
  if (json) {
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("artifact table: %zu requests by %d clients in %.1f s (%.0f/s), %llu errors\n"
                "latency ms: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f\n"
                "| query | requests | p50 ms | p95 ms | p99 ms | max ms |\n%s",
                ms.size(), clients, wall, double(ms.size()) / wall, (unsigned long long)errors,
                p50, p95, p99, max, table.c_str());
  }
  return errors == 0 && !ms.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"evidex-serve-bench: the web API's benchmark (bench/serve.sh)"};
  app.require_subcommand(1);
  std::string db, occurrences = "5M", number = "BENCH/WEB";
  uint64_t seed = 42;
  CLI::App* pop = app.add_subcommand("populate", "store one case of generated occurrences");
  pop->add_option("--db", db, "the store (the workspace's evidex.db)")->required();
  pop->add_option("--occurrences", occurrences, "K/M/G: powers of 1000")->capture_default_str();
  pop->add_option("--seed", seed, "workload seed")->capture_default_str();
  pop->add_option("--case-number", number)->capture_default_str();

  std::string url, user, password;
  int64_t case_id = 0;
  int clients = 20, seconds = 30;
  bool json = false;
  std::string table_file;
  double slow_ms = 0;
  CLI::App* load = app.add_subcommand("load", "walk the artifact table with many clients");
  load->add_option("--url", url, "http://127.0.0.1:PORT")->required();
  load->add_option("--user", user)->required();
  load->add_option("--password", password)->required();
  load->add_option("--case", case_id, "case id")->required();
  load->add_option("--clients", clients)->capture_default_str()->check(CLI::Range(1, 1000));
  load->add_option("--seconds", seconds)->capture_default_str()->check(CLI::Range(1, 3600));
  load->add_option("--seed", seed)->capture_default_str();
  load->add_flag("--json", json, "one JSON object on stdout");
  load->add_option("--table", table_file, "write the figures per query class (markdown rows)");
  load->add_option("--slow", slow_ms, "print each request slower than this many ms (stderr)");
  CLI11_PARSE(app, argc, argv);
  if (*pop) return Populate(db, occurrences, seed, number);
  return Load(url, user, password, case_id, clients, seconds, seed, json, table_file, slow_ms);
}
