// Workspace connections for the server's threads: a Store is used by one thread at a time, so
// every request worker, the audit writer and each job borrow their own from this pool, and give
// it back when done. Connections are opened on demand and kept for reuse.
//
// Thread safety: Lease() may be called from any thread; a Lease is used by one thread.
#ifndef EVIDEX_SERVER_STORE_POOL_H_
#define EVIDEX_SERVER_STORE_POOL_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "vault/workspace.h"

namespace evidex::server {

class StorePool {
 public:
  StorePool(std::string data_dir, std::string db) : dir_(std::move(data_dir)), db_(std::move(db)) {}

  class Lease {
   public:
    Lease(StorePool* pool, std::unique_ptr<vault::Workspace> ws)
        : pool_(pool), ws_(std::move(ws)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (ws_) pool_->Return(std::move(ws_));
    }
    vault::Workspace& ws() { return *ws_; }
    store::Store& store() { return ws_->store(); }

   private:
    StorePool* pool_;
    std::unique_ptr<vault::Workspace> ws_;
  };

  Result<Lease> Take() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        std::unique_ptr<vault::Workspace> ws = std::move(free_.back());
        free_.pop_back();
        return Lease(this, std::move(ws));
      }
    }
    Result<vault::Workspace> ws = vault::Workspace::Open(dir_, 5000, db_);
    if (!ws.ok()) return ws.status();
    return Lease(this, std::make_unique<vault::Workspace>(std::move(ws).value()));
  }

  const std::string& dir() const { return dir_; }
  const std::string& db() const { return db_; }

 private:
  void Return(std::unique_ptr<vault::Workspace> ws) {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < 64) free_.push_back(std::move(ws));
  }
  const std::string dir_, db_;
  std::mutex mu_;
  std::vector<std::unique_ptr<vault::Workspace>> free_;
};

}  // namespace evidex::server

#endif  // EVIDEX_SERVER_STORE_POOL_H_
