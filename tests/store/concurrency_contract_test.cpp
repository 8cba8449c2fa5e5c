// Contract: several writers at once — threads sharing one store and instances sharing one
// database — all succeed, and every chain stays gapless.

#include "store/store.h"

#include <atomic>
#include <thread>

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class ConcurrencyContract : public StoreContract {};
KEYRELAY_STORE_CONTRACT(ConcurrencyContract);

constexpr int kThreads = 4;
constexpr int kInsertsPerThread = 50;

// Runs kThreads × kInsertsPerThread insert_key calls, thread t on stores[t % stores.size()].
void insert_concurrently(const std::vector<Store*>& stores, const std::vector<KeyRecord>& keys,
                         const std::vector<AuditEvent>& events) {
  std::vector<std::vector<std::string>> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store& store = *stores[static_cast<std::size_t>(t) % stores.size()];
      for (int i = 0; i < kInsertsPerThread; ++i) {
        const auto n = static_cast<std::size_t>(t * kInsertsPerThread + i);
        auto inserted = store.insert_key(keys[n], events[n]);
        if (!inserted) errors[static_cast<std::size_t>(t)].push_back(inserted.error().message);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& list : errors)
    for (const auto& error : list) ADD_FAILURE() << error;
}

TEST_P(ConcurrencyContract, ThreadsWritingThroughOneStoreAllSucceed) {
  auto owner = add_user("alice");
  std::vector<KeyRecord> keys;
  std::vector<AuditEvent> events;
  for (int n = 0; n < kThreads * kInsertsPerThread; ++n) {
    keys.push_back(make_key(owner, "openai", "k" + std::to_string(n)));
    events.push_back(make_event("key.created"));
  }
  insert_concurrently({store_.get()}, keys, events);

  auto owned = store_->keys_of_owner(owner.id);
  ASSERT_TRUE(owned);
  EXPECT_EQ(owned->size(), static_cast<std::size_t>(kThreads * kInsertsPerThread));
  auto chain = chain_events();
  ASSERT_EQ(chain.size(), static_cast<std::size_t>(kThreads * kInsertsPerThread + 1));
  core::Bytes prev;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    EXPECT_EQ(chain[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(chain[i].hash, TestSealer::chain_hash(prev, chain[i].seq, chain[i].id));
    prev = chain[i].hash;
  }
}

TEST_P(ConcurrencyContract, InstancesOnOneDatabaseWriteConcurrentlyAndSeeEachOther) {
  auto owner = add_user("alice");
  auto other = open_again();
  ASSERT_TRUE(other);
  std::vector<KeyRecord> keys;
  std::vector<AuditEvent> events;
  for (int n = 0; n < kThreads * kInsertsPerThread; ++n) {
    keys.push_back(make_key(owner, "openai", "k" + std::to_string(n)));
    events.push_back(make_event("key.created"));
  }
  const auto before = other->generation();
  ASSERT_TRUE(before);
  insert_concurrently({store_.get(), other.get()}, keys, events);

  for (Store* store : {store_.get(), other.get()}) {
    auto owned = store->keys_of_owner(owner.id);
    ASSERT_TRUE(owned);
    EXPECT_EQ(owned->size(), static_cast<std::size_t>(kThreads * kInsertsPerThread));
  }
  auto after = other->generation();
  ASSERT_TRUE(after);
  EXPECT_GE(*after, *before + kThreads * kInsertsPerThread);
  auto chain = chain_events();
  ASSERT_EQ(chain.size(), static_cast<std::size_t>(kThreads * kInsertsPerThread + 1));
  for (std::size_t i = 0; i < chain.size(); ++i) EXPECT_EQ(chain[i].seq, static_cast<std::int64_t>(i + 1));
}

TEST_P(ConcurrencyContract, ReadersRunWhileWritersWrite) {
  auto owner = add_user("alice");
  std::atomic<bool> done{false};
  std::atomic<int> read_errors{0};
  std::thread reader([&] {
    KeyFilter filter;
    filter.owner_id = owner.id;
    while (!done) {
      if (!store_->list_keys(filter, PageRequest{}) || !store_->generation()) ++read_errors;
    }
  });
  for (int n = 0; n < 40; ++n) add_key(owner, "openai", "k" + std::to_string(n));
  done = true;
  reader.join();
  EXPECT_EQ(read_errors.load(), 0);
}

}  // namespace
}  // namespace keyrelay::store::test
