// POST /login, POST /logout, GET /me, POST /me/password (docs/API.md, "Session").
#include "server/api.h"

namespace evidex::server {
namespace {

void Login(Api& api, Call& call) {
  // A cross-site form cannot send JSON without a CORS preflight, which we never grant.
  if (call.req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    SendError(call.res, 400, "bad_request", "login takes Content-Type: application/json");
    return;
  }
  std::optional<nlohmann::json> body = JsonBody(call.req, call.res);
  if (!body) return;
  std::optional<std::string> name = StringField(*body, "user", true);
  std::optional<std::string> password = StringField(*body, "password", true);
  if (!name || !password || name->size() > 64 || password->size() > 1024) {
    SendError(call.res, 400, "bad_request", "login takes {\"user\", \"password\"}");
    return;
  }
  const std::string user_key = "user:" + *name;
  const std::string addr_key = "addr:" + call.req.remote_addr;
  int64_t wait = std::max(api.limiter().RetryAfter(user_key), api.limiter().RetryAfter(addr_key));
  if (wait > 0) {
    call.res.set_header("Retry-After", std::to_string(wait));
    SendError(call.res, 429, "rate_limited", "too many failed logins; try again later");
    return;
  }
  Result<std::optional<store::User>> found =
      ValidUserName(*name) ? call.store().FindUser(*name)
                           : Result<std::optional<store::User>>(std::optional<store::User>());
  if (!found.ok()) {
    SendStatus(call.res, found.status(), "reading the account");
    return;
  }
  bool ok = false;
  if (found->has_value())
    ok = VerifyPassword((*found)->password_hash, *password) && !(*found)->disabled;
  else
    DummyVerify(*password);
  if (!ok) {
    api.limiter().Failure(user_key);
    api.limiter().Failure(addr_key);
    SendError(call.res, 401, "bad_login", "wrong user name or password");
    return;
  }
  api.limiter().Success(user_key);
  const store::User& u = **found;
  std::string token = api.sessions().Create(u.id, u.name, u.password_changed);
  std::optional<Session> s = api.sessions().Lookup(token);
  api.SetSessionCookie(call.res, token);
  SendJson(call.res, 200, {{"user", UserJson(u)}, {"csrf", s ? s->csrf : ""}});
}

void ChangePassword(Api& api, Call& call) {
  std::optional<nlohmann::json> body = JsonBody(call.req, call.res);
  if (!body) return;
  std::optional<std::string> current = StringField(*body, "current", true);
  std::optional<std::string> next = StringField(*body, "new", true);
  if (!current || !next) {
    SendError(call.res, 400, "bad_request", "takes {\"current\", \"new\"}");
    return;
  }
  if (next->size() < kMinPasswordLength || next->size() > 1024) {
    SendError(
        call.res, 400, "bad_request",
        "the new password needs at least " + std::to_string(kMinPasswordLength) + " characters");
    return;
  }
  if (!VerifyPassword(call.user.password_hash, *current)) {
    SendError(call.res, 403, "forbidden", "the current password is wrong");
    return;
  }
  store::User u = call.user;
  Status st = SetPassword(call.store(), u, *next);
  if (!st.ok()) {
    SendStatus(call.res, st, "changing the password");
    return;
  }
  // Other sessions end; this one lives on with a new session (the old one checks the old time).
  api.sessions().EndUser(u.id);
  std::string token = api.sessions().Create(u.id, u.name, u.password_changed);
  api.SetSessionCookie(call.res, token);
  std::optional<Session> s = api.sessions().Lookup(token);
  call.res.set_header("X-CSRF-Token", s ? s->csrf : "");
  call.res.status = 204;
}

}  // namespace

void RegisterSessionRoutes(Api& api) {
  api.Route(
      Api::Method::kPost, "/login", [&api](Call& call) { Login(api, call); }, true);
  api.Route(Api::Method::kPost, "/logout", [&api](Call& call) {
    api.sessions().End(call.token);
    api.SetSessionCookie(call.res, "");
    call.res.status = 204;
  });
  api.Route(Api::Method::kGet, "/me", [&api](Call& call) {
    SendJson(call.res, 200,
             {{"user", UserJson(call.user)},
              {"unit", api.unit().Display()},
              {"csrf", call.csrf},
              {"idle_timeout", api.sessions().idle_timeout().count()}});
  });
  api.Route(Api::Method::kPost, "/me/password", [&api](Call& call) { ChangePassword(api, call); });
}

}  // namespace evidex::server
