#pragma once
// SpendCounters: what each capped subject spent and holds reserved in the current day and month,
// the state a spend cap is checked against. One counter per (subject, subject id, period); a counter
// starts from a seed (the store's booked spend of that period) the first time a cap needs it, and
// a new period is a new counter, so a rollover at a UTC day or month boundary starts from the
// booked spend of the new period (zero at first).
//
// Two engines: LocalSpendCounters (this process only) and RedisSpendCounters (shared by every node,
// one Lua script per check-and-reserve). Thread-safe. Calls on a counters engine that blocks()
// do network round trips: call them from a worker thread.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::caps {

// One counter: "<subject>:<subject id>:<period id>" (the period id is "d2026-01-31" or "m2026-01").
struct CounterKey {
  std::string name;
  friend bool operator==(const CounterKey&, const CounterKey&) = default;
};

// One cap a reservation must fit under.
struct CounterDemand {
  CounterKey key;
  std::int64_t limit = 0;             // micro-USD
  std::optional<std::int64_t> seed;   // the period's booked spend, when the caller read it
  store::TimePoint expires_at{};      // after its period ends: the counter may be forgotten
};

struct ReserveResult {
  enum class Kind { reserved, refused, needs_seed };
  Kind kind = Kind::reserved;
  // refused: the first demand that would be exceeded, with its counter's figures.
  std::size_t refused_index = 0;
  std::int64_t spent = 0, reserved = 0;
  // needs_seed: the demands whose counter does not exist and came without a seed.
  std::vector<std::size_t> unseeded;
};

class SpendCounters {
 public:
  virtual ~SpendCounters() = default;

  // True when calls do network round trips (worker threads only).
  virtual bool blocks() const noexcept = 0;

  // All or nothing, atomically: creates missing counters from their seeds — or, when a missing one
  // has none, reserves nothing and reports needs_seed; then refuses when spent + reserved + amount
  // would exceed any demand's limit (nothing reserved); otherwise adds `amount` to every counter's
  // reserved. unavailable when the state cannot be read.
  virtual core::Result<ReserveResult> reserve(const std::vector<CounterDemand>& demands, std::int64_t amount) = 0;

  // Ends a reservation: takes `reserved` out of each counter's reservation and adds `spent` to its
  // spend. Returns each counter's spend afterwards, in order.
  virtual core::Result<std::vector<std::int64_t>> settle(const std::vector<CounterDemand>& counters,
                                                        std::int64_t reserved, std::int64_t spent) = 0;

  // True the first time it is called for (counter, percent): an alert at that level goes out once
  // per cap and period.
  virtual core::Result<bool> first_alert(const CounterKey& key, int percent) = 0;

  // A counter's spend and reservations; nullopt when it does not exist (not seeded yet).
  struct Figures {
    std::int64_t spent = 0, reserved = 0;
  };
  virtual core::Result<std::optional<Figures>> figures(const CounterKey& key) = 0;
};

}  // namespace keyrelay::caps
