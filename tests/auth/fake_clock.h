#pragma once
// A core::Clock whose time the test sets. Thread-safe reads (atomics), so a verifier shared with
// other threads may use it.

#include <atomic>
#include <chrono>

#include "core/clock.h"

namespace keyrelay::auth::test {

class FakeClock final : public core::Clock {
 public:
  using SystemTime = std::chrono::system_clock::time_point;

  explicit FakeClock(std::chrono::seconds since_epoch) { set(since_epoch); }

  void set(std::chrono::seconds since_epoch) { seconds_.store(since_epoch.count()); }
  void advance(std::chrono::seconds by) { seconds_.fetch_add(by.count()); }

  SystemTime now() const override { return SystemTime(std::chrono::seconds(seconds_.load())); }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::seconds(seconds_.load()));
  }

 private:
  std::atomic<long long> seconds_{0};
};

}  // namespace keyrelay::auth::test
