#include "server/admission.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace evidex::server {
namespace {

TEST(AdmissionGate, NeverMoreThanSlotsAtOnce) {
  AdmissionGate gate(3);
  std::atomic<int> inside{0}, peak{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&] {
      for (int k = 0; k < 50; ++k) {
        AdmissionGate::Ticket ticket(gate);
        int now = ++inside;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::yield();
        --inside;
      }
    });
  for (std::thread& t : threads) t.join();
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 1);
  EXPECT_EQ(inside.load(), 0);
}

TEST(AdmissionGate, WaitersEnterInArrivalOrder) {
  AdmissionGate gate(1);
  std::vector<int> order;
  std::mutex order_mu;
  auto holder = std::make_unique<AdmissionGate::Ticket>(gate);
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      AdmissionGate::Ticket ticket(gate);
      std::lock_guard<std::mutex> lock(order_mu);
      order.push_back(i);
    });
    // The next waiter starts only once this one holds its ticket (the holder plus i + 1 waiters).
    while (gate.queued() != i + 2) std::this_thread::yield();
  }
  {
    std::lock_guard<std::mutex> lock(order_mu);
    EXPECT_TRUE(order.empty()) << "a waiter ran while the only slot was held";
  }
  holder.reset();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST(AdmissionGate, ZeroSlotsStillAdmitsOne) {
  AdmissionGate gate(0);
  EXPECT_EQ(gate.slots(), 1);
  AdmissionGate::Ticket ticket(gate);
}

}  // namespace
}  // namespace evidex::server
