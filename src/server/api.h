// The API's shared machinery (internal to the server): the route wrapper every endpoint goes
// through (session, user, CSRF, a store connection, errors), the case access check (membership,
// rights), audit records, and the JSON forms of the store's rows. The endpoints themselves are in
// api_session.cc, api_users.cc, api_cases.cc, api_jobs.cc and api_artifacts.cc, each registering
// its routes with one Register* function.
//
// Thread safety: an Api is shared by every request worker; its members are thread-safe (see
// each type), a Call belongs to one request.
#ifndef EVIDEX_SERVER_API_H_
#define EVIDEX_SERVER_API_H_

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "server/access.h"
#include "server/admission.h"
#include "server/audit.h"
#include "server/auth.h"
#include "server/http_util.h"
#include "server/jobs.h"
#include "server/server.h"
#include "server/store_pool.h"
#include "server/users.h"
#include "store/store.h"
#include "vault/keys.h"

namespace evidex::server {

constexpr char kCookieName[] = "evidex_session";
constexpr char kApiPrefix[] = "/api/v1";

// One request as a handler sees it.
struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  StorePool::Lease& db;
  store::User user;   // the signed-in user (empty for the login route)
  std::string token;  // the session cookie ("" without one)
  std::string csrf;   // the session's CSRF token
  store::Store& store() { return db.store(); }
  std::string Param(int i) const { return req.matches[i].str(); }
  // "Insp. A. Perera (aperera)": the actor of custody records.
  std::string Actor() const;
};

class Api {
 public:
  Api(const ServeOptions& options, httplib::Server& http, StorePool& pool, SessionTable& sessions,
      LoginLimiter& limiter, AuditWriter& audit, JobRegistry& jobs, const vault::SigningKey& key,
      store::Unit unit, bool tls);

  using Handler = std::function<void(Call&)>;
  enum class Method { kGet, kPost, kDelete };
  // Registers `handler` for kApiPrefix + `pattern` (a regular expression; its groups are the
  // path parameters). Unless `open`, the request needs a live session, and a POST or DELETE its
  // CSRF token.
  void Route(Method method, const std::string& pattern, Handler handler, bool open = false);

  // The case of path parameter `param` when the user may read it: digits, existing, and the
  // user a member (or an admin). Otherwise sends 400 / 404 and returns nullopt.
  std::optional<store::Case> OpenCase(Call& call, const std::string& param);
  // The evidence of path parameter `param` in case `c`; 400 / 404 sent otherwise.
  std::optional<store::Evidence> OpenEvidence(Call& call, const store::Case& c,
                                              const std::string& param);
  // True when the user's role has `right`; else sends 403 and returns false.
  bool Require(Call& call, Right right);
  // The ids of the cases the user sees (every case for admin: `all` set).
  std::set<int64_t> VisibleCases(Call& call, bool* all);

  // Queues a custody record for case `c`: `action` ("viewed" for reads), the endpoint's name
  // and its parameters as details.
  void Audit(Call& call, const store::Case& c, const std::string& what,
             nlohmann::json params = nlohmann::json::object(),
             const std::string& evidence_uuid = "", const std::string& action = "viewed");

  // Sets the session cookie (empty token: clears it).
  void SetSessionCookie(httplib::Response& res, const std::string& token) const;

  const ServeOptions& options() const { return options_; }
  StorePool& pool() { return pool_; }
  SessionTable& sessions() { return sessions_; }
  LoginLimiter& limiter() { return limiter_; }
  AuditWriter& audit() { return audit_; }
  JobRegistry& jobs() { return jobs_; }
  const vault::SigningKey& key() const { return key_; }
  const store::Unit& unit() const { return unit_; }

 private:
  // `before_password_change`: the route answers a user whose must_change_password is set (GET
  // /me, POST /me/password, POST /logout); every other one refuses them with 403
  // password_change_required.
  void Serve(const httplib::Request& req, httplib::Response& res, Method method,
             const Handler& handler, bool open, bool before_password_change);

  const ServeOptions& options_;
  httplib::Server& http_;
  StorePool& pool_;
  SessionTable& sessions_;
  LoginLimiter& limiter_;
  AuditWriter& audit_;
  JobRegistry& jobs_;
  const vault::SigningKey& key_;
  store::Unit unit_;
  bool tls_;
  AdmissionGate gate_;
};

// The case's custody records and signed head read in one transaction: read apart, an audit
// record appended between the two reads would look like a deleted record.
Status ReadChain(store::Store& store, int64_t case_id, std::vector<vault::CustodyRecord>* records,
                 std::optional<vault::CustodyHead>* head);

void RegisterSessionRoutes(Api& api);   // api_session.cc: login, logout, me
void RegisterUserRoutes(Api& api);      // api_users.cc
void RegisterCaseRoutes(Api& api);      // api_cases.cc: cases, members, evidence, custody, bytes
void RegisterJobRoutes(Api& api);       // api_jobs.cc: acquisition, verification, scans, jobs
void RegisterArtifactRoutes(Api& api);  // api_artifacts.cc
void RegisterCoopRoutes(Api& api);      // api_coop.cc: the 24/7 directory, cooperation requests

// JSON forms (api_json.cc). Values from evidence are returned as stored (masked where the role
// says so): the UI escapes them.
nlohmann::json CaseJson(const store::Case& c, uint64_t evidence_count);
// `Evidence` of docs/API.md, its verification state read from the case's custody `records`
// (GET /cases/{c}, its evidence endpoints and the report).
nlohmann::json EvidenceJson(const store::Evidence& e,
                            const std::vector<vault::CustodyRecord>& records);
nlohmann::json ScanJson(const store::ScanRecord& s, const std::string& evidence_name,
                        const std::string& now);
nlohmann::json ArtifactJson(const store::Artifact& a, store::Role role);
nlohmann::json SightingJson(const store::Sighting& s);

}  // namespace evidex::server

#endif  // EVIDEX_SERVER_API_H_
