#include "coop/directory.h"

#include <gtest/gtest.h>

namespace evidex::coop {
namespace {

DirectoryEntry Colombo() {
  DirectoryEntry e;
  e.key = "LK-CID-247";
  e.country = "LK";
  e.authority = "Sri Lanka Police, CID";
  e.unit = "Cyber Crime Investigation Division";
  e.phones = {"+94 11 2 320 141"};
  e.email = "cybercrime@police.example.lk";
  e.hours = "Mon-Fri 08:30-16:30";
  e.time_zone = "Asia/Colombo";
  e.languages = {"en", "si"};
  e.channels = {"email", "phone"};
  e.legal_bases = {"budapest"};
  e.budapest_art35 = true;
  e.last_verified = "2026-10-01";
  e.source = "phone call to the duty officer";
  return e;
}

bool Mentions(const std::vector<std::string>& problems, const std::string& field) {
  for (const std::string& p : problems)
    if (p.rfind(field + ":", 0) == 0 || p.rfind(field + ",", 0) == 0) return true;
  return false;
}

TEST(Directory, ValidEntryHasNoProblem) {
  EXPECT_TRUE(Validate(Colombo(), "2026-12-03").empty());
}

TEST(Directory, EachBadFieldIsNamed) {
  struct Case {
    const char* field;
    void (*spoil)(DirectoryEntry&);
  } cases[] = {
      {"key", [](DirectoryEntry& e) { e.key = "a b"; }},
      {"country", [](DirectoryEntry& e) { e.country = "Lanka"; }},
      {"authority", [](DirectoryEntry& e) { e.authority = " "; }},
      {"phones", [](DirectoryEntry& e) { e.phones.clear(); e.email.clear(); }},
      {"time_zone", [](DirectoryEntry& e) { e.time_zone = "IST"; }},
      {"time_zone", [](DirectoryEntry& e) { e.time_zone = "Mars/Olympus"; }},
      {"time_zone", [](DirectoryEntry& e) { e.time_zone = "GMT+05:30"; }},
      {"hours", [](DirectoryEntry& e) { e.hours = "weekdays"; }},
      {"languages", [](DirectoryEntry& e) { e.languages = {"eng"}; }},
      {"channels", [](DirectoryEntry& e) { e.channels = {"fax"}; }},
      {"legal_bases", [](DirectoryEntry& e) { e.legal_bases = {"goodwill"}; }},
      {"last_verified", [](DirectoryEntry& e) { e.last_verified = "2026-02-30"; }},
      {"last_verified", [](DirectoryEntry& e) { e.last_verified = "2027-01-01"; }},
      {"source", [](DirectoryEntry& e) { e.source.clear(); }},
  };
  for (const Case& c : cases) {
    DirectoryEntry e = Colombo();
    c.spoil(e);
    std::vector<std::string> p = Validate(e, "2026-12-03");
    EXPECT_TRUE(Mentions(p, c.field)) << c.field << ": " << (p.empty() ? "no problem" : p[0]);
  }
}

TEST(Directory, IanaZones) {
  EXPECT_TRUE(IsIanaTimeZone("Asia/Colombo"));
  EXPECT_TRUE(IsIanaTimeZone("America/New_York"));
  EXPECT_TRUE(IsIanaTimeZone("UTC"));
  EXPECT_FALSE(IsIanaTimeZone(""));
  EXPECT_FALSE(IsIanaTimeZone("Europe/Pariss"));
  EXPECT_FALSE(IsIanaTimeZone("+05:30"));
  // Colombo is UTC+5:30 without DST; Paris is +1 in winter and +2 in summer.
  EXPECT_EQ(UtcOffset("Asia/Colombo", 1764720000), 19800);
  EXPECT_EQ(UtcOffset("Europe/Paris", 1764720000), 3600);  // 2025-12-03
  EXPECT_EQ(UtcOffset("Europe/Paris", 1751500800), 7200);  // 2025-07-03
}

TEST(Directory, OpenNowInTheContactsZone) {
  DirectoryEntry e = Colombo();  // Mon-Fri 08:30-16:30 Asia/Colombo (UTC+5:30)
  // Wednesday 2026-12-02 03:00 UTC = 08:30 in Colombo: opens.
  const int64_t wed_0300 = 1796180400;
  EXPECT_EQ(OpenAt(e, wed_0300), true);
  EXPECT_EQ(OpenAt(e, wed_0300 - 60), false);      // 08:29
  EXPECT_EQ(OpenAt(e, wed_0300 + 8 * 3600), false);  // 16:30: closed
  EXPECT_EQ(OpenAt(e, wed_0300 + 8 * 3600 - 60), true);
  EXPECT_EQ(OpenAt(e, wed_0300 + 3 * 86400 + 3600), false);  // Saturday
  e.hours = "Fri 22:00-06:00";  // overnight into Saturday
  const int64_t fri_2200 = wed_0300 + 2 * 86400 + 13 * 3600 + 1800;  // Fri 16:30 UTC
  EXPECT_EQ(OpenAt(e, fri_2200 - 60), false);
  EXPECT_EQ(OpenAt(e, fri_2200), true);
  EXPECT_EQ(OpenAt(e, fri_2200 + 8 * 3600 - 60), true);  // Sat 05:59
  EXPECT_EQ(OpenAt(e, fri_2200 + 8 * 3600), false);      // Sat 06:00
  EXPECT_EQ(OpenAt(e, fri_2200 - 86400 + 3600), false);  // Thu 23:00: not Thursday's night
  e.hours = "24/7";
  EXPECT_EQ(OpenAt(e, wed_0300 + 3 * 86400), true);
  e.time_zone = "Nowhere/Land";
  EXPECT_EQ(OpenAt(e, wed_0300), std::nullopt);
}

TEST(Directory, Stale) {
  DirectoryEntry e = Colombo();
  EXPECT_FALSE(IsStale(e, "2026-12-03"));
  e.last_verified = "2026-05-01";
  EXPECT_TRUE(IsStale(e, "2026-12-03"));
}

TEST(Directory, CsvRoundTripAndRefusals) {
  std::vector<DirectoryEntry> entries{Colombo()};
  entries.push_back(Colombo());
  entries[1].key = "FR-OFAC";
  entries[1].country = "FR";
  entries[1].time_zone = "Europe/Paris";
  entries[1].authority = "OFAC, \"Office\" anti-cybercriminalité";
  std::string csv = ToCsv(entries);
  ParsedDirectory p = ParseDirectoryFile(csv, "2026-12-03");
  ASSERT_TRUE(p.problems.empty()) << p.problems[0].where << ": " << p.problems[0].message;
  ASSERT_EQ(p.entries.size(), 2u);
  EXPECT_EQ(ToJson(p.entries[1]), ToJson(entries[1]));

  ParsedDirectory unknown = ParseDirectoryFile("key,country,fax\n", "2026-12-03");
  ASSERT_FALSE(unknown.problems.empty());
  EXPECT_EQ(unknown.problems[0].where, "line 1");
  EXPECT_NE(unknown.problems[0].message.find("fax"), std::string::npos);

  std::string dup = csv + csv.substr(csv.find("\r\n") + 2);
  ParsedDirectory d = ParseDirectoryFile(dup, "2026-12-03");
  bool named = false;
  for (const ImportProblem& q : d.problems)
    named |= q.where == "line 4" && q.message.find("already in this file") != std::string::npos;
  EXPECT_TRUE(named);

  ParsedDirectory bad_tz = ParseDirectoryFile(
      "key,country,authority,email,time_zone,last_verified,source\nX,LK,A,a@b.lk,Colombo,2026-01-01,me\n",
      "2026-12-03");
  ASSERT_EQ(bad_tz.problems.size(), 1u);
  EXPECT_EQ(bad_tz.problems[0].where, "line 2");
}

TEST(Directory, SignedJsonExportVerifiesAndTamperFails) {
  Result<vault::SigningKey> key = vault::SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  std::string signer = key->public_key().Text();
  std::string out = SignedJsonExport({Colombo()}, "Unit (LK)", "2026-12-03T00:00:00Z", *key, signer);
  ParsedDirectory p = ParseDirectoryFile(out, "2026-12-03");
  ASSERT_TRUE(p.problems.empty());
  EXPECT_EQ(p.signer, signer);
  EXPECT_TRUE(SignatureValid(p, key->public_key()));
  std::string tampered = out;
  tampered.replace(tampered.find("Asia/Colombo"), 12, "Asia/Kolkata");
  ParsedDirectory t = ParseDirectoryFile(tampered, "2026-12-03");
  ASSERT_TRUE(t.problems.empty());
  EXPECT_FALSE(SignatureValid(t, key->public_key()));

  std::string csv = ToCsv({Colombo()});
  std::string sig = DetachedSignature(csv, *key, signer);
  ParsedDirectory c = ParseDirectoryFile(csv, "2026-12-03");
  ASSERT_TRUE(ApplyDetachedSignature(sig, csv, &c).ok());
  EXPECT_TRUE(SignatureValid(c, key->public_key()));
  std::string changed = csv;
  changed[changed.size() - 3] ^= 1;
  ASSERT_TRUE(ApplyDetachedSignature(sig, changed, &c).ok());
  EXPECT_FALSE(SignatureValid(c, key->public_key()));
  EXPECT_FALSE(ApplyDetachedSignature("{}", csv, &c).ok());
}

TEST(Directory, HostileFilesNeverThrow) {
  for (const char* s : {"", "{", "{\"format\":\"evidex-directory\",\"entries\":[1,{\"key\":[]}]}",
                        "\"unterminated", "key\n\"a", "\xEF\xBB\xBFkey,country\r\n,\r\n"}) {
    ParsedDirectory p = ParseDirectoryFile(s, "2026-12-03");
    EXPECT_FALSE(p.problems.empty()) << s;
  }
}

}  // namespace
}  // namespace evidex::coop
