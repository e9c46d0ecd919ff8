// evidex-artifact-page-bench: Store::ListCaseArtifacts at scale, without the web server
// (src/store/case_artifact_page.h; docs/FORMATS.md "Workspace store").
//
//   evidex-artifact-page-bench --db LOCATION [--occurrences 5M] [--seed 42]
//       [--threads 20] [--walks 30] [--query-seed 1] [--text-every 5] [--evidence-every 10]
//       [--slow MS] [--json]
//
// When LOCATION holds no store yet, it is created and one case is populated with the store
// workload (bench/store_workload.h; its cases become evidence items of the one case, one stored
// scan each), timing the ingest and the scans' Finish (where the case summary is maintained).
// Then `threads` threads, each with its own Store connection as the server's workers have, walk
// the case's artifact table as the web UI does: a random sort and order, a kind filter half the
// time, a text filter one walk in five (a piece of a value seen earlier; --text-every), an
// evidence filter one in ten (--evidence-every); the first page, then up to 20 pages on through
// next_cursor and, one walk in three, back through prev_cursor. Every call is timed; p50 / p95 /
// p99 / max are printed per kind of query. Checked: every answer is OK, no page is longer than its
// limit, the rows are in the asked order, and an unfiltered total equals the sum of the counts per
// kind (exit 1 otherwise).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "bench/corpus_lib.h"
#include "bench/store_workload.h"
#include "store/store.h"

namespace {

using evidex::Result;
using evidex::Status;
using evidex::store::ArtifactPage;
using evidex::store::ArtifactQuery;
using evidex::store::CaseArtifact;
using evidex::store::Store;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Stores every workload occurrence into one case, timing Finish apart.
class IntoOneCase : public evidex::bench::WorkloadSink {
 public:
  IntoOneCase(Store* store, int64_t case_id) : store_(store), case_id_(case_id) {}
  Status BeginEvidence(int case_index, int evidence_index) override {
    evidex::store::Evidence e;
    e.case_id = case_id_;
    e.label = "Device " + std::to_string(case_index + 1) + "." + std::to_string(evidence_index + 1);
    e.mode = "reference";
    e.source_path = "/bench/" + e.label;
    e.state = evidex::store::EvidenceState::kComplete;
    Result<evidex::store::Evidence> added = store_->AddEvidence(e);
    if (!added.ok()) return added.status();
    evidex::store::ScanRecord scan;
    scan.case_id = case_id_;
    scan.evidence_id = added->id;
    Result<std::unique_ptr<evidex::store::ScanWriter>> w = store_->BeginScan(scan);
    if (!w.ok()) return w.status();
    writer_ = std::move(w).value();
    return Status::Ok();
  }
  Status Rows(std::span<const evidex::bench::WorkloadRow> rows) override {
    batch_.clear();
    for (const evidex::bench::WorkloadRow& r : rows)
      batch_.push_back({r.kind, r.value, r.feature, r.path, r.context, r.utf16});
    return writer_->Add(batch_);
  }
  Status EndEvidence() override {
    Clock::time_point t0 = Clock::now();
    Result<evidex::store::ScanRecord> done = writer_->Finish("complete");
    finish_seconds += Seconds(t0);
    writer_.reset();
    return done.ok() ? Status::Ok() : done.status();
  }
  double finish_seconds = 0;

 private:
  Store* store_;
  int64_t case_id_;
  std::unique_ptr<evidex::store::ScanWriter> writer_;
  std::vector<evidex::store::OccurrenceIn> batch_;
};

Result<int64_t> Populate(const std::string& db, uint64_t occurrences, uint64_t seed) {
  Result<std::unique_ptr<Store>> store = evidex::store::OpenStore({db, true});
  if (!store.ok()) return store.status();
  Result<std::vector<evidex::store::Case>> cases = (*store)->ListCases();
  if (!cases.ok()) return cases.status();
  if (!cases->empty()) {
    std::fprintf(stderr, "using case %lld of the existing store\n", (long long)cases->front().id);
    return cases->front().id;
  }
  evidex::store::Case c;
  c.number = "BENCH/1";
  c.title = "Artifact page benchmark";
  Result<evidex::store::Case> added = (*store)->AddCase(c);
  if (!added.ok()) return added.status();
  evidex::bench::WorkloadOptions wo;
  wo.occurrences = occurrences;
  wo.cases = 4;
  wo.seed = seed;
  wo.big_case_artifacts = occurrences / 5;
  IntoOneCase sink(store->get(), added->id);
  evidex::bench::Workload workload(wo);
  evidex::bench::WorkloadTruth truth;
  Clock::time_point t0 = Clock::now();
  EVIDEX_RETURN_IF_ERROR(workload.Run(&sink, 4096, &truth, [](uint64_t) {}));
  std::fprintf(stderr, "populate: %llu occurrences in %.1f s, of which Finish %.1f s\n",
               (unsigned long long)truth.occurrences, Seconds(t0), sink.finish_seconds);
  return added->id;
}

// The asked order holds between consecutive rows (ties broken by id, the whole key reversed for
// descending).
bool InOrder(const ArtifactQuery& q, const CaseArtifact& a, const CaseArtifact& b) {
  auto key = [&](const CaseArtifact& r) {
    uint64_t n = q.sort == ArtifactQuery::Sort::kOccurrences ? r.occurrences_here
                 : q.sort == ArtifactQuery::Sort::kCases     ? r.artifact.cases
                                                             : 0;
    std::string k = q.sort == ArtifactQuery::Sort::kKind ? r.artifact.kind : "";
    std::string v = q.sort == ArtifactQuery::Sort::kValue || q.sort == ArtifactQuery::Sort::kKind
                        ? r.artifact.value
                        : "";
    return std::make_tuple(k, n, v, r.artifact.id);
  };
  return q.descending ? key(b) < key(a) : key(a) < key(b);
}

struct Timings {
  std::mutex mu;
  std::map<std::string, std::vector<double>> ms;  // by query class
  std::atomic<uint64_t> errors{0};
  void Add(const std::string& what, double v) {
    std::lock_guard<std::mutex> lock(mu);
    ms[what].push_back(v);
    ms["all"].push_back(v);
  }
};

struct Mix {
  int text_every = 5, evidence_every = 10;  // one walk in N (0: never)
  double slow_ms = 0;                       // > 0: each call slower than this is printed
};

const char* SortName(ArtifactQuery::Sort s) {
  switch (s) {
    case ArtifactQuery::Sort::kOccurrences: return "occurrences";
    case ArtifactQuery::Sort::kCases: return "cases";
    case ArtifactQuery::Sort::kValue: return "value";
    case ArtifactQuery::Sort::kKind: return "kind";
  }
  return "?";
}

void Walker(const std::string& db, int64_t case_id, uint64_t seed, int walks, Mix mix,
            const std::vector<std::string>& kinds, const std::vector<int64_t>& evidence,
            Timings* t) {
  Result<std::unique_ptr<Store>> opened = evidex::store::OpenStore({db, false});
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    ++t->errors;
    return;
  }
  Store& store = **opened;
  evidex::bench::Rng rng(seed);
  std::string seen = "example";  // a value met on an earlier page
  auto fail = [&](const std::string& why) {
    std::fprintf(stderr, "error: %s\n", why.c_str());
    ++t->errors;
  };
  for (int w = 0; w < walks; ++w) {
    ArtifactQuery q;
    q.sort = ArtifactQuery::Sort(rng.Below(4));
    q.descending = rng.Below(2) == 0;
    q.limit = 50;
    std::string what = "plain";
    if (!kinds.empty() && rng.Below(2) == 0) {
      q.kind = kinds[rng.Below(kinds.size())];
      what = "kind";
    }
    if (mix.text_every > 0 && rng.Below(mix.text_every) == 0 && seen.size() >= 3) {
      size_t n = 3 + rng.Below(3), at = rng.Below(seen.size() - std::min(n, seen.size()) + 1);
      q.text = seen.substr(at, n);
      what = "text";
    }
    if (mix.evidence_every > 0 && !evidence.empty() && rng.Below(mix.evidence_every) == 0) {
      q.evidence_id = evidence[rng.Below(evidence.size())];
      what = q.text.empty() ? "evidence" : "evidence+text";
    }
    int pages = 1 + int(rng.Below(20));
    bool back = rng.Below(3) == 0;
    std::vector<std::string> prevs;
    for (int p = 0; p < pages; ++p) {
      Clock::time_point t0 = Clock::now();
      Result<ArtifactPage> page = store.ListCaseArtifacts(case_id, q);
      double took = Seconds(t0) * 1000;
      t->Add(what, took);
      if (mix.slow_ms > 0 && took > mix.slow_ms)
        std::fprintf(stderr, "slow %.1f ms: page %d kind '%s' text '%s' evidence %lld sort %s %s\n",
                     took, p, q.kind.c_str(), q.text.c_str(), (long long)q.evidence_id,
                     SortName(q.sort), q.descending ? "desc" : "asc");
      if (!page.ok()) {
        fail(page.status().ToString());
        break;
      }
      if (page->rows.size() > q.limit) fail("a page longer than its limit");
      for (size_t i = 1; i < page->rows.size(); ++i)
        if (!InOrder(q, page->rows[i - 1], page->rows[i])) fail("rows out of order");
      if (!page->rows.empty()) seen = page->rows[rng.Below(page->rows.size())].artifact.value;
      prevs.push_back(page->prev_cursor);
      if (page->next_cursor.empty()) break;
      q.cursor = page->next_cursor;
    }
    if (back)
      for (auto it = prevs.rbegin(); it != prevs.rend() && !it->empty(); ++it) {
        q.cursor = *it;
        Clock::time_point t0 = Clock::now();
        Result<ArtifactPage> page = store.ListCaseArtifacts(case_id, q);
        t->Add(what, Seconds(t0) * 1000);
        if (!page.ok()) fail(page.status().ToString());
      }
  }
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t at = std::min(v.size() - 1, size_t(p * double(v.size())));
  std::nth_element(v.begin(), v.begin() + at, v.end());
  return v[at];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"evidex-artifact-page-bench: ListCaseArtifacts at scale"};
  std::string db, occurrences_text = "5M";
  uint64_t seed = 42, query_seed = 1;
  int threads = 20, walks = 30;
  bool json = false;
  Mix mix;
  app.add_option("--db", db, "store location (created and populated when new)")->required();
  app.add_option("--occurrences", occurrences_text, "occurrences to populate (5M, 1000000)");
  app.add_option("--seed", seed, "workload seed");
  app.add_option("--threads", threads, "concurrent clients, each with its own Store");
  app.add_option("--walks", walks, "walks per client");
  app.add_option("--query-seed", query_seed, "seed of the queries");
  app.add_option("--text-every", mix.text_every, "a text filter one walk in N (0: never)");
  app.add_option("--evidence-every", mix.evidence_every,
                 "an evidence filter one walk in N (0: never)");
  app.add_option("--slow", mix.slow_ms, "print each call slower than this many ms (stderr)");
  app.add_flag("--json", json, "print the figures as JSON");
  CLI11_PARSE(app, argc, argv);

  Result<int64_t> case_id = Populate(db, evidex::bench::ParseCount(occurrences_text), seed);
  if (!case_id.ok()) {
    std::fprintf(stderr, "evidex-artifact-page-bench: %s\n", case_id.status().ToString().c_str());
    return 2;
  }
  Result<std::unique_ptr<Store>> store = evidex::store::OpenStore({db, false});
  if (!store.ok()) return 2;
  std::vector<std::string> kinds;
  uint64_t distinct = 0;
  Result<std::vector<std::pair<std::string, uint64_t>>> counts =
      (*store)->CountCaseArtifactsByKind(*case_id, 0);
  if (!counts.ok()) return 2;
  for (const auto& [kind, n] : *counts) {
    kinds.push_back(kind);
    distinct += n;
  }
  std::vector<int64_t> evidence;
  Result<std::vector<evidex::store::Evidence>> items = (*store)->ListEvidence(*case_id);
  if (!items.ok()) return 2;
  for (const evidex::store::Evidence& e : *items) evidence.push_back(e.id);
  Result<ArtifactPage> first = (*store)->ListCaseArtifacts(*case_id, ArtifactQuery{});
  if (!first.ok() || first->total != distinct) {
    std::fprintf(stderr, "evidex-artifact-page-bench: the total is not the sum per kind\n");
    return 1;
  }
  std::fprintf(stderr, "case %lld: %llu distinct artifacts, %zu kinds, %zu evidence items\n",
               (long long)*case_id, (unsigned long long)distinct, kinds.size(), evidence.size());

  Timings timings;
  std::vector<std::thread> pool;
  Clock::time_point t0 = Clock::now();
  for (int i = 0; i < threads; ++i)
    pool.emplace_back(Walker, db, *case_id, query_seed * 1000 + uint64_t(i), walks, mix,
                      std::cref(kinds), std::cref(evidence), &timings);
  for (std::thread& th : pool) th.join();
  double wall = Seconds(t0);

  nlohmann::json out = {{"threads", threads},
                        {"artifacts", distinct},
                        {"seconds", wall},
                        {"errors", timings.errors.load()},
                        {"by_query", nlohmann::json::object()}};
  for (auto& [what, v] : timings.ms) {
    size_t n = v.size();
    double p50 = Percentile(v, 0.50), p95 = Percentile(v, 0.95), p99 = Percentile(v, 0.99);
    double max = v.empty() ? 0 : *std::max_element(v.begin(), v.end());
    out["by_query"][what] = {
        {"calls", n}, {"p50_ms", p50}, {"p95_ms", p95}, {"p99_ms", p99}, {"max_ms", max}};
    if (!json)
      std::printf("%-14s %7zu calls  p50 %8.2f ms  p95 %8.2f ms  p99 %8.2f ms  max %8.2f ms\n",
                  what.c_str(), n, p50, p95, p99, max);
  }
  if (json)
    std::printf("%s\n", out.dump(2).c_str());
  else
    std::printf("%d clients, %.1f s, %.0f calls/s, %llu errors\n", threads, wall,
                double(timings.ms["all"].size()) / wall, (unsigned long long)timings.errors.load());
  return timings.errors.load() == 0 ? 0 : 1;
}
