// The admission gate in front of the store: at most `slots` requests do store work at once, and
// the others wait their turn in arrival order.
//
// Why: httplib runs a worker per connection, so 20 clients meant 20 queries sharing 2 cores. The
// kernel shares the CPU evenly, so a 40 ms query took 20 × 40 / 2 = 400 ms, ten times its cost,
// while the short ones barely noticed. In arrival order with one query per core, each request
// waits for the same short queue and then runs at full speed: the mean stays (Little's law), the
// long queries' tail shrinks to their own cost plus the queue (docs/PERFORMANCE.md, "Web API").
//
// Thread safety: every member may be called from any thread.
#ifndef EVIDEX_SERVER_ADMISSION_H_
#define EVIDEX_SERVER_ADMISSION_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace evidex::server {

class AdmissionGate {
 public:
  explicit AdmissionGate(int slots) : slots_(slots < 1 ? 1 : uint64_t(slots)) {}

  // Holds a slot from construction to destruction; waits, in arrival order, for one.
  class Ticket {
   public:
    explicit Ticket(AdmissionGate& gate) : gate_(gate) { gate_.Enter(); }
    ~Ticket() { gate_.Leave(); }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;

   private:
    AdmissionGate& gate_;
  };

  int slots() const { return int(slots_); }
  // Requests inside or waiting.
  int queued() {
    std::lock_guard<std::mutex> lock(mu_);
    return int(next_ - left_);
  }

 private:
  // Ticket t may run once fewer than `slots` of the tickets before it are still running, that is
  // when t < left + slots: the first `slots` run at once, and each departure admits the next.
  void Enter() {
    std::unique_lock<std::mutex> lock(mu_);
    const uint64_t ticket = next_++;
    cv_.wait(lock, [&] { return ticket < left_ + slots_; });
  }
  void Leave() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++left_;
    }
    cv_.notify_all();
  }

  const uint64_t slots_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_ = 0;  // tickets handed out
  uint64_t left_ = 0;  // tickets that have left
};

}  // namespace evidex::server

#endif  // EVIDEX_SERVER_ADMISSION_H_
