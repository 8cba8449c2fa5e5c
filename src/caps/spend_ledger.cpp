#include "caps/spend_ledger.h"

#include "caps/usd_amount.h"
#include "core/time_format.h"
#include "logging/log.h"

namespace keyrelay::caps {

std::string Charge::label() const {
  const std::string when(period_name(period));
  switch (subject) {
    case store::CapSubject::key: return "the key's " + when + " cap";
    case store::CapSubject::user: return "the user's " + when + " cap";
    case store::CapSubject::default_key_allowance: return "the user's " + when + " default-key allowance";
  }
  return "a cap";
}

std::vector<Charge> charges_for(const CapBook& book, const ChargeTarget& target) {
  std::vector<Charge> out;
  auto add = [&](store::CapSubject subject, const std::string& id, std::optional<std::string> key_id) {
    const store::CapRecord* caps = book.find(subject, id);
    if (caps == nullptr) return;
    if (caps->limits.daily_micro_usd)
      out.push_back(Charge{subject, id, Period::day, *caps->limits.daily_micro_usd, caps->owner_id, key_id});
    if (caps->limits.monthly_micro_usd)
      out.push_back(Charge{subject, id, Period::month, *caps->limits.monthly_micro_usd, caps->owner_id, key_id});
  };
  add(store::CapSubject::key, target.key_id, target.key_id);
  if (target.default_key) add(store::CapSubject::default_key_allowance, target.user_id, std::nullopt);
  else if (target.key_owner_id == target.user_id) add(store::CapSubject::user, target.user_id, std::nullopt);
  return out;
}

CounterKey counter_key(store::CapSubject subject, const std::string& subject_id, Period period, store::TimePoint at) {
  const auto bounds = period_of(period, at);
  return CounterKey{std::string(store::cap_subject_name(subject)) + ":" + subject_id + ":" +
                    (period == Period::day ? "d" : "m") + bounds.id};
}

SpendLedger::SpendLedger(SpendCounters& counters, Seeder seeder, const core::Clock& clock,
                         ThresholdListener on_threshold)
    : counters_(counters), seeder_(std::move(seeder)), clock_(clock), on_threshold_(std::move(on_threshold)) {}

std::vector<CounterDemand> SpendLedger::demands_of(const std::vector<Charge>& charges) const {
  const auto now = clock_.now();
  std::vector<CounterDemand> demands;
  demands.reserve(charges.size());
  for (const auto& c : charges) {
    // Kept a day past its period, so a call running across midnight still settles into it.
    const auto ends = period_of(c.period, now).resets_at + std::chrono::hours(24);
    demands.push_back(CounterDemand{counter_key(c.subject, c.subject_id, c.period, now), c.limit, std::nullopt, ends});
  }
  return demands;
}

core::Result<void> SpendLedger::seed(const std::vector<Charge>& charges, std::vector<CounterDemand>& demands,
                                     const std::vector<std::size_t>& unseeded) {
  const auto now = clock_.now();
  for (const std::size_t i : unseeded) {
    const auto bounds = period_of(charges[i].period, now);
    auto spent = seeder_(charges[i].subject, charges[i].subject_id, bounds.first_day, bounds.last_day);
    if (!spent) return core::Error::unavailable("the spend of " + charges[i].label() + " cannot be read right now");
    demands[i].seed = *spent;
  }
  return core::ok();
}

core::Error SpendLedger::refusal(const Charge& charge, const ReserveResult& result, std::int64_t amount) const {
  const auto now = clock_.now();
  const auto resets = period_of(charge.period, now).resets_at;
  std::string message = charge.label() + " of " + format_usd(charge.limit) + " would be exceeded (spent " +
                        format_usd(result.spent);
  if (result.reserved > 0) message += ", " + format_usd(result.reserved) + " held by calls in flight";
  message += ", this call may cost up to " + format_usd(amount) + "); it resets at " + core::format_rfc3339(resets);
  return core::Error::spend_cap_exceeded(std::move(message), std::chrono::seconds(seconds_until(now, resets)));
}

core::Result<std::optional<Reservation>> SpendLedger::reserve(const std::vector<Charge>& charges, std::int64_t amount,
                                                              bool may_block) {
  if (!may_block && counters_.blocks()) return std::optional<Reservation>();
  auto demands = demands_of(charges);
  for (int round = 0; round < 3; ++round) {
    auto result = counters_.reserve(demands, amount);
    if (!result) return core::Error::unavailable("the spend caps cannot be checked right now; try again");
    switch (result->kind) {
      case ReserveResult::Kind::reserved:
        return std::optional<Reservation>(Reservation{charges, std::move(demands), amount});
      case ReserveResult::Kind::refused: {
        const Charge& refused = charges[result->refused_index];
        raise(refused, demands[result->refused_index].key, 100, result->spent);
        return refusal(refused, *result, amount);
      }
      case ReserveResult::Kind::needs_seed:
        if (!may_block) return std::optional<Reservation>();
        if (auto seeded = seed(charges, demands, result->unseeded); !seeded) return seeded.error();
        break;
    }
  }
  return core::Error::unavailable("the spend caps cannot be checked right now; try again");
}

void SpendLedger::settle(const Reservation& reservation, std::int64_t cost) noexcept {
  try {
    auto after = counters_.settle(reservation.counters, reservation.amount, cost);
    if (!after) {
      logging::error("spend reservation not settled", {{"error", after.error().message}});
      return;
    }
    if (cost <= 0) return;
    for (std::size_t i = 0; i < reservation.charges.size() && i < after->size(); ++i) {
      const Charge& c = reservation.charges[i];
      const std::int64_t spent = (*after)[i];
      // Compared in integers: spent / limit ≥ percent / 100.
      for (const int percent : {80, 100})
        if (spent * 100 >= c.limit * percent) raise(c, reservation.counters[i].key, percent, spent);
    }
  } catch (const std::exception& e) {
    logging::error("spend reservation not settled", {{"error", std::string(e.what())}});
  }
}

void SpendLedger::raise(const Charge& charge, const CounterKey& key, int percent, std::int64_t spent) noexcept {
  if (!on_threshold_) return;
  auto first = counters_.first_alert(key, percent);
  if (!first || !*first) return;
  // 100 % includes 80 %: a refusal before the 80 % alert went out raises both.
  if (percent == 100) {
    if (auto eighty = counters_.first_alert(key, 80); eighty && *eighty) on_threshold_(charge, 80, spent);
  }
  on_threshold_(charge, percent, spent);
}

core::Result<std::optional<SpendCounters::Figures>> SpendLedger::figures(store::CapSubject subject,
                                                                         const std::string& subject_id,
                                                                         Period period) {
  return counters_.figures(counter_key(subject, subject_id, period, clock_.now()));
}

}  // namespace keyrelay::caps
