// Tests of the ssdeep-compatible CTPH against fixed vectors and, when installed, against the
// reference `ssdeep` program (Debian package ssdeep 2.14.1; run as a separate program, never
// linked).
#include "fuzzy/ssdeep.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace evidex::fuzzy {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

std::string HashOf(const std::string& s) { return Ssdeep(s.data(), s.size()); }

Bytes Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (auto& c : b) c = static_cast<uint8_t>(rng());
  return b;
}

Bytes Text(size_t n, uint32_t seed) {
  static const char* kWords[] = {"alpha ", "beta ", "gamma ", "delta\n", "x ", "evidence "};
  std::mt19937 rng(seed);
  Bytes b;
  while (b.size() < n) {
    const char* w = kWords[rng() % 6];
    b.insert(b.end(), w, w + std::strlen(w));
  }
  b.resize(n);
  return b;
}

Bytes Repeat(const std::string& unit, size_t n) {
  Bytes b;
  while (b.size() < n) b.insert(b.end(), unit.begin(), unit.end());
  b.resize(n);
  return b;
}

// Fixed vectors, each obtained from the real tool: `ssdeep -b FILE` (ssdeep 2.14.1, Debian 12).
TEST(Ssdeep, KnownVectors) {
  EXPECT_EQ(HashOf(""), "3::");
  EXPECT_EQ(HashOf("a"), "3:E:E");
  EXPECT_EQ(HashOf("abc"), "3:uG:uG");
  // python3 -c "open('f','wb').write(b'A'*100000)"; ssdeep -b f
  EXPECT_EQ(HashOf(std::string(100000, 'A')), "3:Wtt" + std::string(60, 'k') + "Q:YO");
  // python3 -c "open('f','wb').write(b'abcdefg'*50000)"; ssdeep -b f
  std::string abc;
  for (int i = 0; i < 50000; ++i) abc += "abcdefg";
  EXPECT_EQ(HashOf(abc), "48:" + std::string(64, 't') + ":n");
}

TEST(Ssdeep, StreamingMatchesWholeBuffer) {
  std::mt19937 rng(7);
  for (size_t n : {0u, 1u, 3u, 100u, 4096u, 70000u, 1u << 20}) {
    const Bytes data = n % 2 ? Random(n, static_cast<uint32_t>(n)) : Text(n, 3);
    const std::string whole = Ssdeep(data.data(), data.size());
    SsdeepHasher h;
    for (int round = 0; round < 2; ++round) {  // the second round checks Reset
      size_t at = 0;
      while (at < data.size()) {
        const size_t piece = std::min<size_t>(data.size() - at, rng() % 5000);
        h.Update(data.data() + at, piece);
        at += piece;
      }
      EXPECT_EQ(h.Finish(), whole) << n;
      h.Reset();
    }
  }
}

TEST(Ssdeep, CompareBasics) {
  const std::string h = "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C";
  EXPECT_EQ(SsdeepCompare(h, h), 100);
  EXPECT_EQ(SsdeepCompare(h, "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C,\"file\""), 100);
  EXPECT_EQ(SsdeepCompare("3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C", "24:AXGBicFlgVNhBGcL:AXG"), 0);
  EXPECT_EQ(SsdeepCompare("3::", "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C"), 0);
  for (const char* bad : {"", "3", "3:abc", ":abc:def", "x:abc:def", "3:ab!c:def",
                          "99999999999:abc:def"})
    EXPECT_EQ(SsdeepCompare(bad, h), std::nullopt) << bad;
  EXPECT_EQ(SsdeepCompare("3:" + std::string(65, 'A') + ":A", h), std::nullopt);
}

// --- Against the reference program --------------------------------------------------------

bool HaveSsdeep() { return std::system("ssdeep -V >/dev/null 2>&1") == 0; }

std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

class SsdeepReference : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveSsdeep()) GTEST_SKIP() << "the reference program `ssdeep` is not installed "
                                       "(apt-get install ssdeep)";
    dir_ = fs::temp_directory_path() / ("evidex_ssdeep_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  std::string Write(const std::string& name, const Bytes& b) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()),
                                             static_cast<std::streamsize>(b.size()));
    return p.string();
  }
  // `ssdeep -b FILE`: a header line, then "HASH,"NAME"".
  static std::string RefHash(const std::string& path) {
    const std::string out = RunCommand("cd '" + fs::path(path).parent_path().string() +
                                "' && ssdeep -b '" + fs::path(path).filename().string() +
                                "' 2>/dev/null");
    const size_t nl = out.find('\n');
    if (nl == std::string::npos) return "(no output)";
    const std::string line = out.substr(nl + 1);
    return line.substr(0, line.find(','));
  }
  // `ssdeep -a -p -b A B` prints "A matches B (SCORE)" for every pair, 0 included.
  int RefScore(const std::string& a, const std::string& b) {
    const std::string na = fs::path(a).filename().string(), nb = fs::path(b).filename().string();
    const std::string out =
        RunCommand("cd '" + dir_.string() + "' && ssdeep -a -p -b '" + na + "' '" + nb + "' 2>/dev/null");
    const std::string key = na + " matches " + nb + " (";
    const size_t at = out.find(key);
    if (at == std::string::npos) return -1;
    return std::stoi(out.substr(at + key.size()));
  }
  fs::path dir_;
};

TEST_F(SsdeepReference, HashesEqualTheTool) {
  std::vector<std::pair<std::string, Bytes>> inputs = {
      {"empty", {}},
      {"one", {0x41}},
      {"three", {1, 2, 3}},
      {"hundred", Random(100, 1)},
      {"text4k", Text(4096, 2)},  // first guess 96, halved to 48
      {"text300k", Text(300000, 4)},
      {"zeros", Bytes(200000, 0)},
      {"abcdefg", Repeat("abcdefg", 350000)},  // block size halved several times
      {"pattern", Repeat("0123456789abcdef\n", 1 << 20)},
  };
  for (size_t n : {1024u, 3000u, 10000u, 65536u, 500000u, 3u << 20})
    inputs.push_back({"random" + std::to_string(n), Random(n, static_cast<uint32_t>(n))});
  std::mt19937 rng(11);
  for (int i = 0; i < 20; ++i) {
    const size_t n = 1024 + rng() % (3u << 20) / (i % 4 == 0 ? 1 : 64);
    inputs.push_back({"r" + std::to_string(i), i % 2 ? Random(n, rng()) : Text(n, rng())});
  }
  for (const auto& [name, data] : inputs) {
    const std::string path = Write(name, data);
    EXPECT_EQ(Ssdeep(data.data(), data.size()), RefHash(path)) << name << " " << data.size();
  }
}

TEST_F(SsdeepReference, ScoresEqualTheTool) {
  std::mt19937 rng(5);
  std::vector<std::pair<std::string, Bytes>> files;
  for (size_t n : {2000u, 30000u, 200000u}) {
    for (int kind = 0; kind < 2; ++kind) {
      const std::string base = (kind ? "text" : "rand") + std::to_string(n);
      Bytes a = kind ? Text(n, rng()) : Random(n, rng());
      Bytes changed = a;
      for (int k = 0; k < 4; ++k) changed[rng() % n] ^= 0x5a;
      Bytes inserted(a.begin(), a.begin() + n / 3);
      const Bytes block = Random(n / 10, rng());
      inserted.insert(inserted.end(), block.begin(), block.end());
      inserted.insert(inserted.end(), a.begin() + n / 3, a.end());
      Bytes truncated(a.begin(), a.begin() + n / 2);
      files.push_back({base, a});
      files.push_back({base + "_changed", changed});
      files.push_back({base + "_inserted", inserted});
      files.push_back({base + "_half", truncated});
      files.push_back({base + "_other", kind ? Text(n, rng()) : Random(n, rng())});
    }
  }
  std::vector<std::string> paths, hashes;
  for (const auto& [name, data] : files) {
    paths.push_back(Write(name, data));
    hashes.push_back(Ssdeep(data.data(), data.size()));
  }
  int nonzero = 0;
  // Each base file against its four variants and against the next group's base file.
  for (size_t i = 0; i < files.size(); i += 5) {
    for (size_t k : {i + 1, i + 2, i + 3, i + 4, (i + 5) % files.size()}) {
      const std::optional<int> ours = SsdeepCompare(hashes[i], hashes[k]);
      ASSERT_TRUE(ours.has_value());
      EXPECT_EQ(*ours, RefScore(paths[i], paths[k]))
          << files[i].first << " vs " << files[k].first << ": " << hashes[i] << " / " << hashes[k];
      EXPECT_EQ(SsdeepCompare(hashes[k], hashes[i]), ours);
      if (*ours > 0 && *ours < 100) ++nonzero;
    }
  }
  EXPECT_GT(nonzero, 5);  // the pairs did exercise the edit distance
}

}  // namespace
}  // namespace evidex::fuzzy
