// `evidex directory` and `evidex request` end to end, as a 24/7 officer runs them: a case built
// in the test (case new, acquire --scan), its identifiers written into each request type, the
// check that names what is missing, finalizing (signed, in the case's custody chain), the life
// of a request and its clocks, extensions and follow-ups, the directory's signed exports between
// units, and the rendered PDF and DOCX read back with real tools (pdftotext, unzip).
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "vault_cli_test_util.h"

namespace evidex::testing {
namespace {

using nlohmann::json;

constexpr char kCase[] = "2026/041";
constexpr int64_t kDay = 86400;

// UTC seconds of "YYYY-MM-DDTHH:MM:SSZ"; -1 when it is not one.
int64_t Utc(const std::string& s) {
  std::tm tm{};
  if (s.size() != 20 || strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr) return -1;
  return int64_t(timegm(&tm));
}

// `s` without white space and Unicode bidi controls: pdftotext spaces and wraps right-to-left
// text as it likes.
std::string Squeeze(const std::string& s) {
  static const std::vector<std::string> kBidi = {
      "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
      "\u2066", "\u2067", "\u2068", "\u2069"};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool skipped = false;
    for (const std::string& b : kBidi)
      if (s.compare(i, b.size(), b) == 0) {
        i += b.size();
        skipped = true;
        break;
      }
    if (skipped) continue;
    if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f') out += s[i];
    ++i;
  }
  return out;
}

json Translations(const std::string& lang) {
  std::ifstream in(std::string(EVIDEX_I18N_DIR) + "/" + lang + ".json");
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

class CoopCli : public VaultCliTest {
 protected:
  void SetUp() override {
    VaultCliTest::SetUp();
    ASSERT_EQ(Ev("init --unit \"Cyber Crime Unit, Colombo\" --country LK --no-passphrase").code, 0);
    Outcome r = Ev(std::string("case new --number ") + kCase +
                   " --title \"Online shop fraud\" --offence \"computer fraud\" --examiner \"Insp. A. Perera\"");
    ASSERT_EQ(r.code, 0) << r.out;
    Write("ev.txt", "contact seller@example.fr from 203.0.113.7 and pay to +94112345678\n");
    r = Ev(std::string("acquire ") + kCase + " " + P("ev.txt") + " --label \"phone dump\" --examiner x --scan");
    ASSERT_EQ(r.code, 0) << r.out;
    AddDirectory("ws");
  }

  // `evidex --data DIR/<ws> ARGS`, stderr in the output.
  Outcome EvAt(const std::string& ws, const std::string& args) const {
    return Sh("env -u EVIDEX_PASSPHRASE -u EVIDEX_DATA EVIDEX_EXAMINER='Insp. A. Perera' " + Evidex() +
              " --data " + P(ws) + " " + args + " </dev/null 2>&1");
  }
  Outcome Ev(const std::string& args) const { return EvAt("ws", args); }
  // The JSON a command prints (stderr apart); null when it fails.
  json Json(const std::string& args, const std::string& ws = "ws") const {
    Outcome r = Sh("env -u EVIDEX_PASSPHRASE -u EVIDEX_DATA " + Evidex() + " --data " + P(ws) + " " +
                   args + " </dev/null 2>/dev/null");
    EXPECT_EQ(r.code, 0) << args;
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << args << ": " << r.out;
    return j.is_discarded() ? json() : j;
  }

  void AddDirectory(const std::string& ws) {
    for (const char* add :
         {"directory add LK-OWN --own --country LK --authority \"Sri Lanka Police CID\" --unit \"Cyber Crime Unit\" "
          "--phone \"+94 11 2 320 141\" --email cid@police.example.lk --time-zone Asia/Colombo --source self",
          "directory add FR-OFAC --country FR --authority OFAC --email ofac@interieur.example.fr "
          "--time-zone Europe/Paris --language fr --legal-basis budapest --art35 --source \"T-CY list\" "
          "--hours \"Mon-Fri 08:00-18:00\"",
          "directory add FR-CA --country FR --authority \"Ministère de la Justice, BEPI\" "
          "--email bepi@justice.example.fr --time-zone Europe/Paris --language fr --central-authority "
          "--source \"T-CY list\""}) {
      Outcome r = EvAt(ws, add);
      ASSERT_EQ(r.code, 0) << r.out;
    }
  }

  // A new draft's reference.
  std::string New(const std::string& type, const std::string& to = "FR-OFAC") {
    json j = Json(std::string("request new --case ") + kCase + " --type " + type + " --to " + to +
                  " --identifier 203.0.113.7 --identifier seller@example.fr --json");
    EXPECT_EQ(j.value("state", ""), "draft");
    return j.value("reference", "");
  }

  // The fields each type needs, set with FIELD VALUE pairs and (mla, epoc-pr) a merge patch file.
  void Complete(const std::string& ref, const std::string& type) {
    std::string pairs =
        "confirmation_contact \"Sgt. K. Silva, +94 11 2 320 141\" operational_authority \"CID Colombo\" "
        "offences/0/provisions \"Computer Crime Act No. 24 of 2007, s. 7\" summary \"Buyers paid for goods never sent.\" "
        "identifiers/0/port 51234 identifiers/0/observed 2026-01-20T14:03:22 identifiers/0/time_zone Europe/Paris "
        "identifiers/0/from 2026-01-20 identifiers/0/to 2026-01-21 provider/name \"Example Mail SAS\"";
    json patch;
    if (type == "preservation" || type == "emergency")
      pairs += " relationship \"The seller's account and address\" necessity \"Logs are kept 90 days\" no_notification yes";
    if (type == "emergency")
      pairs += " emergency/facts \"A threat to kill a witness\" emergency/link \"The account sent the threat\"";
    if (type == "mla")
      patch = {{"offences", {{{"description", "computer fraud"}, {"provisions", "CCA s. 7"}, {"penalty", "up to 5 years"}}}},
               {"case", {{"court", "Magistrate's Court, Colombo Fort"}}},
               {"provider", {{"address", "1 rue de l'Exemple, Paris"}, {"reason", "Its mail domain"}}},
               {"relationship", "The account received the payments"},
               {"other_means", "None: the provider answers only to a French order"},
               {"delivery_form", "Certified copy, electronically"},
               {"authenticity", "Business-records declaration"}};
    if (type == "epoc-pr")
      patch = {{"relationship", "The seller's account"}, {"necessity", "Logs are kept 90 days"}, {"no_notification", true}};
    std::string args = "request set " + ref + " " + pairs;
    if (!patch.is_null()) {
      Write("patch.json", patch.dump());
      args += " --file " + P("patch.json");
    }
    Outcome r = Ev(args);
    ASSERT_EQ(r.code, 0) << r.out;
  }

  json Show(const std::string& name) { return Json("request show " + name + " --json"); }
  json Custody() { return Json(std::string("custody show ") + kCase + " --json").at("records"); }
  // The "request-<what>" custody records of `ref`.
  std::vector<json> CustodyOf(const std::string& what, const std::string& ref) {
    std::vector<json> out;
    for (const json& r : Custody())
      if (r.value("action", "") == "request-" + what && r["details"].value("request", "") == ref) out.push_back(r);
    return out;
  }
  // Finalizes and sends; returns [before, after] the send, in UTC seconds.
  std::pair<int64_t, int64_t> FinalizeAndSend(const std::string& name) {
    Outcome r = Ev("request finalize " + name);
    EXPECT_EQ(r.code, 0) << r.out;
    int64_t before = std::time(nullptr);
    r = Ev("request mark " + name + " sent --note \"e-mail\"");
    EXPECT_EQ(r.code, 0) << r.out;
    return {before, int64_t(std::time(nullptr))};
  }
  // A complete, finalized and sent preservation request; its reference.
  std::string SentPreservation() {
    std::string ref = New("preservation");
    Complete(ref, "preservation");
    FinalizeAndSend(ref);
    return ref;
  }
};

// ---- Every request type, end to end ----

struct TypeCase {
  const char* type;
  const char* needed;   // a field its check names before it is complete
  int64_t clock;        // seconds from sending to its due time; 0: no clock
};

void PrintTo(const TypeCase& t, std::ostream* os) { *os << t.type; }

class CoopTypes : public CoopCli, public ::testing::WithParamInterface<TypeCase> {};

TEST_P(CoopTypes, DraftCheckFinalizeSendAndClock) {
  const TypeCase& t = GetParam();
  std::string ref = New(t.type);
  ASSERT_EQ(ref.rfind("LK-", 0), 0u) << ref;

  // Incomplete: check exits 1 and names the fields.
  Outcome r = Ev("request check " + ref);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("missing or wrong"), std::string::npos) << r.out;
  std::vector<std::string> fields;
  Outcome cj = Sh("env -u EVIDEX_DATA " + Evidex() + " --data " + P("ws") + " request check " + ref + " --json 2>/dev/null");
  EXPECT_EQ(cj.code, 1);
  json problems = json::parse(cj.out, nullptr, false);
  ASSERT_TRUE(problems.is_array()) << cj.out;
  for (const json& p : problems) fields.push_back(p.value("field", ""));
  for (const std::string& f : {std::string("summary"), std::string("identifiers/0/port"), std::string(t.needed)})
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << t.type << " check lacks " << f << ": " << cj.out;
  // In the officer's language: the same fields, the rule's code, the sentence in Spanish.
  Outcome es = Ev("request check " + ref + " --language es");
  EXPECT_EQ(es.code, 1);
  EXPECT_NE(es.out.find("Falta el resumen de los hechos"), std::string::npos) << es.out;
  Outcome de = Ev("request check " + ref + " --language de");
  EXPECT_EQ(de.code, 1);
  EXPECT_NE(de.out.find("no translation for 'de'"), std::string::npos) << de.out;

  Complete(ref, t.type);
  r = Ev("request check " + ref);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("complete"), std::string::npos) << r.out;

  auto [before, after] = FinalizeAndSend(ref);
  json s = Show(ref);
  EXPECT_EQ(s["state"], "sent");
  EXPECT_EQ(s["type"], t.type);
  EXPECT_FALSE(s.value("signature", "").empty());
  EXPECT_EQ(s["document"]["identifiers"][0]["value"], "203.0.113.7");
  EXPECT_EQ(s["document"]["identifiers"][1]["value"], "seller@example.fr");
  if (t.clock == 0) {
    EXPECT_EQ(s["due"], "") << t.type;
  } else {
    int64_t due = Utc(s.value("due", ""));
    EXPECT_GE(due, before + t.clock) << s["due"];
    EXPECT_LE(due, after + t.clock + 1) << s["due"];
  }

  // The custody chain holds the finalizing and the sending, and still verifies.
  std::vector<json> fin = CustodyOf("finalized", ref);
  ASSERT_EQ(fin.size(), 1u);
  EXPECT_EQ(fin[0]["details"]["version"], 1);
  EXPECT_EQ(fin[0]["details"]["type"], t.type);
  EXPECT_EQ(fin[0]["details"]["signature"], s["signature"]);
  EXPECT_EQ(CustodyOf("sent", ref).size(), 1u);
  r = Ev(std::string("custody verify ") + kCase);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("OK"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, CoopTypes,
    ::testing::Values(TypeCase{"preservation", "necessity", 60 * kDay},
                      TypeCase{"emergency", "emergency/facts", 8 * 3600},
                      TypeCase{"mla", "case/court", 0},
                      TypeCase{"epoc", "provider/name", 10 * kDay},
                      TypeCase{"epoc-pr", "no_notification", 60 * kDay}),
    [](const ::testing::TestParamInfo<TypeCase>& info) {
      std::string n = info.param.type;
      for (char& c : n)
        if (c == '-') c = '_';
      return n;
    });

// ---- Finalizing and versions ----

TEST_F(CoopCli, FinalizeIsRefusedWhileAFieldIsMissing) {
  std::string ref = New("preservation");
  Complete(ref, "preservation");
  ASSERT_EQ(Ev("request set " + ref + " summary \"\"").code, 0);
  Outcome r = Ev("request finalize " + ref);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("summary"), std::string::npos) << r.out;
  json s = Show(ref);
  EXPECT_EQ(s["state"], "draft");
  EXPECT_EQ(s["signature"], "");
  EXPECT_TRUE(CustodyOf("finalized", ref).empty());
  // Wrong transitions: a draft is not sent.
  r = Ev("request mark " + ref + " sent");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_EQ(Show(ref)["state"], "draft");
}

TEST_F(CoopCli, EditOfAFinalizedRequestIsANewVersionThatSupersedesIt) {
  std::string ref = New("preservation");
  Complete(ref, "preservation");
  ASSERT_EQ(Ev("request finalize " + ref).code, 0);
  json v1 = Show(ref + "@1");
  ASSERT_EQ(v1["state"], "finalized");

  Outcome r = Ev("request set " + ref + " summary \"Buyers in three countries paid for goods never sent.\"");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("v2"), std::string::npos) << r.out;
  json v2 = Show(ref);  // the latest version
  EXPECT_EQ(v2["version"], 2);
  EXPECT_EQ(v2["state"], "draft");
  EXPECT_EQ(v2["supersedes"], v1["id"]);
  EXPECT_EQ(v2["document"]["summary"], "Buyers in three countries paid for goods never sent.");
  json v1_after = Show(ref + "@1");
  EXPECT_EQ(v1_after["document"], v1["document"]);
  EXPECT_EQ(v1_after["signature"], v1["signature"]);
  EXPECT_EQ(v1_after["state"], "finalized");

  ASSERT_EQ(Ev("request finalize " + ref + "@2").code, 0);
  EXPECT_EQ(Show(ref + "@1")["state"], "superseded");
  EXPECT_EQ(Show(ref + "@2")["state"], "finalized");
  std::vector<json> fin = CustodyOf("finalized", ref);
  ASSERT_EQ(fin.size(), 2u);
  EXPECT_EQ(fin[1]["details"]["version"], 2);
  EXPECT_EQ(Ev(std::string("custody verify ") + kCase).code, 0);
}

// ---- Life, clocks, extensions, follow-ups ----

TEST_F(CoopCli, WrongTransitionsAreRefusedAndDueFollowsTheState) {
  std::string ref = SentPreservation();
  json due = Json("request due --within 90d --json");
  ASSERT_EQ(due.size(), 1u) << due.dump();
  EXPECT_EQ(due[0]["reference"], ref);
  EXPECT_EQ(due[0]["overdue"], false);
  EXPECT_TRUE(Json("request due --within 7d --json").empty());  // 60 days away

  Outcome r = Ev("request mark " + ref + " finalized");
  EXPECT_EQ(r.code, 1) << r.out;
  r = Ev("request mark " + ref + " answered --note \"data received\"");
  ASSERT_EQ(r.code, 0) << r.out;
  json s = Show(ref);
  EXPECT_EQ(s["state"], "answered");
  EXPECT_EQ(s["due"], "");
  r = Ev("request mark " + ref + " sent");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("is answered"), std::string::npos) << r.out;
  EXPECT_EQ(Show(ref)["state"], "answered");
  EXPECT_TRUE(Json("request due --within 90d --json").empty());
  EXPECT_EQ(CustodyOf("answered", ref).size(), 1u);
  EXPECT_EQ(Ev(std::string("custody verify ") + kCase).code, 0);
}

TEST_F(CoopCli, SentExtensionMovesThePreservationClockBySixtyDays) {
  std::string ref = SentPreservation();
  int64_t due = Utc(Show(ref).value("due", ""));
  ASSERT_GT(due, 0);
  Outcome r = Ev("request extend " + ref + "@1");
  ASSERT_EQ(r.code, 0) << r.out;
  json all = Json(std::string("request list --case ") + kCase + " --json");
  json ext;
  for (const json& x : all)
    if (x["follows"] == Show(ref)["id"]) ext = x;
  ASSERT_FALSE(ext.is_null()) << all.dump();
  const std::string ext_ref = ext["reference"];
  EXPECT_NE(ext_ref, ref);
  EXPECT_EQ(ext["document"]["status"], "extension");
  EXPECT_EQ(ext["document"]["earlier_reference"], ref);
  EXPECT_EQ(Ev("request extend " + ext_ref).code, 1) << "a draft is not extended";
  r = Ev("request check " + ext_ref);
  EXPECT_EQ(r.code, 0) << r.out;
  FinalizeAndSend(ext_ref);
  json orig = Show(ref);
  EXPECT_EQ(orig["state"], "sent");
  EXPECT_EQ(Utc(orig.value("due", "")), due + 60 * kDay) << orig["due"];
  EXPECT_NE(orig["history"].dump().find(ext_ref), std::string::npos) << orig["history"].dump();
}

TEST_F(CoopCli, FollowUpIsAnMlaDraftToTheCentralAuthority) {
  std::string ref = SentPreservation();
  Outcome r = Ev("request follow-up " + ref);
  ASSERT_EQ(r.code, 0) << r.out;
  json mla;
  for (const json& x : Json("request list --json"))
    if (x["type"] == "mla") mla = x;
  ASSERT_FALSE(mla.is_null());
  EXPECT_EQ(mla["state"], "draft");
  EXPECT_EQ(mla["follows"], Show(ref)["id"]);
  const json& d = mla["document"];
  EXPECT_EQ(d["addressee"]["key"], "FR-CA");
  EXPECT_EQ(d["addressee"]["kind"], "central_authority");
  EXPECT_EQ(d["status"], "followup_preservation");
  EXPECT_EQ(d["earlier_preservation"]["reference"], ref);
  EXPECT_EQ(d["earlier_preservation"]["authority"], "OFAC");
  EXPECT_EQ(d["identifiers"][0]["value"], "203.0.113.7");
  // An MLA request is not followed up, nor is a draft.
  EXPECT_EQ(Ev("request follow-up " + mla["reference"].get<std::string>()).code, 1);
}

// ---- Bad input ----

TEST_F(CoopCli, IdentifierNotInTheCaseIsRefused) {
  Outcome r = Ev(std::string("request new --case ") + kCase +
                 " --type preservation --to FR-OFAC --identifier 198.51.100.9");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("the case holds no artifact \"198.51.100.9\""), std::string::npos) << r.out;
  r = Ev(std::string("request new --case ") + kCase + " --type preservation --to XX-NONE --identifier 203.0.113.7");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("XX-NONE"), std::string::npos) << r.out;
  EXPECT_TRUE(Json("request list --json").empty());
}

TEST_F(CoopCli, CheckNamesABadTimeZone) {
  std::string ref = New("preservation");
  Complete(ref, "preservation");
  ASSERT_EQ(Ev("request set " + ref + " identifiers/0/time_zone Mars/Olympus").code, 0);
  Outcome r = Ev("request check " + ref);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("identifiers/0/time_zone"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"Mars/Olympus\" is not an IANA time zone"), std::string::npos) << r.out;
  EXPECT_EQ(Ev("request finalize " + ref).code, 1);
}

// Regression: an index into a list of text ("legal_basis/0/kind") threw out of SetField and
// aborted the CLI.
TEST_F(CoopCli, SetRefusesAFieldInsideAListOfText) {
  std::string ref = New("mla");
  json before = Show(ref)["document"];
  ASSERT_EQ(before["legal_basis"], json::array({"budapest"}));
  Outcome r = Ev("request set " + ref + " legal_basis/0/kind x");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("legal_basis"), std::string::npos) << r.out;
  r = Ev("request set " + ref + " nonsense 1");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("unknown field \"nonsense\""), std::string::npos) << r.out;
  EXPECT_EQ(Show(ref)["document"], before);
}

// ---- The directory ----

std::vector<std::string> Keys(const json& list) {
  std::vector<std::string> out;
  for (const json& e : list) out.push_back(e.value("key", ""));
  return out;
}

TEST_F(CoopCli, SignedExportsGoToAnotherUnitOnlyOnceItsKeyIsKnown) {
  ASSERT_EQ(Ev("directory export " + P("dir.json")).code, 0);
  ASSERT_EQ(Ev("directory export " + P("dir.csv")).code, 0);
  ASSERT_TRUE(std::filesystem::exists(P("dir.csv.sig")));
  json exported = json::parse(Read("dir.json"));
  EXPECT_EQ(exported["format"], "evidex-directory");
  EXPECT_EQ(exported["entries"].size(), 3u);
  EXPECT_EQ(exported["signer"], Read("ws/unit.pub").substr(0, exported["signer"].get<std::string>().size()));

  ASSERT_EQ(EvAt("ws2", "init --unit \"Office anti-cybercriminalité\" --country FR --no-passphrase").code, 0);
  for (const char* f : {"dir.json", "dir.csv"}) {
    Outcome r = EvAt("ws2", std::string("directory import ") + P(f));
    EXPECT_EQ(r.code, 5) << f << ": " << r.out;
    EXPECT_NE(r.out.find("does not know"), std::string::npos) << r.out;
  }
  EXPECT_TRUE(Json("directory list --json", "ws2").empty());

  // The second unit learns the first's key by receiving a package it trusts (receive --trust-key).
  ASSERT_EQ(Ev(std::string("package ") + kCase + " --no-data -o " + P("case.evx") + " --quiet").code, 0);
  std::string pub = Read("ws/unit.pub");
  while (!pub.empty() && (pub.back() == '\n' || pub.back() == ' ')) pub.pop_back();
  Outcome r = EvAt("ws2", "receive " + P("case.evx") + " --trust-key " + pub + " --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  r = EvAt("ws2", "directory import " + P("dir.csv"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("imported 3 entries"), std::string::npos) << r.out;
  r = EvAt("ws2", "directory import " + P("dir.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  json list = Json("directory list --json", "ws2");
  EXPECT_EQ(Keys(list), (std::vector<std::string>{"FR-CA", "FR-OFAC", "LK-OWN"}));
  // The sender's own card is not the receiver's.
  for (const json& e : list) EXPECT_EQ(e["own"], false) << e.dump();
}

TEST_F(CoopCli, ImportIntoTheSameWorkspaceAndTamperedFiles) {
  ASSERT_EQ(Ev("directory export " + P("dir.json")).code, 0);
  ASSERT_EQ(Ev("directory export " + P("dir.csv")).code, 0);
  ASSERT_EQ(Ev("directory remove FR-CA").code, 0);
  const std::vector<std::string> two{"FR-OFAC", "LK-OWN"};
  ASSERT_EQ(Keys(Json("directory list --json")), two);

  // One byte changed: refused, nothing imported.
  std::string j = Read("dir.json");
  size_t at = j.find("\"OFAC\"");
  ASSERT_NE(at, std::string::npos);
  j[at + 4] = 'D';  // "OFAD"
  Write("bad.json", j);
  Outcome r = Ev("directory import " + P("bad.json"));
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_NE(r.out.find("nothing imported"), std::string::npos) << r.out;
  std::string c = Read("dir.csv");
  at = c.find("OFAC");
  ASSERT_NE(at, std::string::npos);
  c[at] = 'P';  // "PFAC": still a valid entry, but not what was signed
  Write("bad.csv", c);
  Write("bad.csv.sig", Read("dir.csv.sig"));
  r = Ev("directory import " + P("bad.csv"));
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_EQ(Keys(Json("directory list --json")), two);
  json ofac = Json("directory show FR-OFAC --json");
  EXPECT_EQ(ofac["authority"], "OFAC");

  // Unchanged: imported (the unit's own key).
  r = Ev("directory import " + P("dir.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(Keys(Json("directory list --json")), (std::vector<std::string>{"FR-CA", "FR-OFAC", "LK-OWN"}));
  ASSERT_EQ(Ev("directory remove FR-CA").code, 0);
  r = Ev("directory import " + P("dir.csv"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(Keys(Json("directory list --json")), (std::vector<std::string>{"FR-CA", "FR-OFAC", "LK-OWN"}));
  // The unit's own card stays its own.
  EXPECT_EQ(Json("directory show LK-OWN --json")["own"], true);
}

TEST_F(CoopCli, UnsignedAndBadCsvFiles) {
  const std::string header = "key,country,authority,email,time_zone,last_verified,source";
  Write("de.csv", header + "\nDE-BKA,DE,Bundeskriminalamt,so41@bka.example.de,Europe/Berlin,2026-01-05,T-CY list\n");
  Outcome r = Ev("directory import " + P("de.csv"));
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_NE(r.out.find("not signed"), std::string::npos) << r.out;
  EXPECT_TRUE(Json("directory list --country DE --json").empty());
  r = Ev("directory import " + P("de.csv") + " --unsigned");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(Keys(Json("directory list --country DE --json")), std::vector<std::string>{"DE-BKA"});

  struct Bad {
    const char* name;
    std::string text, line, says;
  };
  const std::string nl = "\nNL-TEAM,NL,Politie,team@politie.example.nl,Europe/Amsterdam,2026-01-05,list\n";
  for (const Bad& b : std::vector<Bad>{
           {"column", header + ",colour" + "\nNL-TEAM,NL,Politie,team@politie.example.nl,Europe/Amsterdam,2026-01-05,list,red\n",
            "line 1", "unknown column \"colour\""},
           {"duplicate", header + nl + "NL-TEAM,NL,Politie 2,x@politie.example.nl,Europe/Amsterdam,2026-01-05,list\n",
            "line 3", "\"NL-TEAM\" is already in this file"},
           {"zone", header + nl + "BE-FCCU,BE,FCCU,fccu@police.example.be,Mars/Olympus,2026-01-05,list\n",
            "line 3", "\"Mars/Olympus\" is not an IANA time zone"}}) {
    Write("bad.csv", b.text);
    r = Ev("directory import " + P("bad.csv") + " --unsigned");
    EXPECT_EQ(r.code, 1) << b.name << ": " << r.out;
    EXPECT_NE(r.out.find("bad.csv: " + b.line + ": "), std::string::npos) << b.name << ": " << r.out;
    EXPECT_NE(r.out.find(b.says), std::string::npos) << b.name << ": " << r.out;
    EXPECT_NE(r.out.find("nothing imported"), std::string::npos) << b.name << ": " << r.out;
    EXPECT_TRUE(Json("directory list --country NL --json").empty()) << b.name;
    EXPECT_TRUE(Json("directory list --country BE --json").empty()) << b.name;
  }
}

TEST_F(CoopCli, ListFiltersAndTellsOpenNowAndStale) {
  ASSERT_EQ(Ev("directory add US-FBI --country US --authority FBI --email cyber@fbi.example.gov "
               "--time-zone America/New_York --hours \"Sat 00:00-00:01\" --verified 2020-01-01 --source \"old list\"")
                .code,
            0);
  json all = Json("directory list --json");
  ASSERT_EQ(all.size(), 4u);
  for (const json& e : all) {
    ASSERT_TRUE(e.contains("open_now")) << e.dump();
    ASSERT_TRUE(e.contains("stale")) << e.dump();
    EXPECT_EQ(e["stale"], e["key"] == "US-FBI") << e.dump();
    if (e["hours"] == "24/7") {
      EXPECT_EQ(e["open_now"], true) << e.dump();
    }
  }
  json open = Json("directory list --open-now --json");
  for (const json& e : open) EXPECT_EQ(e["open_now"], true) << e.dump();
  std::vector<std::string> keys = Keys(open);
  EXPECT_NE(std::find(keys.begin(), keys.end(), "FR-CA"), keys.end());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "LK-OWN"), keys.end());
  EXPECT_EQ(Keys(Json("directory list --country FR --json")), (std::vector<std::string>{"FR-CA", "FR-OFAC"}));
  Outcome r = Ev("directory show US-FBI");
  EXPECT_NE(r.out.find("STALE"), std::string::npos) << r.out;
  EXPECT_EQ(Ev("directory show XX-NONE").code, 1);
  r = Ev("directory add XX-BAD --country XX1 --authority A --email a@b.c --time-zone Mars/Olympus --source s");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("Mars/Olympus"), std::string::npos) << r.out;
}

// ---- Rendering ----

TEST_F(CoopCli, RenderedDocumentsCarryTheRequest) {
  std::string ref = New("preservation");
  Complete(ref, "preservation");
  // A draft is marked.
  const json en = Translations("en");
  Outcome r = Ev("request render " + ref + " -o " + P("draft.pdf") + " --language en");
  ASSERT_EQ(r.code, 0) << r.out;
  std::string text = Sh("pdftotext " + P("draft.pdf") + " -").out;
  EXPECT_NE(text.find(en["mark.draft"].get<std::string>()), std::string::npos) << text;

  ASSERT_EQ(Ev("request finalize " + ref).code, 0);
  ASSERT_EQ(Ev("request mark " + ref + " sent").code, 0);
  r = Ev("request render " + ref + "@1 -o " + P("p.pdf") + " --bilingual en");
  ASSERT_EQ(r.code, 0) << r.out;
  text = Sh("pdftotext " + P("p.pdf") + " -").out;
  for (const std::string& want : {ref, std::string("203.0.113.7"), std::string("seller@example.fr"),
                                  std::string("51234"), Translations("fr")["section.addressee"].get<std::string>(),
                                  en["section.addressee"].get<std::string>()})
    EXPECT_NE(text.find(want), std::string::npos) << want << " not in\n" << text;
  EXPECT_EQ(text.find(en["mark.draft"].get<std::string>()), std::string::npos) << "a finalized request is not a draft";
  // The identifiers' kinds and categories in both languages; an address with its port as
  // written everywhere.
  const std::string squeezed = Squeeze(text);
  EXPECT_NE(squeezed.find("203.0.113.7:51234"), std::string::npos) << text;
  for (const char* key : {"kind.ip", "kind.email", "category.subscriber"})
    for (const json& tr : {Translations("fr"), en})
      EXPECT_NE(squeezed.find(Squeeze(tr[key].get<std::string>())), std::string::npos) << key << " not in\n" << text;
  EXPECT_EQ(text.find("subscriber"), std::string::npos) << "a category code, not its text:\n" << text;

  for (const char* lang : {"ar", "zh"}) {
    std::string pdf = P(std::string(lang) + ".pdf");
    r = Ev("request render " + ref + " -o " + pdf + " --language " + lang);
    ASSERT_EQ(r.code, 0) << r.out;
    std::string t = Squeeze(Sh("pdftotext " + pdf + " -").out);
    EXPECT_NE(t.find(ref), std::string::npos) << lang;
    EXPECT_NE(t.find("203.0.113.7"), std::string::npos) << lang;
    const json tr = Translations(lang);
    for (const char* key : {"title.preservation", "section.case", "field.date"}) {
      std::string label = tr[key];
      ASSERT_EQ(label.find("لا"), std::string::npos) << key << ": pdftotext splits lam-alef";
      ASSERT_EQ(label.find("لإ"), std::string::npos) << key;
      EXPECT_NE(t.find(Squeeze(label)), std::string::npos) << lang << " " << key << " (" << label << ") not in\n" << t;
    }
  }

  r = Ev("request render " + ref + " -o " + P("p.docx") + " --language ar");
  ASSERT_EQ(r.code, 0) << r.out;
  std::string xml = Sh("unzip -p " + P("p.docx") + " word/document.xml").out;
  EXPECT_NE(xml.find("203.0.113.7"), std::string::npos);
  EXPECT_NE(xml.find("seller@example.fr"), std::string::npos);
  EXPECT_NE(xml.find(Translations("ar")["title.preservation"].get<std::string>()), std::string::npos);

  // LibreOffice opens the DOCX (Arabic beside Chinese) and reads back the identifiers and labels.
  if (Sh("command -v soffice").code != 0) {
    std::printf("[  SKIPPED ] LibreOffice (soffice, Debian libreoffice-writer-nogui) is not installed: "
                "the DOCX was checked as XML only\n");
  } else {
    r = Ev("request render " + ref + " -o " + P("arzh.docx") + " --language ar --bilingual zh");
    ASSERT_EQ(r.code, 0) << r.out;
    Outcome lo = Sh("HOME=" + P("lo-home") + " timeout 120 soffice --headless --convert-to txt:Text --outdir " +
                    P("lo") + " " + P("arzh.docx") + " 2>&1");
    ASSERT_EQ(lo.code, 0) << lo.out;
    std::ifstream in(P("lo/arzh.txt"), std::ios::binary);
    std::string t((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(t.empty()) << lo.out;
    for (const std::string& want : {ref, std::string("203.0.113.7"), std::string("seller@example.fr"),
                                    Translations("ar")["title.preservation"].get<std::string>(),
                                    Translations("zh")["title.preservation"].get<std::string>(),
                                    Translations("zh")["section.addressee"].get<std::string>()})
      EXPECT_NE(t.find(want), std::string::npos) << want << " not in LibreOffice's text:\n" << t;
  }

  r = Ev("request render " + ref + " -o " + P("de.pdf") + " --language de");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("no translation for 'de'"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(P("de.pdf")));
  r = Ev("request render " + ref + " -o " + P("p.txt"));
  EXPECT_EQ(r.code, 1) << r.out;
}

}  // namespace
}  // namespace evidex::testing
