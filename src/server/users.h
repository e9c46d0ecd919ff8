// Accounts, shared by the API (api_users.cc, api_session.cc) and `evidex user` (cli/cmd_serve.cc):
// creating one with a generated one-time password, resetting and setting passwords, the JSON
// form of a user (never its hash). Names are checked here (ValidUserName).
//
// Thread safety: as the Store passed in (one thread at a time).
#ifndef EVIDEX_SERVER_USERS_H_
#define EVIDEX_SERVER_USERS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace evidex::server {

constexpr size_t kMinPasswordLength = 12;

struct NewUser {
  store::User user;
  std::string password;  // the one-time password when one was generated
};
// A new account; with an empty `password` a generated one-time one (must_change_password).
// kInvalidArgument for a bad name, a short password or a name that exists (the store's).
Result<NewUser> CreateUser(store::Store& store, const std::string& name,
                           const std::string& display_name, store::Role role,
                           const std::string& password);
// Creates `admin` with a one-time password when the store holds no account; returns the
// password, or "" when accounts existed.
Result<std::string> EnsureAdmin(store::Store& store);
// A new one-time password for `user` (must change it). password_changed moves, which ends the
// user's sessions in a running server.
Result<std::string> ResetPassword(store::Store& store, store::User& user);
// Sets `password` as chosen by the user (must_change_password cleared).
Status SetPassword(store::Store& store, store::User& user, const std::string& password);
// Disables or enables; disabling also moves password_changed so that sessions end at once.
Status SetDisabled(store::Store& store, store::User& user, bool disabled);

nlohmann::json UserJson(const store::User& u);

}  // namespace evidex::server

#endif  // EVIDEX_SERVER_USERS_H_
