#include "exchange/normalize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>

#include "scan/engine.h"
#include "scan/hostname.h"
#include "scan/scan_test_util.h"

namespace evidex::exchange {
namespace {

struct Row {
  const char* kind;
  const char* input;
  const char* region;
  const char* expected;  // nullptr: refused
  // How the value is written in scanned text when the typed form is not one the scanner takes
  // ("" : as `input`; nullptr: no scanner for the kind, or refused).
  const char* in_text = "";
};

const Row kRows[] = {
    // email
    {"email", "John.Doe@Mail.RU", "", "john.doe@mail.ru"},
    {"email", "  a.b+tag@example.co.uk\n", "", "a.b+tag@example.co.uk"},
    {"email", "x_y-z%1@sub.example.org", "", "x_y-z%1@sub.example.org"},
    {"email", "john..doe@mail.ru", "", nullptr},
    {"email", ".john@mail.ru", "", nullptr},
    {"email", "john@localhost", "", nullptr},
    {"email", "john@mail.invalidtld", "", nullptr},
    {"email", "a@b@mail.ru", "", nullptr},
    // domain
    {"domain", "WWW.Example.COM.", "", "www.example.com"},
    {"domain", "mail.ru", "", "mail.ru"},
    {"domain", "evil-site.co.uk", "", "evil-site.co.uk"},
    {"domain", "co.uk", "", nullptr},  // a public suffix
    {"domain", "-bad.com", "", nullptr},
    {"domain", "localhost", "", nullptr},
    {"domain", "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion", "", nullptr},
    // url
    {"url", "HTTP://Ex.COM/A", "", "http://ex.com/A"},
    {"url", "https://user@www.Example.com:8443/p/Q?x=1&y=%20#Frag", "",
     "https://user@www.example.com:8443/p/Q?x=1&y=%20#Frag"},
    {"url", "http://[2001:DB8::1]/x", "", "http://[2001:db8::1]/x"},
    {"url", "http://192.168.1.1/admin", "", "http://192.168.1.1/admin"},
    {"url", "ftp://files.example.org/pub/a.zip", "", "ftp://files.example.org/pub/a.zip"},
    {"url", "https://example.com/wiki/Foo_(bar)", "", "https://example.com/wiki/Foo_(bar)"},
    {"url", "https://example.com/page.", "", "https://example.com/page"},
    {"url", "https://example.com/wiki/Foo_(bar)).", "", "https://example.com/wiki/Foo_(bar)"},
    {"url", "http://[::1]:8080/]", "", "http://[::1]:8080/"},
    {"url", "https://example.com:80x/", "", nullptr},
    {"url", "javascript:alert(1)", "", nullptr},
    {"url", "http://exa mple.com/", "", nullptr},
    {"url", "http://010.1.2.3/", "", nullptr},
    // ipv4
    {"ipv4", "192.168.1.1", "", "192.168.1.1"},
    {"ipv4", " 8.8.8.8 ", "", "8.8.8.8"},
    {"ipv4", "0.0.0.0", "", "0.0.0.0"},
    {"ipv4", "010.1.2.3", "", nullptr},
    {"ipv4", "256.1.1.1", "", nullptr},
    {"ipv4", "1.2.3", "", nullptr},
    {"ipv4", "1.2.3.4.5", "", nullptr},
    {"ipv4", "1.2.3.", "", nullptr},
    // ipv6
    {"ipv6", "2001:DB8:0:0:0:0:0:1", "", "2001:db8::1"},
    {"ipv6", "2001:0db8:0000:0000:0001:0000:0000:0001", "", "2001:db8::1:0:0:1"},
    {"ipv6", "FE80:0000::0001", "", "fe80::1"},
    {"ipv6", "::ffff:1.2.3.4", "", "::ffff:1.2.3.4"},
    {"ipv6", "::FFFF:0102:0304", "", "::ffff:1.2.3.4"},
    {"ipv6", "2001:db8:85a3::8a2e:370:7334", "", "2001:db8:85a3::8a2e:370:7334"},
    {"ipv6", "[2001:db8::abcd]", "", "2001:db8::abcd", "2001:db8::abcd"},
    {"ipv6", "::1", "", "::1"},
    {"ipv6", "1.2.3.4", "", nullptr},
    {"ipv6", "2001:db8::1::2", "", nullptr},
    {"ipv6", "12:34:56", "", nullptr},
    // phone
    {"phone", "011 234 5678", "LK", "+94112345678", "+94 11 234 5678"},
    {"phone", "0112345678", "lk", "+94112345678", "+94112345678"},
    {"phone", "+94 11 234 5678", "", "+94112345678"},
    {"phone", "+94 11 234 5678", "GB", "+94112345678"},
    {"phone", "+44 20 7946 0958", "", "+442079460958"},
    {"phone", "(650) 253-0000", "US", "+16502530000", "+1 (650) 253-0000"},
    {"phone", "+1 (650) 253-0000", "", "+16502530000"},
    {"phone", "+49-30-901820", "", "+4930901820"},
    {"phone", "011 234 5678", "", nullptr},  // national, no region
    {"phone", "+12 345", "", nullptr},
    {"phone", "+94 11 234 5678 ext. 12", "", nullptr},
    {"phone", "+1 800 FLOWERS", "", nullptr},
    // ccn
    {"ccn", "4111 1111 1111 1111", "", "4111111111111111"},
    {"ccn", "4111-1111 1111 1111", "", "4111111111111111", "4111-1111-1111-1111"},
    {"ccn", "5555-5555-5555-4444", "", "5555555555554444"},
    {"ccn", "3782 822463 10005", "", "378282246310005"},
    {"ccn", "30569309025904", "", "30569309025904"},
    {"ccn", "4111111111111112", "", nullptr},
    {"ccn", "0000000000000000", "", nullptr},
    {"ccn", "4111 1111 1111 111x", "", nullptr},
    // iban
    {"iban", "DE89 3704 0044 0532 0130 00", "", "DE89370400440532013000"},
    {"iban", "de89 3704 0044 0532 0130 00", "", "DE89370400440532013000",
     "DE89 3704 0044 0532 0130 00"},
    {"iban", "GB29NWBK60161331926819", "", "GB29NWBK60161331926819"},
    {"iban", "fr14 2004 1010 0505 0001 3m02 606", "", "FR1420041010050500013M02606",
     "FR14 2004 1010 0505 0001 3M02 606"},
    {"iban", "DE88 3704 0044 0532 0130 00", "", nullptr},
    {"iban", "LK12 3456 7890 1234 56", "", nullptr},
    // btc
    {"btc", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"},
    {"btc", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"},
    {"btc", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "",
     "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
    {"btc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "",
     "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
    {"btc", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "",
     "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"},
    {"btc", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "", nullptr},
    {"btc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "", nullptr},
    {"btc", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "", nullptr},
    {"btc", "Bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "", nullptr},  // mixed case
    // eth
    {"eth", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "",
     "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"},
    {"eth", "0x52908400098527886E0F7030069857D2E4169EE7", "",
     "0x52908400098527886e0f7030069857d2e4169ee7"},
    {"eth", "0xde709f2102306220921060314715629080e2fb77", "",
     "0xde709f2102306220921060314715629080e2fb77"},
    {"eth", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "", nullptr},
    {"eth", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae", "", nullptr},
    // xmr
    {"xmr",
     "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP"
     "3A",
     "",
     "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP"
     "3A"},
    {"xmr",
     "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP"
     "3B",
     "", nullptr},
    // onion
    {"onion", "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion", "",
     "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"},
    {"onion", "PG6MMJIYJMCRSSLVYKFWNNTLARU7P5SVN6Y2YMMJU6NUBXNDF4PSCRYD.ONION", "",
     "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"},
    {"onion", "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryc.onion", "", nullptr},
    {"onion", "expyuzz4wqqyqhjn.onion", "", nullptr},
    // hashes (no scanner: an evidence's own hashes and watchlists)
    {"md5", "D41D8CD98F00B204E9800998ECF8427E", "", "d41d8cd98f00b204e9800998ecf8427e", nullptr},
    {"sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "",
     "da39a3ee5e6b4b0d3255bfef95601890afd80709", nullptr},
    {"sha256", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "",
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", nullptr},
    {"md5", "d41d8cd98f00b204e9800998ecf8427", "", nullptr, nullptr},
    {"sha1", "zz39a3ee5e6b4b0d3255bfef95601890afd80709", "", nullptr, nullptr},
    // keyword, unknown kinds
    {"keyword", "  Operation Nightfall ", "", "Operation Nightfall", nullptr},
    {"keyword", "   ", "", nullptr, nullptr},
    {"bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "", nullptr, nullptr},
};

TEST(Normalize, Table) {
  ASSERT_TRUE(scan::LoadPublicSuffixList());
  for (const Row& r : kRows) {
    std::optional<std::string> got = Normalize(r.kind, r.input, r.region);
    if (r.expected == nullptr) {
      EXPECT_FALSE(got.has_value()) << r.kind << " '" << r.input << "' gave '" << *got << "'";
    } else {
      ASSERT_TRUE(got.has_value()) << r.kind << " '" << r.input << "' refused";
      EXPECT_EQ(*got, r.expected) << r.kind << " '" << r.input << "'";
    }
  }
}

TEST(Normalize, LongUrlTailsAreTrimmedInLinearTime) {
  ASSERT_TRUE(scan::LoadPublicSuffixList());
  std::string url = "http://example.com/" + std::string(4000, ')');
  EXPECT_EQ(Normalize("url", url), "http://example.com/");
  EXPECT_FALSE(Normalize("url", "http://example.com/" + std::string(5000, 'a')).has_value());
}

TEST(Normalize, IsIdempotent) {
  for (const Row& r : kRows) {
    if (r.expected == nullptr) continue;
    EXPECT_EQ(Normalize(r.kind, r.expected, r.region), std::string(r.expected))
        << r.kind << " '" << r.expected << "'";
  }
}

TEST(Normalize, EveryScannerIsAKind) {
  const std::vector<std::string>& kinds = ArtifactKinds();
  for (const scan::ScannerDef* s : scan::AllScanners())
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), s->name), kinds.end()) << s->name;
}

// The point of Normalize: a value typed or imported meets the same value found by a scan. Each
// valid table value is written in text and scanned by its kind's scanner; the hit's normalized
// form must be Normalize()'s.
TEST(Normalize, AgreesWithTheScanners) {
  ASSERT_TRUE(scan::LoadPublicSuffixList());
  std::map<std::string, std::unique_ptr<scan::Engine>> engines;
  int checked = 0;
  for (const Row& r : kRows) {
    if (r.expected == nullptr || r.in_text == nullptr) continue;
    std::unique_ptr<scan::Engine>& engine = engines[r.kind];
    if (!engine) {
      scan::EngineOptions opts;
      opts.scanners = {r.kind};
      opts.max_depth = 0;
      Result<std::unique_ptr<scan::Engine>> made = scan::Engine::Create(opts);
      ASSERT_TRUE(made.ok()) << r.kind << ": " << made.status().ToString();
      engine = std::move(*made);
    }
    std::string value = *r.in_text ? r.in_text : r.input;
    std::string text = "found: " + value + " ; end";
    for (bool utf16 : {false, true}) {
      std::vector<scan::Hit> hits =
          scan::testing::ScanWhole(*engine, utf16 ? scan::testing::ToUtf16le(text) : text);
      std::vector<std::string> found;
      for (const scan::Hit& h : hits) found.push_back(h.normalized);
      EXPECT_EQ(found, std::vector<std::string>{r.expected})
          << r.kind << " in '" << text << "'" << (utf16 ? " (UTF-16LE)" : "");
    }
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

std::vector<std::string> Kinds(const std::vector<Candidate>& cs) {
  std::vector<std::string> out;
  for (const Candidate& c : cs) out.push_back(c.kind);
  return out;
}

TEST(Classify, MostSpecificFirst) {
  ASSERT_TRUE(scan::LoadPublicSuffixList());
  EXPECT_EQ(Kinds(Classify("mail.ru")), std::vector<std::string>{"domain"});
  EXPECT_EQ(Kinds(Classify("User@Mail.ru")), std::vector<std::string>{"email"});
  EXPECT_EQ(Classify("User@Mail.ru")[0].value, "user@mail.ru");
  EXPECT_EQ(Kinds(Classify("DE89 3704 0044 0532 0130 00")), std::vector<std::string>{"iban"});
  EXPECT_EQ(Kinds(Classify("4111 1111 1111 1111")), std::vector<std::string>{"ccn"});
  EXPECT_EQ(Kinds(Classify("1.2.3.4")), std::vector<std::string>{"ipv4"});
  EXPECT_EQ(Kinds(Classify("::ffff:1.2.3.4")), std::vector<std::string>{"ipv6"});
  EXPECT_EQ(Kinds(Classify("d41d8cd98f00b204e9800998ecf8427e")), std::vector<std::string>{"md5"});
  EXPECT_EQ(Kinds(Classify("+94 11 234 5678")), std::vector<std::string>{"phone"});
  EXPECT_EQ(Kinds(Classify("011 234 5678")), std::vector<std::string>{});
  EXPECT_EQ(Kinds(Classify("011 234 5678", "LK")), std::vector<std::string>{"phone"});
  EXPECT_EQ(Kinds(Classify("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion")),
            std::vector<std::string>{"onion"});
  EXPECT_EQ(Kinds(Classify("http://mail.ru/x")), std::vector<std::string>{"url"});
  EXPECT_EQ(Kinds(Classify("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")),
            std::vector<std::string>{"eth"});
  EXPECT_TRUE(Classify("Operation Nightfall").empty());  // never "keyword"
  EXPECT_TRUE(Classify("").empty());
}

TEST(Classify, DigitsCanBeACardAndAPhone) {
  // A 16-digit national number in a region where it is valid would be both; the card, with its
  // checksum, comes first. Here: a Luhn-valid card that is no phone number anywhere.
  std::vector<Candidate> c = Classify("4111111111111111", "LK");
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c[0].kind, "ccn");
}

TEST(Mask, Cards) {
  EXPECT_EQ(Mask("ccn", "4111111111111111"), "411111******1111");
  EXPECT_EQ(Mask("ccn", "378282246310005"), "378282*****0005");
  EXPECT_EQ(Mask("ccn", "30569309025904"), "305693****5904");
  EXPECT_EQ(Mask("ccn", "1234567"), "***4567");  // never shown whole, whatever its length
  EXPECT_EQ(Mask("iban", "DE89370400440532013000"), "DE89370400440532013000");
  EXPECT_EQ(Mask("keyword", "4111111111111111"), "4111111111111111");
}

}  // namespace
}  // namespace evidex::exchange
