// ScanJobOptions::skip: byte ranges of a source left out of the scan.
#include "scan/scan_job.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "scan/hostname.h"

namespace evidex::scan {
namespace {

namespace fs = std::filesystem;

std::string Gzip(const std::string& data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = uInt(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Random bytes with no zero byte (so that runs of zeros come from skipped ranges only).
std::string Noise(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = char((x >> 24) | 0x80);  // no printable ASCII either: no accidental artifacts
  }
  return s;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/evidex-skip-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void WriteFile(const fs::path& p, const std::string& data) {
  std::ofstream(p, std::ios::binary) << data;
}
std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The forensic paths in a feature file.
std::vector<std::string> Paths(const fs::path& file) {
  std::vector<std::string> out;
  std::istringstream in(ReadFile(file));
  for (std::string l; std::getline(in, l);)
    if (!l.empty() && l[0] != '#') out.push_back(l.substr(0, l.find('\t')));
  return out;
}

struct Job {
  ScanJobOptions options;
  ScanSummary summary;
  ScanProgress last_progress;
};

// Scans `image` (a file) into `out` with 4 KiB pages, skipping `ranges` (none when empty).
Job ScanWithSkip(const fs::path& image, const fs::path& out, std::vector<ByteRange> ranges,
                 int threads = 1, size_t page = 4096, EngineOptions engine = {}) {
  EXPECT_TRUE(LoadPublicSuffixList());
  Job job;
  ScanJobOptions& o = job.options;
  o.sources = {image.string()};
  o.outdir = out;
  o.threads = threads;
  o.jsonl = true;
  o.page_size = page;
  o.margin = 0;  // the job raises it to the longest artifact
  o.engine = std::move(engine);
  if (!ranges.empty()) o.skip = [ranges](Source&, SourceReport&) { return ranges; };
  Result<ScanSummary> s = RunScan(o, [&job](const ScanProgress& p) { job.last_progress = p; });
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (s.ok()) job.summary = *s;
  return job;
}

// Bytes this process has read with read(2)/pread(2) so far, all threads (-1: not available).
int64_t BytesReadByProcess() {
  std::ifstream in("/proc/self/io");
  for (std::string key; in >> key;) {
    int64_t v;
    if (!(in >> v)) break;
    if (key == "rchar:") return v;
  }
  return -1;
}

constexpr const char* kEmail = " henry@example.com ";  // the address starts 1 byte in

TEST(ScanJobSkip, HitsInsideRangesAreNotReportedIdenticalOnesOutsideAre) {
  TempDir tmp;
  std::string img = Noise(256 << 10, 1);
  // The range [64 KiB + 100, 160 KiB - 7): not page-aligned at either end.
  const uint64_t rb = (64 << 10) + 100, re = (160 << 10) - 7;
  std::vector<uint64_t> inside = {rb, rb + 5000, 100000, 128 << 10, re - 20};
  std::vector<uint64_t> outside = {10, 4090, rb - 40, re, re + 4096, (256 << 10) - 30};
  std::vector<std::string> expected;
  for (uint64_t at : inside) img.replace(at, strlen(kEmail), kEmail);
  for (uint64_t at : outside) {
    img.replace(at, strlen(kEmail), kEmail);
    expected.push_back(std::to_string(at + 1));
  }
  WriteFile(tmp.path() / "img.raw", img);

  Job all = ScanWithSkip(tmp.path() / "img.raw", tmp.path() / "all", {});
  EXPECT_EQ(Paths(tmp.path() / "all/email.txt").size(), inside.size() + outside.size());
  EXPECT_EQ(all.summary.bytes_skipped, 0u);

  Job skip = ScanWithSkip(tmp.path() / "img.raw", tmp.path() / "skip", {{rb, re - rb}});
  EXPECT_EQ(Paths(tmp.path() / "skip/email.txt"), expected);
  EXPECT_EQ(skip.summary.exit_code, 0);
  ASSERT_EQ(skip.summary.sources.size(), 1u);
  EXPECT_EQ(skip.summary.sources[0].bytes_skipped, re - rb);
  EXPECT_EQ(skip.summary.sources[0].bytes_scanned, img.size() - (re - rb));
  EXPECT_EQ(skip.summary.bytes_skipped, re - rb);
  EXPECT_EQ(skip.summary.bytes_scanned, img.size() - (re - rb));
  EXPECT_EQ(skip.last_progress.bytes_done, img.size());
  EXPECT_EQ(skip.last_progress.bytes_total, img.size());
}

TEST(ScanJobSkip, ArtifactAcrossARangeEdgeIsNotReportedForAnyThreadCount) {
  TempDir tmp;
  std::string img = Noise(64 << 10, 2);
  // An address across the start of a range that is also a page edge: the first page's margin
  // holds the rest of the address and must read as zeros. A card number across its end.
  const uint64_t rb = 8192, re = 20000;
  img.replace(rb - 8, strlen(kEmail), kEmail);  // " henry@e|xample.com "
  const std::string card = " 4111 1111 1111 1111 ";
  img.replace(re - 8, card.size(), card);  // " 4111 1|111 1111 1111 "
  // The same across the edges of a short range inside a page (read, then cleared).
  const uint64_t sb = 30000, se = 30050;
  img.replace(sb - 8, strlen(kEmail), kEmail);
  img.replace(se - 8, card.size(), card);
  img.replace(40000, strlen(kEmail), kEmail);  // a control, found
  WriteFile(tmp.path() / "img.raw", img);

  ScanWithSkip(tmp.path() / "img.raw", tmp.path() / "all", {});
  EXPECT_EQ(Paths(tmp.path() / "all/email.txt"),
            (std::vector<std::string>{std::to_string(rb - 7), std::to_string(sb - 7), "40001"}));
  EXPECT_EQ(Paths(tmp.path() / "all/ccn.txt"),
            (std::vector<std::string>{std::to_string(re - 7), std::to_string(se - 7)}));

  std::map<int, std::string> outputs;
  for (int j : {1, 2}) {
    fs::path out = tmp.path() / ("j" + std::to_string(j));
    Job job = ScanWithSkip(tmp.path() / "img.raw", out, {{sb, se - sb}, {rb, re - rb}}, j);
    EXPECT_EQ(Paths(out / "email.txt"), std::vector<std::string>{"40001"}) << "-j " << j;
    EXPECT_EQ(Paths(out / "ccn.txt"), std::vector<std::string>{}) << "-j " << j;
    EXPECT_EQ(job.summary.bytes_skipped, (re - rb) + (se - sb));
    outputs[j] =
        ReadFile(out / "email.txt") + ReadFile(out / "ccn.txt") + ReadFile(out / "hits.jsonl");
  }
  EXPECT_EQ(outputs[1], outputs[2]);
}

TEST(ScanJobSkip, PagesInsideRangesAreNotRead) {
  const int64_t before = BytesReadByProcess();
  if (before < 0) GTEST_SKIP() << "/proc/self/io is not readable";
  TempDir tmp;
  const uint64_t size = 4 << 20;
  std::string img = Noise(size, 3);
  img.replace(100, strlen(kEmail), kEmail);
  img.replace(size - 100, strlen(kEmail), kEmail);
  WriteFile(tmp.path() / "img.raw", img);
  img.clear();

  // 64 KiB pages; [1 MiB, 3 MiB) in two overlapping pieces covers 32 whole pages.
  std::vector<ByteRange> ranges = {{2 << 20, 1 << 20}, {1 << 20, (1 << 20) + 4096}};
  int64_t read_all = 0, read_skip = 0;
  for (int round = 0; round < 2; ++round) {  // the second round counts, the first warms up
    int64_t t0 = BytesReadByProcess();
    Job all = ScanWithSkip(tmp.path() / "img.raw", tmp.path() / "all", {}, 2, 64 << 10);
    int64_t t1 = BytesReadByProcess();
    Job skip = ScanWithSkip(tmp.path() / "img.raw", tmp.path() / "skip", ranges, 2, 64 << 10);
    int64_t t2 = BytesReadByProcess();
    read_all = t1 - t0;
    read_skip = t2 - t1;
    EXPECT_EQ(skip.summary.bytes_skipped, 2u << 20);
    EXPECT_EQ(skip.summary.bytes_scanned, size - (2 << 20));
    EXPECT_EQ(skip.last_progress.bytes_done, size);  // progress reaches 100 %
    EXPECT_EQ(skip.last_progress.bytes_total, size);
    EXPECT_EQ(Paths(tmp.path() / "skip/email.txt"),
              (std::vector<std::string>{"101", std::to_string(size - 99)}));
  }
  EXPECT_GE(read_all, int64_t(size));
  // The skipped pages and the leads and margins of their neighbours inside the range: unread.
  EXPECT_GE(read_all - read_skip, int64_t(2 << 20)) << read_all << " vs " << read_skip;
}

TEST(ScanJobSkip, RangesAreSortedMergedAndClampedToTheSource) {
  TempDir tmp;
  const uint64_t size = 100000;
  std::string img = Noise(size, 4);
  const std::vector<uint64_t> inside = {4100, 6000, 7050, 95000}, outside = {3000, 8000, 85000};
  for (uint64_t at : inside) img.replace(at, strlen(kEmail), kEmail);
  for (uint64_t at : outside) img.replace(at, strlen(kEmail), kEmail);
  WriteFile(tmp.path() / "img.raw", img);
  const uint64_t kMax = std::numeric_limits<uint64_t>::max();
  std::vector<ByteRange> ranges = {
      {90000, uint64_t(1) << 40},  // past the end: [90000, 100000)
      {200000, 10},                // wholly past the end
      {kMax - 5, 100},             // would wrap around
      {10, 0},                     // empty
      {5000, 2000},                // overlaps the next one
      {4000, 1500},
      {7000, 100},  // adjacent to [4000, 7000)
      {6990, 5},    // inside
  };
  std::vector<std::string> seen;
  ScanJobOptions o;
  o.sources = {(tmp.path() / "img.raw").string()};
  o.outdir = tmp.path() / "out";
  o.page_size = 4096;
  o.threads = 2;
  o.skip = [&](Source& source, SourceReport& report) {
    EXPECT_EQ(source.Size(), size);
    seen.push_back(report.path);
    return ranges;
  };
  ASSERT_TRUE(LoadPublicSuffixList());
  Result<ScanSummary> s = RunScan(o, {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(seen, std::vector<std::string>{o.sources[0]});
  const uint64_t skipped = (7100 - 4000) + (size - 90000);
  EXPECT_EQ(s->bytes_skipped, skipped);
  EXPECT_EQ(s->bytes_scanned, size - skipped);
  EXPECT_EQ(Paths(tmp.path() / "out/email.txt"),
            (std::vector<std::string>{"3001", "8001", "85001"}));
  std::string json = ReportJson(o, *s);
  EXPECT_NE(json.find("\"bytes_scanned\": " + std::to_string(size - skipped) +
                      ",\n      \"bytes_skipped\": " + std::to_string(skipped)),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\n  \"bytes_skipped\": " + std::to_string(skipped)), std::string::npos)
      << json;
}

TEST(ScanJobSkip, GzipMemberInsideARangeIsNotDecoded) {
  TempDir tmp;
  const std::string gz = Gzip("a note for olga@example.com about the plan\n");
  std::string img = Noise(32768, 5);
  img.replace(1000, gz.size(), gz);
  img.replace(20000, gz.size(), gz);
  WriteFile(tmp.path() / "img.raw", img);
  ScanWithSkip(tmp.path() / "img.raw", tmp.path() / "all", {});
  EXPECT_EQ(Paths(tmp.path() / "all/email.txt").size(), 2u);
  ScanWithSkip(tmp.path() / "img.raw", tmp.path() / "skip", {{19000, 2000 + gz.size()}});
  std::vector<std::string> paths = Paths(tmp.path() / "skip/email.txt");
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0].rfind("1000-GZIP-", 0), 0u) << paths[0];
}

TEST(ScanJobSkip, StreamReadOnPastThePageSeesZerosInARange) {
  TempDir tmp;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + " of the log\n";
  text += "end judy@example.com\n";
  const std::string gz = Gzip(text);
  ASSERT_GT(gz.size(), 40000u);
  std::string img = Noise(4000, 6) + gz + Noise(5000, 7);
  WriteFile(tmp.path() / "img.raw", img);
  // The stream starts in the first 4 KiB page; its end lies far past that page's margin, where
  // the decoder reads on from the source.
  ScanWithSkip(tmp.path() / "img.raw", tmp.path() / "all", {});
  EXPECT_EQ(Paths(tmp.path() / "all/email.txt"),
            std::vector<std::string>{"4000-GZIP-" + std::to_string(text.size() - 17)});
  ScanWithSkip(tmp.path() / "img.raw", tmp.path() / "skip", {{4000 + 30000, gz.size() - 30000}});
  EXPECT_EQ(Paths(tmp.path() / "skip/email.txt"), std::vector<std::string>{});
}

TEST(ScanJobSkip, KeywordMatchingZerosFindsNothingInARange) {
  TempDir tmp;
  std::string img = Noise(32768, 8);
  WriteFile(tmp.path() / "img.raw", img);
  EngineOptions engine;
  engine.keywords = {{"\\x00{32}", true, false}};
  Job job =
      ScanWithSkip(tmp.path() / "img.raw", tmp.path() / "out", {{5000, 10000}}, 1, 4096, engine);
  uint64_t keyword_hits = 0;
  for (const auto& [name, c] : job.summary.counts)
    if (name == "keyword") keyword_hits = c.first;
  EXPECT_EQ(keyword_hits, 0u);
  EXPECT_EQ(job.summary.bytes_skipped, 10000u);
}

}  // namespace
}  // namespace evidex::scan
