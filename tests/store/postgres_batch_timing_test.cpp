// Timing of the batched hot-path writes on PostgreSQL (issue 13 item 5): what one UsageRecorder
// flush of 2,048 uses costs — append_audit (group commit) and add_usage — against appending the
// same events one statement round trip at a time. A measurement, not a pass/fail test: disabled,
// run by hand:
//   build/tests/store_tests --gtest_also_run_disabled_tests --gtest_filter='*PostgresBatchTiming*'

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/ids.h"
#include "postgres_test_database.h"
#include "store/postgres/audit_append.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/transaction.h"
#include "support/temp_dir.h"
#include "test_sealer.h"

namespace keyrelay::store::test {
namespace {

constexpr int kBatch = 2048;  // UsageRecorderOptions::batch_size
constexpr int kRounds = 10;

class PostgresBatchTiming : public ::testing::Test {
 protected:
  void SetUp() override {
    PostgresOptions options;
    options.url = postgres_database_url(dir_.path());
    auto store = PostgresStore::open(std::move(options), sealer_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    ASSERT_TRUE(store_->migrate());
  }

  std::vector<AuditEvent> batch(const std::string& chain) {
    std::vector<AuditEvent> events;
    for (int i = 0; i < kBatch; ++i) {
      AuditEvent e;
      e.id = core::uuid_v7();
      e.chain = chain;
      e.time = std::chrono::system_clock::now();
      e.action = "key.used";
      e.actor_kind = ActorKind::token;
      e.actor_user_id = "user-1";
      e.key_id = "key-1";
      e.key_owner_id = "user-1";
      e.provider = "openai";
      e.ip = "192.0.2.1";
      e.request_id = "req";
      e.details_json = R"({"route":"chat","credential":"user","input_tokens":12,"output_tokens":40})";
      events.push_back(std::move(e));
    }
    return events;
  }

  template <class Write>
  double median_ms(Write&& write) {
    std::vector<double> times;
    for (int r = 0; r < kRounds; ++r) {
      const auto start = std::chrono::steady_clock::now();
      write(r);
      times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
  }

  ::keyrelay::test::TempDir dir_;
  TestSealer sealer_;
  std::unique_ptr<PostgresStore> store_;
};

TEST_F(PostgresBatchTiming, DISABLED_OneRecorderFlush) {
  const double grouped = median_ms([&](int) { ASSERT_TRUE(store_->append_audit(batch("node-a/use"))); });
  const double one_by_one = median_ms([&](int) {
    auto events = batch("node-b/use");
    auto written = postgres::run_transaction(
        store_->pool(), postgres::Access::admin(), postgres::Mode::write, postgres::Bump::none,
        [&](postgres::Connection& c) -> core::Result<void> {
          for (auto& e : events)
            if (auto appended = postgres::append_audit_event(c, sealer_, e); !appended) return appended;
          return core::ok();
        });
    ASSERT_TRUE(written) << written.error().message;
  });

  UserRecord owner;
  owner.id = core::uuid_v7();
  owner.name = "owner";
  owner.salt = core::Bytes(16, 1);
  ASSERT_TRUE(store_->create_user(owner, batch("x/mgmt").front()));
  std::vector<KeyRecord> keys;
  for (int k = 0; k < 500; ++k) {
    KeyRecord key;
    key.id = core::uuid_v7();
    key.owner_id = owner.id;
    key.provider = "openai";
    key.name = "k" + std::to_string(k);
    key.hint = "…";
    key.fingerprint = core::Bytes(32, static_cast<std::uint8_t>(k));
    key.fingerprint[0] = static_cast<std::uint8_t>(k >> 8);
    key.wrapped_data_key = core::Bytes(60, 2);
    key.sealed_secret = core::Bytes(80, 3);
    key.master_version = 1;
    auto event = batch("x/mgmt").front();
    ASSERT_TRUE(store_->insert_key(key, event));
    keys.push_back(key);
  }
  const double usage = median_ms([&](int r) {
    std::vector<UsageDelta> deltas;
    for (int i = 0; i < kBatch; ++i) {
      const auto& key = keys[static_cast<std::size_t>(i % 500)];
      UsageDelta d{key.id, key.owner_id, key.provider,
                   std::chrono::system_clock::now() + std::chrono::hours(24 * (i / 500 + r)), 1, 10, 20, 0};
      deltas.push_back(d);
    }
    ASSERT_TRUE(store_->add_usage(deltas));
  });
  std::cout << "append_audit, " << kBatch << " events, group commit: " << grouped << " ms ("
            << static_cast<int>(kBatch / grouped * 1000) << " events/s)\n"
            << "the same, one INSERT per event in one transaction: " << one_by_one << " ms ("
            << static_cast<int>(kBatch / one_by_one * 1000) << " events/s)\n"
            << "add_usage, " << kBatch << " deltas over 500 keys and 5 days: " << usage << " ms\n";
}

}  // namespace
}  // namespace keyrelay::store::test
