// Internal to the SQLite back end: accounts and case membership (store.h, "Accounts and case
// membership"; schema v4 in sqlite_store.cc, layout in docs/FORMATS.md).
//
// SqliteAccounts works on the store's connection and runs its check-then-write operations through
// the store's Transaction (joining one the caller opened). Owned by SqliteStore, same thread.
#ifndef EVIDEX_STORE_SQLITE_ACCOUNTS_H_
#define EVIDEX_STORE_SQLITE_ACCOUNTS_H_

#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"
#include "store/sqlite_artifacts.h"
#include "store/store.h"

namespace evidex::store {

class SqliteAccounts {
 public:
  SqliteAccounts(Db* db, TransactionRunner transaction)
      : db_(db), transaction_(std::move(transaction)) {}

  Result<User> AddUser(User user);
  Status UpdateUser(const User& user);
  Result<std::optional<User>> FindUser(const std::string& name);
  Result<std::optional<User>> GetUser(int64_t id);
  Result<std::vector<User>> ListUsers();
  Status AddCaseMember(int64_t case_id, int64_t user_id);
  Status RemoveCaseMember(int64_t case_id, int64_t user_id);
  Result<std::vector<User>> ListCaseMembers(int64_t case_id);
  Result<std::vector<int64_t>> ListUserCases(int64_t user_id);

 private:
  Result<std::vector<User>> Users(const std::string& where_and_order,
                                  const std::function<void(Statement&)>& bind);
  // kNotFound naming what is missing when case `case_id` or user `user_id` does not exist (0: not
  // checked).
  Status CheckCaseAndUser(int64_t case_id, int64_t user_id);

  Db* db_;
  TransactionRunner transaction_;
};

}  // namespace evidex::store

#endif  // EVIDEX_STORE_SQLITE_ACCOUNTS_H_
