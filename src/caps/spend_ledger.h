#pragma once
// SpendLedger: spend caps enforced before a call. For each call it finds the caps that apply (the
// key's, the user's when the key is the user's own, the user's default-key allowance when it is an
// operator default key), reserves the call's worst case against every one of them at once, and
// later settles the reservation to what the call really cost — so concurrent calls can overshoot a
// cap only by what a call costs beyond its own reservation. Counters live in a SpendCounters engine
// (this process, or Redis for every node); a counter starts from the store's booked spend of its
// period the first time a cap needs it ("seeding", the only store read, once per cap and period).
//
// Alerts at 80 % and 100 % of each cap go to the threshold listener once per cap and period: 80 %
// when the settled spend reaches it; 100 % when it reaches the cap or a call is refused by it (with
// reservations in place the settled spend may stop just short of the cap).
//
// Thread-safe. reserve() and settle() block only where the counters do (Redis) or a counter needs
// its seed; reserve(…, may_block = false) says so instead of blocking.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "caps/cap_book.h"
#include "caps/cap_periods.h"
#include "caps/spend_counters.h"
#include "core/clock.h"
#include "core/result.h"

namespace keyrelay::caps {

// One cap a call is charged against.
struct Charge {
  store::CapSubject subject = store::CapSubject::user;
  std::string subject_id;
  Period period = Period::day;
  std::int64_t limit = 0;  // micro-USD
  std::string owner_id;    // whose cap (alerts go to this user)
  std::optional<std::string> key_id;
  // "the key's daily cap", "the user's monthly cap", "the user's daily default-key allowance".
  std::string label() const;
};

// Who makes a call and with which key.
struct ChargeTarget {
  std::string user_id;       // the effective user
  std::string key_id;
  std::string key_owner_id;  // the user, or the system user for an operator default key
  bool default_key = false;
};

// The caps in `book` that apply to a call of `target`, daily before monthly.
std::vector<Charge> charges_for(const CapBook& book, const ChargeTarget& target);

// A held reservation: what settle() needs.
struct Reservation {
  std::vector<Charge> charges;
  std::vector<CounterDemand> counters;  // one per charge, of the periods at reserve time
  std::int64_t amount = 0;
};

class SpendLedger {
 public:
  // The booked spend of (subject, id) on the UTC days first..last (CapStore::spent_micro_usd).
  using Seeder = std::function<core::Result<std::int64_t>(store::CapSubject subject, const std::string& subject_id,
                                                          const std::string& first_day, const std::string& last_day)>;
  // A cap's spend crossed `percent` (80 or 100) of it. Must not block.
  using ThresholdListener = std::function<void(const Charge& charge, int percent, std::int64_t spent)>;

  // `counters` and `clock` must outlive the ledger.
  SpendLedger(SpendCounters& counters, Seeder seeder, const core::Clock& clock, ThresholdListener on_threshold = {});

  bool blocks() const noexcept { return counters_.blocks(); }

  // Reserves `amount` micro-USD against every charge, all or none. spend_cap_exceeded naming the
  // first cap that would be exceeded and when it resets (retry_after: until then); unavailable when
  // the counters or a seed cannot be read (the call must be refused: fail closed). With `may_block`
  // false, returns nullopt instead of doing anything that blocks (the caller retries on a worker).
  core::Result<std::optional<Reservation>> reserve(const std::vector<Charge>& charges, std::int64_t amount,
                                                   bool may_block);

  // Ends `reservation`: the call cost `cost` micro-USD (0 releases it). Raises the thresholds the
  // spend crossed. A counters error is logged: the reservation then lapses with its period.
  void settle(const Reservation& reservation, std::int64_t cost) noexcept;

  // What (subject, id) spent in the current `period` according to the counters, reservations
  // included; nullopt when no counter exists (the caller reads the store instead).
  core::Result<std::optional<SpendCounters::Figures>> figures(store::CapSubject subject, const std::string& subject_id,
                                                              Period period);

 private:
  std::vector<CounterDemand> demands_of(const std::vector<Charge>& charges) const;
  core::Result<void> seed(const std::vector<Charge>& charges, std::vector<CounterDemand>& demands,
                          const std::vector<std::size_t>& unseeded);
  core::Error refusal(const Charge& charge, const ReserveResult& result, std::int64_t amount) const;
  void raise(const Charge& charge, const CounterKey& key, int percent, std::int64_t spent) noexcept;

  SpendCounters& counters_;
  Seeder seeder_;
  const core::Clock& clock_;
  ThresholdListener on_threshold_;
};

// The counter of (subject, id) in the period containing `at`.
CounterKey counter_key(store::CapSubject subject, const std::string& subject_id, Period period, store::TimePoint at);

}  // namespace keyrelay::caps
