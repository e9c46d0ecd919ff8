// Accounts and case membership on SQLite (sqlite_accounts.h).
#include "store/sqlite_accounts.h"

#include "store/store_common.h"
#include "vault/custody.h"

namespace evidex::store {
namespace {

void BindUserFields(Statement& s, const User& u) {
  s.Bind(2, u.display_name).Bind(3, RoleName(u.role)).Bind(4, u.password_hash);
  s.Bind(5, int64_t(u.disabled)).Bind(6, int64_t(u.must_change_password));
  s.Bind(7, u.password_changed);
}

}  // namespace

Result<std::vector<User>> SqliteAccounts::Users(const std::string& where_and_order,
                                                const std::function<void(Statement&)>& bind) {
  std::vector<User> out;
  Status st = Query(*db_, std::string("SELECT ") + kUserColumns + " FROM users " + where_and_order,
                    bind, [&](const Statement& s) {
                      out.push_back(UserFromRow(s));
                      return true;
                    });
  if (!st.ok()) return st;
  return out;
}

Result<User> SqliteAccounts::AddUser(User user) {
  if (user.created.empty()) user.created = vault::UtcNow();
  Status st = transaction_([&]() -> Status {
    Result<std::optional<User>> existing = FindUser(user.name);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) return InvalidArgument("user " + user.name + " already exists");
    EVIDEX_RETURN_IF_ERROR(Exec(
        *db_,
        "INSERT INTO users (name, display_name, role, password_hash, disabled, "
        "must_change_password, password_changed, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        [&](Statement& s) {
          s.Bind(1, user.name).Bind(8, user.created);
          BindUserFields(s, user);
        }));
    user.id = db_->LastInsertId();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return user;
}

Status SqliteAccounts::UpdateUser(const User& user) {
  int changed = 0;
  EVIDEX_RETURN_IF_ERROR(Exec(
      *db_,
      "UPDATE users SET display_name = ?2, role = ?3, password_hash = ?4, disabled = ?5, "
      "must_change_password = ?6, password_changed = ?7 WHERE id = ?1",
      [&](Statement& s) {
        s.Bind(1, user.id);
        BindUserFields(s, user);
      },
      &changed));
  if (changed == 0) return NotFound("no user with id " + std::to_string(user.id));
  return Status::Ok();
}

Result<std::optional<User>> SqliteAccounts::FindUser(const std::string& name) {
  Result<std::vector<User>> r = Users("WHERE name = ?1", [&](Statement& s) { s.Bind(1, name); });
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<User>();
  return std::optional<User>((*r)[0]);
}

Result<std::optional<User>> SqliteAccounts::GetUser(int64_t id) {
  Result<std::vector<User>> r = Users("WHERE id = ?1", [&](Statement& s) { s.Bind(1, id); });
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<User>();
  return std::optional<User>((*r)[0]);
}

Result<std::vector<User>> SqliteAccounts::ListUsers() { return Users("ORDER BY id", nullptr); }

Status SqliteAccounts::CheckCaseAndUser(int64_t case_id, int64_t user_id) {
  int64_t cases = 0, users = 0;
  EVIDEX_RETURN_IF_ERROR(Query(
      *db_,
      "SELECT (SELECT COUNT(*) FROM cases WHERE id = ?1), (SELECT COUNT(*) FROM users WHERE id = "
      "?2)",
      [&](Statement& s) { s.Bind(1, case_id).Bind(2, user_id); },
      [&](const Statement& s) {
        cases = s.Int(0);
        users = s.Int(1);
        return false;
      }));
  if (case_id != 0 && cases == 0)
    return NotFound("no case with local id " + std::to_string(case_id));
  if (user_id != 0 && users == 0) return NotFound("no user with id " + std::to_string(user_id));
  return Status::Ok();
}

Status SqliteAccounts::AddCaseMember(int64_t case_id, int64_t user_id) {
  return transaction_([&]() -> Status {
    EVIDEX_RETURN_IF_ERROR(CheckCaseAndUser(case_id, user_id));
    return Exec(*db_,
                "INSERT INTO case_members (case_id, user_id) VALUES (?1, ?2) "
                "ON CONFLICT DO NOTHING",
                [&](Statement& s) { s.Bind(1, case_id).Bind(2, user_id); });
  });
}

Status SqliteAccounts::RemoveCaseMember(int64_t case_id, int64_t user_id) {
  return transaction_([&]() -> Status {
    EVIDEX_RETURN_IF_ERROR(CheckCaseAndUser(case_id, user_id));
    int changed = 0;
    EVIDEX_RETURN_IF_ERROR(Exec(
        *db_, "DELETE FROM case_members WHERE case_id = ?1 AND user_id = ?2",
        [&](Statement& s) { s.Bind(1, case_id).Bind(2, user_id); }, &changed));
    if (changed == 0)
      return NotFound("user " + std::to_string(user_id) + " is not a member of case " +
                      std::to_string(case_id));
    return Status::Ok();
  });
}

Result<std::vector<User>> SqliteAccounts::ListCaseMembers(int64_t case_id) {
  EVIDEX_RETURN_IF_ERROR(CheckCaseAndUser(case_id, 0));
  return Users("WHERE id IN (SELECT user_id FROM case_members WHERE case_id = ?1) ORDER BY id",
               [&](Statement& s) { s.Bind(1, case_id); });
}

Result<std::vector<int64_t>> SqliteAccounts::ListUserCases(int64_t user_id) {
  EVIDEX_RETURN_IF_ERROR(CheckCaseAndUser(0, user_id));
  std::vector<int64_t> out;
  Status st = Query(
      *db_, "SELECT case_id FROM case_members WHERE user_id = ?1 ORDER BY case_id",
      [&](Statement& s) { s.Bind(1, user_id); },
      [&](const Statement& s) {
        out.push_back(s.Int(0));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

}  // namespace evidex::store
