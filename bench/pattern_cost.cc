// pattern_cost: what each scanner pattern costs Hyperscan over the text of a corpus.
//
//   evidex-pattern-cost IMAGE [--bytes N] [--extra REGEX]... [--drop SCANNER]... [--combined-only]
//
// Collects the printable-ASCII runs of the first N bytes of IMAGE the way the engine does
// (FindTextRuns), then times hs_scan over that text with every scanner's patterns alone, with all
// of them together (what the engine runs), with each --extra expression alone, and with all
// scanners but the --drop ones plus the --extra expressions together (to try a rewrite before
// changing a scanner); then the decoder signatures and FindTextRuns over the raw
// bytes. Prints MB/s of text and match counts. A tool for deciding
// where the engine's time goes; the benchmark proper is bench/run.sh.
#include <hs/hs.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "scan/decoders/decoder.h"
#include "scan/scanner.h"
#include "scan/text_runs.h"

namespace {

struct Db {
  hs_database_t* db = nullptr;
  hs_scratch_t* scratch = nullptr;
};

bool Compile(const std::vector<std::string>& exprs, const std::vector<unsigned>& flags, Db* out) {
  std::vector<const char*> ptrs;
  std::vector<unsigned> ids;
  for (size_t i = 0; i < exprs.size(); ++i) {
    ptrs.push_back(exprs[i].c_str());
    ids.push_back(unsigned(i));
  }
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(ptrs.data(), flags.data(), ids.data(), unsigned(ptrs.size()), HS_MODE_BLOCK,
                       nullptr, &out->db, &err) != HS_SUCCESS) {
    std::fprintf(stderr, "compile failed: %s\n", err->message);
    hs_free_compile_error(err);
    return false;
  }
  return hs_alloc_scratch(out->db, &out->scratch) == HS_SUCCESS;
}

int CountMatch(unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
  ++*static_cast<uint64_t*>(ctx);
  return 0;
}

void Time(const char* name, const std::vector<std::string>& exprs, const std::vector<unsigned>& flags,
          const std::string& text) {
  Db d;
  if (!Compile(exprs, flags, &d)) return;
  uint64_t matches = 0;
  double best = 1e9;
  for (int rep = 0; rep < 3; ++rep) {
    matches = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (size_t off = 0; off < text.size(); off += (1u << 24)) {
      size_t n = std::min<size_t>(1u << 24, text.size() - off);
      hs_scan(d.db, text.data() + off, unsigned(n), 0, d.scratch, CountMatch, &matches);
    }
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf("%-40.40s %9.0f MB/s %10llu matches\n", name, double(text.size()) / 1e6 / best,
              (unsigned long long)matches);
  hs_free_scratch(d.scratch);
  hs_free_database(d.db);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: evidex-pattern-cost IMAGE [--bytes N] [--extra REGEX]...\n");
    return 1;
  }
  size_t limit = size_t(256) << 20;
  std::vector<std::string> extras, drops;
  bool combined_only = false;
  for (int i = 2; i < argc; i += 2) {
    std::string opt = argv[i];
    if (opt == "--combined-only") {
      combined_only = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) break;
    if (opt == "--bytes") limit = std::stoull(argv[i + 1]);
    else if (opt == "--extra") extras.push_back(argv[i + 1]);
    else if (opt == "--drop") drops.push_back(argv[i + 1]);
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::string raw(limit, '\0');
  in.read(raw.data(), std::streamsize(limit));
  raw.resize(size_t(in.gcount()));
  evidex::scan::TextRuns ascii, utf16, all;
  for (size_t off = 0; off < raw.size(); off += (1u << 24)) {
    size_t n = std::min<size_t>(1u << 24, raw.size() - off);
    evidex::scan::FindTextRuns(reinterpret_cast<const uint8_t*>(raw.data()) + off, n, 5, &ascii, &utf16);
    all.text += ascii.text;
  }
  std::printf("%zu bytes read, %zu bytes of ASCII text runs\n", raw.size(), all.text.size());
  std::vector<std::string> every, kept;
  std::vector<unsigned> every_flags, kept_flags;
  for (const evidex::scan::ScannerDef* s : evidex::scan::AllScanners()) {
    std::vector<std::string> exprs;
    std::vector<unsigned> flags;
    for (const evidex::scan::PatternDef& p : s->patterns) {
      exprs.push_back(p.regex);
      flags.push_back(HS_FLAG_DOTALL | (p.caseless ? HS_FLAG_CASELESS : 0));
    }
    if (!combined_only) Time(s->name, exprs, flags, all.text);
    every.insert(every.end(), exprs.begin(), exprs.end());
    every_flags.insert(every_flags.end(), flags.begin(), flags.end());
    if (std::find(drops.begin(), drops.end(), s->name) == drops.end()) {
      kept.insert(kept.end(), exprs.begin(), exprs.end());
      kept_flags.insert(kept_flags.end(), flags.begin(), flags.end());
    }
  }
  Time("ALL (the engine's text database)", every, every_flags, all.text);
  for (const std::string& e : extras) {
    if (!combined_only) Time(e.c_str(), {e}, {HS_FLAG_DOTALL}, all.text);
    kept.push_back(e);
    kept_flags.push_back(HS_FLAG_DOTALL);
  }
  if (!extras.empty() || !drops.empty()) Time("ALL - dropped + extras", kept, kept_flags, all.text);
  std::vector<std::string> sigs;
  for (auto k : {evidex::scan::DecoderKind::kGzip, evidex::scan::DecoderKind::kZlib,
                 evidex::scan::DecoderKind::kZip})
    sigs.push_back(evidex::scan::DecoderSignature(k));
  Time("decoder signatures over the RAW bytes", sigs, std::vector<unsigned>(sigs.size(), 0), raw);
  auto t0 = std::chrono::steady_clock::now();
  for (size_t off = 0; off < raw.size(); off += (1u << 24)) {
    size_t n = std::min<size_t>(1u << 24, raw.size() - off);
    evidex::scan::FindTextRuns(reinterpret_cast<const uint8_t*>(raw.data()) + off, n, 5, &ascii, &utf16);
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%-40.40s %9.0f MB/s\n", "FindTextRuns over the RAW bytes", double(raw.size()) / 1e6 / s);
  return 0;
}
