#include "server/auth.h"

#include <gtest/gtest.h>

#include <set>

namespace evidex::server {
namespace {

// A clock the test moves by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
  Clock clock() {
    return [this] { return now; };
  }
};

TEST(Password, HashVerifyAndWrong) {
  Result<std::string> h = HashPassword("correct horse battery");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u) << *h;
  EXPECT_TRUE(VerifyPassword(*h, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(*h, "correct horse batterx"));
  EXPECT_FALSE(VerifyPassword(*h, ""));
  EXPECT_FALSE(VerifyPassword("", "x"));
  EXPECT_FALSE(VerifyPassword("$argon2id$garbage", "x"));
  // Salted: the same password hashes differently.
  EXPECT_NE(*h, *HashPassword("correct horse battery"));
}

TEST(Tokens, RandomAndUrlSafe) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string t = RandomToken(32);
    EXPECT_EQ(t.size(), 43u);
    EXPECT_EQ(
        t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    EXPECT_TRUE(seen.insert(t).second);
  }
  std::string p = GeneratePassword();
  EXPECT_EQ(p.size(), 20u);
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEqual("", ""));
}

TEST(Sessions, IdleAndAbsoluteExpiry) {
  FakeClock fake;
  SessionTable table(std::chrono::minutes(30), fake.clock());
  std::string token = table.Create(7, "aperera", "t1");
  std::optional<Session> s = table.Lookup(token);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user_id, 7);
  EXPECT_EQ(s->csrf.size(), 43u);
  EXPECT_FALSE(table.Lookup(token + "x"));
  EXPECT_FALSE(table.Lookup(""));
  // Requests every 29 minutes keep it alive...
  for (int i = 0; i < 20; ++i) {
    fake.now += std::chrono::minutes(29);
    ASSERT_TRUE(table.Lookup(token)) << i;
  }
  // ... until 12 hours after login.
  fake.now += std::chrono::minutes(29);
  EXPECT_TRUE(table.Lookup(token));  // 10 h 30 min
  for (int i = 0; i < 3; ++i) fake.now += std::chrono::minutes(29);
  EXPECT_FALSE(table.Lookup(token));  // past 12 h
  // Idle for 31 minutes.
  std::string t2 = table.Create(7, "aperera", "t1");
  fake.now += std::chrono::minutes(31);
  EXPECT_FALSE(table.Lookup(t2));
}

TEST(Sessions, EndAndEndUser) {
  FakeClock fake;
  SessionTable table(std::chrono::minutes(30), fake.clock());
  std::string a1 = table.Create(1, "a", "");
  std::string a2 = table.Create(1, "a", "");
  std::string b = table.Create(2, "b", "");
  table.EndUser(1, a2);
  EXPECT_FALSE(table.Lookup(a1));
  EXPECT_TRUE(table.Lookup(a2));
  EXPECT_TRUE(table.Lookup(b));
  table.EndUser(1);
  EXPECT_FALSE(table.Lookup(a2));
  table.End(b);
  EXPECT_FALSE(table.Lookup(b));
  EXPECT_EQ(table.size(), 0u);
}

TEST(LoginLimiter, FiveFailuresLockDoubling) {
  FakeClock fake;
  LoginLimiter limiter(fake.clock());
  for (int i = 0; i < 4; ++i) limiter.Failure("user:x");
  EXPECT_EQ(limiter.RetryAfter("user:x"), 0);
  limiter.Failure("user:x");
  int64_t wait = limiter.RetryAfter("user:x");
  EXPECT_GE(wait, 60);
  EXPECT_LE(wait, 61);
  EXPECT_EQ(limiter.RetryAfter("user:y"), 0);
  fake.now += std::chrono::seconds(61);
  EXPECT_EQ(limiter.RetryAfter("user:x"), 0);
  for (int i = 0; i < 5; ++i) limiter.Failure("user:x");
  wait = limiter.RetryAfter("user:x");
  EXPECT_GE(wait, 120);  // doubled
  EXPECT_LE(wait, 121);
  fake.now += std::chrono::seconds(121);
  limiter.Success("user:x");
  for (int i = 0; i < 5; ++i) limiter.Failure("user:x");
  EXPECT_LE(limiter.RetryAfter("user:x"), 61);  // a success starts over
}

TEST(LoginLimiter, FailuresOutsideTheWindowDoNotCount) {
  FakeClock fake;
  LoginLimiter limiter(fake.clock());
  for (int i = 0; i < 4; ++i) limiter.Failure("addr:1");
  fake.now += std::chrono::minutes(16);
  limiter.Failure("addr:1");
  EXPECT_EQ(limiter.RetryAfter("addr:1"), 0);
}

}  // namespace
}  // namespace evidex::server
