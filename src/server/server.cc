// Server::Create and the HTTP server around the API: TLS or not, security headers on every
// answer, JSON errors for what no route answers, the body limit, and the web UI's static files.
#include "server/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "server/api.h"
#include "server/users.h"

namespace evidex::server {
namespace {

// Debian's httplib is a shared library built with a listen backlog of 5
// (CPPHTTPLIB_LISTEN_BACKLOG) and gives no access to its socket: 20 clients connecting at once
// overflowed the accept queue and some waited for the kernel's 1 s SYN retransmission
// (bench/serve.sh: every class of request had a maximum of 1.03-1.08 s). listen() on a socket
// already listening sets its backlog anew; the socket is found among ours as the one listening on
// `port`.
void WidenListenBacklog(int port) {
  for (int fd = 0; fd < 1024; ++fd) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_storage addr{};
    socklen_t alen = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    int bound = -1;
    if (addr.ss_family == AF_INET)
      bound = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
    else if (addr.ss_family == AF_INET6)
      bound = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
    if (bound == port) ::listen(fd, SOMAXCONN);
  }
}

constexpr size_t kMaxBody = 1 << 20;

// Whether the static file path `path` (decoded, under the web root `root`, canonical) may be
// served: no segment starting with '.' (dot-files, "..") and, when it exists, no symbolic link
// leading out of the root. httplib itself serves regular files only (never a directory listing).
bool StaticPathAllowed(const std::string& root, const std::string& path) {
  size_t pos = 0;
  while ((pos = path.find('/', pos)) != std::string::npos)
    if (++pos < path.size() && path[pos] == '.') return false;
  if (path.find('\\') != std::string::npos) return false;
  std::error_code ec;
  std::filesystem::path real = std::filesystem::weakly_canonical(root + path, ec);
  if (ec) return false;
  std::filesystem::path base(root);
  return std::mismatch(base.begin(), base.end(), real.begin(), real.end()).first == base.end();
}

class ServerImpl : public Server {
 public:
  ServerImpl(const ServeOptions& options, vault::SigningKey key, store::Unit unit)
      : options_(options),
        key_(std::move(key)),
        unit_(std::move(unit)),
        pool_(options_.data_dir, options_.db),
        sessions_(std::chrono::seconds(int64_t(options_.idle_timeout_minutes) * 60)),
        audit_(pool_, key_) {}

  ~ServerImpl() override {
    Stop();
    jobs_.Shutdown();
    audit_.Stop();
  }

  Status Setup() {
    const bool tls = !options_.tls_cert.empty();
    if (tls) {
      http_ =
          std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    } else {
      http_ = std::make_unique<httplib::Server>();
    }
    if (!http_->is_valid())
      return InvalidArgument("cannot use the TLS certificate " + options_.tls_cert + " and key " +
                             options_.tls_key);
    // httplib gives each connection a worker for as long as it is kept alive, idle or not (a
    // browser keeps up to 6 open): the workers are for connections, not for CPUs. With 8 of them,
    // 20 keep-alive clients waited for a free worker and GET /me answered 290 times a second at
    // p50 44 ms on an idle CPU (bench/serve.sh). A worker idles in poll(), costing its stack only.
    int threads = options_.threads > 0 ? options_.threads : ServeOptions::kDefaultThreads;
    http_->new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
    // httplib writes the headers and the body apart: without TCP_NODELAY, Nagle's algorithm held
    // the body until the client's delayed ACK, 40 ms on every answer (GET /me: p50 44 ms).
    http_->set_tcp_nodelay(true);
    http_->set_keep_alive_max_count(1000);
    http_->set_keep_alive_timeout(5);
    http_->set_payload_max_length(kMaxBody);
    http_->set_default_headers({
        {"Content-Security-Policy",
         "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
         "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
    });
    // Whatever no route answered, and httplib's own refusals (413, 400), as JSON errors.
    http_->set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          int status = res.status;
          SendError(res, status, CodeForStatus(status),
                    status == 413   ? "the body is larger than 1 MiB"
                    : status == 404 ? "not found"
                                    : "bad request");
          return httplib::Server::HandlerResponse::Handled;
        }));
    http_->set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          SendError(res, 500, "internal", "the request failed");
        });
    std::string root;
    if (!options_.web_root.empty()) {
      std::error_code ec;
      root = std::filesystem::canonical(options_.web_root, ec).string();
      if (ec || !std::filesystem::is_directory(root))
        return InvalidArgument("--web-root " + options_.web_root + " is not a directory");
    }
    for (std::string& dir : options_.evidence_roots) {
      std::error_code ec;
      std::string canonical = std::filesystem::canonical(dir, ec).string();
      if (ec || !std::filesystem::is_directory(canonical))
        return InvalidArgument("--evidence-root " + dir + " is not a directory");
      dir = canonical;
    }
    // API paths never fall through to the static files, and no static file is looked for
    // outside GET / HEAD; a static path must pass StaticPathAllowed.
    http_->set_pre_routing_handler([root](const httplib::Request& req, httplib::Response& res) {
      if (req.path.find('\0') != std::string::npos) {
        SendError(res, 400, "bad_request", "bad path");
        return httplib::Server::HandlerResponse::Handled;
      }
      const bool api = req.path.rfind(std::string(kApiPrefix) + "/", 0) == 0;
      if (!root.empty() && !api && !StaticPathAllowed(root, req.path)) {
        SendError(res, 404, "not_found", "not found");
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    if (!root.empty()) {
      // httplib refuses paths that climb out of the root ("..", after decoding).
      if (!http_->set_mount_point("/", root, {{"Cache-Control", "no-cache"}}))
        return InvalidArgument("cannot serve " + root);
      for (const auto& [ext, mime] : std::initializer_list<std::pair<const char*, const char*>>{
               {"js", "text/javascript"},
               {"mjs", "text/javascript"},
               {"css", "text/css"},
               {"html", "text/html; charset=utf-8"},
               {"svg", "image/svg+xml"},
               {"json", "application/json"},
               {"map", "application/json"},
               {"woff2", "font/woff2"},
               {"woff", "font/woff"},
               {"png", "image/png"},
               {"ico", "image/x-icon"},
               {"txt", "text/plain"},
               {"wasm", "application/wasm"}})
        http_->set_file_extension_and_mimetype_mapping(ext, mime);
    }
    api_ = std::make_unique<Api>(options_, *http_, pool_, sessions_, limiter_, audit_, jobs_, key_,
                                 unit_, tls);
    RegisterSessionRoutes(*api_);
    RegisterUserRoutes(*api_);
    RegisterCaseRoutes(*api_);
    RegisterJobRoutes(*api_);
    RegisterArtifactRoutes(*api_);
    RegisterCoopRoutes(*api_);
    return Status::Ok();
  }

  Status Bind() override {
    if (port_ > 0) return Status::Ok();
    if (options_.port == 0) {
      port_ = http_->bind_to_any_port(options_.host);
    } else if (http_->bind_to_port(options_.host, options_.port)) {
      port_ = options_.port;
    }
    if (port_ <= 0) {
      port_ = 0;
      return IoError("cannot listen on " + options_.host + ":" + std::to_string(options_.port));
    }
    WidenListenBacklog(port_);
    return Status::Ok();
  }

  Status Run() override {
    EVIDEX_RETURN_IF_ERROR(Bind());
    {
      // httplib's stop() does nothing before the server runs: Stop() waits for it (see Stop).
      std::lock_guard<std::mutex> lock(run_mu_);
      if (stopped_) return Status::Ok();
      entered_ = true;
    }
    const bool listened = http_->listen_after_bind();
    left_ = true;
    if (!listened && !stopped_)
      return IoError("the server on " + options_.host + " stopped with an error");
    return Status::Ok();
  }

  void Stop() override {
    bool entered;
    {
      std::lock_guard<std::mutex> lock(run_mu_);
      stopped_ = true;
      entered = entered_;
    }
    if (!http_ || !entered) return;
    // Run is between `entered_` and listening: wait (up to 2 s) until it listens, unless it has
    // already returned (a second Stop, as the destructor makes, must not wait for nothing).
    for (int i = 0; i < 2000 && !http_->is_running() && !left_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!left_) http_->stop();
  }
  int port() const override { return port_; }
  const std::string& initial_admin_password() const override { return admin_password_; }

  std::string admin_password_;

 private:
  ServeOptions options_;
  vault::SigningKey key_;
  store::Unit unit_;
  StorePool pool_;
  SessionTable sessions_;
  LoginLimiter limiter_;
  AuditWriter audit_;
  JobRegistry jobs_;
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<Api> api_;
  int port_ = 0;
  std::mutex run_mu_;
  bool entered_ = false;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> left_{false};  // Run has returned from listening
};

}  // namespace

Result<std::unique_ptr<Server>> Server::Create(const ServeOptions& options) {
  if (options.tls_cert.empty() != options.tls_key.empty())
    return InvalidArgument("--tls-cert and --tls-key go together");
  if (options.idle_timeout_minutes < 1 || options.idle_timeout_minutes > 12 * 60)
    return InvalidArgument("--idle-timeout is 1 to 720 minutes");
  Result<vault::Workspace> ws = vault::Workspace::Open(options.data_dir, 5000, options.db);
  if (!ws.ok()) return ws.status();
  Result<vault::SigningKey> key = ws->LoadSigningKey(options.passphrase_file);
  if (!key.ok()) return Status(Code::kCorrupt, key.status().message());  // kCorrupt: auth (exit 6)
  Result<std::string> admin = EnsureAdmin(ws->store());
  if (!admin.ok()) return admin.status();
  auto server = std::make_unique<ServerImpl>(options, std::move(key).value(), ws->unit());
  EVIDEX_RETURN_IF_ERROR(server->Setup());
  server->admin_password_ = *admin;
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace evidex::server
