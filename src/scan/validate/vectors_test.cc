// Asserts every entry of the shared vector files in <repo>/../shared/data/validators/ (skipped
// with a message when that folder is not there).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "scan/validate/validate.h"

#ifndef EVIDEX_SOURCE_DIR
#error "EVIDEX_SOURCE_DIR must name the source tree"
#endif

namespace evidex::validate {
namespace {

const std::filesystem::path kDir =
    std::filesystem::path(EVIDEX_SOURCE_DIR) / ".." / "shared" / "data" / "validators";

#define REQUIRE_VECTORS(file)                                                        \
  do {                                                                               \
    if (!std::filesystem::is_regular_file(kDir / (file))) {                          \
      GTEST_SKIP() << "shared vector file " << (kDir / (file)).string()              \
                   << " not present (the shared data folder is optional); skipping"; \
    }                                                                                \
  } while (0)

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Lines without comments ('#') and blank lines; trailing '\r' and spaces trimmed.
std::vector<std::string> DataLines(const std::filesystem::path& p) {
  std::vector<std::string> out;
  std::istringstream in(ReadFile(p));
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(s);
  while (std::getline(in, field, sep)) out.push_back(field);
  return out;
}

TEST(SharedVectorsTest, Bech32) {
  REQUIRE_VECTORS("bech32_vectors.json");
  nlohmann::json j = nlohmann::json::parse(ReadFile(kDir / "bech32_vectors.json"));
  int count = 0;
  for (const auto& s : j.at("valid_bech32")) {
    std::optional<Bech32Decoded> d = Bech32Decode(s.get<std::string>());
    ASSERT_TRUE(d) << s;
    EXPECT_EQ(d->variant, Bech32Variant::kBech32) << s;
    ++count;
  }
  for (const auto& s : j.at("valid_bech32m")) {
    std::optional<Bech32Decoded> d = Bech32Decode(s.get<std::string>());
    ASSERT_TRUE(d) << s;
    EXPECT_EQ(d->variant, Bech32Variant::kBech32m) << s;
    ++count;
  }
  for (const char* key : {"invalid_bech32", "invalid_bech32m"}) {
    for (const auto& s : j.at(key)) {
      EXPECT_FALSE(Bech32Decode(s.get<std::string>())) << s;
      ++count;
    }
  }
  for (const auto& pair : j.at("valid_segwit_address_to_scriptpubkey")) {
    std::string addr = pair.at(0).get<std::string>();
    std::string script = pair.at(1).get<std::string>();
    EXPECT_TRUE(SegwitAddressValid(addr)) << addr;
    // scriptPubKey = OP_n (0x00 or 0x50 + n), push length, program: re-encoding gives the address.
    auto byte = [&](size_t i) { return uint8_t(std::stoi(script.substr(2 * i, 2), nullptr, 16)); };
    int op = byte(0);
    int version = op == 0 ? 0 : op - 0x50;
    std::vector<uint8_t> program;
    for (size_t i = 2; 2 * i < script.size(); ++i) program.push_back(byte(i));
    ASSERT_EQ(program.size(), byte(1));
    std::string lower = addr;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(SegwitAddressEncode(lower.substr(0, 2), version, program), lower);
    ++count;
  }
  for (const auto& pair : j.at("invalid_segwit_address")) {
    EXPECT_FALSE(SegwitAddressValid(pair.at(0).get<std::string>()))
        << pair.at(0) << " (" << pair.at(1) << ")";
    ++count;
  }
  EXPECT_GE(count, 60);
}

TEST(SharedVectorsTest, Eip55) {
  REQUIRE_VECTORS("eip55_vectors.txt");
  int count = 0;
  for (const std::string& a : DataLines(kDir / "eip55_vectors.txt")) {
    EXPECT_TRUE(EthAddressValid(a)) << a;
    EXPECT_EQ(EthChecksumAddress(a), a);
    ++count;
  }
  EXPECT_GE(count, 8);
}

TEST(SharedVectorsTest, Iban) {
  REQUIRE_VECTORS("iban_vectors.txt");
  std::map<std::string, int> per_section;
  std::string section;
  for (const std::string& line : DataLines(kDir / "iban_vectors.txt")) {
    if (line.front() == '[') {
      section = line.substr(1, line.size() - 2);
      continue;
    }
    std::string iban;
    for (char c : line) {
      if (c == ' ' || c == '-') continue;
      iban.push_back(char(std::toupper(static_cast<unsigned char>(c))));
    }
    bool want = section == "valid" || section == "country_check_fails";
    ASSERT_TRUE(want || section == "bad_checksum" || section == "wrong_length" ||
                section == "bad_format")
        << "unknown section " << section;
    EXPECT_EQ(IbanValid(iban), want) << "[" << section << "] " << line;
    ++per_section[section];
  }
  EXPECT_GT(per_section["valid"], 50);
  EXPECT_GT(per_section["bad_checksum"], 0);
  EXPECT_GT(per_section["wrong_length"], 0);
  EXPECT_GT(per_section["bad_format"], 0);
  EXPECT_GT(per_section["country_check_fails"], 0);
}

TEST(SharedVectorsTest, LuhnTestPans) {
  REQUIRE_VECTORS("luhn_test_pans.txt");
  const std::map<std::string, std::string> brands = {
      {"Visa", "visa"},         {"Mastercard", "mastercard"}, {"American", "amex"},
      {"Discover", "discover"}, {"Diners", "diners"},         {"JCB", "jcb"},
      {"UnionPay", "unionpay"},
  };
  int count = 0;
  for (const std::string& line : DataLines(kDir / "luhn_test_pans.txt")) {
    std::vector<std::string> f = Split(line, '\t');
    ASSERT_EQ(f.size(), 3u) << line;
    const std::string& pan = f[0];
    bool valid = f[2] == "valid";
    ASSERT_TRUE(valid || f[2] == "invalid") << line;
    EXPECT_EQ(LuhnValid(pan), valid) << line;
    EXPECT_EQ(CardNumberValid(pan), valid) << line;
    if (valid) {
      std::string first_word = f[1].substr(0, f[1].find(' '));
      auto it = brands.find(first_word);
      if (it != brands.end()) {
        EXPECT_EQ(CardIssuer(pan).value_or("none"), it->second) << line;
      }
    }
    ++count;
  }
  EXPECT_GE(count, 20);
}

TEST(SharedVectorsTest, TorV3Onion) {
  REQUIRE_VECTORS("tor_v3_onion.txt");
  int count = 0;
  for (const std::string& line : DataLines(kDir / "tor_v3_onion.txt")) {
    std::vector<std::string> f = Split(line, '\t');
    ASSERT_EQ(f.size(), 2u) << line;
    std::string label = f[0];
    const std::string suffix = ".onion";
    if (label.size() > suffix.size() && label.ends_with(suffix)) {
      label.resize(label.size() - suffix.size());
    }
    EXPECT_EQ(OnionV3Valid(label), f[1] == "valid") << line;
    ++count;
  }
  EXPECT_GE(count, 5);
}

}  // namespace
}  // namespace evidex::validate
