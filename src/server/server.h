// `evidex serve`: the HTTP API of docs/API.md and the web UI's static files, on one workspace.
//
// Threads: cpp-httplib's worker pool answers requests; each worker uses its own store connection
// (a Store is used by one thread at a time); long work (acquisition, verification, scans) runs as
// jobs on their own threads; one audit writer appends the custody records of requests in batches.
// Sessions live in memory (a restart signs everyone out).
#ifndef EVIDEX_SERVER_SERVER_H_
#define EVIDEX_SERVER_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace evidex::server {

struct ServeOptions {
  std::string data_dir;  // the workspace
  std::string db;        // --db, when not the workspace's own store
  std::string host = "127.0.0.1";
  int port = 8080;                // 0: any free port (tests), see Server::port()
  std::string tls_cert, tls_key;  // both or neither: HTTPS, cookies Secure
  std::string web_root;           // the built web UI (web/dist); "" serves the API only
  // --evidence-root: the directories acquisitions over the API may read from (none: acquisition
  // over the API is refused). The workspace itself is never acquirable.
  std::vector<std::string> evidence_roots;
  std::string passphrase_file;  // for the unit's signing key (else $EVIDEX_PASSPHRASE)
  int idle_timeout_minutes = 30;
  // Request workers: httplib holds one per open connection while it is kept alive (5 s idle),
  // so this bounds the connections served at once (about 6 per browser); 0: kDefaultThreads.
  static constexpr int kDefaultThreads = 128;
  int threads = 0;
  // Requests doing store work at once, the others queued in arrival order (admission.h);
  // 0: DefaultQuerySlots().
  int query_slots = 0;
  bool quiet = false;
};

// One per hardware thread, at least 2.
int DefaultQuerySlots();

class Server {
 public:
  // Opens the workspace, loads the signing key, and on a store without any account creates
  // `admin` with a one-time password, returned by initial_admin_password() (and printed by the
  // CLI). Errors: kInvalidArgument for bad options (TLS files, idle timeout, web root, evidence
  // roots); the workspace's (kNotFound: none; kUnsupported: newer schema; kLimit: locked);
  // kCorrupt when the signing key cannot be loaded (wrong or missing passphrase: the CLI exits 6).
  static Result<std::unique_ptr<Server>> Create(const ServeOptions& options);
  virtual ~Server() = default;
  // Binds and serves until Stop(); Code::kIoError when the address cannot be bound.
  virtual Status Run() = 0;
  // Binds (so port() is known) without serving; Run() then serves. For tests and the CLI banner.
  virtual Status Bind() = 0;
  virtual void Stop() = 0;
  virtual int port() const = 0;
  virtual const std::string& initial_admin_password() const = 0;  // "" when accounts existed
};

}  // namespace evidex::server

#endif  // EVIDEX_SERVER_SERVER_H_
