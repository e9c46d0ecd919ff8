// Accounts' secrets and sessions for `evidex serve`: password hashing (Argon2id, libsodium's
// crypto_pwhash_str at the INTERACTIVE limits), random tokens, the in-memory session table and
// the login rate limiter. No network and no store here: unit-tested on their own with an
// injected clock.
//
// Sessions: the cookie carries 32 random bytes (base64url); the table keeps only their BLAKE2b
// hash, so a memory dump does not hand out live cookies. A session ends after the idle timeout
// without a request, 12 hours after login at the latest, at logout, and when its user is
// disabled or changes password (EndUser).
//
// Thread safety: SessionTable and LoginLimiter are safe to use from many threads (one mutex
// each). The free functions are thread-safe.
#ifndef EVIDEX_SERVER_AUTH_H_
#define EVIDEX_SERVER_AUTH_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/status.h"

namespace evidex::server {

using Clock = std::function<std::chrono::steady_clock::time_point()>;
Clock SteadyClock();

// "$argon2id$..." for `password`; kInternal when libsodium runs out of memory.
Result<std::string> HashPassword(const std::string& password);
// True when `password` matches `hash` (crypto_pwhash_str_verify). False for anything else,
// a malformed hash included.
bool VerifyPassword(const std::string& hash, const std::string& password);
// Burns the time of one verification, for an unknown user name (no timing oracle).
void DummyVerify(const std::string& password);

// `bytes` random bytes (randombytes_buf), base64url without padding.
std::string RandomToken(size_t bytes = 32);
// A one-time password people can type: 20 characters of [a-zA-Z0-9] without look-alikes.
std::string GeneratePassword();
// Equal strings, compared in constant time for equal lengths (sodium_memcmp).
bool ConstantTimeEqual(const std::string& a, const std::string& b);

struct Session {
  int64_t user_id = 0;
  std::string user_name;
  std::string csrf;              // sent back in X-CSRF-Token
  std::string password_changed;  // the user's at login: a change elsewhere ends the session
  std::chrono::steady_clock::time_point created, last_seen;
};

class SessionTable {
 public:
  static constexpr std::chrono::hours kAbsoluteLimit{12};
  SessionTable(std::chrono::seconds idle_timeout, Clock clock = SteadyClock());

  // A new session; returns the cookie token (only its hash is kept).
  std::string Create(int64_t user_id, const std::string& user_name,
                     const std::string& password_changed);
  // The live session of `token`, its idle time renewed; nullopt (and the session removed) when
  // unknown, idle too long or past the absolute limit.
  std::optional<Session> Lookup(const std::string& token);
  void End(const std::string& token);
  // Ends every session of the user but the one of `keep_token` (when given).
  void EndUser(int64_t user_id, const std::string& keep_token = "");
  size_t size();
  std::chrono::seconds idle_timeout() const { return idle_; }

 private:
  static std::string Key(const std::string& token);
  std::chrono::seconds idle_;
  Clock clock_;
  std::mutex mu_;
  std::map<std::string, Session> sessions_;  // by token hash
};

// Login attempts: 5 failures within 15 minutes for one key (a user name, a client address) lock
// that key for 1 minute, each later lock twice as long as the one before (until a success).
class LoginLimiter {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr std::chrono::minutes kWindow{15};
  static constexpr std::chrono::minutes kFirstLock{1};
  explicit LoginLimiter(Clock clock = SteadyClock());

  // Seconds until `key` may try again; 0 when it may now.
  int64_t RetryAfter(const std::string& key);
  void Failure(const std::string& key);
  void Success(const std::string& key);

 private:
  struct Entry {
    std::deque<std::chrono::steady_clock::time_point> failures;
    std::chrono::steady_clock::time_point locked_until{};
    int locks = 0;
  };
  Clock clock_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace evidex::server

#endif  // EVIDEX_SERVER_AUTH_H_
