#include "caps/local_spend_counters.h"

#include <algorithm>

namespace keyrelay::caps {

core::Result<ReserveResult> LocalSpendCounters::reserve(const std::vector<CounterDemand>& demands, std::int64_t amount) {
  std::lock_guard lock(mutex_);
  ReserveResult result;
  for (std::size_t i = 0; i < demands.size(); ++i)
    if (!demands[i].seed && !counters_.contains(demands[i].key.name)) result.unseeded.push_back(i);
  if (!result.unseeded.empty()) {
    result.kind = ReserveResult::Kind::needs_seed;
    return result;
  }
  for (const auto& d : demands) {
    if (counters_.contains(d.key.name)) continue;
    counters_[d.key.name] = Counter{*d.seed, 0, d.expires_at, {}};
    if (++made_since_sweep_ >= 256) forget_ended_periods();
  }
  for (std::size_t i = 0; i < demands.size(); ++i) {
    const Counter& c = counters_.at(demands[i].key.name);
    if (c.spent + c.reserved + amount > demands[i].limit) {
      result.kind = ReserveResult::Kind::refused;
      result.refused_index = i;
      result.spent = c.spent;
      result.reserved = c.reserved;
      return result;
    }
  }
  for (const auto& d : demands) counters_.at(d.key.name).reserved += amount;
  return result;
}

core::Result<std::vector<std::int64_t>> LocalSpendCounters::settle(const std::vector<CounterDemand>& counters,
                                                                  std::int64_t reserved, std::int64_t spent) {
  std::lock_guard lock(mutex_);
  std::vector<std::int64_t> after;
  for (const auto& d : counters) {
    // A counter forgotten meanwhile (its period ended) is made again: the spend still happened.
    Counter& c = counters_.try_emplace(d.key.name, Counter{0, 0, d.expires_at, {}}).first->second;
    c.reserved = std::max<std::int64_t>(0, c.reserved - reserved);
    c.spent += spent;
    after.push_back(c.spent);
  }
  return after;
}

core::Result<bool> LocalSpendCounters::first_alert(const CounterKey& key, int percent) {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(key.name);
  if (it == counters_.end()) return false;
  return it->second.alerted.insert(percent).second;
}

core::Result<std::optional<SpendCounters::Figures>> LocalSpendCounters::figures(const CounterKey& key) {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(key.name);
  if (it == counters_.end()) return std::optional<Figures>();
  return std::optional<Figures>(Figures{it->second.spent, it->second.reserved});
}

std::size_t LocalSpendCounters::size() const {
  std::lock_guard lock(mutex_);
  return counters_.size();
}

void LocalSpendCounters::forget_ended_periods() {
  made_since_sweep_ = 0;
  const auto now = clock_.now();
  std::erase_if(counters_, [now](const auto& entry) {
    return entry.second.expires_at <= now && entry.second.reserved == 0;
  });
}

}  // namespace keyrelay::caps
