#pragma once
// A per-key circuit breaker: after `threshold` consecutive failures (connect errors, timeouts, 5xx,
// 429) a key is skipped for `cool_down`; then one request may try it again (half-open) and its
// result closes or re-opens the circuit. Keeps a key that is down from costing every request a
// timeout. Thread-safe (one mutex, held only for map updates).

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace keyrelay::gateway {

class CircuitBreaker {
 public:
  CircuitBreaker(const core::Clock& clock, unsigned threshold = 3,
                 std::chrono::milliseconds cool_down = std::chrono::seconds(30));

  // May this key be tried now? An open circuit whose cool-down passed lets exactly one caller try.
  bool allows(std::string_view key_id);
  void record_success(std::string_view key_id);
  void record_failure(std::string_view key_id);
  // Keys whose circuit is open now (for metrics and tests).
  std::size_t open_count() const;

 private:
  struct State {
    unsigned failures = 0;
    std::chrono::steady_clock::time_point open_until{};
    bool trial_taken = false;
  };

  const core::Clock& clock_;
  const unsigned threshold_;
  const std::chrono::milliseconds cool_down_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, State> keys_;  // only keys with failures
};

}  // namespace keyrelay::gateway
