// The API over HTTP: a real Server on 127.0.0.1 (port 0) over a workspace made by the evidex
// binary (init, cases, acquire --scan), reached with httplib::Client; and `evidex user`.
#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "server/server.h"
#include "store/store.h"

namespace evidex::server {
namespace {

using nlohmann::json;

struct Out {
  int code;
  std::string out;
};
Out Sh(const std::string& cmd) {
  Out r{-1, ""};
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string g_dir;                               // the suite's temporary directory
std::map<std::string, std::string> g_passwords;  // login -> password

Out Ev(const std::string& args) {
  return Sh("env -u EVIDEX_PASSPHRASE -u EVIDEX_DATA " + std::string(EVIDEX_BIN) + " --data " +
            g_dir + "/ws " + args + " </dev/null 2>&1");
}

// The one-time password `evidex user add|reset-password` prints (the indented line).
std::string PasswordIn(const std::string& out) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("    ", 0) == 0) return line.substr(4);
  return {};
}

std::string Image(size_t size, uint64_t seed, const std::string& text) {
  std::mt19937_64 rng(seed);
  std::string s(size, '\0');
  for (size_t i = 0; i < size; i += 8) {
    uint64_t v = rng();
    for (size_t k = 0; k < 8 && i + k < size; ++k) s[i + k] = char(v >> (8 * k));
  }
  s.replace(4096, text.size(), text);
  return s;
}

class Api : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/evidex-api-XXXXXX";
    g_dir = mkdtemp(tmpl);
    ASSERT_EQ(Ev("init --unit \"Cybercrime Unit, Colombo\" --country LK --no-passphrase").code, 0);
    ASSERT_EQ(Ev("case new --number 2026/1 --title One --examiner X").code, 0);
    ASSERT_EQ(Ev("case new --number 2026/2 --title Two --examiner X").code, 0);
    const std::string planted =
        " mail alice@example.org card 4111111111111111 url http://evil.example/x ";
    std::ofstream(g_dir + "/a.img", std::ios::binary) << Image(1 << 20, 1, planted);
    std::ofstream(g_dir + "/big.img", std::ios::binary) << Image(96u << 20, 2, planted);
    Out a =
        Ev("acquire 2026/1 " + g_dir + "/a.img --label Disk --scan --scan-out " + g_dir + "/s1 -q");
    ASSERT_EQ(a.code, 0) << a.out;
    ASSERT_EQ(
        Ev("acquire 2026/2 " + g_dir + "/a.img --label Same --scan --scan-out " + g_dir + "/s2 -q")
            .code,
        0);
    ASSERT_EQ(Ev("acquire 2026/1 " + g_dir + "/big.img --label Big -q").code, 0);  // E2
    // The API's evidence root, and what lies around it.
    std::filesystem::create_directories(g_dir + "/evidence/sub");
    std::filesystem::create_directories(g_dir + "/evidence-x");
    std::filesystem::copy_file(g_dir + "/a.img", g_dir + "/evidence/a.img");
    std::ofstream(g_dir + "/outside.img") << "outside the root";
    std::ofstream(g_dir + "/evidence-x/x.img") << "a sibling of the root";
    std::filesystem::create_symlink(g_dir + "/outside.img", g_dir + "/evidence/link.img");
    std::filesystem::create_symlink(g_dir + "/ws", g_dir + "/evidence/ws-link");
    // A hostile value stored as an artifact of E2 (as a scan of evidence would store it).
    {
      Result<std::unique_ptr<store::Store>> st = store::OpenStore({g_dir + "/ws/evidex.db"});
      ASSERT_TRUE(st.ok()) << st.status().ToString();
      Result<std::optional<store::Evidence>> e2 = (*st)->FindEvidence(1, "E2");
      ASSERT_TRUE(e2.ok() && e2->has_value());
      store::ScanRecord rec;
      rec.case_id = 1;
      rec.evidence_id = (*e2)->id;
      rec.parameters = "{}";
      rec.bytes_total = 1;
      Result<std::unique_ptr<store::ScanWriter>> w = (*st)->BeginScan(rec);
      ASSERT_TRUE(w.ok()) << w.status().ToString();
      store::OccurrenceIn o{"keyword", kScript, kScript, "4096", "ctx", false};
      ASSERT_TRUE((*w)->Add(std::span(&o, 1)).ok());
      ASSERT_TRUE((*w)->Finish("complete").ok());
    }
    for (const char* role : {"admin", "examiner", "investigator", "prosecutor", "viewer"}) {
      Out u = Ev(std::string("user add ") + role + " --role " + role + " --display-name \"The " +
                 role + "\"");
      ASSERT_EQ(u.code, 0) << u.out;
      g_passwords[role] = PasswordIn(u.out);
    }
    Out o = Ev("user add outsider --role examiner");
    g_passwords["outsider"] = PasswordIn(o.out);
  }
  static void TearDownTestSuite() {
    Sh("chmod -R u+w " + g_dir + " 2>/dev/null");
    std::filesystem::remove_all(g_dir);
  }

  void SetUp() override { Start(); }
  void TearDown() override { StopServer(); }

  void Start(const std::string& cert = "", const std::string& key = "", const std::string& web = "",
             std::vector<std::string> evidence_roots = {"@"}) {
    ServeOptions o;
    if (evidence_roots == std::vector<std::string>{"@"}) evidence_roots = {g_dir + "/evidence"};
    o.evidence_roots = evidence_roots;
    o.data_dir = g_dir + "/ws";
    o.port = 0;
    o.tls_cert = cert;
    o.tls_key = key;
    o.web_root = web;
    o.threads = 8;
    Result<std::unique_ptr<Server>> s = Server::Create(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    ASSERT_TRUE(server_->Bind().ok());
    thread_ = std::thread([this] { (void)server_->Run(); });
    cli_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    cli_->set_url_encode(false);
    if (!members_done_) {
      Session admin = Login("admin");
      for (const char* u : {"examiner", "investigator", "prosecutor", "viewer"})
        ASSERT_EQ(Post(admin, "/cases/1/members", json{{"user", u}}.dump())->status, 204) << u;
      members_done_ = true;
    }
  }
  void StopServer() {
    if (!server_) return;
    // The client hangs up first: a worker waits on an idle kept-alive connection until the
    // client closes it or the keep-alive timeout ends (seconds per test otherwise).
    cli_.reset();
    server_->Stop();
    thread_.join();
    server_.reset();
  }

  struct Session {
    std::string cookie, csrf;
  };
  // Signs in; a one-time password is changed first (to the same one + "-changed") unless
  // `keep_one_time`.
  Session Login(const std::string& user, bool keep_one_time = false) {
    auto r =
        cli_->Post("/api/v1/login", json{{"user", user}, {"password", g_passwords[user]}}.dump(),
                   "application/json");
    EXPECT_TRUE(r && r->status == 200) << user << " " << (r ? r->body : "no answer");
    if (!r || r->status != 200) return {};
    std::string set = r->get_header_value("Set-Cookie");
    Session s{set.substr(0, set.find(';')), json::parse(r->body)["csrf"]};
    if (keep_one_time || !json::parse(r->body)["user"]["must_change_password"].get<bool>())
      return s;
    std::string next = g_passwords[user] + "-changed";
    auto changed =
        Post(s, "/me/password", json{{"current", g_passwords[user]}, {"new", next}}.dump());
    EXPECT_TRUE(changed && changed->status == 204) << user;
    if (!changed || changed->status != 204) return {};
    g_passwords[user] = next;
    set = changed->get_header_value("Set-Cookie");
    return {set.substr(0, set.find(';')), changed->get_header_value("X-CSRF-Token")};
  }
  httplib::Headers H(const Session& s, bool csrf = true) {
    httplib::Headers h{{"Cookie", s.cookie}};
    if (csrf) h.emplace("X-CSRF-Token", s.csrf);
    return h;
  }
  httplib::Result Get(const Session& s, const std::string& path) {
    return cli_->Get(("/api/v1" + path).c_str(), H(s));
  }
  httplib::Result Post(const Session& s, const std::string& path, const std::string& body = "{}") {
    return cli_->Post(("/api/v1" + path).c_str(), H(s), body, "application/json");
  }
  json WaitJob(const Session& s, int64_t id, std::vector<uint64_t>* progress = nullptr) {
    for (int i = 0; i < 3000; ++i) {
      auto r = Get(s, "/jobs/" + std::to_string(id));
      json j = json::parse(r->body);
      if (progress) progress->push_back(j["bytes_done"]);
      if (j["state"] != "running" && j["state"] != "queued") return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return {};
  }

  static constexpr const char* kScript = "<script>alert(\"x\")</script>";
  static inline bool members_done_ = false;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> cli_;
};

// Every endpoint, with the roles allowed (one letter per role of kRoles: '1' allowed with
// `ok_status`, '0' refused with 403); '@' in a body is replaced by the role's name.
const std::vector<std::string> kRoles = {"admin", "examiner", "investigator", "prosecutor",
                                         "viewer"};
struct EndpointRow {
  std::string method, path, body;
  std::string allowed;
  int ok_status;
};
std::vector<EndpointRow> Endpoints() {
  return {
      {"GET", "/me", "", "11111", 200},
      {"GET", "/cases", "", "11111", 200},
      {"GET", "/cases/1", "", "11111", 200},
      {"GET", "/cases/1/members", "", "11111", 200},
      {"GET", "/cases/1/evidence", "", "11111", 200},
      {"GET", "/cases/1/evidence/E1", "", "11111", 200},
      {"GET", "/cases/1/custody", "", "11111", 200},
      {"GET", "/cases/1/scans", "", "11111", 200},
      {"GET", "/cases/1/artifacts", "", "11111", 200},
      {"GET", "/cases/1/artifacts/kinds", "", "11111", 200},
      {"GET", "/cases/1/correlations", "", "11111", 200},
      {"GET", "/cases/1/hits", "", "11111", 200},
      {"GET", "/cases/1/files?evidence=E1", "", "11111", 200},
      {"GET", "/cases/1/report", "", "11111", 200},
      {"GET", "/graph", "", "11111", 200},
      {"GET", "/search?q=alice%40example.org", "", "11111", 200},
      {"GET", "/jobs", "", "11111", 200},
      {"GET", "/cases/1/evidence/E1/bytes?offset=4096&length=16", "", "11110", 200},
      {"GET", "/users", "", "10000", 200},
      {"POST", "/users", R"({"name":"new-@","role":"viewer","display_name":"N"})", "10000", 201},
      {"POST", "/cases", R"({"number":"T-@","title":"t","offence":"o"})", "11100", 201},
      {"POST", "/cases/1/members", R"({"user":"viewer"})", "11000", 204},
      {"POST", "/cases/1/evidence",
       json{{"source", g_dir + "/evidence/nonexistent"}, {"label", "x"}, {"mode", "copy"}}.dump(),
       "11000", 400},
      {"POST", "/cases/1/evidence/E1/verify", "", "11000", 202},
      {"POST", "/cases/1/scans", R"({"evidence":["E99"]})", "11100", 404},
      {"DELETE", "/cases/1/members/outsider", "", "11000", 404},
      {"GET", "/directory", "", "11111", 200},
      {"POST", "/directory",
       R"({"key":"X-@","country":"FR","authority":"A","email":"a@b.fr","time_zone":"Europe/Paris","source":"s"})",
       "11100", 201},
      {"GET", "/requests/due", "", "11111", 200},
      {"GET", "/cases/1/requests", "", "11111", 200},
      {"POST", "/cases/1/requests", R"({"type":"preservation","to":"NO-SUCH-ENTRY"})", "11110", 404},
      {"POST", "/cases/1/requests/999999/finalize", "", "11110", 404},
      {"POST", "/cases/1/requests/999999/mark", R"({"state":"sent"})", "11110", 404},
      {"GET", "/cases/1/requests/999999", "", "11111", 404},
  };
}

TEST_F(Api, EveryEndpointWithEveryRole) {
  const std::vector<std::string>& roles = kRoles;
  const std::vector<EndpointRow> table = Endpoints();
  for (size_t r = 0; r < roles.size(); ++r) {
    Session s = Login(roles[r]);
    for (const EndpointRow& row : table) {
      std::string body = row.body;
      if (auto at = body.find('@'); at != std::string::npos) body.replace(at, 1, roles[r]);
      httplib::Result res = row.method == "GET" ? Get(s, row.path)
                            : row.method == "POST"
                                ? Post(s, row.path, body.empty() ? "{}" : body)
                                : cli_->Delete(("/api/v1" + row.path).c_str(), H(s));
      ASSERT_TRUE(res) << row.path;
      int want = row.allowed[r] == '1' ? row.ok_status : 403;
      EXPECT_EQ(res->status, want)
          << roles[r] << " " << row.method << " " << row.path << ": " << res->body;
      EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store") << row.path;
      EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY");
      if (want == 403) {
        EXPECT_EQ(json::parse(res->body)["code"], "forbidden");
      }
    }
  }
}

// A preservation request through the API: written from the case, refused while incomplete,
// completed with merge patches, finalized (not by a viewer), sent with its clock, rendered.
TEST_F(Api, CooperationRequestEndToEnd) {
  Session admin = Login("admin");
  for (const json& e : {json{{"key", "LK-OWN"}, {"own", true}, {"country", "LK"},
                             {"authority", "Sri Lanka Police CID"}, {"email", "cid@police.example.lk"},
                             {"time_zone", "Asia/Colombo"}, {"source", "own unit"}},
                        json{{"key", "FR-OFAC"}, {"country", "FR"}, {"authority", "OFAC"},
                             {"email", "ofac@example.fr"}, {"time_zone", "Europe/Paris"},
                             {"languages", {"fr"}}, {"legal_bases", {"budapest"}}, {"source", "T-CY"}}})
    ASSERT_EQ(Post(admin, "/directory", e.dump())->status, 201);
  auto bad_zone = Post(admin, "/directory", R"({"key":"Z","country":"FR","authority":"A","email":"a@b.fr","time_zone":"IST","source":"s"})");
  EXPECT_EQ(bad_zone->status, 400);
  EXPECT_NE(bad_zone->body.find("time_zone"), std::string::npos);

  Session ex = Login("examiner");
  auto made = Post(ex, "/cases/1/requests",
                   json{{"type", "preservation"}, {"to", "FR-OFAC"}, {"identifiers", {"alice@example.org"}}}.dump());
  // An artifact id as a number is the same identifier.
  auto by_id = Post(ex, "/cases/1/requests",
                    json{{"type", "mla"}, {"to", "FR-OFAC"},
                         {"identifiers", {json::parse(made->body)["document"]["identifiers"][0]["artifact"]}}}.dump());
  ASSERT_EQ(by_id->status, 201) << by_id->body;
  EXPECT_EQ(json::parse(by_id->body)["document"]["identifiers"][0]["value"], "alice@example.org");
  ASSERT_EQ(made->status, 201) << made->body;
  json r = json::parse(made->body);
  const std::string base = "/cases/1/requests/" + std::to_string(r["id"].get<int64_t>());
  EXPECT_EQ(r["state"], "draft");
  EXPECT_EQ(r["document"]["identifiers"][0]["value"], "alice@example.org");
  EXPECT_EQ(r["document"]["requesting"]["time_zone"], "Asia/Colombo");  // from the own card
  EXPECT_EQ(r["document"]["target_language"], "fr");
  bool names_summary = false;
  for (const json& p : r["problems"]) names_summary |= p["field"] == "summary";
  EXPECT_TRUE(names_summary);
  // The problems in the user's language (Accept-Language), each with its rule and values.
  httplib::Headers french = H(ex);
  french.emplace("Accept-Language", "fr-CH, fr;q=0.9, en;q=0.8");
  auto in_french = cli_->Get(("/api/v1" + base).c_str(), french);
  ASSERT_EQ(in_french->status, 200);
  bool french_summary = false;
  const json french_answer = json::parse(in_french->body);
  for (const json& p : french_answer["problems"])
    if (p["field"] == "summary") {
      french_summary = p["message"] == "L’exposé sommaire des faits n’est pas indiqué";
      EXPECT_EQ(p["code"], "summary.missing");
    }
  EXPECT_TRUE(french_summary) << in_french->body;
  for (const json& p : r["problems"]) {
    if (p["field"] == "summary") {
      EXPECT_EQ(p["message"], "The summary of the facts is missing");
    }
  }
  // The preview: a page of the draft as an image, the page count in X-Pages.
  auto page1 = Get(ex, base + "/document?format=png&page=1&dpi=40");
  ASSERT_EQ(page1->status, 200) << page1->body;
  EXPECT_EQ(page1->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(page1->body.substr(1, 3), "PNG");
  const int pages = std::atoi(page1->get_header_value("X-Pages").c_str());
  EXPECT_GE(pages, 1);
  EXPECT_EQ(Get(ex, base + "/document?format=png&page=" + std::to_string(pages + 1))->status, 404);
  EXPECT_EQ(Get(ex, base + "/document?format=png&dpi=9000")->status, 400);
  EXPECT_EQ(Get(ex, base + "/document?format=png&dpi=2")->status, 400);
  auto early = Post(ex, base + "/finalize");
  EXPECT_EQ(early->status, 400);
  EXPECT_NE(early->body.find("missing or wrong"), std::string::npos);
  EXPECT_EQ(Post(ex, base, R"({"nonsense": 1})")->status, 400);

  json patch = {{"summary", "Victims paid a shop that never delivered."},
                {"relationship", "The address sold the goods."},
                {"necessity", "Logs kept 90 days."},
                {"no_notification", true},
                {"confirmation_contact", "Insp. A. Perera"},
                {"operational_authority", "CID Colombo"},
                {"provider", {{"name", "Example Mail SAS"}}},
                {"offences", {{{"description", "fraud"}, {"provisions", "s. 7"}}}},
                {"requesting", {{"reply_channel", "e-mail"}}}};
  auto patched = Post(ex, base, patch.dump());
  ASSERT_EQ(patched->status, 200) << patched->body;
  r = json::parse(patched->body);
  ASSERT_TRUE(r["problems"].empty()) << r["problems"].dump();

  Session viewer = Login("viewer");
  EXPECT_EQ(Post(viewer, base + "/finalize")->status, 403);
  EXPECT_EQ(Post(viewer, base, R"({"summary":"x"})")->status, 403);
  auto fin = Post(ex, base + "/finalize");
  ASSERT_EQ(fin->status, 200) << fin->body;
  r = json::parse(fin->body);
  EXPECT_EQ(r["state"], "finalized");
  EXPECT_EQ(r["signature"].get<std::string>().size(), 128u);
  EXPECT_EQ(Post(ex, base + "/mark", R"({"state":"answered"})")->status, 400);  // not sent yet
  auto sent = Post(ex, base + "/mark", R"({"state":"sent","note":"by e-mail"})");
  ASSERT_EQ(sent->status, 200);
  r = json::parse(sent->body);
  EXPECT_EQ(r["state"], "sent");
  EXPECT_FALSE(r["due"].get<std::string>().empty());
  // A change of a finalized request is a new version; the signed one stays.
  auto v2 = Post(ex, base, R"({"summary":"changed"})");
  ASSERT_EQ(v2->status, 201);
  EXPECT_EQ(json::parse(v2->body)["version"], 2);
  EXPECT_NE(json::parse(Get(ex, base)->body)["document"]["summary"], "changed");

  auto due = Get(viewer, "/requests/due?within=90d");
  ASSERT_EQ(due->status, 200);
  EXPECT_EQ(json::parse(due->body).size(), 1u);
  auto pdf = Get(viewer, base + "/document?format=pdf&bilingual=en");
  ASSERT_EQ(pdf->status, 200);
  EXPECT_EQ(pdf->body.substr(0, 5), "%PDF-");
  auto docx = Get(viewer, base + "/document?format=docx&language=ar");
  ASSERT_EQ(docx->status, 200);
  EXPECT_EQ(docx->body.substr(0, 2), "PK");
  EXPECT_EQ(Get(viewer, base + "/document?format=pdf&language=de")->status, 400);
  // Outside the case: 404, as for any other case data.
  Session outsider = Login("outsider");
  EXPECT_EQ(Get(outsider, base)->status, 404);
  EXPECT_EQ(Get(ex, "/cases/2/requests/" + std::to_string(r["id"].get<int64_t>()))->status, 404);
}

TEST_F(Api, NonMembersGet404) {
  Session s = Login("outsider");
  for (const char* path :
       {"/cases/1", "/cases/1/evidence", "/cases/1/custody", "/cases/1/artifacts",
        "/cases/1/evidence/E1/bytes", "/cases/2", "/cases/999"}) {
    auto r = Get(s, path);
    EXPECT_EQ(r->status, 404) << path << r->body;
  }
  EXPECT_EQ(json::parse(Get(s, "/cases")->body).size(), 0u);
  // Another case's sightings are counted, never named.
  Session ex = Login("examiner");
  json search = json::parse(Get(ex, "/search?q=alice%40example.org")->body);
  ASSERT_FALSE(search.empty());
  for (const json& hit : search) {
    for (const json& s2 : hit["sightings"]) EXPECT_EQ(s2["case"], 1);
    EXPECT_EQ(hit["other_cases_hidden"], 1);
  }
}

TEST_F(Api, AuthenticationAndCsrf) {
  EXPECT_EQ(cli_->Get("/api/v1/cases")->status, 401);
  EXPECT_EQ(cli_->Get("/api/v1/cases", {{"Cookie", "evidex_session=forged"}})->status, 401);
  Session s = Login("examiner");
  EXPECT_EQ(cli_->Post("/api/v1/cases", {{"Cookie", s.cookie}}, "{}", "application/json")->status,
            403);
  auto wrong = cli_->Post("/api/v1/cases", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf + "x"}},
                          "{}", "application/json");
  EXPECT_EQ(json::parse(wrong->body)["code"], "csrf");
  EXPECT_EQ(Post(s, "/cases", "{bad json")->status, 400);
  EXPECT_EQ(Post(s, "/cases", R"({"number": 5, "title": "x"})")->status, 400);
  EXPECT_EQ(Post(s, "/cases", std::string(2 << 20, ' '))->status, 413);
  // Logout ends the session.
  EXPECT_EQ(Post(s, "/logout")->status, 204);
  EXPECT_EQ(Get(s, "/me")->status, 401);
}

TEST_F(Api, LoginRateLimit) {
  for (int i = 0; i < 5; ++i) {
    auto r = cli_->Post("/api/v1/login", R"({"user":"viewer","password":"wrong password"})",
                        "application/json");
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(json::parse(r->body)["code"], "bad_login");
  }
  auto r = cli_->Post("/api/v1/login",
                      json{{"user", "viewer"}, {"password", g_passwords["viewer"]}}.dump(),
                      "application/json");
  EXPECT_EQ(r->status, 429);
  EXPECT_GE(std::stoi(r->get_header_value("Retry-After")), 1);
  EXPECT_EQ(cli_->Post("/api/v1/login", "{}", "text/plain")->status, 400);
}

TEST_F(Api, DisabledUsersAndNewPasswordsEndSessions) {
  Session admin = Login("admin");
  Session v = Login("viewer");
  ASSERT_EQ(Get(v, "/me")->status, 200);
  EXPECT_EQ(Post(admin, "/users/viewer/disable")->status, 204);
  EXPECT_EQ(Get(v, "/me")->status, 401);
  EXPECT_EQ(cli_->Post("/api/v1/login",
                       json{{"user", "viewer"}, {"password", g_passwords["viewer"]}}.dump(),
                       "application/json")
                ->status,
            401);
  EXPECT_EQ(Post(admin, "/users/viewer/enable")->status, 204);
  v = Login("viewer");
  // `evidex user disable` in another process ends the session too.
  ASSERT_EQ(Ev("user disable viewer").code, 0);
  EXPECT_EQ(Get(v, "/me")->status, 401);
  ASSERT_EQ(Ev("user enable viewer").code, 0);
  v = Login("viewer");
  auto reset = Post(admin, "/users/viewer/reset-password");
  ASSERT_EQ(reset->status, 200);
  g_passwords["viewer"] = json::parse(reset->body)["password"];
  EXPECT_EQ(Get(v, "/me")->status, 401);
  v = Login("viewer", true);
  EXPECT_TRUE(json::parse(Get(v, "/me")->body)["user"]["must_change_password"].get<bool>());
  EXPECT_EQ(Post(v, "/me/password", R"({"current":"x","new":"short"})")->status, 400);
  std::string next = "a new long password";
  EXPECT_EQ(Post(v, "/me/password", json{{"current", g_passwords["viewer"]}, {"new", next}}.dump())
                ->status,
            204);
  g_passwords["viewer"] = next;
  Login("viewer");
}

TEST_F(Api, PathTraversalAndInjection) {
  Session s = Login("admin");
  for (const char* path :
       {"/cases/..%2F..%2Fetc%2Fpasswd", "/cases/../../etc/passwd",
        "/cases/1/evidence/..%2f..%2fetc%2fpasswd", "/cases/1/evidence/%2e%2e/bytes",
        "/cases/1%00/evidence", "/cases/1/artifacts/..%2F1", "/jobs/..%2F1",
        "/cases/1/evidence/E1%2F..%2F..%2Fetc%2Fpasswd/bytes"}) {
    auto r = Get(s, path);
    ASSERT_TRUE(r) << path;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << path << " " << r->status;
    EXPECT_EQ(r->body.find("root:"), std::string::npos);
  }
  EXPECT_EQ(Post(s, "/users/..%2F..%2Fetc/disable")->status, 404);
  EXPECT_EQ(Post(s, "/users/Admin';--/disable")->status, 400);
  for (const char* q : {"/cases/1/artifacts?q='%20OR%201=1%20--", "/search?q='%20OR%20'1'='1",
                        "/cases/1/artifacts?q=%25"}) {
    auto r = Get(s, q);
    ASSERT_EQ(r->status, 200) << q << r->body;
    json j = json::parse(r->body);
    EXPECT_EQ(j.is_array() ? j.size() : j["rows"].size(), 0u) << q;
  }
  EXPECT_EQ(Get(s, "/cases/1/artifacts?kind=email'%20--")->status, 400);
  EXPECT_EQ(Get(s, "/cases/1/artifacts?sort=value;drop")->status, 400);
  EXPECT_EQ(Get(s, "/cases/1/artifacts?cursor=forged")->status, 400);
  EXPECT_EQ(Get(s, "/cases/1/evidence/E1/bytes?offset=99999999")->status, 400);
  EXPECT_EQ(Get(s, "/cases/1/evidence/E1/bytes?length=4097")->status, 400);
  // A script payload in evidence comes back as JSON, verbatim.
  auto r = Get(s, "/cases/1/artifacts?kind=keyword");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  json rows = json::parse(r->body)["rows"];
  ASSERT_EQ(rows.size(), 1u) << r->body;
  EXPECT_EQ(rows[0]["value"], kScript);
  EXPECT_NE(r->body.find("<script>alert(\\\"x\\\")</script>"), std::string::npos);
}

TEST_F(Api, CardsMaskedForProsecutorsAndBytesRead) {
  Session p = Login("prosecutor");
  Session i = Login("investigator");
  json pj = json::parse(Get(p, "/cases/1/artifacts?kind=ccn")->body)["rows"];
  json ij = json::parse(Get(i, "/cases/1/artifacts?kind=ccn")->body)["rows"];
  ASSERT_EQ(pj.size(), 1u);
  EXPECT_EQ(pj[0]["value"], "411111******1111");
  EXPECT_EQ(ij[0]["value"], "4111111111111111");
  json occ = json::parse(
      Get(i, "/cases/1/artifacts/" + std::to_string(ij[0]["id"].get<int64_t>()) + "/occurrences")
          ->body);
  ASSERT_FALSE(occ.empty());
  // The artifact page: the case's counts of that one artifact; an id the case lacks is 404.
  const std::string card = "/cases/1/artifacts/" + std::to_string(ij[0]["id"].get<int64_t>());
  json one = json::parse(Get(i, card)->body)["artifact"];
  EXPECT_EQ(one["value"], "4111111111111111");
  EXPECT_EQ(one["occurrences_here"], ij[0]["occurrences_here"]);
  EXPECT_EQ(one["evidence_count"], 1);
  EXPECT_EQ(json::parse(Get(p, card)->body)["artifact"]["value"], "411111******1111");
  EXPECT_EQ(Get(i, "/cases/1/artifacts/987654321")->status, 404);
  json listed = json::parse(Get(i, "/cases/1/artifacts?q=4111")->body);
  EXPECT_EQ(listed["total"], 1);
  EXPECT_EQ(listed["total_exact"], true);
  json b = json::parse(Get(i, "/cases/1/evidence/E1/bytes?offset=4096&length=6")->body);
  EXPECT_EQ(b["hex"], "206d61696c20");  // " mail "
  EXPECT_EQ(b["size"], 1 << 20);
}

TEST_F(Api, ReadsAreAuditedInCustody) {
  Session p = Login("prosecutor");
  ASSERT_EQ(Get(p, "/cases/1/evidence/E1")->status, 200);
  bool found = false;
  for (int i = 0; i < 200 && !found; ++i) {
    json c = json::parse(Get(p, "/cases/1/custody")->body);
    EXPECT_TRUE(c["verification"]["ok"].get<bool>()) << c["verification"].dump();
    for (const json& r : c["records"])
      if (r["action"] == "viewed" && r["actor"] == "The prosecutor (prosecutor)" &&
          r["details"]["what"] == "evidence")
        found = true;
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(found);
}

TEST_F(Api, ScanJobProgressesAndCancels) {
  Session s = Login("examiner");
  auto r = Post(s, "/cases/1/scans", R"({"evidence":["E2"]})");
  ASSERT_EQ(r->status, 202) << r->body;
  json job = json::parse(r->body);
  EXPECT_EQ(job["kind"], "scan");
  std::vector<uint64_t> progress;
  json done = WaitJob(s, job["id"], &progress);
  ASSERT_EQ(done["state"], "complete") << done.dump();
  EXPECT_EQ(done["bytes_done"], 96u << 20);
  std::set<uint64_t> distinct(progress.begin(), progress.end());
  EXPECT_GE(distinct.size(), 2u) << "progress did not move";
  json scans = json::parse(Get(s, "/cases/1/scans")->body);
  EXPECT_EQ(scans.back()["status"], "complete");
  // Cancelled right away.
  json again = json::parse(Post(s, "/cases/1/scans", R"({"evidence":["E2"]})")->body);
  auto c = Post(s, "/jobs/" + std::to_string(again["id"].get<int64_t>()) + "/cancel");
  EXPECT_EQ(c->status, 202);
  json end = WaitJob(s, again["id"]);
  EXPECT_EQ(end["state"], "cancelled") << end.dump();
  // A viewer may not cancel; an outsider does not see the job.
  Session o = Login("outsider");
  EXPECT_EQ(Get(o, "/jobs/" + std::to_string(again["id"].get<int64_t>()))->status, 404);
}

TEST_F(Api, AcquireAndVerifyJobs) {
  Session s = Login("examiner");
  auto r = Post(
      s, "/cases/1/evidence",
      json{
          {"source", g_dir + "/evidence/a.img"}, {"label", "USB"}, {"mode", "copy"}, {"scan", true}}
          .dump());
  ASSERT_EQ(r->status, 202) << r->body;
  json done = WaitJob(s, json::parse(r->body)["id"]);
  ASSERT_EQ(done["state"], "complete") << done.dump();
  std::string name = done["result"]["evidence"];
  json e = json::parse(Get(s, "/cases/1/evidence/" + name)->body);
  EXPECT_EQ(e["state"], "complete");
  EXPECT_EQ(e["verification"]["state"], "never");
  json v = json::parse(Post(s, "/cases/1/evidence/" + name + "/verify")->body);
  EXPECT_EQ(WaitJob(s, v["id"])["state"], "complete");
  e = json::parse(Get(s, "/cases/1/evidence/" + name)->body);
  EXPECT_EQ(e["verification"]["state"], "verified");
}

TEST_F(Api, StaticRootCannotBeEscaped) {
  StopServer();
  std::string web = g_dir + "/web";
  std::filesystem::create_directories(web + "/assets");
  std::ofstream(web + "/index.html") << "<!doctype html><title>evidex</title>";
  std::ofstream(web + "/assets/app.js") << "console.log(1)";
  std::ofstream(g_dir + "/secret.txt") << "root:x:0:0 secret";
  Start("", "", web);
  auto index = cli_->Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(index->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(cli_->Get("/assets/app.js")->get_header_value("Content-Type"), "text/javascript");
  for (const char* path :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/assets/../../secret.txt",
        "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2F..%2Fetc%2Fpasswd",
        "/assets/%2e%2e/%2e%2e/secret.txt"}) {
    auto r = cli_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << path << " " << r->status;
    EXPECT_EQ(r->body.find("root:"), std::string::npos) << path;
  }
  // Dot-files, directories (no listing) and links out of the root are never served.
  std::filesystem::create_directories(web + "/.git");
  std::ofstream(web + "/.env") << "SECRET=1";
  std::ofstream(web + "/.git/config") << "SECRET=2";
  std::ofstream(web + "/assets/.hidden.js") << "SECRET=3";
  std::filesystem::create_symlink(g_dir + "/secret.txt", web + "/assets/out.txt");
  for (const char* path : {"/.env", "/%2eenv", "/.git/config", "/.git/", "/assets/.hidden.js",
                           "/assets", "/assets/", "/assets/out.txt", "/.", "/./.env"}) {
    auto r = cli_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << path << " " << r->status;
    EXPECT_EQ(r->body.find("SECRET"), std::string::npos) << path;
    EXPECT_EQ(r->body.find("root:"), std::string::npos) << path;
    EXPECT_EQ(r->body.find("app.js"), std::string::npos) << path;
  }
  EXPECT_EQ(cli_->Get("/index.html")->status, 200);
}

// A one-time password opens GET /me, POST /me/password and POST /logout only; once changed, the
// new session works.
TEST_F(Api, OneTimePasswordOpensOnlyThePasswordChange) {
  Out u = Ev("user add fresh --role admin");
  ASSERT_EQ(u.code, 0) << u.out;
  g_passwords["fresh"] = PasswordIn(u.out);
  Session s = Login("fresh", true);
  for (const EndpointRow& row : Endpoints()) {
    if (row.method == "GET" && row.path == "/me") continue;
    std::string body = row.body.empty() ? "{}" : row.body;
    if (auto at = body.find('@'); at != std::string::npos) body.replace(at, 1, "fresh");
    httplib::Result res = row.method == "GET" ? Get(s, row.path)
                          : row.method == "POST"
                              ? Post(s, row.path, body)
                              : cli_->Delete(("/api/v1" + row.path).c_str(), H(s));
    ASSERT_TRUE(res) << row.path;
    EXPECT_EQ(res->status, 403) << row.method << " " << row.path << ": " << res->body;
    EXPECT_EQ(json::parse(res->body)["code"], "password_change_required") << row.path;
  }
  json me = json::parse(Get(s, "/me")->body);
  EXPECT_TRUE(me["user"]["must_change_password"].get<bool>());
  EXPECT_EQ(Post(s, "/logout")->status, 204);
  EXPECT_EQ(Get(s, "/me")->status, 401);
  s = Login("fresh", true);
  EXPECT_EQ(
      Post(s, "/me/password", R"({"current":"wrong password!","new":"long enough pw"})")->status,
      403);
  EXPECT_EQ(Get(s, "/cases")->status, 403);
  Session changed = Login("fresh");  // changes it
  ASSERT_FALSE(changed.cookie.empty());
  EXPECT_FALSE(json::parse(Get(changed, "/me")->body)["user"]["must_change_password"].get<bool>());
  for (const char* path : {"/cases", "/cases/1", "/users", "/jobs"})
    EXPECT_EQ(Get(changed, path)->status, 200) << path;
  EXPECT_EQ(Get(s, "/me")->status, 401);  // the one-time session ended with the change
}

TEST_F(Api, AcquisitionOnlyInsideEvidenceRoots) {
  Session s = Login("examiner");
  const std::string root = g_dir + "/evidence";
  struct Row {
    std::string source;
    int status;
  };
  const std::vector<Row> table = {
      {root + "/a.img", 202},
      {root + "/sub/../a.img", 202},
      {root + "/nonexistent", 400},
      {root + "/../outside.img", 403},  // ".." out of the root
      {root + "/sub/../../outside.img", 403},
      {root + "/link.img", 403},          // a link inside the root to a file outside
      {root + "/ws-link/unit.key", 403},  // the workspace through a link
      {g_dir + "/ws/unit.key", 403},      // the workspace's own key
      {g_dir + "/ws/evidex.db", 403},
      {g_dir + "/evidence-x/x.img", 403},  // a sibling sharing the root's prefix
      {"/etc/shadow", 403},
      {"/etc/no-such-file", 403},  // existence outside the roots is not told
      {"/dev/zero", 403},
      {"relative/a.img", 400},
  };
  std::string outside_reason;
  for (const Row& row : table) {
    auto r = Post(s, "/cases/1/evidence",
                  json{{"source", row.source}, {"label", "x"}, {"mode", "reference"}}.dump());
    ASSERT_TRUE(r) << row.source;
    EXPECT_EQ(r->status, row.status) << row.source << ": " << r->body;
    json j = json::parse(r->body);
    if (row.status == 202) {
      EXPECT_EQ(WaitJob(s, j["id"])["state"], "complete") << row.source;
    } else if (row.status == 403) {
      EXPECT_EQ(j["code"], "forbidden");
      EXPECT_EQ(j["error"].get<std::string>().find('\n'), std::string::npos);
      EXPECT_EQ(j["error"].get<std::string>().find(row.source), std::string::npos);
    }
    if (row.source == "/etc/shadow") outside_reason = j["error"];
    if (row.source == "/etc/no-such-file") {
      EXPECT_EQ(j["error"], outside_reason);
    }
  }
  // Without any --evidence-root, nothing is acquired over the API.
  StopServer();
  Start("", "", "", {});
  s = Login("examiner");
  auto r = Post(s, "/cases/1/evidence",
                json{{"source", root + "/a.img"}, {"label", "x"}, {"mode", "copy"}}.dump());
  ASSERT_EQ(r->status, 403);
  EXPECT_EQ(json::parse(r->body),
            json({{"code", "forbidden"},
                  {"error", "acquisition over the API needs evidex serve --evidence-root DIR"}}));
  // A root that is not a directory is refused at start.
  ServeOptions o;
  o.data_dir = g_dir + "/ws";
  o.port = 0;
  o.evidence_roots = {g_dir + "/outside.img"};
  StopServer();
  EXPECT_EQ(Server::Create(o).status().code(), Code::kInvalidArgument);
}

TEST_F(Api, MeNamesTheUnit) {
  Session s = Login("viewer");
  json me = json::parse(Get(s, "/me")->body);
  EXPECT_EQ(me["unit"], "Cybercrime Unit, Colombo (LK)");
}

TEST_F(Api, ReportEvidenceRowsAreTheCaseOnes) {
  Session s = Login("admin");
  json c = json::parse(Get(s, "/cases/1")->body);
  json report = json::parse(Get(s, "/cases/1/report")->body);
  ASSERT_FALSE(c["evidence"].empty());
  EXPECT_EQ(report["evidence"], c["evidence"]);
  EXPECT_TRUE(report["evidence"][0].contains("id"));
  EXPECT_TRUE(report["evidence"][0].contains("verification"));
}

TEST_F(Api, FailedScanJobSaysWhy) {
  Session s = Login("admin");
  std::string gone = g_dir + "/evidence/gone.img";
  std::ofstream(gone, std::ios::binary) << Image(64 << 10, 9, "nothing here");
  auto r = Post(s, "/cases/2/evidence",
                json{{"source", gone}, {"label", "Gone"}, {"mode", "reference"}}.dump());
  ASSERT_EQ(r->status, 202) << r->body;
  json acquired = WaitJob(s, json::parse(r->body)["id"]);
  ASSERT_EQ(acquired["state"], "complete") << acquired.dump();
  std::string name = acquired["result"]["evidence"];
  std::filesystem::remove(gone);
  auto scan = Post(s, "/cases/2/scans", json{{"evidence", {name}}}.dump());
  ASSERT_EQ(scan->status, 202) << scan->body;
  json done = WaitJob(s, json::parse(scan->body)["id"]);
  EXPECT_EQ(done["state"], "failed") << done.dump();
  std::string message = done["message"];
  EXPECT_EQ(message.rfind("the scan failed: ", 0), 0u) << message;
  EXPECT_GT(message.size(), std::string("the scan failed: ").size());
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

// `evidex serve` without --web-root finds build/web-ui beside build/src/cli/evidex, or says it
// serves the API only; the banner names the web root.
TEST_F(Api, ServeFindsTheBuiltWebUi) {
  StopServer();
  std::filesystem::path ui =
      std::filesystem::path(EVIDEX_BIN).parent_path() / ".." / ".." / "web-ui";
  bool built = std::filesystem::exists(ui / "index.html");
  Out out = Sh("env -u EVIDEX_PASSPHRASE timeout -s INT 3 " + std::string(EVIDEX_BIN) + " --data " +
               g_dir + "/ws serve --listen 127.0.0.1:0 2>&1");
  EXPECT_NE(out.out.find("evidex serve: http://127.0.0.1:"), std::string::npos) << out.out;
  if (built) {
    EXPECT_NE(out.out.find("web UI from " + std::filesystem::canonical(ui).string()),
              std::string::npos)
        << out.out;
  } else {
    EXPECT_NE(out.out.find("the web UI was not found"), std::string::npos) << out.out;
    EXPECT_NE(out.out.find("--web-root"), std::string::npos) << out.out;
    EXPECT_NE(out.out.find("(API only)"), std::string::npos) << out.out;
  }
}

TEST_F(Api, TlsCookieIsSecure) {
  StopServer();
  std::string cert = g_dir + "/cert.pem", key = g_dir + "/key.pem";
  ASSERT_EQ(Sh("openssl req -x509 -newkey ed25519 -keyout " + key + " -out " + cert +
               " -days 1 -nodes -subj /CN=localhost 2>&1")
                .code,
            0);
  Start(cert, key);
  httplib::SSLClient tls("127.0.0.1", server_->port());
  tls.enable_server_certificate_verification(false);
  auto r = tls.Post("/api/v1/login",
                    json{{"user", "examiner"}, {"password", g_passwords["examiner"]}}.dump(),
                    "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200);
  std::string cookie = r->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
}

TEST(ApiFirstStart, CreatesAdminOnce) {
  char tmpl[] = "/tmp/evidex-api1-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  ASSERT_EQ(Sh("env -u EVIDEX_PASSPHRASE " + std::string(EVIDEX_BIN) + " --data " + dir +
               "/ws init --unit U --country LK --no-passphrase 2>&1")
                .code,
            0);
  ServeOptions o;
  o.data_dir = dir + "/ws";
  o.port = 0;
  Result<std::unique_ptr<Server>> s = Server::Create(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->initial_admin_password().size(), 20u);
  s = Result<std::unique_ptr<Server>>(Internal("reset"));
  Result<std::unique_ptr<Server>> again = Server::Create(o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->initial_admin_password(), "");
  Out list = Sh(std::string(EVIDEX_BIN) + " --data " + dir + "/ws user list --json");
  json users = json::parse(list.out);
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]["name"], "admin");
  EXPECT_EQ(users[0]["role"], "admin");
  EXPECT_TRUE(users[0]["must_change_password"].get<bool>());
  EXPECT_FALSE(users[0].contains("password_hash"));
  std::filesystem::remove_all(dir);
}

TEST(UserCli, AddListDisableResetPassword) {
  char tmpl[] = "/tmp/evidex-user-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto ev = [&](const std::string& args) {
    return Sh("env -u EVIDEX_PASSPHRASE " + std::string(EVIDEX_BIN) + " --data " + dir + "/ws " +
              args + " 2>&1");
  };
  ASSERT_EQ(ev("init --unit U --country LK --no-passphrase").code, 0);
  Out add = ev("user add aperera --role investigator --display-name \"Insp. A. Perera\"");
  ASSERT_EQ(add.code, 0) << add.out;
  EXPECT_EQ(PasswordIn(add.out).size(), 20u);
  EXPECT_EQ(ev("user add aperera --role viewer").code, 1);
  EXPECT_EQ(ev("user add Bad/Name --role viewer").code, 1);
  EXPECT_EQ(ev("user add x --role god").code, 1);
  EXPECT_EQ(ev("user disable nobody").code, 1);
  ASSERT_EQ(ev("user disable aperera").code, 0);
  json users = json::parse(ev("user list --json").out);
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]["display_name"], "Insp. A. Perera");
  EXPECT_TRUE(users[0]["disabled"].get<bool>());
  ASSERT_EQ(ev("user enable aperera").code, 0);
  Out reset = ev("user reset-password aperera");
  ASSERT_EQ(reset.code, 0);
  EXPECT_EQ(PasswordIn(reset.out).size(), 20u);
  EXPECT_NE(PasswordIn(reset.out), PasswordIn(add.out));
  Out table = ev("user list");
  EXPECT_NE(table.out.find("aperera"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace evidex::server
