#include "exchange/artifact_export.h"
#include "exchange/csv.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "exchange/watchlist.h"
#include "scan/hostname.h"

namespace evidex::exchange {
namespace {

using nlohmann::json;

ExportCase Header() {
  ExportCase h;
  h.c.id = 3;
  h.c.number = "2026/041";
  h.c.title = "Lantern phishing";
  h.unit.name = "Cybercrime Unit, Colombo";
  h.unit.country = "LK";
  h.exported = "2026-11-05T09:30:00Z";
  return h;
}

ExportRow MakeRow(std::string kind, std::string value, uint64_t occurrences, uint64_t cases,
                  std::vector<std::pair<std::string, std::string>> evidence) {
  ExportRow r;
  r.artifact.kind = std::move(kind);
  r.artifact.value = std::move(value);
  r.artifact.cases = cases;
  r.occurrences = occurrences;
  for (auto& [name, label] : evidence) {
    store::Sighting s;
    s.case_id = 3;
    s.case_number = "2026/041";
    s.evidence_name = name;
    s.evidence_label = label;
    r.sightings.push_back(s);
  }
  return r;
}

std::vector<ExportRow> Rows() {
  return {
      MakeRow("btc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", 2, 1, {{"E1", "Laptop HDD"}}),
      MakeRow("ccn", "4111111111111111", 5, 2, {{"E1", "Laptop HDD"}, {"E2", "Phone"}}),
      MakeRow("domain", "lantern-login.com", 40, 3, {{"E1", "Laptop HDD"}}),
      MakeRow("email", "a@lantern-login.com", 7, 1, {{"E2", "Phone"}}),
      MakeRow("eth", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", 1, 1, {{"E2", "Phone"}}),
      MakeRow("iban", "DE89370400440532013000", 1, 1, {{"E1", "Laptop HDD"}}),
      MakeRow("ipv4", "203.0.113.7", 3, 1, {{"E1", "Laptop HDD"}}),
      MakeRow("ipv6", "2001:db8::7", 1, 1, {{"E1", "Laptop HDD"}}),
      MakeRow("keyword", "say \"hi\", then\nleave", 2, 1, {{"E1", "Laptop, HDD"}}),
      MakeRow("md5", "d41d8cd98f00b204e9800998ecf8427e", 1, 4, {}),
      MakeRow("onion", "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion", 1, 1,
              {{"E1", ""}}),
      MakeRow("phone", "+94112345678", 9, 2, {{"E1", "Laptop HDD"}, {"E2", "Phone"}}),
      MakeRow("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 1, 1,
              {{"E1", "Laptop HDD"}}),
      MakeRow("url", "http://lantern-login.com/o'brien/", 4, 1, {{"E1", "Laptop HDD"}}),
      MakeRow("xmr",
              "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wf"
              "n3RVGQBEP3A",
              1, 1, {{"E2", "Phone"}}),
  };
}

std::string Export(ExportFormat format, const ExportCase& header,
                   const std::vector<ExportRow>& rows) {
  std::ostringstream out;
  std::unique_ptr<ArtifactWriter> w = MakeArtifactWriter(format, out);
  w->Begin(header);
  for (const ExportRow& r : rows) w->Row(r);
  w->End();
  return out.str();
}

TEST(ArtifactExport, CsvQuotesAndMasks) {
  std::vector<ExportRow> rows = Rows();
  std::string csv = Export(ExportFormat::kCsv, Header(), {rows[1], rows[8], rows[9]});
  EXPECT_EQ(csv,
            "kind,value,occurrences,evidence,cases\r\n"
            "ccn,411111******1111,5,E1;E2,2\r\n"
            "keyword,\"say \"\"hi\"\", then\nleave\",2,E1,1\r\n"
            "md5,d41d8cd98f00b204e9800998ecf8427e,1,,4\r\n");
  ExportCase unmasked = Header();
  unmasked.mask_cards = false;
  EXPECT_NE(Export(ExportFormat::kCsv, unmasked, {rows[1]}).find("ccn,4111111111111111,5"),
            std::string::npos);
}

TEST(ArtifactExport, CsvReadsBackAsAWatchlist) {
  // The export's columns are a watchlist's (kind, value): a case's artifacts can be sent on.
  ASSERT_TRUE(scan::LoadPublicSuffixList());
  ExportCase header = Header();
  header.mask_cards = false;
  std::vector<ExportRow> rows = Rows();
  Result<ParsedWatchlist> w = ParseWatchlist(Export(ExportFormat::kCsv, header, rows), {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->indicators.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(w->indicators[i].kind, rows[i].artifact.kind);
    EXPECT_EQ(w->indicators[i].value, rows[i].artifact.value);
  }
}

TEST(ArtifactExport, Jsonl) {
  std::vector<ExportRow> rows = Rows();
  std::string text = Export(ExportFormat::kJsonl, Header(), {rows[1], rows[11]});
  std::istringstream in(text);
  std::string line;
  std::vector<json> lines;
  while (std::getline(in, line)) lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], json::parse(R"({"kind": "ccn", "value": "411111******1111",
      "occurrences": 5, "evidence": ["E1", "E2"], "cases": 2})"));
  EXPECT_EQ(lines[1]["value"], "+94112345678");
  // Any bytes in a keyword: still one valid JSON line.
  ExportRow odd = MakeRow("keyword", std::string("bad \xff\xfe utf8\n"), 1, 1, {});
  std::string odd_text = Export(ExportFormat::kJsonl, Header(), {odd});
  EXPECT_EQ(std::count(odd_text.begin(), odd_text.end(), '\n'), 1);
  EXPECT_TRUE(json::accept(odd_text));
}

TEST(ArtifactExport, MispEventShape) {
  std::string text = Export(ExportFormat::kMisp, Header(), Rows());
  json doc = json::parse(text);
  const json& e = doc.at("Event");
  EXPECT_EQ(e.at("info"), "evidex case 2026/041: Lantern phishing");
  EXPECT_EQ(e.at("date"), "2026-11-05");
  EXPECT_EQ(e.at("threat_level_id"), "4");
  EXPECT_EQ(e.at("analysis"), "2");
  EXPECT_EQ(e.at("distribution"), "0");
  EXPECT_EQ(e.at("Orgc").at("name"), "Cybercrime Unit, Colombo");
  const std::regex uuid4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  EXPECT_TRUE(std::regex_match(e.at("uuid").get<std::string>(), uuid4)) << e.at("uuid");
  const json& attributes = e.at("Attribute");
  ASSERT_EQ(attributes.size(), Rows().size());
  std::set<std::string> uuids;
  std::map<std::string, std::string> type_of, category_of;
  for (const json& a : attributes) {
    EXPECT_EQ(a.at("to_ids"), false);
    EXPECT_TRUE(std::regex_match(a.at("uuid").get<std::string>(), uuid4));
    uuids.insert(a.at("uuid").get<std::string>());
    type_of[a.at("value")] = a.at("type");
    category_of[a.at("value")] = a.at("category");
  }
  EXPECT_EQ(uuids.size(), attributes.size());
  EXPECT_EQ(type_of["a@lantern-login.com"], "email-src");
  EXPECT_EQ(type_of["203.0.113.7"], "ip-dst");
  EXPECT_EQ(category_of["203.0.113.7"], "Network activity");
  EXPECT_EQ(type_of["411111******1111"], "text");
  EXPECT_EQ(category_of["411111******1111"], "Financial fraud");
  EXPECT_EQ(category_of["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"], "Financial fraud");
  EXPECT_EQ(category_of["d41d8cd98f00b204e9800998ecf8427e"], "Payload delivery");
  EXPECT_EQ(type_of["+94112345678"], "phone-number");
  EXPECT_EQ(type_of["0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"], "text");
  EXPECT_EQ(category_of["say \"hi\", then\nleave"], "Other");
  EXPECT_EQ(attributes[1].at("comment"),
            "ccn; masked; seen in E1 (Laptop HDD), E2 (Phone); 5 occurrences");
  EXPECT_EQ(attributes[3].at("comment"), "seen in E2 (Phone); 7 occurrences");
  EXPECT_EQ(text.find("4111111111111111"), std::string::npos);
}

TEST(ArtifactExport, MispRoundTrip) {
  // What evidex sends, evidex reads back as the same indicators; the kinds MISP has no type for
  // (eth, a masked card, keywords) go as "text" and come back as an unknown type.
  ASSERT_TRUE(scan::LoadPublicSuffixList());
  std::vector<ExportRow> rows = Rows();
  std::string text = Export(ExportFormat::kMisp, Header(), rows);
  Result<ParsedWatchlist> w = ParseWatchlist(text, {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->format, WatchlistFormat::kMisp);
  EXPECT_EQ(w->name, "evidex case 2026/041: Lantern phishing");
  EXPECT_EQ(w->source, "Cybercrime Unit, Colombo");
  std::vector<std::string> expected, got;
  for (const ExportRow& r : rows)
    if (r.artifact.kind != "eth" && r.artifact.kind != "ccn" && r.artifact.kind != "keyword")
      expected.push_back(r.artifact.kind + " " + r.artifact.value);
  for (const store::Indicator& i : w->indicators) got.push_back(i.kind + " " + i.value);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(w->unknown_types, (std::map<std::string, uint64_t>{{"text", 3}}));

  // Unmasked, a card goes as MISP's cc-number and comes back.
  ExportCase unmasked = Header();
  unmasked.mask_cards = false;
  Result<ParsedWatchlist> cards =
      ParseWatchlist(Export(ExportFormat::kMisp, unmasked, {rows[1]}), {});
  ASSERT_TRUE(cards.ok());
  ASSERT_EQ(cards->indicators.size(), 1u);
  EXPECT_EQ(cards->indicators[0].kind, "ccn");
  EXPECT_EQ(cards->indicators[0].value, "4111111111111111");
}

TEST(ArtifactExport, MispEmptyCase) {
  json doc = json::parse(Export(ExportFormat::kMisp, Header(), {}));
  EXPECT_TRUE(doc.at("Event").at("Attribute").empty());
  ExportCase no_date = Header();
  no_date.exported = "";
  json today = json::parse(Export(ExportFormat::kMisp, no_date, {}));
  EXPECT_EQ(today.at("Event").at("date").get<std::string>().size(), 10u);
}

TEST(CsvField, QuotesAndNeutralizesFormulas) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  // What a spreadsheet would run: a file name or value from evidence beginning like a formula.
  EXPECT_EQ(CsvField("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(CsvField("+1 555"), "'+1 555");
  EXPECT_EQ(CsvField("-rf"), "'-rf");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("\tx"), "'\tx");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a=b"), "a=b");
  EXPECT_EQ(CsvUnguard("'+94112345678"), "+94112345678");
  EXPECT_EQ(CsvUnguard("'quoted"), "'quoted");  // an apostrophe CsvField did not add stays
}

}  // namespace
}  // namespace evidex::exchange
