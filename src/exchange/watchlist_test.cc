#include "exchange/watchlist.h"

#include <gtest/gtest.h>

#include <string>

#include "exchange/watchlist_internal.h"
#include "scan/hostname.h"

namespace evidex::exchange {
namespace {

// A MISP event as MISP's "Download as JSON" writes it (trimmed of tags and galaxies): mixed
// attribute types, a deleted attribute, types evidex has no kind for, composite types, and an
// object with its own attributes.
constexpr std::string_view kMispEvent = R"json({
  "Event": {
    "id": "1872",
    "orgc_id": "7",
    "org_id": "1",
    "date": "2026-11-03",
    "threat_level_id": "2",
    "info": "Phishing kit 'NightOwl' targeting LK banks",
    "published": true,
    "uuid": "5f8d2c1e-7a3b-4c6d-9e0f-1a2b3c4d5e6f",
    "attribute_count": "16",
    "analysis": "2",
    "timestamp": "1762156800",
    "distribution": "1",
    "Org": {"id": "1", "name": "CERT-LK", "uuid": "55f6ea5e-2c60-40e5-964f-47a8950d210f"},
    "Orgc": {"id": "7", "name": "Europol EC3", "uuid": "56a8a3e2-1234-4c5d-8e9f-0a1b2c3d4e5f"},
    "Attribute": [
      {"id": "90001", "type": "email-src", "category": "Payload delivery", "to_ids": true,
       "uuid": "a0000001-0000-4000-8000-000000000001", "event_id": "1872", "distribution": "5",
       "timestamp": "1762156800", "comment": "sender of the lure", "sharing_group_id": "0",
       "deleted": false, "disable_correlation": false, "object_id": "0", "object_relation": null,
       "first_seen": null, "last_seen": null, "value": "Billing@NightOwl-Pay.COM"},
      {"id": "90002", "type": "domain", "category": "Network activity", "to_ids": true,
       "uuid": "a0000001-0000-4000-8000-000000000002", "comment": "", "deleted": false,
       "value": "nightowl-pay.com"},
      {"id": "90003", "type": "url", "category": "Network activity", "to_ids": true,
       "uuid": "a0000001-0000-4000-8000-000000000003", "comment": "landing page",
       "deleted": false, "value": "HTTPS://NightOwl-Pay.com/login/Verify.php?id=77"},
      {"id": "90004", "type": "ip-dst", "category": "Network activity", "to_ids": true,
       "uuid": "a0000001-0000-4000-8000-000000000004", "comment": "", "deleted": false,
       "value": "185.220.101.47"},
      {"id": "90005", "type": "ip-dst", "category": "Network activity", "to_ids": true,
       "uuid": "a0000001-0000-4000-8000-000000000005", "comment": "", "deleted": false,
       "value": "2A01:4F8:0:0:0:0:0:2"},
      {"id": "90006", "type": "domain|ip", "category": "Network activity", "to_ids": true,
       "uuid": "a0000001-0000-4000-8000-000000000006", "comment": "resolution",
       "deleted": false, "value": "cdn.nightowl-pay.com|185.220.101.48"},
      {"id": "90007", "type": "btc", "category": "Financial fraud", "to_ids": true,
       "uuid": "a0000001-0000-4000-8000-000000000007", "comment": "ransom wallet",
       "deleted": false, "value": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
      {"id": "90008", "type": "iban", "category": "Financial fraud", "to_ids": false,
       "uuid": "a0000001-0000-4000-8000-000000000008", "comment": "mule account",
       "deleted": false, "value": "DE89 3704 0044 0532 0130 00"},
      {"id": "90009", "type": "phone-number", "category": "Person", "to_ids": false,
       "uuid": "a0000001-0000-4000-8000-000000000009", "comment": "call centre",
       "deleted": false, "value": "+94 11 234 5678"},
      {"id": "90010", "type": "filename|sha256", "category": "Payload delivery", "to_ids": true,
       "uuid": "a0000001-0000-4000-8000-000000000010", "comment": "kit archive",
       "deleted": false,
       "value": "nightowl_kit.zip|E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"},
      {"id": "90011", "type": "filename", "category": "Payload delivery", "to_ids": false,
       "uuid": "a0000001-0000-4000-8000-000000000011", "comment": "", "deleted": false,
       "value": "invoice_2026.pdf.exe"},
      {"id": "90012", "type": "user-agent", "category": "Network activity", "to_ids": false,
       "uuid": "a0000001-0000-4000-8000-000000000012", "comment": "", "deleted": false,
       "value": "Mozilla/5.0 (NightOwl)"},
      {"id": "90013", "type": "ip-src", "category": "Network activity", "to_ids": true,
       "uuid": "a0000001-0000-4000-8000-000000000013", "comment": "withdrawn: a sinkhole",
       "deleted": true, "value": "10.0.0.1"},
      {"id": "90014", "type": "ip-dst", "category": "Network activity", "to_ids": false,
       "uuid": "a0000001-0000-4000-8000-000000000014", "comment": "hosting range",
       "deleted": false, "value": "185.220.100.0/22"},
      {"id": "90015", "type": "xmr", "category": "Financial fraud", "to_ids": true,
       "uuid": "a0000001-0000-4000-8000-000000000015", "comment": "", "deleted": false,
       "value": "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"}
    ],
    "Object": [
      {"id": "3301", "name": "file", "meta-category": "file", "template_version": "24",
       "uuid": "b0000001-0000-4000-8000-000000000001", "deleted": false, "comment": "",
       "Attribute": [
         {"id": "90101", "type": "filename", "category": "Payload delivery",
          "object_relation": "filename", "uuid": "b0000001-0000-4000-8000-000000000101",
          "deleted": false, "value": "loader.dll"},
         {"id": "90102", "type": "md5", "category": "Payload delivery", "object_relation": "md5",
          "uuid": "b0000001-0000-4000-8000-000000000102", "deleted": false,
          "value": "d41d8cd98f00b204e9800998ecf8427e"},
         {"id": "90103", "type": "sha1", "category": "Payload delivery", "object_relation": "sha1",
          "uuid": "b0000001-0000-4000-8000-000000000103", "deleted": false,
          "value": "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"}
       ]},
      {"id": "3302", "name": "domain-ip", "meta-category": "network",
       "uuid": "b0000001-0000-4000-8000-000000000002", "deleted": true,
       "Attribute": [
         {"type": "domain", "value": "old.nightowl-pay.com", "deleted": false}
       ]}
    ]
  }
})json";

std::vector<std::string> KindValues(const ParsedWatchlist& w) {
  std::vector<std::string> out;
  for (const store::Indicator& i : w.indicators) out.push_back(i.kind + " " + i.value);
  return out;
}

class WatchlistTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(scan::LoadPublicSuffixList()); }
};

TEST_F(WatchlistTest, MispEvent) {
  EXPECT_EQ(DetectFormat(kMispEvent), WatchlistFormat::kMisp);
  Result<ParsedWatchlist> w = ParseWatchlist(kMispEvent, {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->format, WatchlistFormat::kMisp);
  EXPECT_EQ(w->name, "Phishing kit 'NightOwl' targeting LK banks");
  EXPECT_EQ(w->source, "Europol EC3");
  EXPECT_EQ(w->reference, "5f8d2c1e-7a3b-4c6d-9e0f-1a2b3c4d5e6f");
  EXPECT_EQ(KindValues(*w),
            (std::vector<std::string>{
                "email billing@nightowl-pay.com",
                "domain nightowl-pay.com",
                "url https://nightowl-pay.com/login/Verify.php?id=77",
                "ipv4 185.220.101.47",
                "ipv6 2a01:4f8::2",
                "domain cdn.nightowl-pay.com",
                "ipv4 185.220.101.48",
                "btc bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                "iban DE89370400440532013000",
                "phone +94112345678",
                "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "xmr "
                "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2"
                "wfn3RVGQBEP3A",
                "md5 d41d8cd98f00b204e9800998ecf8427e",
                "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709",
            }));
  EXPECT_TRUE(w->errors.empty());
  EXPECT_EQ(w->unknown_types, (std::map<std::string, uint64_t>{
                                  {"filename", 2}, {"user-agent", 1}, {"ip-dst (CIDR)", 1}}));
  const store::Indicator& first = w->indicators[0];
  EXPECT_EQ(first.original, "Billing@NightOwl-Pay.COM");
  EXPECT_EQ(first.type, "email-src");
  EXPECT_EQ(first.comment, "sender of the lure");
  EXPECT_EQ(first.reference, "a0000001-0000-4000-8000-000000000001");
  EXPECT_EQ(w->indicators[5].type, "domain|ip");
  EXPECT_EQ(w->indicators[5].original, "cdn.nightowl-pay.com");
}

TEST_F(WatchlistTest, MispRestSearchResponseAndBareEvent) {
  std::string response = R"({"response": [{"Event": {"info": "first", "uuid": "u1",
      "Orgc": {"name": "CIRCL"}, "Attribute": [{"type": "domain", "value": "a-first.com"}]}},
      {"Event": {"info": "second", "Attribute": [{"type": "hostname", "value": "b.second.org"}]}}]})";
  Result<ParsedWatchlist> w = ParseWatchlist(response, {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->name, "first");
  EXPECT_EQ(w->source, "CIRCL");
  EXPECT_EQ(KindValues(*w),
            (std::vector<std::string>{"domain a-first.com", "domain b.second.org"}));

  Result<ParsedWatchlist> bare = ParseWatchlist(
      R"({"info": "bare", "Attribute": [{"type": "email-dst", "value": "x@mail.ru"}]})", {});
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  EXPECT_EQ(bare->name, "bare");
  EXPECT_EQ(KindValues(*bare), (std::vector<std::string>{"email x@mail.ru"}));
}

TEST_F(WatchlistTest, MispBadValueNamesItsPointer) {
  std::string event = R"({"Event": {"info": "x", "Attribute": [
      {"type": "domain", "value": "good.com"},
      {"type": "iban", "value": "DE88 3704 0044 0532 0130 00"},
      {"type": "ip-dst", "value": 17},
      {"value": "no-type.com"}],
    "Object": [{"Attribute": [{"type": "btc", "value": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"}]}]}})";
  Result<ParsedWatchlist> strict = ParseWatchlist(event, {});
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().code(), Code::kCorrupt);
  EXPECT_NE(strict.status().message().find("/Event/Attribute/1/value: invalid iban "
                                           "'DE88 3704 0044 0532 0130 00'"),
            std::string::npos)
      << strict.status().message();
  EXPECT_NE(strict.status().message().find("4 bad records"), std::string::npos);

  ParseOptions partial;
  partial.partial = true;
  Result<ParsedWatchlist> w = ParseWatchlist(event, partial);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(KindValues(*w), std::vector<std::string>{"domain good.com"});
  ASSERT_EQ(w->errors.size(), 4u);
  EXPECT_EQ(w->errors[0].where, "/Event/Attribute/1/value");
  EXPECT_EQ(w->errors[1].where, "/Event/Attribute/2/value");
  EXPECT_EQ(w->errors[1].message, "attribute value is not a string");
  EXPECT_EQ(w->errors[2].where, "/Event/Attribute/3/type");
  EXPECT_EQ(w->errors[3].where, "/Event/Object/0/Attribute/0/value");
  EXPECT_EQ(w->errors[3].message, "invalid btc or eth '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb'");
}

TEST_F(WatchlistTest, BadJsonNamesItsPosition) {
  Result<ParsedWatchlist> w =
      ParseWatchlist("{\"Event\": {\"info\": \"x\",\n  \"Attribute\": [}}", {});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), Code::kCorrupt);
  EXPECT_NE(w.status().message().find("line 2, column 17"), std::string::npos)
      << w.status().message();
  // Even with partial: a file that is not JSON has no good records to give.
  ParseOptions partial;
  partial.partial = true;
  EXPECT_FALSE(ParseWatchlist("{\"Event\": ", partial).ok());
  EXPECT_FALSE(ParseWatchlist("[1, 2", partial).ok());
  Result<ParsedWatchlist> not_event = ParseWatchlist(R"({"hello": "world"})", partial);
  ASSERT_FALSE(not_event.ok());
  EXPECT_NE(not_event.status().message().find("not a MISP event"), std::string::npos);
}

TEST_F(WatchlistTest, DeepNestingIsRefusedNotRecursed) {
  std::string deep(100000, '[');
  Result<ParsedWatchlist> w = ParseWatchlist(deep, {});
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("nested deeper than 64"), std::string::npos)
      << w.status().message();
  std::string deep_objects;
  for (int i = 0; i < 10000; ++i) deep_objects += "{\"a\":";
  EXPECT_FALSE(ParseWatchlist(deep_objects, {}).ok());
  // Within the limit, nesting is fine: brackets inside strings do not count.
  std::string brackets =
      R"({"Event": {"info": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
                                       "Attribute": []}})";
  EXPECT_TRUE(ParseWatchlist(brackets, {}).ok());
}

// A STIX 2.1 bundle as a partner's TIP writes it: an identity, a report, indicators with OR and
// AND patterns and IN lists, a Sigma rule (not a STIX pattern), a revoked indicator, an
// x-misp-attribute (MISP's export of a btc attribute), and an observed-data object.
constexpr std::string_view kStixBundle = R"json({
  "type": "bundle",
  "id": "bundle--9a1c7e2f-4b3d-4e5f-8a6b-7c8d9e0f1a2b",
  "objects": [
    {"type": "identity", "spec_version": "2.1",
     "id": "identity--b3e4f5a6-1111-4222-8333-944455566677",
     "created": "2026-10-01T08:00:00.000Z", "modified": "2026-10-01T08:00:00.000Z",
     "name": "Interpol Cyber Fusion Centre", "identity_class": "organization"},
    {"type": "report", "spec_version": "2.1",
     "id": "report--c4d5e6f7-2222-4333-8444-a55566677788",
     "created_by_ref": "identity--b3e4f5a6-1111-4222-8333-944455566677",
     "created": "2026-10-02T08:00:00.000Z", "modified": "2026-10-02T08:00:00.000Z",
     "name": "Operation Lantern: phishing infrastructure", "published": "2026-10-02T08:00:00Z",
     "report_types": ["threat-report"],
     "object_refs": ["indicator--d5e6f7a8-3333-4444-8555-b66677788899"]},
    {"type": "indicator", "spec_version": "2.1",
     "id": "indicator--d5e6f7a8-3333-4444-8555-b66677788899",
     "created_by_ref": "identity--b3e4f5a6-1111-4222-8333-944455566677",
     "created": "2026-10-02T08:00:00.000Z", "modified": "2026-10-02T08:00:00.000Z",
     "name": "Lantern phishing hosts", "indicator_types": ["malicious-activity"],
     "pattern": "[domain-name:value = 'lantern-login.com'] OR [url:value = 'http://lantern-login.com/o\\'brien/'] OR [ipv4-addr:value = '203.0.113.7/32']",
     "pattern_type": "stix", "pattern_version": "2.1", "valid_from": "2026-10-02T08:00:00Z"},
    {"type": "indicator", "spec_version": "2.1",
     "id": "indicator--e6f7a8b9-4444-4555-8666-c77788899900",
     "created": "2026-10-02T08:00:00.000Z", "modified": "2026-10-02T08:00:00.000Z",
     "description": "dropper",
     "pattern": "[file:hashes.'SHA-256' = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855' OR file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e' AND file:name = 'a\\\\b.exe']",
     "pattern_type": "stix", "valid_from": "2026-10-02T08:00:00Z"},
    {"type": "indicator", "spec_version": "2.1",
     "id": "indicator--f7a8b9c0-5555-4666-8777-d88899900011",
     "created": "2026-10-02T08:00:00.000Z", "modified": "2026-10-02T08:00:00.000Z",
     "pattern": "([email-addr:value IN ('a@lantern-login.com', 'B@Lantern-Login.com')] AND [network-traffic:dst_ref.type = 'ipv6-addr' AND network-traffic:dst_ref.value = '2001:DB8::7']) WITHIN 300 SECONDS",
     "pattern_type": "stix", "valid_from": "2026-10-02T08:00:00Z"},
    {"type": "indicator", "spec_version": "2.1",
     "id": "indicator--a8b9c0d1-6666-4777-8888-e99900011122",
     "created": "2026-10-02T08:00:00.000Z", "modified": "2026-10-02T08:00:00.000Z",
     "pattern": "title: Lantern loader\nlogsource:\n  product: windows\ndetection:\n  sel:\n    Image|endswith: '\\lantern.exe'\n  condition: sel",
     "pattern_type": "sigma", "valid_from": "2026-10-02T08:00:00Z"},
    {"type": "indicator", "spec_version": "2.1",
     "id": "indicator--b9c0d1e2-7777-4888-8999-f00011122233",
     "created": "2026-10-02T08:00:00.000Z", "modified": "2026-10-03T08:00:00.000Z",
     "revoked": true, "pattern": "[domain-name:value = 'innocent.org']",
     "pattern_type": "stix", "valid_from": "2026-10-02T08:00:00Z"},
    {"type": "indicator", "spec_version": "2.1",
     "id": "indicator--c0d1e2f3-8888-4999-8aaa-011122233344",
     "created": "2026-10-02T08:00:00.000Z", "modified": "2026-10-02T08:00:00.000Z",
     "pattern": "[ipv4-addr:value ISSUBSET '198.51.100.0/24'] OR [file:size > 1000000] OR [cryptocurrency-wallet:address = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed']",
     "pattern_type": "stix", "valid_from": "2026-10-02T08:00:00Z"},
    {"type": "x-misp-attribute", "spec_version": "2.1",
     "id": "x-misp-attribute--91ae0a21-c7ae-4c7f-b84b-b84a7ce53d1f",
     "created_by_ref": "identity--b3e4f5a6-1111-4222-8333-944455566677",
     "created": "2026-10-02T08:00:00.000Z", "modified": "2026-10-02T08:00:00.000Z",
     "labels": ["misp:type=\"btc\"", "misp:category=\"Financial fraud\""],
     "x_misp_category": "Financial fraud", "x_misp_comment": "Btc test attribute",
     "x_misp_type": "btc", "x_misp_value": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"},
    {"type": "observed-data", "spec_version": "2.1",
     "id": "observed-data--d1e2f3a4-9999-4aaa-8bbb-122233344455",
     "created": "2026-10-02T08:00:00.000Z", "modified": "2026-10-02T08:00:00.000Z",
     "first_observed": "2026-10-01T00:00:00Z", "last_observed": "2026-10-01T00:00:00Z",
     "number_observed": 1, "object_refs": ["domain-name--e2f3a4b5-aaaa-4bbb-8ccc-233344455566"]}
  ]
})json";

TEST_F(WatchlistTest, StixBundle) {
  EXPECT_EQ(DetectFormat(kStixBundle), WatchlistFormat::kStix);
  Result<ParsedWatchlist> w = ParseWatchlist(kStixBundle, {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->format, WatchlistFormat::kStix);
  EXPECT_EQ(w->name, "Operation Lantern: phishing infrastructure");
  EXPECT_EQ(w->source, "Interpol Cyber Fusion Centre");
  EXPECT_EQ(w->reference, "bundle--9a1c7e2f-4b3d-4e5f-8a6b-7c8d9e0f1a2b");
  EXPECT_EQ(KindValues(*w),
            (std::vector<std::string>{
                "domain lantern-login.com",
                "url http://lantern-login.com/o'brien/",
                "ipv4 203.0.113.7",
                "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "md5 d41d8cd98f00b204e9800998ecf8427e",
                "email a@lantern-login.com",
                "email b@lantern-login.com",
                "ipv6 2001:db8::7",
                "eth 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
                "btc 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            }));
  EXPECT_TRUE(w->errors.empty());
  EXPECT_EQ(w->unknown_types, (std::map<std::string, uint64_t>{{"file:name", 1},
                                                               {"file:size", 1},
                                                               {"ipv4-addr:value ISSUBSET", 1},
                                                               {"pattern_type sigma", 1}}));
  EXPECT_EQ(w->indicators[0].reference, "indicator--d5e6f7a8-3333-4444-8555-b66677788899");
  EXPECT_EQ(w->indicators[0].comment, "Lantern phishing hosts");
  EXPECT_EQ(w->indicators[0].type, "domain-name:value");
  EXPECT_EQ(w->indicators[3].type, "file:hashes.'SHA-256'");
  EXPECT_EQ(w->indicators[3].comment, "dropper");
  EXPECT_EQ(w->indicators[2].original, "203.0.113.7/32");
  EXPECT_EQ(w->indicators.back().comment, "Btc test attribute");
}

TEST_F(WatchlistTest, StixMalformedPatternNamesItsPointer) {
  std::string bundle = R"({"type": "bundle", "id": "bundle--1", "objects": [
    {"type": "indicator", "id": "indicator--ok", "pattern": "[url:value = 'https://ok.example.com/']", "pattern_type": "stix"},
    {"type": "indicator", "id": "indicator--bad", "pattern": "[domain-name:value = 'unclosed.com]", "pattern_type": "stix"},
    {"type": "indicator", "id": "indicator--escape", "pattern": "[domain-name:value = 'a\\nb.com']", "pattern_type": "stix"},
    {"type": "indicator", "id": "indicator--nopattern", "pattern_type": "stix"},
    {"type": "indicator", "id": "indicator--badvalue", "pattern": "[ipv4-addr:value = '1.2.3.999']"}]})";
  Result<ParsedWatchlist> strict = ParseWatchlist(bundle, {});
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(
      strict.status().message().find("/objects/1/pattern: malformed STIX pattern at character"),
      std::string::npos)
      << strict.status().message();
  ParseOptions partial;
  partial.partial = true;
  Result<ParsedWatchlist> w = ParseWatchlist(bundle, partial);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(KindValues(*w), std::vector<std::string>{"url https://ok.example.com/"});
  ASSERT_EQ(w->errors.size(), 4u);
  EXPECT_EQ(w->errors[0].where, "/objects/1/pattern");
  EXPECT_EQ(w->errors[0].message, "malformed STIX pattern at character 22: string not closed");
  EXPECT_EQ(w->errors[1].where, "/objects/2/pattern");
  EXPECT_NE(w->errors[1].message.find("invalid escape"), std::string::npos);
  EXPECT_EQ(w->errors[2].where, "/objects/3/pattern");
  EXPECT_EQ(w->errors[3].where, "/objects/4/pattern");
  EXPECT_EQ(w->errors[3].message, "invalid ipv4 '1.2.3.999'");
}

TEST(StixPattern, Grammar) {
  using internal::ParseStixPattern;
  auto ok = [](std::string_view p) { return ParseStixPattern(p).ok(); };
  EXPECT_TRUE(ok("[a:b = 'x']"));
  EXPECT_TRUE(ok("[a:b.c[*].d = 'x' AND (a:e != 3 OR a:f = true)] FOLLOWEDBY [a:g = h'00ff']"));
  EXPECT_TRUE(ok("[a:b = 'x'] REPEATS 5 TIMES WITHIN 10.5 SECONDS"));
  EXPECT_TRUE(ok("[a:b = 'x'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'"));
  EXPECT_TRUE(ok("[a:b NOT IN ('x', 'y')] AND [EXISTS a:c]"));
  EXPECT_TRUE(ok("[a:b MATCHES '^x\\\\d+\\'$']"));
  EXPECT_FALSE(ok(""));
  EXPECT_FALSE(ok("[a:b = 'x'"));
  EXPECT_FALSE(ok("[a:b = 'x'] OR"));
  EXPECT_FALSE(ok("[a:b == 'x']"));
  EXPECT_FALSE(ok("[a = 'x']"));
  EXPECT_FALSE(ok("[a:b = 'x'] garbage"));
  EXPECT_FALSE(ok("[a:b = 'x\\y']"));
  EXPECT_FALSE(ok(std::string(1000, '(') + "[a:b = 'x']" + std::string(1000, ')')));
  Result<std::vector<internal::StixComparison>> r =
      ParseStixPattern("[file:hashes.'SHA-256' = 'it\\'s' OR x:y IN ('a', 1)]");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].path, "file:hashes.'SHA-256'");
  EXPECT_EQ((*r)[0].op, "=");
  EXPECT_EQ((*r)[0].values[0], "it's");
  EXPECT_EQ((*r)[1].op, "IN");
  ASSERT_EQ((*r)[1].values.size(), 2u);
  EXPECT_FALSE((*r)[1].values[1].has_value());
}

TEST_F(WatchlistTest, StixNeedsABundle) {
  ParseOptions stix;
  stix.format = WatchlistFormat::kStix;
  Result<ParsedWatchlist> w = ParseWatchlist(R"({"type": "indicator"})", stix);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("not a STIX bundle"), std::string::npos);
  Result<ParsedWatchlist> empty = ParseWatchlist(R"({"type": "bundle", "id": "bundle--e"})", {});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->indicators.empty());
}

TEST_F(WatchlistTest, Csv) {
  // RFC 4180: CRLF, quoted fields with commas, doubled quotes and a line break; a BOM.
  std::string csv =
      "\xEF\xBB\xBFType,Value,Comment\r\n"
      "email,Phisher@Mail.RU,\"from the \"\"Lantern\"\" kit, batch 2\"\r\n"
      "ip-dst,185.220.101.47,\r\n"
      "\r\n"
      "phone,011 234 5678,\"call centre\r\nColombo\"\r\n"
      "domain|ip,x.example.com|10.0.0.1,\r\n"
      "mutex,Global\\NightOwl,\r\n"
      "keyword,Operation Lantern,\r\n"
      "ccn,4111 1111 1111 1111,\r\n";
  ParseOptions lk;
  lk.region = "LK";
  EXPECT_EQ(DetectFormat(csv), WatchlistFormat::kCsv);
  Result<ParsedWatchlist> w = ParseWatchlist(csv, lk);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->format, WatchlistFormat::kCsv);
  EXPECT_EQ(KindValues(*w),
            (std::vector<std::string>{"email phisher@mail.ru", "ipv4 185.220.101.47",
                                      "phone +94112345678", "domain x.example.com", "ipv4 10.0.0.1",
                                      "keyword Operation Lantern", "ccn 4111111111111111"}));
  EXPECT_EQ(w->indicators[0].comment, "from the \"Lantern\" kit, batch 2");
  EXPECT_EQ(w->indicators[0].reference, "line 2");
  EXPECT_EQ(w->indicators[2].comment, "call centre\r\nColombo");
  EXPECT_EQ(w->indicators[2].reference, "line 5");
  EXPECT_EQ(w->indicators[3].reference, "line 7");  // counted past the quoted line break
  EXPECT_EQ(w->unknown_types, (std::map<std::string, uint64_t>{{"mutex", 1}}));
}

TEST_F(WatchlistTest, CsvErrorsNameTheLine) {
  std::string csv =
      "kind,indicator\n"
      "domain,good.example.com\n"
      "iban,DE00 0000 0000 0000 0000 00\n"
      "phone,011 234 5678\n"
      "domain\n"
      "email,\"unclosed@x.com\n"
      "email,still@inside.com\n";
  Result<ParsedWatchlist> strict = ParseWatchlist(csv, {});
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().code(), Code::kCorrupt);
  EXPECT_EQ(
      strict.status().message().rfind("line 3: invalid iban 'DE00 0000 0000 0000 0000 00'", 0), 0u)
      << strict.status().message();
  ParseOptions partial;
  partial.partial = true;
  Result<ParsedWatchlist> w = ParseWatchlist(csv, partial);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(KindValues(*w), std::vector<std::string>{"domain good.example.com"});
  ASSERT_EQ(w->errors.size(), 4u);
  EXPECT_EQ(w->errors[0].where, "line 3");
  EXPECT_EQ(w->errors[1].where, "line 4");
  EXPECT_EQ(w->errors[1].message,
            "invalid phone '011 234 5678' (a national number needs a region)");
  EXPECT_EQ(w->errors[2].where, "line 5");
  EXPECT_EQ(w->errors[3].where, "line 6");
  EXPECT_EQ(w->errors[3].message, "quoted field not closed before the end of the file");

  Result<ParsedWatchlist> no_columns = ParseWatchlist("name,address\nx,y\n", partial);
  ASSERT_FALSE(no_columns.ok());
  EXPECT_EQ(no_columns.status().message(), "line 1: the header names no 'type' (or 'kind') column");
  EXPECT_FALSE(ParseWatchlist("", partial).ok());
  Result<ParsedWatchlist> after_quote = ParseWatchlist("type,value\n\"url\"x,y\n", partial);
  ASSERT_TRUE(after_quote.ok());
  ASSERT_EQ(after_quote->errors.size(), 1u);
  EXPECT_EQ(after_quote->errors[0].message, "text after a closing quote");
}

TEST_F(WatchlistTest, DetectFormat) {
  EXPECT_EQ(DetectFormat("  {\"type\": \"bundle\", \"objects\": []}"), WatchlistFormat::kStix);
  EXPECT_EQ(DetectFormat("{\"objects\": [{\"type\": \"x\"}], \"type\": \"bundle\"}"),
            WatchlistFormat::kStix);
  EXPECT_EQ(DetectFormat("{\"Event\": {\"type\": \"bundle\"}}"), WatchlistFormat::kMisp);
  EXPECT_EQ(DetectFormat("{\"response\": []}"), WatchlistFormat::kMisp);
  EXPECT_EQ(DetectFormat("[{\"Event\": {}}]"), WatchlistFormat::kMisp);
  EXPECT_EQ(DetectFormat("type,value\n"), WatchlistFormat::kCsv);
  EXPECT_EQ(DetectFormat(""), WatchlistFormat::kCsv);
  EXPECT_EQ(DetectFormat("{\"type\": "), WatchlistFormat::kMisp);
  EXPECT_STREQ(FormatName(WatchlistFormat::kStix), "stix");
}

TEST_F(WatchlistTest, HugeFlatInputIsLinear) {
  // 200,000 records: each is read once (no quadratic re-scans).
  std::string csv = "type,value\n";
  for (int i = 0; i < 200000; ++i)
    csv += "ipv4,10.0." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) + "\n";
  Result<ParsedWatchlist> w = ParseWatchlist(csv, {});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->indicators.size(), 200000u);
}

}  // namespace
}  // namespace evidex::exchange
