// Contract: spend caps — set and read per user, key and default-key allowance, scoped by owner,
// audited in the same transaction, a bad limit changing nothing; and what each subject spent,
// summed from the booked usage (a user's own keys, one key, a user's use of default keys).

#include "store/store.h"

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class CapsContract : public StoreContract {
 protected:
  CapStore::CapChange audited(std::vector<std::pair<CapLimits, CapLimits>>* seen = nullptr) {
    return [this, seen](const CapRecord& before, const CapRecord& after) -> core::Result<AuditEvent> {
      if (seen != nullptr) seen->emplace_back(before.limits, after.limits);
      return make_event("cap.updated");
    };
  }
  std::int64_t spent(CapSubject subject, const std::string& id, std::string from, std::string to) {
    auto got = store_->spent_micro_usd(subject, id, from, to);
    EXPECT_TRUE(got) << got.error().message;
    return got ? *got : -1;
  }
};
KEYRELAY_STORE_CONTRACT(CapsContract);

TEST_P(CapsContract, UnsetCapsReadAsNoLimits) {
  auto alice = add_user("alice");
  auto caps = store_->find_caps(CapSubject::user, alice.id, alice.id);
  ASSERT_TRUE(caps) << caps.error().message;
  EXPECT_TRUE(caps->limits.is_empty());
  EXPECT_FALSE(caps->updated_at);
  EXPECT_EQ(caps->owner_id, alice.id);
}

TEST_P(CapsContract, SetCapsReplaceBothLimitsAndAppendTheEventOfBeforeAndAfter) {
  auto alice = add_user("alice");
  const auto generation_before = generation();
  const auto events_before = chain_events().size();
  std::vector<std::pair<CapLimits, CapLimits>> seen;
  auto stored = store_->set_caps(CapSubject::user, alice.id, alice.id, CapLimits{5'000'000, 100'000'000}, at(60),
                                 audited(&seen));
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->updated_at, at(60));
  ASSERT_TRUE(store_->set_caps(CapSubject::user, alice.id, alice.id, CapLimits{std::nullopt, 7}, at(61), audited(&seen)));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0].first.is_empty());
  EXPECT_EQ(seen[1].first, (CapLimits{5'000'000, 100'000'000}));
  EXPECT_EQ(seen[1].second, (CapLimits{std::nullopt, 7}));
  auto read = store_->find_caps(CapSubject::user, alice.id, std::nullopt);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->limits, (CapLimits{std::nullopt, 7}));
  EXPECT_EQ(read->updated_at, at(61));
  EXPECT_GT(generation(), generation_before);
  EXPECT_EQ(chain_events().size(), events_before + 2);

  // No limits at all: the caps are gone.
  ASSERT_TRUE(store_->set_caps(CapSubject::user, alice.id, alice.id, CapLimits{}, at(62), audited()));
  auto all = store_->all_caps();
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
}

TEST_P(CapsContract, AKeysCapsAreItsOwnersAndAnotherOwnersKeyIsNotFound) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto key = add_key(alice, "openai", "work");
  ASSERT_TRUE(store_->set_caps(CapSubject::key, key.id, alice.id, CapLimits{1, 2}, at(1), audited()));
  const auto before = snapshot(*store_);
  auto stolen = store_->set_caps(CapSubject::key, key.id, bob.id, CapLimits{9, 9}, at(2), audited());
  ASSERT_FALSE(stolen);
  EXPECT_EQ(stolen.error().code, core::Errc::not_found);
  auto peek = store_->find_caps(CapSubject::key, key.id, bob.id);
  ASSERT_FALSE(peek);
  EXPECT_EQ(peek.error().code, core::Errc::not_found);
  auto missing = store_->find_caps(CapSubject::key, "no-such-key", std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::Errc::not_found);
  EXPECT_EQ(snapshot(*store_), before);

  // Without an owner (an admin): any key, and the record names the key's owner.
  auto any = store_->find_caps(CapSubject::key, key.id, std::nullopt);
  ASSERT_TRUE(any);
  EXPECT_EQ(any->owner_id, alice.id);
  EXPECT_EQ(any->limits, (CapLimits{1, 2}));
}

TEST_P(CapsContract, ANegativeLimitOrAFailingEventChangesNothing) {
  auto alice = add_user("alice");
  ASSERT_TRUE(store_->set_caps(CapSubject::default_key_allowance, alice.id, std::nullopt, CapLimits{10, 20}, at(1),
                               audited()));
  const auto before = snapshot(*store_);
  auto negative = store_->set_caps(CapSubject::default_key_allowance, alice.id, std::nullopt, CapLimits{-1, 20}, at(2),
                                   audited());
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().code, core::Errc::invalid_request);
  auto refused = store_->set_caps(CapSubject::default_key_allowance, alice.id, std::nullopt, CapLimits{1, 2}, at(3),
                                  [](const CapRecord&, const CapRecord&) -> core::Result<AuditEvent> {
                                    return core::Error::internal("no event");
                                  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(snapshot(*store_), before);
  auto caps = store_->find_caps(CapSubject::default_key_allowance, alice.id, std::nullopt);
  ASSERT_TRUE(caps);
  EXPECT_EQ(caps->limits, (CapLimits{10, 20}));
  auto nobody = store_->find_caps(CapSubject::default_key_allowance, "nobody", std::nullopt);
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().code, core::Errc::not_found);
}

TEST_P(CapsContract, AllCapsListsEverySubjectOfEveryOwner) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto key = add_key(bob, "openai", "work");
  ASSERT_TRUE(store_->set_caps(CapSubject::user, alice.id, alice.id, CapLimits{1, std::nullopt}, at(1), audited()));
  ASSERT_TRUE(store_->set_caps(CapSubject::key, key.id, bob.id, CapLimits{std::nullopt, 2}, at(2), audited()));
  ASSERT_TRUE(store_->set_caps(CapSubject::default_key_allowance, bob.id, std::nullopt, CapLimits{3, 4}, at(3),
                               audited()));
  auto all = store_->all_caps();
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  std::map<CapSubject, CapRecord> by_subject;
  for (const auto& c : *all) by_subject[c.subject] = c;
  EXPECT_EQ(by_subject[CapSubject::user].subject_id, alice.id);
  EXPECT_EQ(by_subject[CapSubject::key].owner_id, bob.id);
  EXPECT_EQ(by_subject[CapSubject::key].limits, (CapLimits{std::nullopt, 2}));
  EXPECT_EQ(by_subject[CapSubject::default_key_allowance].limits, (CapLimits{3, 4}));
}

TEST_P(CapsContract, SpendSumsTheBookedCostPerKeyUserAndDefaultKeyUser) {
  auto alice = add_user("alice");
  auto system = add_user("system-owner");
  auto work = add_key(alice, "openai", "work");
  auto home = add_key(alice, "anthropic", "home");
  auto shared = add_key(system, "openai", "shared");
  auto a = make_usage(work, at(10));
  a.cost_micro_usd = 300;
  auto b = make_usage(home, at(20));
  b.cost_micro_usd = 50;
  auto next_day = make_usage(work, at(86400 + 5));
  next_day.cost_micro_usd = 7;
  auto by_default = make_usage(shared, at(30));
  by_default.cost_micro_usd = 1000;
  by_default.allowance_user_id = alice.id;
  auto by_default_again = make_usage(shared, at(40));
  by_default_again.cost_micro_usd = 1;
  by_default_again.allowance_user_id = alice.id;
  ASSERT_TRUE(store_->add_usage({a, b, next_day, by_default, by_default_again}));

  EXPECT_EQ(spent(CapSubject::key, work.id, "2026-01-01", "2026-01-01"), 300);
  EXPECT_EQ(spent(CapSubject::key, work.id, "2026-01-01", "2026-01-31"), 307);
  EXPECT_EQ(spent(CapSubject::user, alice.id, "2026-01-01", "2026-01-01"), 350) << "the user's own keys only";
  EXPECT_EQ(spent(CapSubject::default_key_allowance, alice.id, "2026-01-01", "2026-01-01"), 1001);
  EXPECT_EQ(spent(CapSubject::key, shared.id, "2026-01-01", "2026-01-01"), 1001);
  EXPECT_EQ(spent(CapSubject::user, alice.id, "2025-12-01", "2025-12-31"), 0);
  auto bad = store_->spent_micro_usd(CapSubject::user, alice.id, "2026-1-1", "2026-01-31");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::Errc::invalid_request);
}

}  // namespace
}  // namespace keyrelay::store::test
