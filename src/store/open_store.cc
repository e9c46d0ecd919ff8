// OpenStore: picks the back end by location (store.h, backends.h).
#include "store/backends.h"

namespace evidex::store {

bool IsPostgresLocation(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  if (IsPostgresLocation(options.location)) return OpenPgStore(options);
  return OpenSqliteStore(options);
}

}  // namespace evidex::store
