// The spend ledger over this process's counters, with an injected clock and a fake store seed: the
// caps that apply to a call, reservation arithmetic (all caps or none, refusals naming the cap and
// its reset), settling, seeding once per period, rollover at UTC day and month boundaries, and the
// 80 %/100 % alerts once per cap and period.

#include "caps/spend_ledger.h"

#include <gtest/gtest.h>

#include <map>

#include "caps/local_spend_counters.h"
#include "core/time_format.h"
#include "support/fake_clock.h"

namespace keyrelay::caps {
namespace {

using store::CapSubject;
using namespace std::chrono_literals;

store::TimePoint t(const std::string& rfc3339) { return *core::parse_rfc3339(rfc3339); }

store::CapRecord cap(CapSubject subject, std::string id, std::string owner, std::optional<std::int64_t> daily,
                     std::optional<std::int64_t> monthly) {
  return store::CapRecord{subject, std::move(id), std::move(owner), {daily, monthly}, t("2026-01-01T00:00:00Z")};
}

struct Alert {
  std::string label;
  int percent;
  std::int64_t spent;
};

class SpendLedgerTest : public ::testing::Test {
 protected:
  SpendLedgerTest()
      : clock_(t("2026-01-31T23:00:00Z")),
        counters_(clock_),
        ledger_(counters_, [this](CapSubject s, const std::string& id, const std::string& first, const std::string& last) {
          return seed(s, id, first, last);
        }, clock_, [this](const Charge& c, int percent, std::int64_t spent) { alerts_.push_back({c.label(), percent, spent}); }) {}

  core::Result<std::int64_t> seed(CapSubject subject, const std::string& id, const std::string& first,
                                  const std::string& last) {
    ++seeds_;
    if (store_down_) return core::Error::unavailable("store down");
    const auto it = booked_.find(std::string(store::cap_subject_name(subject)) + ":" + id + ":" + first + ".." + last);
    return it == booked_.end() ? 0 : it->second;
  }

  core::Result<Reservation> must_reserve(const std::vector<Charge>& charges, std::int64_t amount) {
    auto r = ledger_.reserve(charges, amount, true);
    if (!r) return r.error();
    EXPECT_TRUE(r->has_value());
    return std::move(**r);
  }

  test::FakeClock clock_;
  LocalSpendCounters counters_;
  SpendLedger ledger_;
  std::map<std::string, std::int64_t> booked_;
  int seeds_ = 0;
  bool store_down_ = false;
  std::vector<Alert> alerts_;
};

TEST(Charges, AKeysCapsAlwaysTheUsersOnlyOnTheirOwnKeysTheAllowanceOnlyOnDefaultKeys) {
  CapBook book({cap(CapSubject::key, "k1", "alice", 100, std::nullopt), cap(CapSubject::user, "alice", "alice", 10, 20),
                cap(CapSubject::default_key_allowance, "alice", "alice", std::nullopt, 5),
                cap(CapSubject::key, "sys-key", "system", 7, std::nullopt)});
  auto own = charges_for(book, {"alice", "k1", "alice", false});
  ASSERT_EQ(own.size(), 3u);
  EXPECT_EQ(own[0].label(), "the key's daily cap");
  EXPECT_EQ(own[1].label(), "the user's daily cap");
  EXPECT_EQ(own[2].label(), "the user's monthly cap");
  auto by_default = charges_for(book, {"alice", "sys-key", "system", true});
  ASSERT_EQ(by_default.size(), 2u);
  EXPECT_EQ(by_default[0].label(), "the key's daily cap");
  EXPECT_EQ(by_default[1].label(), "the user's monthly default-key allowance");
  EXPECT_EQ(by_default[1].limit, 5);
  // Acting on someone else's key (not possible through the gateway, but not charged to alice).
  EXPECT_TRUE(charges_for(book, {"alice", "k9", "bob", false}).empty());
  EXPECT_TRUE(charges_for(CapBook{}, {"alice", "k1", "alice", false}).empty());
}

TEST_F(SpendLedgerTest, ReservationsHoldTheCapUntilSettledAndARefusalNamesTheCapAndItsReset) {
  const std::vector<Charge> daily{{CapSubject::key, "k1", Period::day, 1'000, "alice", "k1"}};
  auto a = must_reserve(daily, 400);
  ASSERT_TRUE(a);
  auto b = must_reserve(daily, 400);
  ASSERT_TRUE(b);
  auto refused = ledger_.reserve(daily, 201, true);  // 400 + 400 + 201 > 1000
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::Errc::spend_cap_exceeded);
  EXPECT_NE(refused.error().message.find("the key's daily cap of $0.001"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("2026-02-01T00:00:00"), std::string::npos) << refused.error().message;
  EXPECT_EQ(refused.error().retry_after, std::chrono::seconds(3600));
  ASSERT_TRUE(must_reserve(daily, 200));  // exactly the cap: allowed (200 is held until released below)

  ledger_.settle(*a, 150);  // cost less than reserved: 250 freed
  auto figures = ledger_.figures(CapSubject::key, "k1", Period::day);
  ASSERT_TRUE(figures && *figures);
  EXPECT_EQ((*figures)->spent, 150);
  EXPECT_EQ((*figures)->reserved, 600);
  ledger_.settle(*b, 0);  // failed call: released
  figures = ledger_.figures(CapSubject::key, "k1", Period::day);
  EXPECT_EQ((*figures)->reserved, 200);
  EXPECT_EQ(seeds_, 1) << "seeded once, then memory only";
}

TEST_F(SpendLedgerTest, AllCapsOrNoneAndAStreamPastItsReservationIsSettledAtItsRealCost) {
  const std::vector<Charge> both{{CapSubject::key, "k1", Period::day, 10'000, "alice", "k1"},
                                 {CapSubject::user, "alice", Period::month, 500, "alice", std::nullopt}};
  auto refused = ledger_.reserve(both, 600, true);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("the user's monthly cap"), std::string::npos);
  auto key_only = ledger_.figures(CapSubject::key, "k1", Period::day);
  ASSERT_TRUE(key_only && *key_only);
  EXPECT_EQ((*key_only)->reserved, 0) << "nothing reserved when one cap refuses";

  auto r = must_reserve(both, 300);
  ASSERT_TRUE(r);
  ledger_.settle(*r, 700);  // ran past its reservation: counted at what it cost
  auto month = ledger_.figures(CapSubject::user, "alice", Period::month);
  EXPECT_EQ((*month)->spent, 700);
  EXPECT_EQ((*month)->reserved, 0);
  auto next = ledger_.reserve(both, 1, true);
  ASSERT_FALSE(next) << "the next call is refused";
  EXPECT_EQ(next.error().code, core::Errc::spend_cap_exceeded);
}

TEST_F(SpendLedgerTest, CountersStartFromTheBookedSpendAndRollOverAtUtcDayAndMonth) {
  booked_["user:alice:2026-01-31..2026-01-31"] = 900;
  booked_["user:alice:2026-01-01..2026-01-31"] = 4'900;
  const std::vector<Charge> caps{{CapSubject::user, "alice", Period::day, 1'000, "alice", std::nullopt},
                                 {CapSubject::user, "alice", Period::month, 5'000, "alice", std::nullopt}};
  // Without blocking, a counter that needs its seed is left to a worker.
  auto fast = ledger_.reserve(caps, 50, false);
  ASSERT_TRUE(fast);
  EXPECT_FALSE(fast->has_value());
  auto today = must_reserve(caps, 100);
  ASSERT_TRUE(today);  // 900 + 100 = 1000 and 4900 + 100 = 5000: exactly at both caps
  EXPECT_EQ(seeds_, 2);
  ledger_.settle(*today, 100);
  EXPECT_FALSE(ledger_.reserve(caps, 1, false)) << "both caps are full";

  clock_.advance(1h);  // 2026-02-01T00:00:00Z: a new day and a new month
  auto fast_again = ledger_.reserve(caps, 1, false);
  ASSERT_TRUE(fast_again);
  EXPECT_FALSE(fast_again->has_value()) << "the new periods need their own seeds";
  auto february = must_reserve(caps, 1'000);
  ASSERT_TRUE(february);
  EXPECT_EQ(seeds_, 4);
  auto tomorrow_cap = ledger_.reserve(caps, 1, true);
  ASSERT_FALSE(tomorrow_cap);
  EXPECT_NE(tomorrow_cap.error().message.find("2026-02-02T00:00:00"), std::string::npos) << tomorrow_cap.error().message;
}

TEST_F(SpendLedgerTest, AnUnreadableSeedFailsClosed) {
  store_down_ = true;
  const std::vector<Charge> daily{{CapSubject::key, "k1", Period::day, 1'000, "alice", "k1"}};
  auto r = ledger_.reserve(daily, 1, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Errc::unavailable);
  store_down_ = false;
  EXPECT_TRUE(ledger_.reserve(daily, 1, true));
}

TEST_F(SpendLedgerTest, AlertsAtEightyAndAHundredPercentOncePerCapAndPeriod) {
  const std::vector<Charge> daily{{CapSubject::key, "k1", Period::day, 1'000, "alice", "k1"}};
  for (int i = 0; i < 7; ++i) ledger_.settle(*must_reserve(daily, 100), 100);
  EXPECT_TRUE(alerts_.empty());
  ledger_.settle(*must_reserve(daily, 100), 100);  // 800: 80 %
  ASSERT_EQ(alerts_.size(), 1u);
  EXPECT_EQ(alerts_[0].percent, 80);
  EXPECT_EQ(alerts_[0].spent, 800);
  ledger_.settle(*must_reserve(daily, 100), 100);  // 900: still 80 %, not again
  EXPECT_EQ(alerts_.size(), 1u);
  ASSERT_FALSE(ledger_.reserve(daily, 101, true));  // refused by the cap: 100 %
  ASSERT_EQ(alerts_.size(), 2u);
  EXPECT_EQ(alerts_[1].percent, 100);
  EXPECT_EQ(alerts_[1].label, "the key's daily cap");
  ledger_.settle(*must_reserve(daily, 100), 100);  // 1000: reached, but raised already
  ASSERT_FALSE(ledger_.reserve(daily, 1, true));
  EXPECT_EQ(alerts_.size(), 2u);

  clock_.advance(2h);  // the next day: a new period, new alerts
  for (int i = 0; i < 10; ++i) ledger_.settle(*must_reserve(daily, 100), 100);
  ASSERT_EQ(alerts_.size(), 4u);
  EXPECT_EQ(alerts_[2].percent, 80);
  EXPECT_EQ(alerts_[3].percent, 100);
}

}  // namespace
}  // namespace keyrelay::caps
