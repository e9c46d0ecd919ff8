// evidex-hashset-bench: the hash-set benchmark (docs/PERFORMANCE.md, "Hash sets";
// bench/hashset.sh runs it against `sort` + `join`).
//
//   evidex-hashset-bench gen --count 50M --queries 10M --seed 42 --set SET.txt --queries-out Q.txt
//       writes COUNT distinct SHA-1 values as a sha1sum-style list (hex, two spaces, a name) and
//       QUERIES look-ups, every second one a value of the set (in random order), one per line;
//       prints how many of the queries are in the set (the truth the other steps must match)
//   evidex-hashset-bench import SET.txt OUT.evhs
//       hashset::ImportFile + Builder::Write, timed (what `evidex hashset import` does)
//   evidex-hashset-bench lookup OUT.evhs Q.txt [--threads N]
//       reads the queries into memory (not timed), a first pass to bring the set's pages in (as
//       a long-running matcher has them), then times HashSet::Find one look-up at a time and
//       HashSet::FindMany in groups, over all of them on N threads; prints hits, look-ups per
//       second and peak memory
//
// Every step prints one JSON object on stdout. Values are 20 bytes from a 64-bit generator
// (splitmix64): what SHA-1 outputs look like to a set that only compares and buckets them.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "hashset/hashset.h"
#include "hashset/import.h"

namespace {

using evidex::hashset::Algorithm;
using Clock = std::chrono::steady_clock;

uint64_t SplitMix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The i-th set value (i < count) or the i-th absent value (i >= count): 20 bytes from the seed
// and i; distinct with overwhelming probability (160 bits), and the truth does not rely on it:
// `gen` counts the queries that are set values by construction.
void Value(uint64_t seed, uint64_t i, uint8_t out[20]) {
  uint64_t s = seed * 0x100000001b3ull ^ i;
  for (int k = 0; k < 20; k += 8) {
    uint64_t v = SplitMix(s);
    for (int b = 0; b < 8 && k + b < 20; ++b) out[k + b] = uint8_t(v >> (8 * b));
  }
}

bool ParseCount(const std::string& text, uint64_t* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  std::string unit(end);
  double m = unit.empty() ? 1 : unit == "K" ? 1e3 : unit == "M" ? 1e6 : unit == "G" ? 1e9 : 0;
  if (m == 0 || v < 0) return false;
  *out = uint64_t(v * m);
  return true;
}

uint64_t PeakRssKb() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return uint64_t(ru.ru_maxrss);
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

int Gen(const std::string& count_text, const std::string& queries_text, uint64_t seed,
        const std::string& set_path, const std::string& queries_path) {
  uint64_t count = 0, queries = 0;
  if (!ParseCount(count_text, &count) || !ParseCount(queries_text, &queries) || count == 0) {
    std::fprintf(stderr, "gen: counts are numbers with an optional K, M or G\n");
    return 2;
  }
  FILE* set = std::fopen(set_path.c_str(), "wb");
  FILE* q = std::fopen(queries_path.c_str(), "wb");
  if (set == nullptr || q == nullptr) {
    std::perror("gen");
    return 2;
  }
  std::vector<char> buf(1 << 20);
  std::setvbuf(set, buf.data(), _IOFBF, buf.size());
  uint8_t d[20];
  for (uint64_t i = 0; i < count; ++i) {
    Value(seed, i, d);
    std::string hex = evidex::hashset::HexDigest(d, Algorithm::kSha1);
    std::fprintf(set, "%s  file%llu\n", hex.c_str(), static_cast<unsigned long long>(i));
  }
  uint64_t rng = seed ^ 0x5eed, in_set = 0;
  for (uint64_t i = 0; i < queries; ++i) {
    uint64_t r = SplitMix(rng);
    bool present = i % 2 == 0;
    Value(seed, present ? r % count : count + r, d);
    in_set += present;
    std::string hex = evidex::hashset::HexDigest(d, Algorithm::kSha1);
    std::fprintf(q, "%s\n", hex.c_str());
  }
  bool ok = std::fclose(set) == 0;
  ok = std::fclose(q) == 0 && ok;
  if (!ok) {
    std::perror("gen");
    return 2;
  }
  std::printf("%s\n", nlohmann::json{{"step", "gen"}, {"count", count}, {"queries", queries},
                                     {"queries_in_set", in_set}}.dump().c_str());
  return 0;
}

int Import(const std::string& list, const std::string& out) {
  auto start = Clock::now();
  evidex::hashset::SetInfo info;
  info.id = info.name = "bench";
  evidex::hashset::Builder builder(info);
  evidex::hashset::ImportOptions options;
  options.format = "list";
  auto report = evidex::hashset::ImportFile(list, options, &builder);
  if (!report.ok()) {
    std::fprintf(stderr, "import: %s\n", report.status().message().c_str());
    return 2;
  }
  double read_seconds = Seconds(start);
  evidex::Status st = builder.Write(out);
  if (!st.ok()) {
    std::fprintf(stderr, "import: %s\n", st.message().c_str());
    return 2;
  }
  double seconds = Seconds(start);
  std::printf("%s\n", nlohmann::json{{"step", "import"},
                                     {"records", report->records},
                                     {"distinct", builder.info().counts[1]},
                                     {"read_seconds", read_seconds},
                                     {"seconds", seconds},
                                     {"records_per_second", double(report->records) / seconds},
                                     {"peak_rss_kb", PeakRssKb()}}.dump().c_str());
  return 0;
}

int Lookup(const std::string& set_path, const std::string& queries_path, int threads) {
  auto set = evidex::hashset::HashSet::Open(set_path);
  if (!set.ok()) {
    std::fprintf(stderr, "lookup: %s\n", set.status().message().c_str());
    return 2;
  }
  std::vector<uint8_t> queries;
  {
    FILE* f = std::fopen(queries_path.c_str(), "rb");
    if (f == nullptr) {
      std::perror("lookup");
      return 2;
    }
    char line[256];
    uint8_t d[20];
    while (std::fgets(line, sizeof line, f) != nullptr) {
      std::string_view s(line);
      while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
      if (!evidex::hashset::ParseHexDigest(s, Algorithm::kSha1, d)) {
        std::fprintf(stderr, "lookup: bad query line\n");
        return 2;
      }
      queries.insert(queries.end(), d, d + 20);
    }
    std::fclose(f);
  }
  const size_t n = queries.size() / 20;
  // Bring the set's pages in first (as a long-running matcher would have them), not timed.
  auto warm = Clock::now();
  uint64_t warm_hits = 0;
  for (size_t i = 0; i < n; ++i) warm_hits += (*set)->Find(Algorithm::kSha1, &queries[i * 20]) >= 0;
  double warm_seconds = Seconds(warm);
  // One call per look-up (Find), then in groups (FindMany), each on `threads` threads over
  // contiguous shares of the queries.
  auto run = [&](bool many, uint64_t* hit_count) {
    std::atomic<uint64_t> hits{0};
    auto start = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        size_t lo = n * size_t(t) / size_t(threads), hi = n * size_t(t + 1) / size_t(threads);
        uint64_t h = 0;
        if (many) {
          std::vector<int> labels(4096);
          for (size_t i = lo; i < hi; i += labels.size()) {
            size_t k = std::min(labels.size(), hi - i);
            (*set)->FindMany(Algorithm::kSha1, &queries[i * 20], k, labels.data());
            for (size_t j = 0; j < k; ++j) h += labels[j] >= 0;
          }
        } else {
          for (size_t i = lo; i < hi; ++i) h += (*set)->Find(Algorithm::kSha1, &queries[i * 20]) >= 0;
        }
        hits += h;
      });
    }
    for (std::thread& th : pool) th.join();
    *hit_count = hits.load();
    return Seconds(start);
  };
  uint64_t one_hits = 0, many_hits = 0;
  double one_seconds = run(false, &one_hits);
  double seconds = run(true, &many_hits);
  std::printf("%s\n", nlohmann::json{{"step", "lookup"},
                                     {"threads", threads},
                                     {"lookups", n},
                                     {"hits", many_hits},
                                     {"one_by_one_hits", one_hits},
                                     {"one_by_one_seconds", one_seconds},
                                     {"one_by_one_lookups_per_second", double(n) / one_seconds},
                                     {"first_pass_seconds", warm_seconds},
                                     {"first_pass_hits", warm_hits},
                                     {"seconds", seconds},
                                     {"lookups_per_second", double(n) / seconds},
                                     {"set_bytes", (*set)->mapped_bytes()},
                                     {"peak_rss_kb", PeakRssKb()}}.dump().c_str());
  return many_hits == warm_hits && one_hits == warm_hits ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"evidex-hashset-bench: hash-set import and look-up benchmark"};
  app.require_subcommand(1);
  std::string count = "50M", queries = "10M", set_path, queries_path, list, out;
  uint64_t seed = 42;
  int threads = 1;
  auto* gen = app.add_subcommand("gen", "write a set list and queries");
  gen->add_option("--count", count);
  gen->add_option("--queries", queries);
  gen->add_option("--seed", seed);
  gen->add_option("--set", set_path)->required();
  gen->add_option("--queries-out", queries_path)->required();
  auto* imp = app.add_subcommand("import", "import a list into a set file");
  imp->add_option("list", list)->required();
  imp->add_option("out", out)->required();
  auto* look = app.add_subcommand("lookup", "time look-ups");
  look->add_option("set", set_path)->required();
  look->add_option("queries", queries_path)->required();
  look->add_option("--threads", threads)->check(CLI::Range(1, 64));
  CLI11_PARSE(app, argc, argv);
  if (gen->parsed()) return Gen(count, queries, seed, set_path, queries_path);
  if (imp->parsed()) return Import(list, out);
  return Lookup(set_path, queries_path, threads);
}
