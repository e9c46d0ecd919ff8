#include "server/users.h"

#include "server/auth.h"
#include "server/http_util.h"
#include "vault/custody.h"

namespace evidex::server {

Result<NewUser> CreateUser(store::Store& store, const std::string& name,
                           const std::string& display_name, store::Role role,
                           const std::string& password) {
  if (!ValidUserName(name))
    return InvalidArgument(
        "a user name is 1-64 of a-z, 0-9, '.', '_', '-' (not starting with '.')");
  if (!password.empty() && password.size() < kMinPasswordLength)
    return InvalidArgument("a password has at least " + std::to_string(kMinPasswordLength) +
                           " characters");
  NewUser out;
  out.password = password.empty() ? GeneratePassword() : password;
  Result<std::string> hash = HashPassword(out.password);
  if (!hash.ok()) return hash.status();
  store::User u;
  u.name = name;
  u.display_name = display_name.empty() ? name : display_name;
  u.role = role;
  u.password_hash = *hash;
  u.must_change_password = password.empty();
  u.password_changed = vault::UtcNow();
  Result<store::User> added = store.AddUser(u);
  if (!added.ok()) return added.status();
  out.user = *added;
  if (!password.empty()) out.password.clear();
  return out;
}

Result<std::string> EnsureAdmin(store::Store& store) {
  Result<std::vector<store::User>> users = store.ListUsers();
  if (!users.ok()) return users.status();
  if (!users->empty()) return std::string();
  Result<NewUser> admin = CreateUser(store, "admin", "Administrator", store::Role::kAdmin, "");
  if (!admin.ok()) return admin.status();
  return admin->password;
}

Result<std::string> ResetPassword(store::Store& store, store::User& user) {
  std::string password = GeneratePassword();
  Result<std::string> hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  user.password_hash = *hash;
  user.must_change_password = true;
  user.password_changed = vault::UtcNow();
  EVIDEX_RETURN_IF_ERROR(store.UpdateUser(user));
  return password;
}

Status SetPassword(store::Store& store, store::User& user, const std::string& password) {
  if (password.size() < kMinPasswordLength)
    return InvalidArgument("a password has at least " + std::to_string(kMinPasswordLength) +
                           " characters");
  Result<std::string> hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  user.password_hash = *hash;
  user.must_change_password = false;
  user.password_changed = vault::UtcNow();
  return store.UpdateUser(user);
}

Status SetDisabled(store::Store& store, store::User& user, bool disabled) {
  user.disabled = disabled;
  if (disabled) user.password_changed = vault::UtcNow();
  return store.UpdateUser(user);
}

nlohmann::json UserJson(const store::User& u) {
  return {{"name", u.name},
          {"display_name", u.display_name},
          {"role", store::RoleName(u.role)},
          {"disabled", u.disabled},
          {"must_change_password", u.must_change_password},
          {"created", u.created}};
}

}  // namespace evidex::server
