// evidex: the command line. One subcommand per job, thin over the modules.
#include <signal.h>
#include <unistd.h>

#include <atomic>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/version.h"
#include "scan/hostname.h"
#include "scan/scan_job.h"
#include "scan/scanner.h"

namespace {

// Exit codes (README, "Exit codes").
constexpr int kExitOk = 0;
constexpr int kExitUsage = 1;
constexpr int kExitOutput = 4;

using evidex::Result;

std::atomic<bool> g_cancel{false};
extern "C" void OnSignal(int) { g_cancel.store(true); }

bool ParseSize(const std::string& text, uint64_t* out) {
  if (text.empty()) return false;
  size_t pos = 0;
  uint64_t v = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    v = v * 10 + uint64_t(text[pos] - '0');
    ++pos;
  }
  if (pos == 0) return false;
  std::string unit = text.substr(pos);
  uint64_t mul = 1;
  if (unit == "" || unit == "B") mul = 1;
  else if (unit == "K" || unit == "KiB" || unit == "k") mul = 1ull << 10;
  else if (unit == "M" || unit == "MiB") mul = 1ull << 20;
  else if (unit == "G" || unit == "GiB") mul = 1ull << 30;
  else return false;
  *out = v * mul;
  return true;
}

std::string HumanBytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

void PrintProgress(const evidex::scan::ScanProgress& p) {
  double rate = p.seconds > 0 ? double(p.bytes_done) / p.seconds : 0;
  std::string eta = "--:--";
  if (rate > 0 && p.bytes_total > p.bytes_done) {
    uint64_t s = uint64_t(double(p.bytes_total - p.bytes_done) / rate);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", (unsigned long long)(s / 3600),
                  (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
    eta = buf;
  }
  double pct = p.bytes_total ? 100.0 * double(p.bytes_done) / double(p.bytes_total) : 100.0;
  std::fprintf(stderr, "\r\033[K%5.1f%%  %s / %s  %.0f MB/s  ETA %s  hits %llu", pct,
               HumanBytes(double(p.bytes_done)).c_str(), HumanBytes(double(p.bytes_total)).c_str(),
               rate / 1e6, eta.c_str(), (unsigned long long)p.hits);
  std::fflush(stderr);
}

int RunScanners() {
  for (const evidex::scan::ScannerDef* s : evidex::scan::AllScanners())
    std::printf("%-8s %s\n", s->name, s->description);
  std::printf("%-8s %s\n", "keyword", "literals and regular expressions from --keywords FILE");
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"evidex: evidence scanner for cybercrime units (version " EVIDEX_VERSION ")"};
  app.require_subcommand(1);
  app.set_version_flag("--version", EVIDEX_VERSION);

  CLI::App* scanners_cmd = app.add_subcommand("scanners", "list every scanner with a one-line description");

  CLI::App* scan = app.add_subcommand("scan", "scan evidence for artifacts (emails, URLs, cards, wallets, ...)");
  std::vector<std::string> sources;
  std::string outdir, scanner_list, keywords_file;
  std::vector<std::string> enable, disable;
  int threads = int(std::max(1u, std::thread::hardware_concurrency()));
  bool jsonl = false, json = false, quiet = false, nocase = false;
  int max_depth = 5;
  std::string max_stream = "256M", max_decoded = "1G", page_size = "16M";
  scan->add_option("SOURCE", sources, "files, devices, split raw (.001), E01 sets, directories")->required();
  scan->add_option("-o,--outdir", outdir, "output directory (created if missing)")->required();
  scan->add_option("-j,--threads", threads, "worker threads (default: all cores)")->check(CLI::Range(1, 1024));
  scan->add_option("--scanners", scanner_list, "comma-separated scanners to run instead of the defaults");
  scan->add_option("-e,--enable", enable, "add a scanner to the defaults");
  scan->add_option("-x,--disable", disable, "remove a scanner");
  scan->add_option("--keywords", keywords_file, "file of keywords: one literal or /regex/ (or /regex/i) per line");
  scan->add_flag("-i,--ignore-case", nocase, "keywords are case-insensitive");
  scan->add_flag("--jsonl", jsonl, "also write hits.jsonl (one JSON object per hit)");
  scan->add_flag("--json", json, "print the summary as JSON on stdout");
  scan->add_flag("-q,--quiet", quiet, "no progress line and no summary table");
  scan->add_option("--max-depth", max_depth, "nested decoding depth (0: no decoding)")->check(CLI::Range(0, 32));
  scan->add_option("--max-stream-bytes", max_stream, "decoded bytes per stream (bomb guard)");
  scan->add_option("--max-decoded", max_decoded, "decoded bytes under one 16 MiB page (bomb guard)");
  scan->add_option("--page-size", page_size, "page size (for tests; default 16M)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  if (*scanners_cmd) return RunScanners();

  evidex::scan::ScanJobOptions opts;
  opts.sources = sources;
  opts.outdir = outdir;
  opts.threads = threads;
  opts.jsonl = jsonl;
  opts.engine.max_depth = max_depth;
  for (int i = 0; i < argc; ++i) opts.command_line += (i ? " " : "") + std::string(argv[i]);
  uint64_t v;
  if (!ParseSize(max_stream, &opts.engine.max_stream_bytes) ||
      !ParseSize(max_decoded, &opts.engine.max_page_decoded) || !ParseSize(page_size, &v) ||
      v < 4096) {
    std::fprintf(stderr, "evidex: sizes are a number with an optional K, M or G (page size at least 4K)\n");
    return kExitUsage;
  }
  opts.page_size = size_t(v);

  // Scanner selection: --scanners replaces the defaults; -e adds, -x removes.
  std::vector<std::string> names;
  if (!scanner_list.empty()) {
    std::stringstream ss(scanner_list);
    for (std::string n; std::getline(ss, n, ',');)
      if (!n.empty()) names.push_back(n);
  } else {
    for (const evidex::scan::ScannerDef* s : evidex::scan::AllScanners())
      if (s->default_enabled) names.push_back(s->name);
  }
  for (const std::string& n : enable) names.push_back(n);
  for (const std::string& n : disable) std::erase(names, n);
  for (const std::string& n : names) {
    if (n != "keyword" && evidex::scan::FindScanner(n) == nullptr) {
      std::fprintf(stderr, "evidex: unknown scanner '%s' (see 'evidex scanners')\n", n.c_str());
      return kExitUsage;
    }
  }
  opts.engine.scanners = names;
  if (!keywords_file.empty()) {
    std::ifstream in(keywords_file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "evidex: cannot read keywords file %s\n", keywords_file.c_str());
      return kExitUsage;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    Result<std::vector<evidex::scan::Keyword>> kw = evidex::scan::ParseKeywords(ss.str(), nocase);
    if (!kw.ok()) {
      std::fprintf(stderr, "evidex: %s: %s\n", keywords_file.c_str(), kw.status().message().c_str());
      return kExitUsage;
    }
    opts.engine.keywords = std::move(kw).value();
  } else if (std::find(names.begin(), names.end(), "keyword") != names.end()) {
    std::fprintf(stderr, "evidex: the keyword scanner needs --keywords FILE\n");
    return kExitUsage;
  }
  if (names.empty() && opts.engine.keywords.empty()) {
    std::fprintf(stderr, "evidex: no scanner enabled\n");
    return kExitUsage;
  }
  if (!evidex::scan::LoadPublicSuffixList()) return kExitUsage;

  // Ctrl-C or a kill: stop reading, write what was found, exit 130.
  opts.cancel = &g_cancel;
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  const bool show_progress = !quiet && isatty(STDERR_FILENO);
  Result<evidex::scan::ScanSummary> result = evidex::scan::RunScan(
      opts, show_progress ? std::function<void(const evidex::scan::ScanProgress&)>(PrintProgress)
                          : std::function<void(const evidex::scan::ScanProgress&)>());
  if (show_progress) std::fprintf(stderr, "\n");
  if (!result.ok()) {
    std::fprintf(stderr, "evidex: %s\n", result.status().message().c_str());
    return result.status().code() == evidex::Code::kInvalidArgument ? kExitUsage : kExitOutput;
  }
  const evidex::scan::ScanSummary& s = *result;
  for (const std::string& e : s.errors) std::fprintf(stderr, "evidex: %s\n", e.c_str());
  if (s.interrupted) std::fprintf(stderr, "evidex: interrupted; results so far are in %s\n", outdir.c_str());
  std::string report = evidex::scan::ReportJson(opts, s);
  {
    std::ofstream out(outdir + "/report.json", std::ios::binary);
    out << report;
    if (!out) {
      std::fprintf(stderr, "evidex: cannot write %s/report.json\n", outdir.c_str());
      return kExitOutput;
    }
  }
  if (json) {
    std::fputs(report.c_str(), stdout);
  } else if (!quiet) {
    std::printf("%-8s %12s %10s\n", "scanner", "hits", "utf16le");
    for (const auto& [name, c] : s.counts)
      std::printf("%-8s %12llu %10llu\n", name.c_str(), (unsigned long long)c.first,
                  (unsigned long long)c.second);
    std::printf("scanned %s in %.2f s (%.0f MB/s), %llu decoded streams; output in %s\n",
                HumanBytes(double(s.bytes_scanned)).c_str(), s.seconds,
                s.seconds > 0 ? double(s.bytes_scanned) / 1e6 / s.seconds : 0.0,
                (unsigned long long)s.decoders.streams_decoded, outdir.c_str());
  }
  return s.exit_code;
}
