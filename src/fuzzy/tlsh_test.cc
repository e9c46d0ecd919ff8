// Tests of TLSH (fuzzy/tlsh.h): hashes and distances of generated data against the reference
// `tlsh` program (Debian package tlsh-tools 3.4.4, the same version as libtlsh; run as a separate
// program), and what holds without it: "" for short and uniform data, streaming equal to one
// buffer, small distances for small edits, large ones for unrelated data, invalid strings.
#include "fuzzy/tlsh.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
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
using Bytes = std::vector<std::byte>;

Bytes Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (auto& c : b) c = std::byte(rng());
  return b;
}

Bytes Text(size_t n, uint32_t seed) {
  static const char* kWords[] = {"alpha ",    "beta ",   "gamma ", "delta\n", "x ",
                                 "evidence ", "report ", "2024-",  "case ",   "exhibit "};
  std::mt19937 rng(seed);
  Bytes b;
  while (b.size() < n) {
    const char* w = kWords[rng() % 10];
    for (const char* p = w; *p != '\0'; ++p) b.push_back(std::byte(*p));
  }
  b.resize(n);
  return b;
}

// `n` bytes of `b` replaced by random ones at evenly spread places.
Bytes Edited(Bytes b, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  for (size_t i = 0; i < n; ++i) b[(i + 1) * b.size() / (n + 1)] = std::byte(rng());
  return b;
}

std::string Hash(const Bytes& b) { return TlshOf(b.data(), b.size()); }

std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }  // our temp paths: no quotes

TEST(Tlsh, TooLittleOrUniformDataGivesNoHash) {
  EXPECT_EQ(Hash({}), "");
  EXPECT_EQ(Hash(Random(100, 1)), "");
  EXPECT_EQ(Hash(Random(kTlshMinSize - 1, 2)), "");
  EXPECT_EQ(Hash(Bytes(10000)), "");                    // all zeros
  EXPECT_EQ(Hash(Bytes(1 << 20, std::byte{'A'})), "");  // one byte value
  const std::string h = Hash(Random(kTlshMinSize, 3));  // exactly the minimum
  EXPECT_EQ(h.size(), 70u) << h;
}

TEST(Tlsh, HashIs70UpperCaseHex) {
  const std::string h = Hash(Random(5000, 4));
  ASSERT_EQ(h.size(), 70u);
  for (char c : h) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) << h;
}

TEST(Tlsh, StreamingMatchesWholeBufferAndResets) {
  std::mt19937 rng(7);
  for (size_t n : {300u, 4096u, 70001u, 1u << 20}) {
    const Bytes data = n % 2 ? Random(n, uint32_t(n)) : Text(n, 3);
    const std::string whole = Hash(data);
    ASSERT_FALSE(whole.empty()) << n;
    TlshHasher h;
    for (int round = 0; round < 2; ++round) {  // the second round: after Finish's reset
      size_t at = 0;
      while (at < data.size()) {
        const size_t piece = std::min<size_t>(data.size() - at, rng() % 5000);
        h.Update(data.data() + at, piece);
        at += piece;
      }
      EXPECT_EQ(h.Finish(), whole) << n;
    }
    h.Update(data.data(), 1000);
    h.Reset();  // forgets the 1000 bytes
    h.Update(data.data(), data.size());
    EXPECT_EQ(h.Finish(), whole) << n;
    EXPECT_EQ(h.Finish(), "") << n;  // nothing given since
  }
}

TEST(Tlsh, MoreThan4GiBGivesNoHashAndIsNotRead) {
  // A 5 GiB address range no byte of which may be read: Update must neither read it (the result
  // is "" whatever it holds) nor cut its length to 32 bits (which would read the first 1 GiB).
  const size_t n = size_t(5) << 30;
  void* p = mmap(nullptr, n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  TlshHasher h;
  const Bytes head = Random(1000, 9);
  h.Update(head.data(), head.size());
  h.Update(static_cast<const std::byte*>(p), n);
  h.Update(head.data(), head.size());
  EXPECT_EQ(h.Finish(), "");
  munmap(p, n);
  // and the hasher works again after it
  const Bytes data = Random(5000, 10);
  h.Update(data.data(), data.size());
  EXPECT_EQ(h.Finish(), Hash(data));
}

TEST(Tlsh, DistancesOfEditsAndUnrelatedData) {
  const Bytes text = Text(200000, 11);
  const Bytes bin = Random(100000, 12);
  const std::string t = Hash(text), b = Hash(bin);
  ASSERT_FALSE(t.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(TlshDistance(t, t), 0);
  EXPECT_EQ(TlshDistance(b, b), 0);
  const std::optional<int> small_edit = TlshDistance(t, Hash(Edited(text, 20, 13)));
  ASSERT_TRUE(small_edit.has_value());
  EXPECT_LE(*small_edit, 30);
  const std::optional<int> bin_edit = TlshDistance(b, Hash(Edited(bin, 20, 14)));
  ASSERT_TRUE(bin_edit.has_value());
  EXPECT_LE(*bin_edit, 30);
  const std::optional<int> unrelated = TlshDistance(t, b);
  ASSERT_TRUE(unrelated.has_value());
  EXPECT_GE(*unrelated, 100);
  EXPECT_EQ(TlshDistance(b, t), unrelated);  // symmetric
  const std::optional<int> other_random = TlshDistance(b, Hash(Random(100000, 15)));
  ASSERT_TRUE(other_random.has_value());
  EXPECT_GT(*other_random, *bin_edit);
  // The length counts: the same text twice as long is farther than a small edit.
  Bytes doubled = text;
  doubled.insert(doubled.end(), text.begin(), text.end());
  EXPECT_GT(*TlshDistance(t, Hash(doubled)), *small_edit);
}

TEST(Tlsh, InvalidStringsHaveNoDistance) {
  const std::string h = Hash(Random(5000, 16));
  ASSERT_EQ(h.size(), 70u);
  std::string lower = h;
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(TlshDistance(h, lower), 0);  // either case
  for (const std::string& bad :
       {std::string(), std::string("ZZZ"), h.substr(0, 69), h + "0", "T1" + h.substr(2),
        "G" + h.substr(1), h.substr(0, 35) + " " + h.substr(36), std::string(70, '\0'), "T1" + h}) {
    EXPECT_EQ(TlshDistance(h, bad), std::nullopt) << bad;
    EXPECT_EQ(TlshDistance(bad, h), std::nullopt) << bad;
  }
}

// Against the reference program: `tlsh -f FILE` prints "HASH<TAB>FILE" (nothing on stdout when
// it gives no hash), `tlsh -c A -f B` and `tlsh -c HASH -d HASH` print "DISTANCE<TAB>...".
class TlshReference : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string version = RunCommand("tlsh -version 2>/dev/null");
    if (version.empty())
      GTEST_SKIP() << "the reference program `tlsh` is not installed (apt-get install "
                      "tlsh-tools): hashes and distances not compared with it";
    if (version.rfind("3.4", 0) != 0)
      GTEST_SKIP() << "the reference `tlsh` is not 3.4.x but " << version
                   << ": its hashes need not be libtlsh 3.4.4's";
    dir_ = fs::temp_directory_path() / ("evidex_tlsh_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  std::string Write(const std::string& name, const Bytes& b) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    return p.string();
  }
  static std::string RefHash(const std::string& path) {
    const std::string out = RunCommand("tlsh -f " + Quote(path) + " 2>/dev/null");
    return out.substr(0, out.find('\t'));
  }
  // The first field of the tool's comparison output, or -1 when it printed none.
  static int RefDistance(const std::string& args) {
    const std::string out = RunCommand("tlsh " + args + " 2>/dev/null");
    if (out.find('\t') == std::string::npos) return -1;
    return std::atoi(out.c_str());
  }
  fs::path dir_;
};

TEST_F(TlshReference, HashesMatchTheTlshProgram) {
  struct Case {
    const char* name;
    Bytes data;
  };
  const Bytes text = Text(150000, 21);
  std::vector<Case> cases = {
      {"random-300", Random(300, 22)},
      {"random-5000", Random(5000, 23)},
      {"random-256", Random(256, 24)},
      {"random-255", Random(255, 25)},
      {"text-150k", text},
      {"text-edited", Edited(text, 30, 26)},
      {"text-4k", Text(4096, 27)},
      {"random-3m", Random(3 << 20, 28)},
      {"zeros-10k", Bytes(10000)},
      {"tiny", Random(10, 29)},
  };
  for (const Case& c : cases) {
    const std::string path = Write(c.name, c.data);
    const std::string ours = Hash(c.data);
    EXPECT_EQ(ours, RefHash(path)) << c.name;
    if (c.data.size() < kTlshMinSize) {
      EXPECT_EQ(ours, "") << c.name;
    }
  }
}

TEST_F(TlshReference, DistancesMatchTheTlshProgram) {
  const Bytes text = Text(150000, 31);
  const Bytes bin = Random(60000, 32);
  const std::vector<Bytes> files = {text,
                                    Edited(text, 5, 33),
                                    Edited(text, 500, 34),
                                    bin,
                                    Edited(bin, 50, 35),
                                    Text(30000, 36),
                                    Random(999, 37)};
  std::vector<std::string> paths, hashes;
  for (size_t i = 0; i < files.size(); ++i) {
    paths.push_back(Write("f" + std::to_string(i), files[i]));
    hashes.push_back(Hash(files[i]));
    ASSERT_FALSE(hashes.back().empty()) << i;
  }
  for (size_t i = 0; i < files.size(); ++i) {
    for (size_t j = i; j < files.size(); ++j) {
      const std::optional<int> ours = TlshDistance(hashes[i], hashes[j]);
      ASSERT_TRUE(ours.has_value());
      EXPECT_EQ(*ours, RefDistance("-c " + Quote(paths[i]) + " -f " + Quote(paths[j])))
          << i << " " << j;
      EXPECT_EQ(*ours, RefDistance("-c " + hashes[i] + " -d " + hashes[j])) << i << " " << j;
    }
  }
}

}  // namespace
}  // namespace evidex::fuzzy
