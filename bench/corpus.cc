// evidex-corpus: generates the benchmark corpus with its ground truth, and checks a scan's hits
// against that truth.
//
//   evidex-corpus gen --size 1G --seed 42 -o DIR     -> DIR/corpus.img, DIR/truth.jsonl
//   evidex-corpus check --truth DIR/truth.jsonl --hits OUT/hits.jsonl [--min-recall 0.99] [--json]
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bench/corpus_lib.h"

int main(int argc, char** argv) {
  using evidex::bench::CheckOptions;
  using evidex::bench::CorpusOptions;
  using evidex::bench::CorpusStats;

  CLI::App app{"evidex benchmark corpus: generator and result checker"};
  app.require_subcommand(1);

  std::string size_text = "1G", dir;
  uint64_t seed = 42;
  bool quiet = false;
  CLI::App* gen = app.add_subcommand("gen", "generate DIR/corpus.img and DIR/truth.jsonl");
  gen->add_option("--size", size_text, "image size, K/M/G/T suffixes (powers of 1024)")
      ->capture_default_str();
  gen->add_option("--seed", seed, "PRNG seed (same seed and size, same bytes)")
      ->capture_default_str();
  gen->add_option("-o,--output", dir, "output directory")->required();
  gen->add_flag("-q,--quiet", quiet, "no summary");

  std::string truth, hits;
  CheckOptions check_options;
  CLI::App* check = app.add_subcommand("check", "compare a scan's hits.jsonl with truth.jsonl");
  check->add_option("--truth", truth, "truth.jsonl from gen")->required();
  check->add_option("--hits", hits, "hits.jsonl from evidex scan --jsonl")->required();
  check->add_option("--min-recall", check_options.min_recall, "minimum recall per kind")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  check->add_flag("--json", check_options.json, "report as JSON");
  check->add_option("--examples", check_options.examples,
                    "missing/unexpected values listed per kind")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  if (*gen) {
    std::optional<uint64_t> size = evidex::bench::ParseSize(size_text);
    if (!size || *size == 0) {
      std::cerr << "evidex-corpus: bad --size " << size_text << "\n";
      return 2;
    }
    CorpusOptions o;
    o.size = *size;
    o.seed = seed;
    CorpusStats stats;
    auto t0 = std::chrono::steady_clock::now();
    evidex::Status s = evidex::bench::GenerateCorpusToDir(o, dir, &stats);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!s.ok()) {
      std::cerr << "evidex-corpus: " << s.ToString() << "\n";
      return 1;
    }
    if (!quiet) {
      uint64_t valid = 0, invalid = 0;
      for (const auto& [k, n] : stats.valid_by_kind) valid += n;
      for (const auto& [k, n] : stats.invalid_by_kind) invalid += n;
      double mib = 1024.0 * 1024.0;
      std::cout << fmt::format(
          "{}/corpus.img: {} bytes, seed {}, {:.1f} s ({:.0f} MB/s)\n"
          "  random {:.1f} MiB, zeros {:.1f} MiB, text {:.1f} MiB, compressed {:.1f} MiB "
          "(holding {:.1f} MiB of text)\n"
          "  {} gzip members, {} zlib streams, {} ZIP files ({} entries), {} page-edge artifacts\n"
          "{}/truth.jsonl: {} valid artifacts, {} look-alikes\n",
          dir, o.size, seed, secs, double(o.size) / 1e6 / std::max(secs, 1e-9),
          double(stats.bytes_random) / mib, double(stats.bytes_zero) / mib,
          double(stats.bytes_text) / mib, double(stats.bytes_compressed) / mib,
          double(stats.text_decoded) / mib, stats.gzip_members, stats.zlib_streams,
          stats.zip_files, stats.zip_entries, stats.edges, dir, valid, invalid);
    }
    return 0;
  }

  std::string error;
  int rc = evidex::bench::CheckHits(truth, hits, check_options, std::cout, &error);
  if (rc == 2) std::cerr << "evidex-corpus: " << error << "\n";
  return rc;
}
