#include "server/auth.h"

#include <sodium.h>

#include <vector>

namespace evidex::server {

Clock SteadyClock() {
  return [] { return std::chrono::steady_clock::now(); };
}

Result<std::string> HashPassword(const std::string& password) {
  if (sodium_init() < 0) return Internal("libsodium could not be initialised");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return Internal("the password could not be hashed (out of memory)");
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  if (sodium_init() < 0 || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void DummyVerify(const std::string& password) {
  static const std::string kHash = [] {
    Result<std::string> h = HashPassword("evidex dummy password for unknown users");
    return h.ok() ? *h : std::string();
  }();
  (void)VerifyPassword(kHash, password);
}

std::string RandomToken(size_t bytes) {
  if (sodium_init() < 0) return {};
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  sodium_memzero(raw.data(), raw.size());
  return out;
}

std::string GeneratePassword() {
  static const char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const uint32_t n = sizeof kAlphabet - 1;
  if (sodium_init() < 0) return {};
  std::string out;
  for (int i = 0; i < 20; ++i) out += kAlphabet[randombytes_uniform(n)];
  return out;
}

bool ConstantTimeEqual(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

SessionTable::SessionTable(std::chrono::seconds idle_timeout, Clock clock)
    : idle_(idle_timeout), clock_(std::move(clock)) {}

std::string SessionTable::Key(const std::string& token) {
  unsigned char h[crypto_generichash_BYTES];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return std::string(reinterpret_cast<const char*>(h), sizeof h);
}

std::string SessionTable::Create(int64_t user_id, const std::string& user_name,
                                 const std::string& password_changed) {
  std::string token = RandomToken(32);
  Session s;
  s.user_id = user_id;
  s.user_name = user_name;
  s.csrf = RandomToken(32);
  s.password_changed = password_changed;
  s.created = s.last_seen = clock_();
  std::lock_guard<std::mutex> lock(mu_);
  // Expired sessions are dropped here too, so that the table does not grow without bound.
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (s.created - it->second.last_seen > idle_ || s.created - it->second.created > kAbsoluteLimit)
      it = sessions_.erase(it);
    else
      ++it;
  }
  sessions_[Key(token)] = s;
  return token;
}

std::optional<Session> SessionTable::Lookup(const std::string& token) {
  if (token.empty() || token.size() > 256) return std::nullopt;
  std::string key = Key(token);
  auto now = clock_();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  if (now - it->second.last_seen > idle_ || now - it->second.created > kAbsoluteLimit) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

void SessionTable::End(const std::string& token) {
  std::string key = Key(token);
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(key);
}

void SessionTable::EndUser(int64_t user_id, const std::string& keep_token) {
  std::string keep = keep_token.empty() ? std::string() : Key(keep_token);
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.user_id == user_id && it->first != keep)
      it = sessions_.erase(it);
    else
      ++it;
  }
}

size_t SessionTable::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

LoginLimiter::LoginLimiter(Clock clock) : clock_(std::move(clock)) {}

int64_t LoginLimiter::RetryAfter(const std::string& key) {
  auto now = clock_();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.locked_until <= now) return 0;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(it->second.locked_until - now);
  return std::max<int64_t>(1, left.count() + 1);
}

void LoginLimiter::Failure(const std::string& key) {
  auto now = clock_();
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_[key];
  e.failures.push_back(now);
  while (!e.failures.empty() && now - e.failures.front() > kWindow) e.failures.pop_front();
  if (int(e.failures.size()) >= kMaxFailures) {
    e.locked_until = now + kFirstLock * (int64_t(1) << std::min(e.locks, 16));
    ++e.locks;
    e.failures.clear();
  }
}

void LoginLimiter::Success(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(key);
}

}  // namespace evidex::server
