#include "coop/request.h"

#include <gtest/gtest.h>

#include <set>

namespace evidex::coop {
namespace {

using nlohmann::json;

// A complete request of `type` (Check finds nothing).
json Complete(const std::string& type) {
  json r = EmptyRequest(type);
  r["reference"] = "LK-2026-0001";
  r["date"] = "2026-12-01";
  r["addressee"]["authority"] = type == "epoc" || type == "epoc-pr" ? "Example Cloud Ireland Ltd" : "OFAC";
  r["addressee"]["country"] = type == "epoc" || type == "epoc-pr" ? "IE" : "FR";
  r["addressee"]["kind"] = type == "epoc" || type == "epoc-pr" ? "provider" : "247";
  r["requesting"] = {{"organisation", "Sri Lanka Police, CID"}, {"country", "LK"},
                     {"officer", "Insp. A. Perera"}, {"address", "Colombo 1"},
                     {"phone", "+94 11 2 320 141"}, {"email", "cid@police.example.lk"},
                     {"hours", "24/7"}, {"time_zone", "Asia/Colombo"},
                     {"reply_channel", "e-mail"}};
  r["confirmation_contact"] = "Insp. A. Perera, +94 77 000 0000";
  r["operational_authority"] = "CID Colombo";
  r["case"]["court"] = "Colombo Magistrate's Court";
  r["case"]["case_numbers"] = {"B 1234/26"};
  r["legal_basis"] = type == "epoc" || type == "epoc-pr" ? json{"eu-2023-1543"} : json{"budapest"};
  r["offences"] = {{{"description", "computer fraud"}, {"provisions", "Computer Crimes Act No. 24 of 2007, s. 7"}, {"penalty", "up to 5 years"}}};
  r["summary"] = "Victims paid for goods never delivered.";
  r["relationship"] = "The account received the payments.";
  r["identifiers"] = {{{"artifact", 0}, {"kind", "ip"}, {"value", "203.0.113.7"}, {"category", "identification"},
                       {"observed", "2026-11-20T14:03:22"}, {"time_zone", "Europe/Paris"}, {"port", 51234},
                       {"from", "2026-11-20"}, {"to", "2026-11-21"}},
                      {{"artifact", 0}, {"kind", "email"}, {"value", "seller@example.fr"}, {"category", "subscriber"},
                       {"observed", ""}, {"time_zone", ""}, {"port", 0}, {"from", ""}, {"to", ""}}};
  r["provider"] = {{"name", "Example Mail SAS"}, {"address", "1 rue Exemple, Paris"}, {"reason", "the domain's MX"}};
  r["necessity"] = "The provider keeps logs for 90 days.";
  r["no_notification"] = true;
  r["mla_follows"] = true;
  r["other_means"] = "Open sources: none.";
  r["delivery_form"] = "Electronic, with hashes";
  r["authenticity"] = "Business-records declaration";
  if (type == "emergency") r["emergency"] = {{"facts", "A threat to kill, dated 2026-11-30."}, {"link", "The address sent the threat."}};
  if (type == "epoc") r["validated_by"] = "Judge X";
  return r;
}

bool Names(const std::vector<Problem>& problems, const std::string& field) {
  for (const Problem& p : problems)
    if (p.field == field) return true;
  return false;
}

TEST(Request, CompleteRequestsOfEveryTypePass) {
  for (const std::string& type : RequestTypes()) {
    std::vector<Problem> p = Check(Complete(type), "2026-12-03");
    EXPECT_TRUE(p.empty()) << type << ": " << (p.empty() ? "" : p[0].field + ": " + p[0].message);
  }
}

TEST(Request, EachRequiredFieldIsNamed) {
  struct Rule {
    const char* type;
    const char* field;
    void (*spoil)(json&);
  } rules[] = {
      {"preservation", "reference", [](json& r) { r["reference"] = ""; }},
      {"preservation", "requesting/time_zone", [](json& r) { r["requesting"]["time_zone"] = ""; }},
      {"preservation", "requesting/time_zone", [](json& r) { r["requesting"]["time_zone"] = "IST"; }},
      {"preservation", "offences/0/provisions", [](json& r) { r["offences"][0]["provisions"] = ""; }},
      {"preservation", "identifiers/0/port", [](json& r) { r["identifiers"][0]["port"] = 0; }},
      {"preservation", "identifiers/0/observed", [](json& r) { r["identifiers"][0]["observed"] = ""; }},
      {"preservation", "identifiers/0/time_zone", [](json& r) { r["identifiers"][0]["time_zone"] = ""; }},
      {"preservation", "identifiers/0/to", [](json& r) { r["identifiers"][0]["to"] = "2026-11-19"; }},
      {"preservation", "identifiers/1/category", [](json& r) { r["identifiers"][1]["category"] = "everything"; }},
      {"preservation", "mla_follows", [](json& r) { r["mla_follows"] = false; }},
      {"preservation", "no_notification", [](json& r) { r["no_notification"] = nullptr; }},
      {"preservation", "period_days", [](json& r) { r["period_days"] = 30; }},
      {"preservation", "necessity", [](json& r) { r["necessity"] = ""; }},
      {"preservation", "earlier_reference", [](json& r) { r["status"] = "extension"; }},
      {"preservation", "date", [](json& r) { r["date"] = "2027-01-01"; }},
      {"emergency", "emergency/facts", [](json& r) { r["emergency"]["facts"] = ""; }},
      {"emergency", "emergency/link", [](json& r) { r["emergency"]["link"] = ""; }},
      {"mla", "legal_basis", [](json& r) { r["legal_basis"] = json::array(); }},
      {"mla", "case/court", [](json& r) { r["case"]["court"] = ""; }},
      {"mla", "offences/0/penalty", [](json& r) { r["offences"][0]["penalty"] = ""; }},
      {"mla", "other_means", [](json& r) { r["other_means"] = ""; }},
      {"mla", "earlier_preservation/reference", [](json& r) { r["status"] = "followup_preservation"; r["earlier_reference"] = "X"; }},
      {"mla", "deadline", [](json& r) { r["urgency"] = "the provider deletes in 10 days"; }},
      {"mla", "legal_basis", [](json& r) { r["legal_basis"] = {"us-2703f"}; }},
      {"epoc", "legal_basis", [](json& r) { r["legal_basis"] = {"budapest"}; }},
      {"epoc", "addressee/kind", [](json& r) { r["addressee"]["kind"] = "247"; }},
      {"epoc", "validated_by", [](json& r) { r["validated_by"] = ""; r["identifiers"][1]["category"] = "content"; r["identifiers"][1]["from"] = "2026-01-01"; r["identifiers"][1]["to"] = "2026-02-01"; }},
      {"epoc-pr", "legal_basis", [](json& r) { r["legal_basis"] = json::array(); }},
  };
  for (const Rule& rule : rules) {
    json r = Complete(rule.type);
    rule.spoil(r);
    std::vector<Problem> p = Check(r, "2026-12-03");
    EXPECT_TRUE(Names(p, rule.field)) << rule.type << " " << rule.field << ": "
                                      << (p.empty() ? "no problem found" : "found " + p[0].field);
  }
}

// Problems of every kind: empty requests of each type, and a request whose every value is wrong.
std::vector<Problem> ManyProblems() {
  std::vector<Problem> all;
  for (const std::string& type : RequestTypes()) {
    std::vector<Problem> p = Check(EmptyRequest(type), "2026-12-03");
    all.insert(all.end(), p.begin(), p.end());
  }
  json r = Complete("mla");
  r["date"] = "2026-13-45";
  r["status"] = "followup_preservation";
  r["requesting"]["time_zone"] = "IST";
  r["legal_basis"] = {"us-2703f", "napoleonic"};
  r["identifiers"][0] = {{"kind", "ip"}, {"value", "203.0.113.7"}, {"category", "content"},
                         {"observed", "yesterday"}, {"time_zone", "CET"}, {"port", 70000},
                         {"from", "soon"}, {"to", "later"}};
  r["identifiers"][1]["from"] = "2026-02-01";
  r["identifiers"][1]["to"] = "2026-01-01";
  r["urgency"] = "now";
  r["deadline"] = "tomorrow";
  r["earlier_preservation"]["date"] = "2027-01-01";
  r["earlier_mla"]["date"] = "nope";
  std::vector<Problem> p = Check(r, "2026-12-03");
  all.insert(all.end(), p.begin(), p.end());
  r = Complete("preservation");
  r["mla_planned_date"] = "next month";
  r["type"] = "preservation";
  p = Check(r, "2026-12-03");
  all.insert(all.end(), p.begin(), p.end());
  p = Check(json{{"type", "subpoena"}}, "2026-12-03");
  all.insert(all.end(), p.begin(), p.end());
  return all;
}

TEST(Request, EveryProblemReadsInEveryLanguage) {
  std::vector<Problem> all = ManyProblems();
  std::set<std::string> codes;
  for (const Problem& p : all) codes.insert(p.code);
  EXPECT_GE(codes.size(), 50u);
  for (const std::string& code : Translations::Languages()) {
    Result<Translations> lang = Translations::ForLanguage(code);
    ASSERT_TRUE(lang.ok());
    for (const Problem& p : all) {
      std::string text = Describe(p, *lang);
      EXPECT_EQ(text.find("problem."), std::string::npos) << code << ": no text for " << p.code;
      EXPECT_EQ(text.find('{'), std::string::npos) << code << " " << p.code << ": " << text;
      if (code == "en") {
        EXPECT_EQ(text, p.message);
      }
      for (const auto& [name, value] : p.args) {
        if (name != "n" && name != "status" && name != "offence" && !value.empty()) {
          EXPECT_NE(text.find(value), std::string::npos) << code << " " << p.code << " lacks " << value;
        }
      }
    }
  }
}

TEST(Request, ProblemsSpeakTheUsersLanguage) {
  json r = Complete("preservation");
  r["identifiers"][0]["port"] = 0;
  r["summary"] = "";
  std::vector<Problem> p = Check(r, "2026-12-03");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].code, "summary.missing");
  EXPECT_EQ(p[0].message, "The summary of the facts is missing");
  EXPECT_EQ(p[1].code, "identifier.port_missing");
  EXPECT_EQ(p[1].args.at("n"), "1");
  EXPECT_EQ(p[1].message.rfind("Identifier 1 (203.0.113.7): ", 0), 0u) << p[1].message;
  Result<Translations> fr = Translations::ForLanguage("fr");
  ASSERT_TRUE(fr.ok());
  EXPECT_EQ(Describe(p[0], *fr).find("summary"), std::string::npos) << Describe(p[0], *fr);
  std::string port = Describe(p[1], *fr);
  EXPECT_NE(port.find("203.0.113.7"), std::string::npos) << port;
  EXPECT_NE(port.find("port"), std::string::npos) << port;  // « port source »
  EXPECT_NE(port, p[1].message);
  // A value holding braces is shown as written, not read as a placeholder.
  r["identifiers"][0]["value"] = "{label}{n}";
  p = Check(r, "2026-12-03");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_NE(p[1].message.find("({label}{n})"), std::string::npos) << p[1].message;
}

TEST(Request, GoneArtifactIsNamed) {
  json r = Complete("preservation");
  r["identifiers"][1]["artifact"] = 42;
  std::vector<int64_t> held{7, 41};
  EXPECT_TRUE(Names(Check(r, "2026-12-03", &held), "identifiers/1/artifact"));
  held = {7, 42};
  EXPECT_TRUE(Check(r, "2026-12-03", &held).empty());
}

TEST(Request, PatchChecksFieldsAndTypes) {
  json r = EmptyRequest("preservation");
  EXPECT_TRUE(Patch(&r, {{"summary", "s"}, {"requesting", {{"phone", "1"}}}}).ok());
  EXPECT_EQ(r["summary"], "s");
  EXPECT_EQ(r["requesting"]["phone"], "1");
  EXPECT_EQ(r["requesting"]["officer"], "");  // untouched
  EXPECT_FALSE(Patch(&r, {{"nonsense", 1}}).ok());
  EXPECT_FALSE(Patch(&r, {{"summary", 3}}).ok());
  EXPECT_FALSE(Patch(&r, {{"type", "mla"}}).ok());
  EXPECT_FALSE(Patch(&r, {{"identifiers", {{{"value", "x"}, {"bogus", 1}}}}}).ok());
  EXPECT_EQ(r["summary"], "s");  // a refused patch changes nothing
  EXPECT_TRUE(Patch(&r, {{"summary", nullptr}}).ok());
  EXPECT_EQ(r["summary"], "");
}

TEST(Request, SetFieldByPath) {
  json r = EmptyRequest("preservation");
  EXPECT_TRUE(SetField(&r, "requesting/time_zone", "Asia/Colombo").ok());
  EXPECT_TRUE(SetField(&r, "legal_basis", "budapest, bilateral").ok());
  EXPECT_TRUE(SetField(&r, "no_notification", "yes").ok());
  EXPECT_TRUE(SetField(&r, "period_days", "90").ok());
  EXPECT_TRUE(SetField(&r, "offences/+/description", "fraud").ok());
  EXPECT_TRUE(SetField(&r, "offences/0/provisions", "s. 7").ok());
  EXPECT_TRUE(SetField(&r, "identifiers/+/value", "203.0.113.7").ok());
  EXPECT_TRUE(SetField(&r, "identifiers/0/port", "443").ok());
  EXPECT_EQ(r["requesting"]["time_zone"], "Asia/Colombo");
  EXPECT_EQ(r["legal_basis"], json({"budapest", "bilateral"}));
  EXPECT_EQ(r["no_notification"], true);
  EXPECT_EQ(r["period_days"], 90);
  EXPECT_EQ(r["offences"][0]["description"], "fraud");
  EXPECT_EQ(r["offences"][0]["provisions"], "s. 7");
  EXPECT_EQ(r["identifiers"][0]["port"], 443);
  EXPECT_FALSE(SetField(&r, "identifiers/5/port", "1").ok());
  EXPECT_FALSE(SetField(&r, "identifiers/0/port", "http").ok());
  EXPECT_FALSE(SetField(&r, "requesting", "x").ok());
  EXPECT_FALSE(SetField(&r, "no_notification", "maybe").ok());
  EXPECT_FALSE(SetField(&r, "bogus", "x").ok());
}

TEST(Request, Clocks) {
  const int64_t sent = *ParseUtc("2026-12-01T10:00:00Z");
  json p = Complete("preservation");
  EXPECT_EQ(FormatUtc(ClockOf(p)->DueFrom(sent)), "2027-01-30T10:00:00Z");  // 60 days
  p["period_days"] = 90;
  EXPECT_EQ(FormatUtc(ClockOf(p)->DueFrom(sent)), "2027-03-01T10:00:00Z");
  p["legal_basis"] = {"us-2703f"};
  EXPECT_EQ(ClockOf(p)->seconds, 90 * 86400);
  EXPECT_EQ(ExtensionOf(p).seconds, 90 * 86400);
  EXPECT_EQ(ClockOf(Complete("epoc-pr"))->seconds, 60 * 86400);
  EXPECT_EQ(ExtensionOf(Complete("epoc-pr")).seconds, 30 * 86400);
  json epoc = Complete("epoc");
  EXPECT_EQ(ClockOf(epoc)->seconds, 10 * 86400);
  epoc["emergency"] = {{"facts", "f"}, {"link", "l"}};
  EXPECT_EQ(ClockOf(epoc)->seconds, 8 * 3600);
  json mla = Complete("mla");
  EXPECT_FALSE(ClockOf(mla).has_value());
  mla["urgency"] = "u";
  mla["deadline"] = "2026-12-20";
  EXPECT_EQ(FormatUtc(ClockOf(mla)->DueFrom(sent)), "2026-12-20T23:59:59Z");
}

TEST(Request, Times) {
  EXPECT_EQ(ParseUtc("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseUtc("2026-12-03T05:30:00+05:30"), ParseUtc("2026-12-03T00:00:00Z"));
  EXPECT_EQ(ParseUtc("2024-02-29T00:00:00.123Z"), *ParseUtc("2024-02-28T00:00:00Z") + 86400);
  for (const char* bad : {"", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-12-03 00:00:00Z",
                          "2026-12-03T00:00:00", "2026-12-03T00:00:00+5"})
    EXPECT_FALSE(ParseUtc(bad).has_value()) << bad;
  EXPECT_EQ(FormatUtc(*ParseUtc("2000-02-29T23:59:59Z")), "2000-02-29T23:59:59Z");
  EXPECT_EQ(ParseDuration("7d"), 7 * 86400);
  EXPECT_EQ(ParseDuration("12h"), 12 * 3600);
  EXPECT_FALSE(ParseDuration("7").has_value());
  EXPECT_FALSE(ParseDuration("d").has_value());
  EXPECT_FALSE(ParseDuration("-1d").has_value());
}

}  // namespace
}  // namespace evidex::coop
