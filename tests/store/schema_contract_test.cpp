// Contract: schema migrations and health.

#include "store/store.h"

#include <thread>

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class SchemaContract : public StoreContract {};
KEYRELAY_STORE_CONTRACT(SchemaContract);

TEST_P(SchemaContract, MigrateIsIdempotent) {
  auto version = store_->schema_version();
  ASSERT_TRUE(version);
  EXPECT_GE(*version, 1);
  auto again = store_->migrate();
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, 0);
  auto same = store_->schema_version();
  ASSERT_TRUE(same);
  EXPECT_EQ(*same, *version);
}

TEST_P(SchemaContract, FreshDatabaseHasVersionZeroUntilMigrated) {
  ::keyrelay::test::TempDir other_dir;
  auto fresh = GetParam().open(other_dir.path(), sealer_);
  ASSERT_TRUE(fresh) << fresh.error().message;
  auto version = (*fresh)->schema_version();
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(*version, 0);
  auto applied = (*fresh)->migrate();
  ASSERT_TRUE(applied);
  EXPECT_GE(*applied, 1);
  auto migrated = (*fresh)->schema_version();
  ASSERT_TRUE(migrated);
  EXPECT_EQ(*migrated, *applied);
}

TEST_P(SchemaContract, ConcurrentMigrationsApplyEachVersionOnce) {
  ::keyrelay::test::TempDir other_dir;
  constexpr int kInstances = 4;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kInstances; ++i) {
    auto opened = GetParam().open(other_dir.path(), sealer_);
    ASSERT_TRUE(opened) << opened.error().message;
    stores.push_back(std::move(*opened));
  }
  std::vector<core::Result<int>> results(kInstances, core::Error::internal("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i)
    threads.emplace_back([&, i] { results[static_cast<std::size_t>(i)] = stores[static_cast<std::size_t>(i)]->migrate(); });
  for (auto& thread : threads) thread.join();
  int total = 0;
  for (const auto& result : results) {
    ASSERT_TRUE(result) << result.error().message;
    total += *result;
  }
  auto version = stores[0]->schema_version();
  ASSERT_TRUE(version);
  EXPECT_EQ(total, *version) << "each migration is applied by exactly one instance";
}

TEST_P(SchemaContract, PingAnswers) { EXPECT_TRUE(store_->ping()); }

TEST_P(SchemaContract, NewDatabaseStartsEmpty) {
  auto empty = store_->is_empty();
  ASSERT_TRUE(empty);
  EXPECT_TRUE(*empty);
  auto chains = store_->audit_chains();
  ASSERT_TRUE(chains);
  EXPECT_TRUE(chains->empty());
}

}  // namespace
}  // namespace keyrelay::store::test
