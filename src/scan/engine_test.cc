// Engine and scan-job tests: page edges, determinism across threads, decoders and their limits,
// UTF-16LE, keywords, output formats. Fixtures are made here (zlib) or by real tools (gzip, zip).
#include "scan/engine.h"

#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "scan/hostname.h"
#include "scan/output.h"
#include "scan/scan_test_util.h"
#include "scan/scan_job.h"

namespace evidex::scan {
namespace {

namespace fs = std::filesystem;

std::string Deflate(const std::string& data, int window_bits) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
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
std::string Gzip(const std::string& d) { return Deflate(d, 31); }
std::string Zlib(const std::string& d) { return Deflate(d, 15); }

std::string Noise(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = char(x >> 24);
  }
  return s;
}

struct Found {
  std::string kind, normalized, path;
  bool utf16;
  bool operator==(const Found&) const = default;
};

std::vector<Found> ScanBytes(const std::string& bytes, EngineOptions opts = {}) {
  EXPECT_TRUE(LoadPublicSuffixList());
  Result<std::unique_ptr<Engine>> engine = Engine::Create(opts);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  std::vector<Found> out;
  for (const Hit& h : testing::ScanWhole(**engine, bytes))
    out.push_back({(*engine)->scanners()[h.scanner]->name, h.normalized, h.path, h.utf16});
  return out;
}

bool Has(const std::vector<Found>& v, const std::string& kind, const std::string& norm,
         const std::string& path) {
  for (const Found& f : v)
    if (f.kind == kind && f.normalized == norm && f.path == path) return true;
  return false;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/evidex-test-XXXXXX";
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
int Shell(const std::string& cmd) { return std::system(cmd.c_str()); }

TEST(Engine, FindsInsideGzipWithForensicPath) {
  std::string inner = std::string(100, ' ') + "write to alice@example.org now";
  std::string data = Noise(1000, 1) + Gzip(inner) + Noise(500, 2);
  auto hits = ScanBytes(data);
  EXPECT_TRUE(Has(hits, "email", "alice@example.org", "1000-GZIP-109")) << hits.size();
}

TEST(Engine, FindsInsideRawZlib) {
  std::string data = Noise(4096, 3) + Zlib("pay GB29NWBK60161331926819 today") + Noise(100, 4);
  auto hits = ScanBytes(data);
  EXPECT_TRUE(Has(hits, "iban", "GB29NWBK60161331926819", "4096-ZLIB-4"));
}

TEST(Engine, NestedGzipInGzip) {
  std::string inner = Gzip("xx bob@example.com yy");
  std::string data = "head" + Gzip("abc" + inner);
  auto hits = ScanBytes(data);
  EXPECT_TRUE(Has(hits, "email", "bob@example.com", "4-GZIP-3-GZIP-3"));
}

TEST(Engine, DepthLimit) {
  std::string s = "deep carol@example.net end";
  for (int i = 0; i < 4; ++i) s = Gzip(s);
  EngineOptions opts;
  opts.max_depth = 3;
  auto hits = ScanBytes(s, opts);
  for (const Found& f : hits) EXPECT_NE(f.kind, "email") << f.path;
  opts.max_depth = 4;
  hits = ScanBytes(s, opts);
  EXPECT_TRUE(Has(hits, "email", "carol@example.net", "0-GZIP-0-GZIP-0-GZIP-0-GZIP-5"));
}

TEST(Engine, CorruptGzipDecodedUpToTheError) {
  std::string text = "first dave@example.com then " + Noise(200000, 9) + " last erin@example.com";
  std::string gz = Gzip(text);
  gz.resize(gz.size() / 2);  // truncated in the middle
  auto hits = ScanBytes(gz);
  EXPECT_TRUE(Has(hits, "email", "dave@example.com", "0-GZIP-6"));
  for (const Found& f : hits) EXPECT_NE(f.normalized, "erin@example.com");
}

TEST(Engine, BigStreamFoundWholeAtEveryOffset) {
  // A 12 MiB member: more than the 4 MiB first try of the fast path and than a decoded chunk
  // (8 MiB), so artifacts at its start, across the chunk edge and at its end test both retries.
  std::string inner(12u << 20, 'x');
  for (size_t i = 0; i < inner.size(); i += 61) inner[i] = ' ';
  auto put = [&](size_t at, const std::string& s) { inner.replace(at, s.size(), s); };
  put(10, " ann@example.com ");
  put((8u << 20) - 7, " bea@example.com ");
  put(inner.size() - 20, " cid@example.com ");
  auto hits = ScanBytes("hd" + Gzip(inner));
  EXPECT_TRUE(Has(hits, "email", "ann@example.com", "2-GZIP-11"));
  EXPECT_TRUE(Has(hits, "email", "bea@example.com", "2-GZIP-" + std::to_string((8u << 20) - 6)));
  EXPECT_TRUE(Has(hits, "email", "cid@example.com", "2-GZIP-" + std::to_string(inner.size() - 19)));
}

TEST(Engine, BombIsCutAtTheStreamLimit) {
  std::string bomb = Gzip(std::string(64u << 20, '\0') + " frank@example.com");
  EngineOptions opts;
  opts.max_stream_bytes = 1u << 20;
  auto hits = ScanBytes(bomb, opts);
  for (const Found& f : hits) EXPECT_NE(f.normalized, "frank@example.com");
  opts.max_stream_bytes = 128u << 20;
  hits = ScanBytes(bomb, opts);
  EXPECT_TRUE(Has(hits, "email", "frank@example.com", "0-GZIP-67108865"));
}

TEST(Engine, Utf16leHitsAreMarked) {
  std::string ascii = "mail grace@example.co.uk";
  std::string wide = testing::ToUtf16le(ascii);
  auto hits = ScanBytes(Noise(33, 5) + wide);
  bool found = false;
  for (const Found& f : hits)
    if (f.kind == "email" && f.normalized == "grace@example.co.uk" && f.utf16 && f.path == "43") found = true;
  EXPECT_TRUE(found);
}

TEST(Engine, KeywordsLiteralRegexCaseless) {
  Result<std::vector<Keyword>> kw = ParseKeywords("# comment\nSecret Plan\n/inv-[0-9]{4}/\n", true);
  ASSERT_TRUE(kw.ok());
  ASSERT_EQ(kw->size(), 2u);
  EngineOptions opts;
  opts.scanners = {"email"};
  opts.keywords = *kw;
  std::string wide = testing::ToUtf16le(std::string("INV-7777"));
  auto hits = ScanBytes("the SECRET plan is inv-1234 " + wide, opts);
  EXPECT_TRUE(Has(hits, "keyword", "secret plan", "4"));
  EXPECT_TRUE(Has(hits, "keyword", "inv-1234", "19"));
  EXPECT_TRUE(Has(hits, "keyword", "inv-7777", "28"));
}

TEST(Engine, KeywordRegexErrorIsReported) {
  EngineOptions opts;
  opts.keywords = {{"(unclosed", true, false}};
  Result<std::unique_ptr<Engine>> engine = Engine::Create(opts);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), Code::kInvalidArgument);
}

TEST(Engine, UnknownScannerIsAnError) {
  EngineOptions opts;
  opts.scanners = {"nosuch"};
  EXPECT_FALSE(Engine::Create(opts).ok());
}

TEST(Engine, RandomBytesGiveNoPlantedLookalikes) {
  // Pure random bytes: the scan must finish and report nothing from the checksum scanners.
  auto hits = ScanBytes(Noise(8u << 20, 77));
  for (const Found& f : hits) {
    EXPECT_TRUE(f.kind == "domain" || f.kind == "ipv4" || f.kind == "ipv6" || f.kind == "email" ||
                f.kind == "phone")
        << f.kind << " " << f.normalized;
  }
}

// Regression: vectorscan 5.4.9 (Debian 12) missed this UTF-16LE onion address when the buffer
// started 2..18 bytes past a 64-byte boundary (a database of only the onion patterns). Results
// must never depend on where a buffer sits in memory.
TEST(Engine, HitsDoNotDependOnBufferAlignment) {
  ASSERT_TRUE(LoadPublicSuffixList());
  std::string ascii = "http://pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion/ here "
                      "mail ann@example.org card 4111 1111 1111 1111 ip 10.1.2.3";
  std::string wide = testing::ToUtf16le(ascii);
  for (bool onion_only : {true, false}) {
    EngineOptions opts;
    if (onion_only) {
      opts.scanners = {"onion"};
      opts.max_depth = 0;
    }
    Result<std::unique_ptr<Engine>> engine = Engine::Create(opts);
    ASSERT_TRUE(engine.ok());
    std::unique_ptr<Worker> w = (*engine)->NewWorker();
    alignas(64) static uint8_t buf[4096];
    for (const std::string* text : {&ascii, &wide}) {
      std::vector<size_t> counts;
      for (size_t off = 0; off < 64; ++off) {
        std::memcpy(buf + off, text->data(), text->size());
        std::vector<Hit> hits;
        PageStats stats;
        Page page;
        page.data = std::span<const uint8_t>(buf + off, text->size());
        page.keep_end = text->size();
        w->ScanPage(page, &hits, &stats);
        counts.push_back(hits.size());
      }
      EXPECT_EQ(counts, std::vector<size_t>(64, counts[0])) << (text == &wide ? "UTF-16LE" : "ASCII");
      EXPECT_GE(counts[0], 1u);
    }
  }
}

TEST(Output, EscapesLikeBulkExtractor) {
  EXPECT_EQ(EscapeFeature("a\tb\\c\x01"), "a\\x09b\\x5Cc\\x01");
  EXPECT_EQ(EscapeFeature("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(EscapeFeature("bad\xc3("), "bad\\xC3(");
  EXPECT_EQ(EscapeFeature(std::string("a\0b", 3)), "a\\x00b");
}

// ---- the whole job: pages, threads, files ----

ScanSummary RunJob(const std::vector<std::string>& sources, const fs::path& out, int threads,
                   size_t page = 4096, bool jsonl = true) {
  ScanJobOptions o;
  o.sources = sources;
  o.outdir = out;
  o.threads = threads;
  o.jsonl = jsonl;
  o.page_size = page;
  o.margin = 0;  // the job raises it to the longest artifact
  Result<ScanSummary> s = RunScan(o, {});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : ScanSummary{};
}

std::vector<std::string> FeatureLines(const fs::path& file) {
  std::vector<std::string> lines;
  std::istringstream in(ReadFile(file));
  for (std::string l; std::getline(in, l);)
    if (!l.empty() && l[0] != '#') lines.push_back(l);
  return lines;
}

TEST(ScanJob, ArtifactAcrossPageEdgeFoundOnceForAnyThreadCount) {
  TempDir tmp;
  // Artifacts straddling each 4 KiB page edge, in ASCII and UTF-16LE.
  std::string img = Noise(40960, 11);
  std::string email = " henry@example.com ";
  std::string wide = testing::ToUtf16le(std::string(" 4111 1111 1111 1111 "));
  std::vector<std::string> expected_paths;
  for (size_t edge = 4096; edge + 64 < img.size(); edge += 4096) {
    if (edge == 3 * 4096) continue;  // the UTF-16LE card number goes there
    img.replace(edge - 7, email.size(), email);
    expected_paths.push_back(std::to_string(edge - 6));
  }
  img.replace(3 * 4096 - 21, wide.size(), wide);
  WriteFile(tmp.path() / "img.raw", img);
  std::map<int, std::string> outputs;
  for (int j : {1, 2, 3}) {
    fs::path out = tmp.path() / ("out" + std::to_string(j));
    ScanSummary s = RunJob({(tmp.path() / "img.raw").string()}, out, j);
    EXPECT_EQ(s.exit_code, 0);
    auto lines = FeatureLines(out / "email.txt");
    std::vector<std::string> paths;
    for (const std::string& l : lines) paths.push_back(l.substr(0, l.find('\t')));
    EXPECT_EQ(paths, expected_paths) << "j=" << j;
    auto ccn = FeatureLines(out / "ccn.txt");
    ASSERT_EQ(ccn.size(), 1u);
    EXPECT_EQ(ccn[0].substr(0, ccn[0].find('\t')), std::to_string(3 * 4096 - 19));
    outputs[j] = ReadFile(out / "email.txt") + ReadFile(out / "ccn.txt") + ReadFile(out / "hits.jsonl") +
                 ReadFile(out / "email_histogram.txt");
  }
  EXPECT_EQ(outputs[1], outputs[2]);
  EXPECT_EQ(outputs[1], outputs[3]);
  EXPECT_EQ(FeatureLines(tmp.path() / "out1/email_histogram.txt"),
            std::vector<std::string>{"n=8\thenry@example.com"});
}

TEST(ScanJob, GzipInsideZipMadeByRealTools) {
  TempDir tmp;
  fs::path d = tmp.path();
  WriteFile(d / "note.txt", "meet ivan@example.com at the usual place\n");
  ASSERT_EQ(Shell("cd " + d.string() + " && gzip -k -n note.txt && zip -q -0 plain.zip note.txt.gz && "
                "zip -q deflated.zip note.txt"), 0);
  std::string img = Noise(5000, 1) + ReadFile(d / "plain.zip") + Noise(3000, 2) + ReadFile(d / "deflated.zip");
  WriteFile(d / "img.raw", img);
  RunJob({(d / "img.raw").string()}, d / "out", 2, 1u << 20);
  std::string feats = ReadFile(d / "out/email.txt");
  // Stored ZIP entry (a .gz) -> GZIP inside it; deflated entry -> text directly.
  EXPECT_NE(feats.find("5000-ZIP-0-GZIP-5\tivan@example.com"), std::string::npos) << feats;
  size_t zip2 = 5000 + ReadFile(d / "plain.zip").size() + 3000;
  EXPECT_NE(feats.find(std::to_string(zip2) + "-ZIP-5\tivan@example.com"), std::string::npos) << feats;
}

TEST(ScanJob, StreamContinuingPastThePageIsReadFromTheSource) {
  TempDir tmp;
  std::string text = Noise(1, 1);
  for (int i = 0; i < 3000; ++i) text += "line " + std::to_string(i) + " of the log\n";
  text += "end judy@example.com\n";
  std::string gz = Gzip(text + Noise(300000, 4));
  std::string img = Noise(4000, 5) + gz + Noise(100, 6);
  WriteFile(tmp.path() / "img.raw", img);
  RunJob({(tmp.path() / "img.raw").string()}, tmp.path() / "out", 1, 4096);
  EXPECT_NE(ReadFile(tmp.path() / "out/email.txt").find("judy@example.com"), std::string::npos);
}

TEST(ScanJob, DirectoryItemsHeadTheirPaths) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "ev/sub");
  WriteFile(tmp.path() / "ev/a.txt", "x kate@example.com");
  WriteFile(tmp.path() / "ev/sub/b.txt", "yy leo@example.com");
  WriteFile(tmp.path() / "ev/empty.bin", "");
  ScanSummary s = RunJob({(tmp.path() / "ev").string()}, tmp.path() / "out", 2);
  EXPECT_EQ(s.exit_code, 0);
  auto lines = FeatureLines(tmp.path() / "out/email.txt");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].substr(0, lines[0].find('\t')), "a.txt:2");
  EXPECT_EQ(lines[1].substr(0, lines[1].find('\t')), "sub/b.txt:3");
}

TEST(ScanJob, MissingSourceIsExitTwoAndOthersStillScanned) {
  TempDir tmp;
  WriteFile(tmp.path() / "ok.raw", "mike@example.com");
  ScanSummary s = RunJob({(tmp.path() / "nope.raw").string(), (tmp.path() / "ok.raw").string()},
                         tmp.path() / "out", 1);
  EXPECT_EQ(s.exit_code, 2);
  ASSERT_FALSE(s.errors.empty());
  EXPECT_NE(s.errors[0].find("nope.raw"), std::string::npos);
  EXPECT_EQ(FeatureLines(tmp.path() / "out/email.txt").size(), 1u);
}

TEST(ScanJob, ReportJsonNamesSourcesAndCounts) {
  TempDir tmp;
  WriteFile(tmp.path() / "a.raw", "nina@example.com 4111111111111111");
  ScanJobOptions o;
  o.sources = {(tmp.path() / "a.raw").string()};
  o.outdir = tmp.path() / "out";
  Result<ScanSummary> s = RunScan(o, {});
  ASSERT_TRUE(s.ok());
  std::string json = ReportJson(o, *s);
  EXPECT_NE(json.find("\"email\": {\n      \"hits\": 1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"bytes_scanned\": 33"), std::string::npos) << json;
}

}  // namespace
}  // namespace evidex::scan
