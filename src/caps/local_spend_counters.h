#pragma once
// LocalSpendCounters: SpendCounters in this process's memory, for a single node (no Redis). Every
// call is a few map operations under one mutex: never blocks, never fails. Counters of periods that
// ended and hold no reservation are forgotten as new ones are made.

#include <map>
#include <mutex>
#include <set>

#include "caps/spend_counters.h"
#include "core/clock.h"

namespace keyrelay::caps {

class LocalSpendCounters final : public SpendCounters {
 public:
  explicit LocalSpendCounters(const core::Clock& clock) : clock_(clock) {}

  // caps::SpendCounters
  bool blocks() const noexcept override { return false; }
  core::Result<ReserveResult> reserve(const std::vector<CounterDemand>& demands, std::int64_t amount) override;
  core::Result<std::vector<std::int64_t>> settle(const std::vector<CounterDemand>& counters, std::int64_t reserved,
                                                std::int64_t spent) override;
  core::Result<bool> first_alert(const CounterKey& key, int percent) override;
  core::Result<std::optional<Figures>> figures(const CounterKey& key) override;

  std::size_t size() const;  // counters held (tests)

 private:
  struct Counter {
    std::int64_t spent = 0, reserved = 0;
    store::TimePoint expires_at{};
    std::set<int> alerted;
  };
  void forget_ended_periods();  // REQUIRES: mutex_ held

  const core::Clock& clock_;
  mutable std::mutex mutex_;  // guards counters_
  std::map<std::string, Counter, std::less<>> counters_;
  std::size_t made_since_sweep_ = 0;
};

}  // namespace keyrelay::caps
