// The admin's user management (docs/API.md, "Users").
#include "server/api.h"

namespace evidex::server {
namespace {

// The user of path parameter 1; 400 / 404 sent otherwise.
std::optional<store::User> PathUser(Call& call) {
  std::string name = call.Param(1);
  if (!ValidUserName(name)) {
    SendError(call.res, 400, "bad_request", "not a user name");
    return std::nullopt;
  }
  Result<std::optional<store::User>> u = call.store().FindUser(name);
  if (!u.ok()) {
    SendStatus(call.res, u.status(), "reading the account");
    return std::nullopt;
  }
  if (!u->has_value()) {
    SendError(call.res, 404, "not_found", "no such user");
    return std::nullopt;
  }
  return **u;
}

void AddUser(Call& call) {
  std::optional<nlohmann::json> body = JsonBody(call.req, call.res);
  if (!body) return;
  std::optional<std::string> name = StringField(*body, "name", true);
  std::optional<std::string> display = StringField(*body, "display_name", false);
  std::optional<std::string> role_name = StringField(*body, "role", true);
  std::optional<std::string> password = StringField(*body, "password", false);
  std::optional<store::Role> role = role_name ? store::ParseRole(*role_name) : std::nullopt;
  if (!name || !display || !role || !password) {
    SendError(call.res, 400, "bad_request",
              "takes {\"name\", \"display_name\", \"role\": admin|examiner|investigator|"
              "prosecutor|viewer, \"password\"?}");
    return;
  }
  Result<std::optional<store::User>> existing = call.store().FindUser(*name);
  if (existing.ok() && existing->has_value()) {
    SendError(call.res, 409, "conflict", "a user with that name exists");
    return;
  }
  Result<NewUser> added = CreateUser(call.store(), *name, *display, *role, *password);
  if (!added.ok()) {
    if (added.status().code() == Code::kInvalidArgument)
      SendError(call.res, 400, "bad_request", added.status().message());
    else
      SendStatus(call.res, added.status(), "adding the user");
    return;
  }
  nlohmann::json out = {{"user", UserJson(added->user)}};
  out["password"] =
      added->password.empty() ? nlohmann::json(nullptr) : nlohmann::json(added->password);
  SendJson(call.res, 201, out);
}

}  // namespace

void RegisterUserRoutes(Api& api) {
  api.Route(Api::Method::kGet, "/users", [&api](Call& call) {
    if (!api.Require(call, Right::kManageUsers)) return;
    Result<std::vector<store::User>> users = call.store().ListUsers();
    if (!users.ok()) return SendStatus(call.res, users.status(), "listing the users");
    nlohmann::json out = nlohmann::json::array();
    for (const store::User& u : *users) out.push_back(UserJson(u));
    SendJson(call.res, 200, out);
  });
  api.Route(Api::Method::kPost, "/users", [&api](Call& call) {
    if (api.Require(call, Right::kManageUsers)) AddUser(call);
  });
  api.Route(Api::Method::kPost, "/users/([^/]+)/(disable|enable)", [&api](Call& call) {
    if (!api.Require(call, Right::kManageUsers)) return;
    std::optional<store::User> u = PathUser(call);
    if (!u) return;
    bool disable = call.Param(2) == "disable";
    if (disable && u->id == call.user.id) {
      SendError(call.res, 400, "bad_request", "you cannot disable your own account");
      return;
    }
    Status st = SetDisabled(call.store(), *u, disable);
    if (!st.ok()) return SendStatus(call.res, st, "updating the user");
    if (disable) api.sessions().EndUser(u->id);
    call.res.status = 204;
  });
  api.Route(Api::Method::kPost, "/users/([^/]+)/reset-password", [&api](Call& call) {
    if (!api.Require(call, Right::kManageUsers)) return;
    std::optional<store::User> u = PathUser(call);
    if (!u) return;
    Result<std::string> password = ResetPassword(call.store(), *u);
    if (!password.ok()) return SendStatus(call.res, password.status(), "resetting the password");
    api.sessions().EndUser(u->id);
    SendJson(call.res, 200, {{"password", *password}});
  });
}

}  // namespace evidex::server
