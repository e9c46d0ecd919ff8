// Runs every scanners/testdata/NAME.cases file through the engine with only scanner NAME
// enabled, as ASCII and as UTF-16LE text, and compares the normalized hits with the expected ones.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "scan/engine.h"
#include "scan/hostname.h"
#include "scan/scan_test_util.h"

namespace evidex::scan {
namespace {

struct Case {
  int line = 0;
  std::string input;
  std::vector<std::string> expected;
};

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 't') {
      out.push_back('\t');
      ++i;
    } else if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x') {
      out.push_back(char(std::stoi(std::string(s.substr(i + 2, 2)), nullptr, 16)));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<Case> ReadCases(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<Case> cases;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("> ", 0) == 0) {
      cases.push_back({n, Unescape(line.substr(2)), {}});
    } else if (line.rfind("= ", 0) == 0 && !cases.empty()) {
      cases.back().expected.push_back(line.substr(2));
    }
  }
  return cases;
}

std::vector<std::string> Scan(const Engine& engine, const std::string& bytes) {
  std::vector<std::string> out;
  for (const Hit& h : testing::ScanWhole(engine, bytes)) out.push_back(h.normalized);
  return out;
}

class ScannerCases : public ::testing::TestWithParam<std::string> {};

TEST_P(ScannerCases, MatchExpected) {
  ASSERT_TRUE(LoadPublicSuffixList());
  const std::string name = GetParam();
  std::filesystem::path file =
      std::filesystem::path(EVIDEX_SOURCE_DIR) / "src/scan/scanners/testdata" / (name + ".cases");
  std::vector<Case> cases = ReadCases(file);
  ASSERT_FALSE(cases.empty()) << "no cases in " << file;
  EngineOptions opts;
  opts.scanners = {name};
  opts.max_depth = 0;
  Result<std::unique_ptr<Engine>> engine = Engine::Create(opts);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  for (const Case& c : cases) {
    EXPECT_EQ(Scan(**engine, c.input), c.expected) << file.filename() << ":" << c.line << " ASCII: " << c.input;
    EXPECT_EQ(Scan(**engine, testing::ToUtf16le(c.input)), c.expected)
        << file.filename() << ":" << c.line << " UTF-16LE: " << c.input;
  }
}

std::vector<std::string> AllScannerNames() {
  std::vector<std::string> names;
  for (const ScannerDef* s : AllScanners()) names.push_back(s->name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(All, ScannerCases, ::testing::ValuesIn(AllScannerNames()),
                         [](const auto& info) { return info.param; });

TEST(ScannerCases, EveryScannerHasACaseFile) {
  for (const ScannerDef* s : AllScanners()) {
    std::filesystem::path file = std::filesystem::path(EVIDEX_SOURCE_DIR) /
                                 "src/scan/scanners/testdata" / (std::string(s->name) + ".cases");
    EXPECT_TRUE(std::filesystem::exists(file)) << file;
  }
}

}  // namespace
}  // namespace evidex::scan
