// Contract: management writes that arrive together (the SQLite engine commits them as one group,
// write_batcher.h) each succeed or fail on their own, and the audit chain they extend verifies.

#include "store/store.h"

#include <algorithm>
#include <barrier>
#include <functional>
#include <thread>

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class GroupCommitContract : public StoreContract {
 protected:
  // Runs writes[i]() on thread i, all released at once; returns each write's result.
  static std::vector<core::Result<void>> run_together(const std::vector<std::function<core::Result<void>()>>& writes) {
    std::vector<core::Result<void>> results(writes.size());
    std::barrier start(static_cast<std::ptrdiff_t>(writes.size()));
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < writes.size(); ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = writes[i]();
      });
    }
    for (auto& thread : threads) thread.join();
    return results;
  }

  // Every event of the chain numbered 1, 2, … and linked to its predecessor; returns their ids.
  std::vector<std::string> verified_chain() {
    std::vector<std::string> ids;
    core::Bytes prev;
    auto chain = chain_events();
    for (std::size_t i = 0; i < chain.size(); ++i) {
      EXPECT_EQ(chain[i].seq, static_cast<std::int64_t>(i + 1));
      EXPECT_EQ(chain[i].hash, TestSealer::chain_hash(prev, chain[i].seq, chain[i].id)) << "at seq " << chain[i].seq;
      prev = chain[i].hash;
      ids.push_back(chain[i].id);
    }
    return ids;
  }
};
KEYRELAY_STORE_CONTRACT(GroupCommitContract);

constexpr int kWriters = 16;
constexpr int kRounds = 5;

TEST_P(GroupCommitContract, ABurstOfConcurrentManagementWritesAllCommitAndTheChainVerifies) {
  auto owner = add_user("alice");
  const auto generation_before = generation();
  std::vector<UserRecord> users;
  std::vector<TokenRecord> tokens;
  std::vector<KeyRecord> keys;
  std::vector<AuditEvent> events;
  for (int n = 0; n < kWriters * kRounds; ++n) {
    users.push_back(make_user("user" + std::to_string(n)));
    tokens.push_back(make_token(owner, "t" + std::to_string(n)));
    keys.push_back(make_key(owner, "openai", "k" + std::to_string(n)));
    events.push_back(make_event("key.created"));
  }
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::function<core::Result<void>()>> writes;
    for (int w = 0; w < kWriters; ++w) {
      const auto n = static_cast<std::size_t>(round * kWriters + w);
      // Three kinds of management write in one burst, each with its audit event.
      if (w % 3 == 0) writes.emplace_back([&, n] { return store_->create_user(users[n], events[n]); });
      if (w % 3 == 1) writes.emplace_back([&, n] { return store_->create_token(tokens[n], events[n]); });
      if (w % 3 == 2) writes.emplace_back([&, n] { return store_->insert_key(keys[n], events[n]); });
    }
    for (auto& result : run_together(writes)) EXPECT_TRUE(result) << result.error().message;
  }

  auto ids = verified_chain();
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(1 + kWriters * kRounds));
  for (const auto& event : events) EXPECT_NE(std::find(ids.begin(), ids.end(), event.id), ids.end());
  EXPECT_GE(generation(), generation_before + kWriters * kRounds) << "every change bumps the generation";
}

TEST_P(GroupCommitContract, AFailingWriteAmongConcurrentOnesFailsAloneAndLeavesNoTrace) {
  auto owner = add_user("alice");
  auto taken = add_key(owner, "openai", "taken");
  std::vector<KeyRecord> keys;
  std::vector<AuditEvent> events;
  for (int n = 0; n < kWriters; ++n) {
    // Every fourth key takes a name already used: it must fail with conflict, the others commit.
    keys.push_back(make_key(owner, "openai", n % 4 == 1 ? "taken" : "k" + std::to_string(n)));
    events.push_back(make_event("key.created"));
  }
  std::vector<std::function<core::Result<void>()>> writes;
  for (std::size_t n = 0; n < keys.size(); ++n)
    writes.emplace_back([&, n] { return store_->insert_key(keys[n], events[n]); });
  auto results = run_together(writes);

  auto ids = verified_chain();
  for (std::size_t n = 0; n < keys.size(); ++n) {
    auto stored = store_->get_key(owner.id, keys[n].id);
    const bool in_chain = std::find(ids.begin(), ids.end(), events[n].id) != ids.end();
    if (n % 4 == 1) {
      ASSERT_FALSE(results[n]) << "key " << n;
      EXPECT_EQ(results[n].error().code, core::Errc::conflict);
      EXPECT_FALSE(stored) << "a failed write left its key";
      EXPECT_FALSE(in_chain) << "a failed write left its audit event";
    } else {
      EXPECT_TRUE(results[n]) << "key " << n << ": " << results[n].error().message;
      EXPECT_TRUE(stored) << "key " << n;
      EXPECT_TRUE(in_chain) << "key " << n;
    }
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(2 + kWriters - kWriters / 4));
  auto owned = store_->keys_of_owner(owner.id);
  ASSERT_TRUE(owned);
  EXPECT_EQ(owned->size(), static_cast<std::size_t>(1 + kWriters - kWriters / 4));
  EXPECT_TRUE(store_->get_key(owner.id, taken.id));
}

TEST_P(GroupCommitContract, AFailingChangeAmongConcurrentOnesLeavesTheOthersApplied) {
  auto owner = add_user("alice");
  std::vector<KeyRecord> keys;
  for (int n = 0; n < 8; ++n) keys.push_back(add_key(owner, "openai", "k" + std::to_string(n)));
  add_key(owner, "openai", "fixed");  // not changed here: renaming to it always collides
  std::vector<AuditEvent> events;
  for (int n = 0; n < 8; ++n) events.push_back(make_event("key.updated"));
  std::vector<std::function<core::Result<void>()>> writes;
  for (std::size_t n = 0; n < keys.size(); ++n) {
    writes.emplace_back([&, n]() -> core::Result<void> {
      auto updated = store_->update_key(owner.id, keys[n].id, [&, n](KeyRecord& key) -> core::Result<AuditEvent> {
        if (n == 3) return core::Error::invalid_request("refused by its change");  // fails after reading the key
        if (n == 5) key.name = "fixed";                                             // collides with another key
        else key.name = "renamed" + std::to_string(n);
        return events[n];
      });
      if (!updated) return updated.error();
      return core::ok();
    });
  }
  auto results = run_together(writes);
  for (std::size_t n = 0; n < keys.size(); ++n) {
    auto stored = store_->get_key(owner.id, keys[n].id);
    ASSERT_TRUE(stored);
    if (n == 3 || n == 5) {
      ASSERT_FALSE(results[n]);
      EXPECT_EQ(results[n].error().code, n == 3 ? core::Errc::invalid_request : core::Errc::conflict);
      EXPECT_EQ(stored->name, "k" + std::to_string(n));
    } else {
      EXPECT_TRUE(results[n]) << n << ": " << results[n].error().message;
      EXPECT_EQ(stored->name, "renamed" + std::to_string(n));
    }
  }
  EXPECT_EQ(verified_chain().size(), static_cast<std::size_t>(1 + 9 + 6));
}

}  // namespace
}  // namespace keyrelay::store::test
