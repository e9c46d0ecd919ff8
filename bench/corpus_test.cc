// Tests of the benchmark corpus generator and checker: determinism, truth records that decode
// and validate, artifacts present where the truth says (raw, UTF-16LE, inside gzip/zlib/ZIP and
// across page edges), and the checker's verdicts.
#include <arpa/inet.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bench/corpus_lib.h"
#include "scan/validate/validate.h"

namespace evidex::bench {
namespace {

constexpr uint64_t kSize = 34ull << 20;  // two page edges: 16 and 32 MiB

class MemorySink : public CorpusSink {
 public:
  Status Write(std::string_view bytes) override {
    image.append(bytes);
    return Status::Ok();
  }
  Status Truth(const TruthRecord& r) override {
    truth.push_back(r);
    return Status::Ok();
  }
  std::string image;
  std::vector<TruthRecord> truth;
};

// One generated corpus shared by the tests (generation takes a fraction of a second).
const MemorySink& Corpus() {
  static const MemorySink* sink = [] {
    auto* s = new MemorySink;
    s->image.reserve(kSize);
    CorpusOptions o;
    o.size = kSize;
    o.seed = 7;
    Status st = GenerateCorpus(o, s, nullptr);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return s;
  }();
  return *sink;
}

std::string Widen(std::string_view s) {
  std::string r;
  for (char c : s) {
    r.push_back(c);
    r.push_back('\0');
  }
  return r;
}

uint32_t Le16(const std::string& s, size_t at) {
  return uint8_t(s[at]) | uint32_t(uint8_t(s[at + 1])) << 8;
}
uint32_t Le32(const std::string& s, size_t at) { return Le16(s, at) | Le16(s, at + 2) << 16; }

// Inflates from `at` (window_bits 31 gzip, 15 zlib, -15 raw) until the stream ends.
std::string Inflate(std::string_view in, int window_bits) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, window_bits), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = uInt(std::min<size_t>(in.size(), 1u << 30));
  std::string out;
  char buf[1 << 16];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc == Z_OK);
  EXPECT_EQ(rc, Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

// The data of the ZIP entry whose local file header is at `at`, decompressed.
std::string ZipEntry(const std::string& image, size_t at) {
  EXPECT_EQ(Le32(image, at), 0x04034b50u);
  uint32_t method = Le16(image, at + 8), crc = Le32(image, at + 14);
  uint32_t csize = Le32(image, at + 18), usize = Le32(image, at + 22);
  size_t data = at + 30 + Le16(image, at + 26) + Le16(image, at + 28);
  std::string_view raw(image.data() + data, csize);
  std::string out = method == 8 ? Inflate(raw, -15) : std::string(raw);
  EXPECT_EQ(out.size(), usize);
  EXPECT_EQ(uint32_t(crc32(0, reinterpret_cast<const Bytef*>(out.data()), uInt(out.size()))), crc);
  return out;
}

bool ValidByKind(const TruthRecord& r) {
  namespace v = evidex::validate;
  const std::string& n = r.normalized;
  if (r.kind == "ccn") return v::CardNumberValid(n);
  if (r.kind == "iban") return v::IbanValid(n);
  if (r.kind == "btc")
    return (n[0] == '1' || n[0] == '3') ? v::BitcoinBase58AddressValid(n)
                                        : v::SegwitAddressValid(n);
  if (r.kind == "eth") return v::EthAddressValid(r.written);
  if (r.kind == "xmr") return v::MoneroAddressValid(n);
  if (r.kind == "onion")
    return n.size() == 62 && n.substr(56) == ".onion" && v::OnionV3Valid(n.substr(0, 56));
  if (r.kind == "ipv4") {
    in_addr a;
    return inet_pton(AF_INET, n.c_str(), &a) == 1;
  }
  if (r.kind == "ipv6") {
    in6_addr a;
    char buf[INET6_ADDRSTRLEN];
    return inet_pton(AF_INET6, r.written.c_str(), &a) == 1 &&
           inet_ntop(AF_INET6, &a, buf, sizeof buf) && n == buf;
  }
  if (r.kind == "phone") {
    using i18n::phonenumbers::PhoneNumber;
    using i18n::phonenumbers::PhoneNumberUtil;
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber num;
    std::string e164;
    if (util.Parse(r.written, "ZZ", &num) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
    util.Format(num, PhoneNumberUtil::E164, &e164);
    return util.IsValidNumber(num) && e164 == n;
  }
  if (r.kind == "email") return n.find('@') != std::string::npos && n.find(".notarealtld") ==
                                                                        std::string::npos &&
                                n.find(".invalidtld") == std::string::npos;
  if (r.kind == "url") return n.rfind("http://", 0) == 0 || n.rfind("https://", 0) == 0 ||
                              n.rfind("ftp://", 0) == 0;
  if (r.kind == "domain") return n.find('.') != std::string::npos;
  return false;
}

TEST(CorpusTest, SameSeedSameBytesOtherSeedOtherBytes) {
  const MemorySink& a = Corpus();
  ASSERT_EQ(a.image.size(), kSize);
  MemorySink b;
  CorpusOptions o;
  o.size = kSize;
  o.seed = 7;
  ASSERT_TRUE(GenerateCorpus(o, &b, nullptr).ok());
  EXPECT_TRUE(a.image == b.image);
  ASSERT_EQ(a.truth.size(), b.truth.size());
  for (size_t i = 0; i < a.truth.size(); ++i)
    EXPECT_EQ(TruthToJson(a.truth[i]), TruthToJson(b.truth[i]));

  MemorySink c;
  o.seed = 8;
  o.size = 1 << 20;
  ASSERT_TRUE(GenerateCorpus(o, &c, nullptr).ok());
  EXPECT_EQ(c.image.size(), 1u << 20);
  EXPECT_NE(a.image.substr(0, 1 << 20), c.image);
}

TEST(CorpusTest, OddSizesAreExact) {
  for (uint64_t size : {1ull, 1000ull, 65537ull, (16ull << 20) + 3}) {
    MemorySink s;
    CorpusOptions o;
    o.size = size;
    o.seed = size;
    ASSERT_TRUE(GenerateCorpus(o, &s, nullptr).ok());
    EXPECT_EQ(s.image.size(), size);
    for (const TruthRecord& r : s.truth) {
      EXPECT_LT(r.offset, size);
    }
  }
}

TEST(CorpusTest, TruthLinesRoundTripAndValidate) {
  const MemorySink& c = Corpus();
  std::map<std::string, int> valid, invalid;
  std::set<std::string> placements;
  std::set<std::string> seen;
  for (const TruthRecord& r : c.truth) {
    std::optional<TruthRecord> back = TruthFromJson(TruthToJson(r));
    ASSERT_TRUE(back.has_value()) << TruthToJson(r);
    EXPECT_EQ(back->kind, r.kind);
    EXPECT_EQ(back->normalized, r.normalized);
    EXPECT_EQ(back->valid, r.valid);
    EXPECT_EQ(back->placement, r.placement);
    EXPECT_EQ(back->offset, r.offset);
    EXPECT_EQ(ValidByKind(r), r.valid) << TruthToJson(r) << " written " << r.written;
    (r.valid ? valid : invalid)[r.kind]++;
    placements.insert(r.placement);
    if (r.valid) {
      EXPECT_TRUE(seen.insert(r.kind + " " + r.normalized).second) << r.normalized;
    }
  }
  for (const char* k : {"email", "url", "domain", "ipv4", "ipv6", "phone", "ccn", "iban", "btc",
                        "eth", "xmr", "onion"})
    EXPECT_GT(valid[k], 20) << k;
  for (const char* k : {"ccn", "iban", "btc", "eth", "xmr", "onion"})
    EXPECT_GE(invalid[k], valid[k]) << k;
  EXPECT_GT(invalid["email"], 0);
  EXPECT_GT(invalid["ipv4"], 0);
  for (const char* p : {"plain", "utf16le", "gzip", "zlib", "zip-deflate", "zip-stored", "nested",
                        "edge", "edge-utf16le"})
    EXPECT_TRUE(placements.count(p)) << p;
  // Every look-alike differs from every valid value of its kind.
  for (const TruthRecord& r : c.truth) {
    if (!r.valid) {
      EXPECT_FALSE(seen.count(r.kind + " " + r.normalized)) << r.normalized;
    }
  }
}

TEST(CorpusTest, ArtifactsAreWhereTheTruthSays) {
  const MemorySink& c = Corpus();
  const std::string& img = c.image;
  std::map<uint64_t, std::string> decoded;  // container offset -> text
  int edges = 0;
  for (const TruthRecord& r : c.truth) {
    SCOPED_TRACE(TruthToJson(r));
    const std::string& p = r.placement;
    if (p == "plain" || p == "edge" || p == "utf16le" || p == "edge-utf16le") {
      bool wide = p == "utf16le" || p == "edge-utf16le";
      std::string w = wide ? Widen(r.written) : r.written;
      ASSERT_LE(r.offset + w.size(), img.size());
      EXPECT_EQ(img.substr(r.offset, w.size()), w);
      // Separated from its neighbours.
      EXPECT_EQ(img[r.offset - (wide ? 2 : 1)], ' ');
      EXPECT_EQ(img[r.offset + w.size()], ' ');
      if (p == "edge" || p == "edge-utf16le") {
        uint64_t b = (r.offset / kPageSize + 1) * kPageSize;
        EXPECT_LT(r.offset, b);
        EXPECT_GT(r.offset + w.size(), b);
        ++edges;
      }
      continue;
    }
    auto it = decoded.find(r.offset);
    if (it == decoded.end()) {
      std::string text;
      std::string_view rest(img.data() + r.offset, img.size() - r.offset);
      if (p == "gzip") {
        ASSERT_EQ(rest.substr(0, 3), std::string_view("\x1f\x8b\x08", 3));
        text = Inflate(rest, 31);
      } else if (p == "zlib") {
        ASSERT_EQ(uint8_t(rest[0]), 0x78);
        text = Inflate(rest, 15);
      } else if (p == "zip-deflate" || p == "zip-stored") {
        EXPECT_EQ(Le16(img, r.offset + 8), p == "zip-stored" ? 0u : 8u);
        text = ZipEntry(img, r.offset);
      } else if (p == "nested") {
        std::string gz = ZipEntry(img, r.offset);
        ASSERT_EQ(gz.substr(0, 3), std::string("\x1f\x8b\x08", 3));
        text = Inflate(gz, 31);
      } else {
        FAIL() << "unknown placement " << p;
      }
      it = decoded.emplace(r.offset, std::move(text)).first;
    }
    const std::string& text = it->second;
    bool found = text.find(" " + r.written + " ") != std::string::npos ||
                 text.find(Widen(" " + r.written + " ")) != std::string::npos;
    EXPECT_TRUE(found);
  }
  EXPECT_EQ(edges, 2);  // one at 16 MiB, one at 32 MiB
}

TEST(CorpusTest, RegionMixLooksLikeADisk) {
  MemorySink s;
  CorpusOptions o;
  o.size = kSize;
  o.seed = 7;
  CorpusStats st;
  ASSERT_TRUE(GenerateCorpus(o, &s, &st).ok());
  EXPECT_EQ(st.bytes_random + st.bytes_zero + st.bytes_text + st.bytes_compressed, kSize);
  double size = double(kSize);
  EXPECT_NEAR(double(st.bytes_random) / size, 0.40, 0.10);
  EXPECT_NEAR(double(st.bytes_zero) / size, 0.15, 0.07);
  EXPECT_NEAR(double(st.bytes_text) / size, 0.30, 0.10);
  EXPECT_NEAR(double(st.bytes_compressed) / size, 0.15, 0.07);
  EXPECT_GT(st.gzip_members, 0u);
  EXPECT_GT(st.zlib_streams, 0u);
  EXPECT_GT(st.zip_files, 0u);
}

TEST(CorpusTest, ParseSize) {
  EXPECT_EQ(ParseSize("1G"), 1ull << 30);
  EXPECT_EQ(ParseSize("20M"), 20ull << 20);
  EXPECT_EQ(ParseSize("512k"), 512ull << 10);
  EXPECT_EQ(ParseSize("3GiB"), 3ull << 30);
  EXPECT_EQ(ParseSize("12345"), 12345u);
  EXPECT_FALSE(ParseSize(""));
  EXPECT_FALSE(ParseSize("G"));
  EXPECT_FALSE(ParseSize("1X"));
  EXPECT_FALSE(ParseSize("99999999999999999999G"));
}

// The checker against hits made from the truth: all found passes; a look-alike or a missing kind
// fails.
class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/corpus_check_" + std::to_string(getpid());
    ASSERT_EQ(system(("mkdir -p " + dir_).c_str()), 0);
    MemorySink s;
    CorpusOptions o;
    o.size = 4 << 20;
    o.seed = 3;
    ASSERT_TRUE(GenerateCorpus(o, &s, nullptr).ok());
    truth_ = s.truth;
    std::ofstream t(dir_ + "/truth.jsonl");
    for (const TruthRecord& r : truth_) t << TruthToJson(r) << "\n";
  }
  void TearDown() override { (void)system(("rm -rf " + dir_).c_str()); }

  int Check(const std::vector<std::string>& hit_lines, std::string* report, bool json = false) {
    std::ofstream h(dir_ + "/hits.jsonl");
    for (const std::string& l : hit_lines) h << l << "\n";
    h.close();
    CheckOptions co;
    co.json = json;
    std::ostringstream out;
    std::string error;
    int rc = CheckHits(dir_ + "/truth.jsonl", dir_ + "/hits.jsonl", co, out, &error);
    *report = out.str() + error;
    return rc;
  }

  static std::string Hit(const TruthRecord& r) {
    return "{\"kind\":\"" + r.kind + "\",\"normalized\":\"" + r.normalized +
           "\",\"feature\":\"x\",\"path\":\"0\",\"encoding\":\"utf8\",\"context\":\"\"}";
  }

  std::string dir_;
  std::vector<TruthRecord> truth_;
};

TEST_F(CheckTest, AllFoundPasses) {
  std::vector<std::string> hits;
  for (const TruthRecord& r : truth_)
    if (r.valid) hits.push_back(Hit(r));
  hits.push_back(R"({"kind":"domain","normalized":"random.example.de","path":"1"})");
  std::string report;
  EXPECT_EQ(Check(hits, &report), 0) << report;
  EXPECT_NE(report.find("PASS"), std::string::npos) << report;
  EXPECT_EQ(Check(hits, &report, /*json=*/true), 0) << report;
  EXPECT_NE(report.find("\"pass\": true"), std::string::npos) << report;
}

TEST_F(CheckTest, LookAlikeFails) {
  std::vector<std::string> hits;
  const TruthRecord* bad = nullptr;
  for (const TruthRecord& r : truth_) {
    if (r.valid) hits.push_back(Hit(r));
    else if (!bad && r.kind == "ccn") bad = &r;
  }
  ASSERT_NE(bad, nullptr);
  hits.push_back(Hit(*bad));
  std::string report;
  EXPECT_EQ(Check(hits, &report), 1) << report;
  EXPECT_NE(report.find("LOOK-ALIKE reported ccn"), std::string::npos) << report;
}

TEST_F(CheckTest, MissingKindFails) {
  std::vector<std::string> hits;
  for (const TruthRecord& r : truth_)
    if (r.valid && r.kind != "iban") hits.push_back(Hit(r));
  std::string report;
  EXPECT_EQ(Check(hits, &report), 1) << report;
  EXPECT_NE(report.find("FAIL: iban recall"), std::string::npos) << report;
}

}  // namespace
}  // namespace evidex::bench
