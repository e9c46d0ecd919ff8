// Internal to the store: the back ends' openers, which OpenStore (open_store.cc) dispatches to by
// location. Each opens (or creates), migrates forward and returns a Store; errors as in store.h.
#ifndef EVIDEX_STORE_BACKENDS_H_
#define EVIDEX_STORE_BACKENDS_H_

#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace evidex::store {

// "postgresql://..." or "postgres://..." (a libpq URI).
bool IsPostgresLocation(const std::string& location);

// sqlite_store.cc: a file path or "sqlite:PATH".
Result<std::unique_ptr<Store>> OpenSqliteStore(const StoreOptions& options);

// pg_store.cc: a libpq URI; the database must exist. `create` allows creating the schema in an
// empty database; without it a database holding no evidex store is Code::kNotFound.
Result<std::unique_ptr<Store>> OpenPgStore(const StoreOptions& options);

}  // namespace evidex::store

#endif  // EVIDEX_STORE_BACKENDS_H_
