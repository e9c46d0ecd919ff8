#include "server/api.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "vault/custody.h"

namespace evidex::server {
namespace {

// The value of cookie `name` in the request's Cookie headers, "" when absent.
std::string CookieValue(const httplib::Request& req, const std::string& name) {
  size_t n = req.get_header_value_count("Cookie");
  for (size_t i = 0; i < n; ++i) {
    std::string header = req.get_header_value("Cookie", i);
    size_t pos = 0;
    while (pos < header.size()) {
      size_t end = header.find(';', pos);
      if (end == std::string::npos) end = header.size();
      std::string part = header.substr(pos, end - pos);
      size_t b = part.find_first_not_of(' ');
      if (b != std::string::npos) part = part.substr(b);
      if (part.size() > name.size() && part.compare(0, name.size(), name) == 0 &&
          part[name.size()] == '=')
        return part.substr(name.size() + 1);
      pos = end + 1;
    }
  }
  return {};
}

}  // namespace

std::string Call::Actor() const { return user.display_name + " (" + user.name + ")"; }

Api::Api(const ServeOptions& options, httplib::Server& http, StorePool& pool,
         SessionTable& sessions, LoginLimiter& limiter, AuditWriter& audit, JobRegistry& jobs,
         const vault::SigningKey& key, store::Unit unit, bool tls)
    : options_(options),
      http_(http),
      pool_(pool),
      sessions_(sessions),
      limiter_(limiter),
      audit_(audit),
      jobs_(jobs),
      key_(key),
      unit_(std::move(unit)),
      tls_(tls),
      gate_(options.query_slots > 0 ? options.query_slots : DefaultQuerySlots()) {}

int DefaultQuerySlots() { return int(std::max(2u, std::thread::hardware_concurrency())); }

void Api::Route(Method method, const std::string& pattern, Handler handler, bool open) {
  std::string full = std::string(kApiPrefix) + pattern;
  // What a user who must change their password may still do: see who they are, change it, leave.
  const bool before_password_change = (method == Method::kGet && pattern == "/me") ||
                                      (method == Method::kPost && pattern == "/me/password") ||
                                      (method == Method::kPost && pattern == "/logout");
  auto h = [this, method, handler, open, before_password_change](const httplib::Request& req,
                                                                 httplib::Response& res) {
    Serve(req, res, method, handler, open, before_password_change);
  };
  switch (method) {
    case Method::kGet:
      http_.Get(full, h);
      break;
    case Method::kPost:
      http_.Post(full, h);
      break;
    case Method::kDelete:
      http_.Delete(full, h);
      break;
  }
}

void Api::Serve(const httplib::Request& req, httplib::Response& res, Method method,
                const Handler& handler, bool open, bool before_password_change) {
  // Every route but login waits its turn at the gate (admission.h). Login stays outside: its
  // Argon2id hash is slow on purpose and is bounded by the login rate limit instead.
  std::optional<AdmissionGate::Ticket> ticket;
  if (!open) ticket.emplace(gate_);
  Result<StorePool::Lease> lease = pool_.Take();
  if (!lease.ok()) {
    std::fprintf(stderr, "evidex serve: cannot open the store: %s\n",
                 lease.status().message().c_str());
    SendError(res, 500, "internal", "the store could not be opened");
    return;
  }
  Call call{req, res, *lease, {}, CookieValue(req, kCookieName), {}};
  if (!open) {
    std::optional<Session> session = sessions_.Lookup(call.token);
    if (!session) {
      SendError(res, 401, "unauthenticated", "not signed in");
      return;
    }
    // The account as it is now: disabled or given a new password (here or by `evidex user`)
    // ends the session.
    Result<std::optional<store::User>> user = call.store().GetUser(session->user_id);
    if (!user.ok()) {
      SendStatus(res, user.status(), "reading the account");
      return;
    }
    if (!user->has_value() || (*user)->disabled ||
        (*user)->password_changed != session->password_changed) {
      sessions_.End(call.token);
      SendError(res, 401, "unauthenticated", "not signed in");
      return;
    }
    call.user = **user;
    call.csrf = session->csrf;
    if (method != Method::kGet &&
        !ConstantTimeEqual(req.get_header_value("X-CSRF-Token"), session->csrf)) {
      SendError(res, 403, "csrf", "missing or wrong X-CSRF-Token");
      return;
    }
    // A one-time password (a new account, a reset) opens nothing but the password change.
    if (call.user.must_change_password && !before_password_change) {
      SendError(res, 403, "password_change_required",
                "change your one-time password first (POST /api/v1/me/password)");
      res.set_header("Cache-Control", "no-store");
      return;
    }
  }
  try {
    handler(call);
  } catch (const nlohmann::json::exception&) {
    SendError(res, 400, "bad_request", "a field has the wrong type");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "evidex serve: %s %s: %s\n", req.method.c_str(), req.path.c_str(),
                 e.what());
    SendError(res, 500, "internal", "the request failed");
  }
  if (res.get_header_value("Cache-Control").empty()) res.set_header("Cache-Control", "no-store");
}

std::set<int64_t> Api::VisibleCases(Call& call, bool* all) {
  *all = SeesAllCases(call.user.role);
  std::set<int64_t> ids;
  if (*all) return ids;
  Result<std::vector<int64_t>> mine = call.store().ListUserCases(call.user.id);
  if (mine.ok()) ids.insert(mine->begin(), mine->end());
  return ids;
}

std::optional<store::Case> Api::OpenCase(Call& call, const std::string& param) {
  std::optional<int64_t> id = ParseId(param);
  if (!id) {
    SendError(call.res, 400, "bad_request", "a case is named by its local id (digits)");
    return std::nullopt;
  }
  if (!SeesAllCases(call.user.role)) {
    Result<std::vector<int64_t>> mine = call.store().ListUserCases(call.user.id);
    if (!mine.ok()) {
      SendStatus(call.res, mine.status(), "reading the case members");
      return std::nullopt;
    }
    if (std::find(mine->begin(), mine->end(), *id) == mine->end()) {
      SendError(call.res, 404, "not_found", "no such case");
      return std::nullopt;
    }
  }
  // Not FindCase: it tries case numbers first, and a case numbered "3" is not case 3.
  Result<std::vector<store::Case>> cases = call.store().ListCases();
  if (!cases.ok()) {
    SendStatus(call.res, cases.status(), "reading the cases");
    return std::nullopt;
  }
  for (const store::Case& c : *cases)
    if (c.id == *id) return c;
  SendError(call.res, 404, "not_found", "no such case");
  return std::nullopt;
}

std::optional<store::Evidence> Api::OpenEvidence(Call& call, const store::Case& c,
                                                 const std::string& param) {
  std::optional<std::string> name = ParseEvidenceName(param);
  if (!name) {
    SendError(call.res, 400, "bad_request", "evidence is named E<n> or <n>");
    return std::nullopt;
  }
  Result<std::optional<store::Evidence>> e = call.store().FindEvidence(c.id, *name);
  if (!e.ok()) {
    SendStatus(call.res, e.status(), "reading the evidence");
    return std::nullopt;
  }
  if (!e->has_value() || (*e)->case_id != c.id) {
    SendError(call.res, 404, "not_found", "no such evidence in this case");
    return std::nullopt;
  }
  return **e;
}

bool Api::Require(Call& call, Right right) {
  if (Allowed(call.user.role, right)) return true;
  SendError(call.res, 403, "forbidden", "your role does not allow this");
  return false;
}

void Api::Audit(Call& call, const store::Case& c, const std::string& what, nlohmann::json params,
                const std::string& evidence_uuid, const std::string& action) {
  vault::CustodyRecord r;
  r.time = vault::UtcNow();
  r.actor = call.Actor();
  r.unit = unit_.Display();
  r.action = action;
  r.evidence = evidence_uuid;
  r.details = {{"what", what},
               {"params", std::move(params)},
               {"user", call.user.name},
               {"via", "evidex serve"}};
  audit_.Append(c.id, std::move(r));
}

Status ReadChain(store::Store& store, int64_t case_id, std::vector<vault::CustodyRecord>* records,
                 std::optional<vault::CustodyHead>* head) {
  // One transaction is one snapshot on SQLite; PostgreSQL (read committed) may still see a record
  // appended between the two statements, so a head that does not match is read again: a real
  // deletion stays and is reported by VerifyChain.
  for (int attempt = 0;; ++attempt) {
    Status st = store.Transaction([&]() -> Status {
      Result<std::vector<vault::CustodyRecord>> r = store.ListCustody(case_id);
      if (!r.ok()) return r.status();
      Result<std::optional<vault::CustodyHead>> h = store.GetCustodyHead(case_id);
      if (!h.ok()) return h.status();
      *records = std::move(r).value();
      *head = std::move(h).value();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    int64_t last = records->empty() ? 0 : records->back().seq;
    if (!head->has_value() || (*head)->seq == last || attempt == 2) return Status::Ok();
  }
}

void Api::SetSessionCookie(httplib::Response& res, const std::string& token) const {
  std::string cookie = std::string(kCookieName) + "=" + token +
                       "; HttpOnly; SameSite=Strict; Path=/" + (tls_ ? "; Secure" : "");
  if (token.empty()) cookie += "; Max-Age=0";
  res.set_header("Set-Cookie", cookie);
}

}  // namespace evidex::server
