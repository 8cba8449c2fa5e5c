// Contract: usage — add_usage books deltas per key and UTC day and onto the key's totals; usage()
// sums the owner's rows over an inclusive day range, grouped by any set of dimensions.

#include "store/store.h"

#include <map>
#include <thread>
#include <tuple>

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

constexpr std::int64_t kDay = 86400;

UsageQuery query(const UserRecord& owner, std::string from, std::string to, bool by_day, bool by_provider,
                 bool by_key) {
  return UsageQuery{owner.id, std::move(from), std::move(to), by_day, by_provider, by_key};
}

class UsageContract : public StoreContract {
 protected:
  std::vector<std::string> usage_texts(const UsageQuery& q) {
    auto rows = store_->usage(q);
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? texts(*rows) : std::vector<std::string>{};
  }

  KeyRecord key_of(const KeyRecord& key) {
    auto got = store_->get_key(key.owner_id, key.id);
    EXPECT_TRUE(got) << got.error().message;
    return got ? *got : KeyRecord{};
  }
};
KEYRELAY_STORE_CONTRACT(UsageContract);

UsageRow row(std::optional<std::string> day, std::optional<std::string> provider, std::optional<std::string> key,
             std::int64_t requests, std::int64_t input, std::int64_t output, std::int64_t errors) {
  return UsageRow{std::move(day), std::move(provider), std::move(key), requests, input, output, errors};
}

TEST_P(UsageContract, AccumulatesAcrossCallsAndSplitsAtTheUtcDayBoundary) {
  auto alice = add_user("alice");
  auto key = add_key(alice, "openai", "work");
  auto last_ms_of_day = make_usage(key, at(kDay - 1) + std::chrono::milliseconds{999}, 2);
  last_ms_of_day.errors = 1;
  ASSERT_TRUE(store_->add_usage({make_usage(key, at(10), 1), last_ms_of_day}));
  ASSERT_TRUE(store_->add_usage({make_usage(key, at(kDay), 4)}));  // 2026-01-02T00:00:00.000Z
  ASSERT_TRUE(store_->add_usage({make_usage(key, at(kDay + 5), 8), make_usage(key, at(20), 16)}));

  EXPECT_EQ(usage_texts(query(alice, "2026-01-01", "2026-01-02", true, false, false)),
            texts(std::vector<UsageRow>{row("2026-01-01", {}, {}, 19, 190, 380, 1),
                                        row("2026-01-02", {}, {}, 12, 120, 240, 0)}));
  EXPECT_EQ(usage_day(at(kDay - 1) + std::chrono::milliseconds{999}), "2026-01-01");
  EXPECT_EQ(usage_day(at(kDay)), "2026-01-02");
  EXPECT_EQ(usage_day(at(-1)), "2025-12-31");
}

TEST_P(UsageContract, UpdatesTheKeysTotalsAndNeverMovesLastUsedBack) {
  auto alice = add_user("alice");
  auto key = add_key(alice, "openai", "work");
  auto other = add_key(alice, "openai", "spare");
  EXPECT_FALSE(key_of(key).last_used_at);

  auto failing = make_usage(key, at(500), 3);
  failing.errors = 2;
  ASSERT_TRUE(store_->add_usage({failing}));
  ASSERT_TRUE(store_->add_usage({make_usage(key, at(300), 1)}));  // an older batch, flushed late
  auto got = key_of(key);
  EXPECT_EQ(got.last_used_at, at(500));
  EXPECT_EQ(got.usage.requests, 4);
  EXPECT_EQ(got.usage.input_tokens, 40);
  EXPECT_EQ(got.usage.output_tokens, 80);
  EXPECT_EQ(got.usage.errors, 2);

  ASSERT_TRUE(store_->add_usage({make_usage(key, at(700), 1)}));
  EXPECT_EQ(key_of(key).last_used_at, at(700));
  EXPECT_EQ(key_of(key).usage.requests, 5);

  auto untouched = key_of(other);
  EXPECT_FALSE(untouched.last_used_at);
  EXPECT_EQ(untouched.usage.requests, 0);
  EXPECT_EQ(text(untouched), text(other)) << "only the key a delta names changes";
}

TEST_P(UsageContract, KeysStartedWithUsageKeepIt) {
  auto alice = add_user("alice");
  auto key = make_key(alice, "openai", "imported");
  key.usage = {100, 1000, 2000, 5};
  key.last_used_at = at(900);
  ASSERT_TRUE(store_->insert_key(key, make_event("key.created")));
  ASSERT_TRUE(store_->add_usage({make_usage(key, at(800), 1)}));
  auto got = key_of(key);
  EXPECT_EQ(got.usage.requests, 101);
  EXPECT_EQ(got.usage.input_tokens, 1010);
  EXPECT_EQ(got.usage.output_tokens, 2020);
  EXPECT_EQ(got.usage.errors, 5);
  EXPECT_EQ(got.last_used_at, at(900));
}

TEST_P(UsageContract, DeltasForDeletedOrForeignKeysAreSkipped) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto gone = add_key(alice, "openai", "gone");
  auto live = add_key(alice, "openai", "live");
  auto bobs = add_key(bob, "openai", "work");
  ASSERT_TRUE(store_->delete_key(alice.id, gone.id, make_event("key.deleted")));

  auto foreign = make_usage(bobs, at(50), 7);
  foreign.owner_id = alice.id;  // not alice's key: never booked for anyone
  auto unknown = make_usage(live, at(50), 9);
  unknown.key_id = "no-such-key";
  auto added = store_->add_usage({make_usage(gone, at(50), 5), make_usage(live, at(50), 1), foreign, unknown});
  ASSERT_TRUE(added) << added.error().message;

  EXPECT_EQ(usage_texts(query(alice, "2026-01-01", "2026-01-01", false, false, true)),
            texts(std::vector<UsageRow>{row({}, {}, live.id, 1, 10, 20, 0)}));
  EXPECT_EQ(usage_texts(query(bob, "2026-01-01", "2026-01-01", false, false, true)), std::vector<std::string>{});
  EXPECT_EQ(key_of(bobs).usage.requests, 0);
  EXPECT_FALSE(key_of(bobs).last_used_at);
}

TEST_P(UsageContract, UsageOfDeletedKeysStillCounts) {
  auto alice = add_user("alice");
  auto key = add_key(alice, "anthropic", "old");
  ASSERT_TRUE(store_->add_usage({make_usage(key, at(50), 3)}));
  ASSERT_TRUE(store_->delete_key(alice.id, key.id, make_event("key.deleted")));
  EXPECT_EQ(usage_texts(query(alice, "2026-01-01", "2026-01-01", true, true, true)),
            texts(std::vector<UsageRow>{row("2026-01-01", "anthropic", key.id, 3, 30, 60, 0)}));
}

// Every combination of dimensions against sums computed here, on a range that cuts off a day on
// each side (and includes both of its ends).
TEST_P(UsageContract, GroupsByEveryCombinationOfDimensionsOverAnInclusiveRange) {
  auto alice = add_user("alice");
  std::vector<KeyRecord> keys{add_key(alice, "openai", "a"), add_key(alice, "openai", "b"),
                              add_key(alice, "anthropic", "c")};
  std::vector<UsageDelta> deltas;
  for (int day = 0; day < 4; ++day) {            // 2026-01-01 .. 2026-01-04
    for (std::size_t k = 0; k < keys.size(); ++k) {
      if ((day + static_cast<int>(k)) % 3 == 2) continue;  // not every key is used every day
      auto delta = make_usage(keys[k], at(day * kDay + 3600 * static_cast<std::int64_t>(k)),
                              1 + day * 3 + static_cast<std::int64_t>(k));
      delta.errors = static_cast<std::int64_t>(k);
      deltas.push_back(delta);
    }
  }
  ASSERT_TRUE(store_->add_usage(deltas));

  for (int mask = 0; mask < 8; ++mask) {
    const bool by_day = (mask & 1) != 0, by_provider = (mask & 2) != 0, by_key = (mask & 4) != 0;
    std::map<std::tuple<std::string, std::string, std::string>, UsageRow> expected;
    for (const auto& d : deltas) {
      const auto day = usage_day(d.at);
      if (day < "2026-01-02" || day > "2026-01-03") continue;
      auto& r = expected[{by_day ? day : "", by_provider ? d.provider : "", by_key ? d.key_id : ""}];
      if (by_day) r.day = day;
      if (by_provider) r.provider = d.provider;
      if (by_key) r.key_id = d.key_id;
      r.requests += d.requests;
      r.input_tokens += d.input_tokens;
      r.output_tokens += d.output_tokens;
      r.errors += d.errors;
    }
    std::vector<UsageRow> rows;
    for (auto& [group, r] : expected) rows.push_back(r);
    ASSERT_GE(rows.size(), 1u);
    EXPECT_EQ(usage_texts(query(alice, "2026-01-02", "2026-01-03", by_day, by_provider, by_key)), texts(rows))
        << "day " << by_day << " provider " << by_provider << " key " << by_key;
  }
}

TEST_P(UsageContract, AnotherOwnersUsageNeverAppears) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto mine = add_key(alice, "openai", "work");
  auto bobs = add_key(bob, "openai", "work");
  ASSERT_TRUE(store_->add_usage({make_usage(mine, at(10), 1), make_usage(bobs, at(10), 50)}));
  EXPECT_EQ(usage_texts(query(alice, "2026-01-01", "2026-01-31", true, true, true)),
            texts(std::vector<UsageRow>{row("2026-01-01", "openai", mine.id, 1, 10, 20, 0)}));
  EXPECT_EQ(usage_texts(query(alice, "2026-01-01", "2026-01-31", false, false, false)),
            texts(std::vector<UsageRow>{row({}, {}, {}, 1, 10, 20, 0)}));
  EXPECT_EQ(usage_texts(query(bob, "2026-01-01", "2026-01-31", false, true, false)),
            texts(std::vector<UsageRow>{row({}, "openai", {}, 50, 500, 1000, 0)}));
}

TEST_P(UsageContract, WithoutUsageGroupsAreEmptyAndTheTotalsAreZero) {
  auto alice = add_user("alice");
  EXPECT_EQ(usage_texts(query(alice, "2026-01-01", "2026-12-31", true, true, true)), std::vector<std::string>{});
  EXPECT_EQ(usage_texts(query(alice, "2026-01-01", "2026-12-31", false, false, false)),
            texts(std::vector<UsageRow>{row({}, {}, {}, 0, 0, 0, 0)}));
  auto key = add_key(alice, "openai", "work");
  ASSERT_TRUE(store_->add_usage({make_usage(key, at(10), 1)}));
  EXPECT_EQ(usage_texts(query(alice, "2026-01-02", "2026-01-01", true, false, false)), std::vector<std::string>{})
      << "from after to";
}

TEST_P(UsageContract, MalformedDaysAreInvalidRequest) {
  auto alice = add_user("alice");
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"2026-1-01", "2026-01-02"},
           {"2026-01-01", ""},
           {"2026-01-01T00", "2026-01-02"},
           {"2026/01/01", "2026-01-02"}}) {
    auto rows = store_->usage(query(alice, from, to, true, false, false));
    ASSERT_FALSE(rows) << from << " " << to;
    EXPECT_EQ(rows.error().code, core::Errc::invalid_request);
  }
}

TEST_P(UsageContract, NegativeCountsAreRefusedAndNothingIsWritten) {
  auto alice = add_user("alice");
  auto key = add_key(alice, "openai", "work");
  const auto before = snapshot(*store_);
  auto bad = make_usage(key, at(10), 1);
  bad.output_tokens = -1;
  auto added = store_->add_usage({make_usage(key, at(10), 1), bad});
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, core::Errc::invalid_request);
  EXPECT_EQ(snapshot(*store_), before);
}

// Costs are kept per key, model and day in integer micro-USD, with the unpriced requests apart.
TEST_P(UsageContract, BooksCostsPerModelAndGroupsByModel) {
  auto alice = add_user("alice");
  auto openai = add_key(alice, "openai", "a");
  auto anthropic = add_key(alice, "anthropic", "b");
  auto priced = [](UsageDelta d, std::string model, std::int64_t cost, std::int64_t unpriced) {
    d.model = std::move(model);
    d.cost_micro_usd = cost;
    d.unpriced_requests = unpriced;
    return d;
  };
  ASSERT_TRUE(store_->add_usage({priced(make_usage(openai, at(10), 2), "gpt-4o", 1'500, 0),
                                 priced(make_usage(openai, at(20), 1), "gpt-4o-mini", 0, 1),
                                 priced(make_usage(anthropic, at(30), 3), "claude-x", 7'000'001, 1),
                                 priced(make_usage(anthropic, at(40), 1), "", 0, 1)}));
  // A second batch adds to the same (key, day, model) row.
  ASSERT_TRUE(store_->add_usage({priced(make_usage(openai, at(50), 1), "gpt-4o", 500, 0)}));

  auto with = [](UsageRow r, std::optional<std::string> model, std::int64_t cost, std::int64_t unpriced) {
    r.model = std::move(model);
    r.cost_micro_usd = cost;
    r.unpriced_requests = unpriced;
    return r;
  };
  UsageQuery by_model = query(alice, "2026-01-01", "2026-01-01", false, true, false);
  by_model.by_model = true;
  EXPECT_EQ(usage_texts(by_model),
            texts(std::vector<UsageRow>{with(row({}, "anthropic", {}, 1, 10, 20, 0), "", 0, 1),
                                        with(row({}, "anthropic", {}, 3, 30, 60, 0), "claude-x", 7'000'001, 1),
                                        with(row({}, "openai", {}, 3, 30, 60, 0), "gpt-4o", 2'000, 0),
                                        with(row({}, "openai", {}, 1, 10, 20, 0), "gpt-4o-mini", 0, 1)}));
  EXPECT_EQ(usage_texts(query(alice, "2026-01-01", "2026-01-01", false, true, false)),
            texts(std::vector<UsageRow>{with(row({}, "anthropic", {}, 4, 40, 80, 0), {}, 7'000'001, 2),
                                        with(row({}, "openai", {}, 4, 40, 80, 0), {}, 2'000, 1)}));
}

TEST_P(UsageContract, MoreUnpricedThanRequestsOrANegativeCostIsRefused) {
  auto alice = add_user("alice");
  auto key = add_key(alice, "openai", "work");
  const auto before = snapshot(*store_);
  auto too_many = make_usage(key, at(10), 1);
  too_many.unpriced_requests = 2;
  auto negative = make_usage(key, at(10), 1);
  negative.cost_micro_usd = -1;
  for (const auto& bad : {too_many, negative}) {
    auto added = store_->add_usage({make_usage(key, at(10), 1), bad});
    ASSERT_FALSE(added);
    EXPECT_EQ(added.error().code, core::Errc::invalid_request);
  }
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(UsageContract, AnEmptyBatchChangesNothing) {
  add_user("alice");
  const auto before = snapshot(*store_);
  EXPECT_TRUE(store_->add_usage({}));
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(UsageContract, IsVisibleToAnotherInstanceOnTheSameDatabase) {
  auto alice = add_user("alice");
  auto key = add_key(alice, "openai", "work");
  auto other = open_again();
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->add_usage({make_usage(key, at(10), 2)}));
  EXPECT_EQ(usage_texts(query(alice, "2026-01-01", "2026-01-01", true, true, true)),
            texts(std::vector<UsageRow>{row("2026-01-01", "openai", key.id, 2, 20, 40, 0)}));
}

// Several nodes flush their recorders at once, over the same keys in different orders: every
// batch is booked whole (no deadlock surfaces as an error), and no count is lost or doubled.
TEST_P(UsageContract, ConcurrentBatchesFromSeveralInstancesOverTheSameKeysAllCount) {
  auto alice = add_user("alice");
  std::vector<KeyRecord> keys;
  for (int k = 0; k < 6; ++k) keys.push_back(add_key(alice, "openai", "k" + std::to_string(k)));
  auto other = open_again();
  ASSERT_TRUE(other);
  constexpr int kThreads = 4, kBatches = 15;
  std::vector<std::vector<std::string>> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *store_ : *other;
      for (int b = 0; b < kBatches; ++b) {
        std::vector<UsageDelta> batch;
        for (int i = 0; i < static_cast<int>(keys.size()); ++i) {
          // Each thread walks the keys in its own order, and books on two days.
          const auto& key = keys[static_cast<std::size_t>((i * (t + 1) + b) % static_cast<int>(keys.size()))];
          batch.push_back(make_usage(key, at((b % 2) * kDay + t), 1));
        }
        if (auto added = store.add_usage(batch); !added) errors[static_cast<std::size_t>(t)].push_back(added.error().message);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& list : errors)
    for (const auto& error : list) ADD_FAILURE() << error;

  // (i * (t + 1) + b) mod 6 is not a permutation for every t, so count what each thread booked.
  std::map<std::string, std::int64_t> expected;
  for (int t = 0; t < kThreads; ++t)
    for (int b = 0; b < kBatches; ++b)
      for (int i = 0; i < static_cast<int>(keys.size()); ++i)
        ++expected[keys[static_cast<std::size_t>((i * (t + 1) + b) % static_cast<int>(keys.size()))].id];
  std::int64_t total = 0;
  for (const auto& key : keys) {
    EXPECT_EQ(key_of(key).usage.requests, expected[key.id]) << key.name;
    total += expected[key.id];
  }
  EXPECT_EQ(usage_texts(query(alice, "2026-01-01", "2026-01-02", false, false, false)),
            texts(std::vector<UsageRow>{row({}, {}, {}, total, 10 * total, 20 * total, 0)}));
}

// The recorder's batches hold up to thousands of deltas: one call books them all, one row per key
// and day, each key's totals summed over its days.
TEST_P(UsageContract, ALargeBatchIsBookedWhole) {
  auto alice = add_user("alice");
  std::vector<KeyRecord> keys;
  for (int k = 0; k < 40; ++k) keys.push_back(add_key(alice, k % 2 ? "openai" : "anthropic", "k" + std::to_string(k)));
  std::vector<UsageDelta> batch;
  for (int i = 0; i < 3000; ++i) {
    auto delta = make_usage(keys[static_cast<std::size_t>(i % 40)], at((i % 3) * kDay + i), 1 + i % 5);
    delta.errors = i % 7 == 0 ? 1 : 0;
    batch.push_back(delta);
  }
  auto added = store_->add_usage(batch);
  ASSERT_TRUE(added) << added.error().message;

  std::map<std::string, UsageRow> per_key;
  std::map<std::pair<std::string, std::string>, UsageRow> per_key_day;
  for (const auto& d : batch) {
    for (UsageRow* r : {&per_key[d.key_id], &per_key_day[{usage_day(d.at), d.key_id}]}) {
      r->requests += d.requests;
      r->input_tokens += d.input_tokens;
      r->output_tokens += d.output_tokens;
      r->errors += d.errors;
    }
  }
  for (const auto& key : keys) {
    auto got = key_of(key);
    EXPECT_EQ(got.usage.requests, per_key[key.id].requests);
    EXPECT_EQ(got.usage.errors, per_key[key.id].errors);
  }
  auto rows = store_->usage(query(alice, "2026-01-01", "2026-01-03", true, false, true));
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), per_key_day.size());
  for (const auto& r : *rows) {
    const auto& want = per_key_day[{*r.day, *r.key_id}];
    EXPECT_EQ(r.requests, want.requests);
    EXPECT_EQ(r.output_tokens, want.output_tokens);
    EXPECT_EQ(r.errors, want.errors);
  }
}

}  // namespace
}  // namespace keyrelay::store::test
