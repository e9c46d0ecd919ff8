// The case store end to end, on both back ends: acquire --scan stores artifacts; search finds
// them by normalized, masked, prefix and suffix forms; correlate ranks what cases share;
// watchlists (CSV, MISP, STIX) match stored artifacts and later scans; artifacts exports CSV,
// JSONL and MISP; a scan run again doubles nothing.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "store/store_test_backends.h"
#include "vault_cli_test_util.h"

namespace evidex::testing {
namespace {

constexpr char kPass[] = "store pass";
constexpr char kBtc[] = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT";

class StoreCli : public VaultCliTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    VaultCliTest::SetUp();
    loc_ = std::make_unique<store::TestStoreLocation>(GetParam());
    if (!loc_->unavailable().empty()) GTEST_SKIP() << loc_->unavailable();
    db_ = loc_->postgresql() ? " --db '" + loc_->location() + "'" : "";
    ASSERT_EQ(Ev("init --unit \"Cybercrime Unit, Colombo\" --country LK").code, 0);
    for (int i = 1; i <= 3; ++i)
      ASSERT_EQ(Ev("case new --number 2026/" + std::to_string(i) + " --title Fraud" +
                   std::to_string(i) + " --examiner \"A. Perera\"")
                    .code,
                0);
  }
  void TearDown() override {
    VaultCliTest::TearDown();
    loc_.reset();
  }
  // evidex with this back end's store; the workspace keeps it after init, --db must match.
  Outcome Ev(const std::string& args) const {
    return VaultCliTest::Ev(db_ + " " + args, std::string(kPass));
  }
  // A 1 MiB image of random bytes with `text` planted at 256 KiB.
  void Image(const std::string& name, const std::string& text, uint64_t seed) {
    std::string img = RandomBytes(1u << 20, seed);
    img.replace(256u << 10, text.size(), text);
    Write(name, img);
  }
  void Acquire(const std::string& c, const std::string& image) {
    Outcome r = Ev("acquire " + c + " " + P(image) + " --label Disk --scan --scan-out " +
                   P("scan-" + image) + " --quiet");
    ASSERT_EQ(r.code, 0) << r.out;
  }
  nlohmann::json Json(const std::string& args) const {
    Outcome r = Ev(args + " --json");
    EXPECT_EQ(r.code, 0) << args << ": " << r.out;
    try {
      return nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << args << ": not JSON: " << r.out;
      return {};
    }
  }
  // The search result for `kind`, or null.
  static nlohmann::json Result(const nlohmann::json& search, const std::string& kind) {
    for (const nlohmann::json& r : search["results"])
      if (r["kind"] == kind) return r;
    return {};
  }
  static std::set<std::string> Cases(const nlohmann::json& result) {
    std::set<std::string> out;
    for (const nlohmann::json& s : result["sightings"]) out.insert(s["case"].get<std::string>());
    return out;
  }

  // Three cases: a mule's email, phone and wallet in cases 1 and 2; a webmail address in all
  // three; a card and an IBAN only in case 1.
  void ThreeCases() {
    Image("a.img",
          " mail mule.account@mail.ru or call +94 11 234 5678; card 4111 1111 1111 1111, IBAN "
          "GB82 WEST 1234 5698 7654 32, pay " +
              std::string(kBtc) + " cc boss@gmail.com ",
          1);
    Image("b.img",
          " from mule.account@mail.ru tel +94112345678 wallet " + std::string(kBtc) +
              " also other@mail.ru and boss@gmail.com ",
          2);
    Image("c.img", " only boss@gmail.com here ", 3);
    Acquire("2026/1", "a.img");
    Acquire("2026/2", "b.img");
    Acquire("2026/3", "c.img");
  }
  std::unique_ptr<store::TestStoreLocation> loc_;
  std::string db_;
};

TEST_P(StoreCli, SearchFindsNormalizedValuesAcrossCases) {
  ThreeCases();
  // A phone in national form (the unit is in LK) is the E.164 number the scanner stored.
  nlohmann::json s = Json("search \"011 234 5678\"");
  nlohmann::json phone = Result(s, "phone");
  ASSERT_FALSE(phone.is_null()) << s.dump(1);
  EXPECT_EQ(phone["value"], "+94112345678");
  EXPECT_EQ(Cases(phone), (std::set<std::string>{"2026/1", "2026/2"}));
  EXPECT_EQ(phone["cases"], 2);
  // Each sighting shows where: a forensic path and the bytes around it.
  ASSERT_FALSE(phone["sightings"][0]["at"].empty());
  EXPECT_NE(phone["sightings"][0]["at"][0]["context"].get<std::string>().find("234"),
            std::string::npos);

  // A card written with dashes; masked unless --unmask.
  nlohmann::json card = Result(Json("search 4111-1111-1111-1111"), "ccn");
  ASSERT_FALSE(card.is_null());
  EXPECT_EQ(card["value"], "411111******1111");
  EXPECT_EQ(Result(Json("search 4111111111111111 --unmask"), "ccn")["value"], "4111111111111111");

  // Emails at a domain, by suffix; a bare domain finds its addresses too.
  std::set<std::string> at;
  nlohmann::json by_suffix = Json("search @mail.ru");
  for (const nlohmann::json& r : by_suffix["results"])
    at.insert(r["value"].get<std::string>());
  EXPECT_EQ(at, (std::set<std::string>{"mule.account@mail.ru", "other@mail.ru"}));
  std::set<std::string> related;
  nlohmann::json by_domain = Json("search MAIL.RU");
  for (const nlohmann::json& r : by_domain["results"])
    related.insert(r["kind"].get<std::string>() + ":" + r["value"].get<std::string>());
  EXPECT_TRUE(related.count("domain:mail.ru")) << by_domain.dump(1);
  EXPECT_TRUE(related.count("email:other@mail.ru"));
  // By prefix.
  nlohmann::json pre = Json("search \"mule.*\"");
  ASSERT_EQ(pre["results"].size(), 1u) << pre.dump(1);
  EXPECT_EQ(pre["results"][0]["value"], "mule.account@mail.ru");
  // The evidence's own hashes are stored: an image's SHA-256 finds it.
  nlohmann::json h = Result(Json("search " + OpenSslDigests(Read("c.img")).sha256), "sha256");
  ASSERT_FALSE(h.is_null());
  EXPECT_EQ(Cases(h), (std::set<std::string>{"2026/3"}));
  // Absent values: no result, exit 0.
  Outcome none = Ev("search nobody@nowhere.example");
  EXPECT_EQ(none.code, 0);
  EXPECT_NE(none.out.find("no stored artifact"), std::string::npos) << none.out;
}

TEST_P(StoreCli, CorrelateRanksRareSharedValuesFirst) {
  ThreeCases();
  nlohmann::json c = Json("correlate 2026/1 --limit 0");
  const nlohmann::json& shared = c["shared"];
  std::map<std::string, uint64_t> cases;
  for (const nlohmann::json& a : shared)
    cases[a["kind"].get<std::string>() + ":" + a["value"].get<std::string>()] = a["cases"];
  EXPECT_EQ(cases["email:mule.account@mail.ru"], 2u) << c.dump(1);
  EXPECT_EQ(cases["btc:" + std::string(kBtc)], 2u);
  EXPECT_EQ(cases["phone:+94112345678"], 2u);
  EXPECT_EQ(cases["email:boss@gmail.com"], 3u);
  // Only in case 1: not shared.
  EXPECT_FALSE(cases.count("ccn:411111******1111"));
  EXPECT_FALSE(cases.count("iban:GB82WEST12345698765432"));
  // Rarest first: every 2-case value before every 3-case value.
  uint64_t prev = 0;
  for (const nlohmann::json& a : shared) {
    EXPECT_GE(a["cases"].get<uint64_t>(), prev) << c.dump(1);
    prev = a["cases"];
  }
  // Where else: the mule's address names case 2's E1 and not case 1 itself.
  for (const nlohmann::json& a : shared)
    if (a["value"] == "mule.account@mail.ru") {
      ASSERT_EQ(a["elsewhere"].size(), 1u);
      EXPECT_EQ(a["elsewhere"][0]["case"], "2026/2");
      EXPECT_EQ(a["elsewhere"][0]["evidence"], "E1");
    }
  EXPECT_TRUE(Json("correlate 2026/3 --max-cases 2")["shared"].empty());
}

TEST_P(StoreCli, WatchlistsMatchStoredArtifactsAndLaterScans) {
  // A MISP event imported before the evidence arrives...
  Write("event.json", R"({"Event": {"info": "EC3 mule network", "uuid": "5f0c2a6e-1b2c-4d5e-8f90-0a1b2c3d4e5f",
    "Orgc": {"name": "EC3"}, "Attribute": [
      {"type": "email-src", "value": "Mule.Account@mail.ru", "comment": "mule", "uuid": "a1"},
      {"type": "filename", "value": "invoice.exe", "uuid": "a2"}]}})");
  nlohmann::json imp = Json("watchlist import " + P("event.json"));
  EXPECT_EQ(imp["format"], "misp");
  EXPECT_EQ(imp["indicators"], 1);
  EXPECT_EQ(imp["unknown_types"]["filename"], 1);
  EXPECT_EQ(imp["hits"], 0);
  ThreeCases();
  // ... is matched by the later scans.
  nlohmann::json hits = Json("hits");
  std::set<std::string> hit_cases;
  for (const nlohmann::json& h : hits) {
    EXPECT_EQ(h["watchlist"], "EC3 mule network");
    EXPECT_EQ(h["value"], "mule.account@mail.ru");
    hit_cases.insert(h["case"].get<std::string>());
  }
  EXPECT_EQ(hit_cases, (std::set<std::string>{"2026/1", "2026/2"})) << hits.dump(1);

  // A CSV imported later is matched against everything stored.
  Write("list.csv", "type,value,comment\nbtc," + std::string(kBtc) +
                        ",ransom wallet\nemail,nobody@nowhere-else.org,\nphone,011 234 5678,lk\n");
  nlohmann::json csv = Json("watchlist import " + P("list.csv") + " --name partners");
  EXPECT_EQ(csv["indicators"], 3);
  EXPECT_EQ(csv["hits"], 4);  // wallet and phone, in cases 1 and 2
  EXPECT_EQ(csv["cases_hit"], 2);
  std::set<std::string> in2;
  for (const nlohmann::json& h : Json("hits 2026/2")) in2.insert(h["kind"].get<std::string>());
  EXPECT_EQ(in2, (std::set<std::string>{"email", "btc", "phone"}));
  EXPECT_TRUE(Json("hits 2026/3").empty());

  // A STIX bundle with a SHA-256 indicator: the image of case 3 is known.
  Write("bundle.json", R"({"type": "bundle", "id": "bundle--1", "objects": [
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--1", "pattern_type": "stix",
     "pattern": "[file:hashes.'SHA-256' = ')" + OpenSslDigests(Read("c.img")).sha256 + R"(']",
     "valid_from": "2026-01-01T00:00:00Z", "name": "seized image"}]})");
  nlohmann::json stix = Json("watchlist import " + P("bundle.json"));
  EXPECT_EQ(stix["format"], "stix");
  EXPECT_EQ(stix["hits"], 1);

  // Malformed files: nothing imported, the error says where.
  Write("bad.json", R"({"Event": {"info": "x", "Attribute": [{"type": "iban", "value": "GB00 BAD"}]}})");
  Outcome bad = Ev("watchlist import " + P("bad.json"));
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.out.find("/Event/Attribute/0"), std::string::npos) << bad.out;
  EXPECT_EQ(Json("watchlist list").size(), 3u);
  Write("broken.csv", "type,value\nemail,\"unterminated\n");
  EXPECT_EQ(Ev("watchlist import " + P("broken.csv")).code, 2);

  // Removing a watchlist removes its hits.
  int64_t id = csv["id"];
  ASSERT_EQ(Ev("watchlist remove " + std::to_string(id)).code, 0);
  for (const nlohmann::json& h : Json("hits")) EXPECT_NE(h["watchlist_id"], id);
  EXPECT_EQ(Ev("watchlist remove 999").code, 1);
}

TEST_P(StoreCli, ArtifactsExportAndRescanWithoutDuplicates) {
  ThreeCases();
  nlohmann::json before = Json("search mule.account@mail.ru");
  // Scanning case 1's evidence again supersedes the first scan: no value counted twice.
  Outcome again = Ev("scan --case 2026/1 E1 -o " + P("again") + " --quiet");
  ASSERT_EQ(again.code, 0) << again.out;
  nlohmann::json after = Json("search mule.account@mail.ru");
  EXPECT_EQ(before["results"][0]["occurrences"], after["results"][0]["occurrences"]);
  EXPECT_EQ(before["results"][0]["sightings"], after["results"][0]["sightings"]);
  // Both scans are on record with their parameters and progress; the first superseded.
  nlohmann::json show = Json("case show 2026/1");
  const nlohmann::json& scans = show["scans"];
  ASSERT_EQ(scans.size(), 2u) << show.dump(1);
  EXPECT_EQ(scans[0]["status"], "superseded");
  EXPECT_EQ(scans[1]["status"], "complete");
  EXPECT_EQ(scans[1]["evidence"], "E1");
  EXPECT_EQ(scans[1]["bytes_done"], 1u << 20);
  EXPECT_EQ(scans[1]["bytes_total"], 1u << 20);
  EXPECT_GT(scans[1]["occurrences"].get<int>(), 8);
  EXPECT_FALSE(scans[1]["parameters"]["scanners"].empty());

  ASSERT_EQ(Ev("artifacts 2026/1 --format csv -o " + P("a.csv")).code, 0);
  std::string csv = Read("a.csv");
  std::erase(csv, '\r');  // RFC 4180 lines end in CRLF
  EXPECT_EQ(csv.rfind("kind,value,occurrences,evidence,cases\n", 0), 0u) << csv;
  EXPECT_NE(csv.find("ccn,411111******1111,1,E1,1"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("4111111111111111"), std::string::npos);
  // A leading '+' would be a formula to a spreadsheet (and lose the '+'): exchange::CsvField.
  EXPECT_NE(csv.find("phone,'+94112345678,1,E1,2"), std::string::npos) << csv;

  ASSERT_EQ(Ev("artifacts 2026/1 --format jsonl --unmask -o " + P("a.jsonl")).code, 0);
  std::istringstream lines(Read("a.jsonl"));
  size_t n = 0;
  bool card = false;
  for (std::string line; std::getline(lines, line); ++n) {
    nlohmann::json j = nlohmann::json::parse(line);
    card |= j["kind"] == "ccn" && j["value"] == "4111111111111111";
  }
  EXPECT_TRUE(card);
  EXPECT_EQ(n + 1, std::count(csv.begin(), csv.end(), '\n'));  // same rows as the CSV

  ASSERT_EQ(Ev("artifacts 2026/1 --format misp -o " + P("a.misp.json")).code, 0);
  nlohmann::json misp = nlohmann::json::parse(Read("a.misp.json"));
  const nlohmann::json& ev = misp["Event"];
  EXPECT_NE(ev["info"].get<std::string>().find("2026/1"), std::string::npos);
  std::set<std::string> types;
  for (const nlohmann::json& a : ev["Attribute"]) types.insert(a["type"].get<std::string>());
  for (const char* t : {"email-src", "btc", "iban", "phone-number", "sha256", "domain"})
    EXPECT_TRUE(types.count(t)) << t << " in " << ev["Attribute"].dump(1);
  // The export reads back as a watchlist: the MISP round trip.
  nlohmann::json rt = Json("watchlist import " + P("a.misp.json") + " --name roundtrip");
  EXPECT_GT(rt["indicators"].get<int>(), 5);

  // Unknown case: usage error.
  EXPECT_EQ(Ev("correlate 2026/99").code, 1);
  EXPECT_EQ(Ev("artifacts 2026/99").code, 1);
}

TEST_P(StoreCli, AWorkspaceKeepsItsStore) {
  // Another store named with --db than the workspace's own: refused, nothing opened.
  Outcome other = VaultCliTest::Ev("--db postgresql://nobody@127.0.0.1:1/none case list",
                                   std::string(kPass));
  EXPECT_EQ(other.code, 1) << other.out;
  EXPECT_NE(other.out.find("keeps its store elsewhere"), std::string::npos) << other.out;
  if (loc_->postgresql()) {
    // The workspace remembers its PostgreSQL store: no --db needed after init.
    Outcome list = VaultCliTest::Ev("case list", std::string(kPass));
    EXPECT_EQ(list.code, 0) << list.out;
    EXPECT_NE(list.out.find("2026/3"), std::string::npos) << list.out;
    // A second unit cannot take over a store that belongs to a unit.
    Outcome second = Sh("env -u EVIDEX_DATA " + Evidex() + " --data " + P("ws2") + " --db '" +
                        loc_->location() + "' init --unit Other --country GH --no-passphrase 2>&1");
    EXPECT_NE(second.code, 0);
    EXPECT_NE(second.out.find("already belongs to"), std::string::npos) << second.out;
    EXPECT_FALSE(std::filesystem::exists(P("ws2")));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreCli, ::testing::ValuesIn(store::TestBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace evidex::testing
