// PostgreSQL only: live invalidation. A change committed through one store object (one node) is
// seen by the change listener of another within a second; a listener whose connection is killed
// calls its subscribers at once, reconnects and goes on delivering.

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "postgres_test_database.h"
#include "store/change_feed.h"
#include "store/postgres/change_listener.h"
#include "store/postgres/connection.h"
#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

using namespace std::chrono_literals;

class PostgresChangeFeed : public StoreContract {
 protected:
  void SetUp() override {
    StoreContract::SetUp();
    if (HasFatalFailure()) return;
    other_ = open_again();  // the other node
    ASSERT_TRUE(other_);
    feed_ = open_change_feed(*other_);
    ASSERT_TRUE(feed_) << "the PostgreSQL engine has a change feed";
    feed_->subscribe([this] { ++calls_; });
    feed_->start();
    ASSERT_TRUE(wait_until([&] { return listener().connections() == 1; }, 5s)) << "the listener connects";
  }
  void TearDown() override {
    if (feed_) feed_->stop();
  }

  postgres::ChangeListener& listener() { return dynamic_cast<postgres::ChangeListener&>(*feed_); }

  template <class Condition>
  static bool wait_until(Condition condition, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return condition();
  }

  std::unique_ptr<Store> other_;
  std::unique_ptr<ChangeFeed> feed_;
  std::atomic<int> calls_{0};
};

INSTANTIATE_TEST_SUITE_P(Engines, PostgresChangeFeed, ::testing::ValuesIn(postgres_engine_only()), engine_name);

TEST_P(PostgresChangeFeed, AChangeOnOneNodeReachesTheOthersListenerWithinASecond) {
  const int before = calls_.load();
  const auto start = std::chrono::steady_clock::now();
  auto alice = add_user("alice");
  ASSERT_TRUE(wait_until([&] { return calls_.load() > before; }, 1s)) << "user created: no notification within 1 s";
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);

  for (auto change : {std::function<void()>([&] { add_key(alice, "openai", "k"); }),
                      std::function<void()>([&] {
                        auto token = add_token(alice);
                        ASSERT_TRUE(store_->revoke_token(token.id, std::nullopt, at(100), make_event("token.revoked")));
                      })}) {
    const int seen = calls_.load();
    change();
    EXPECT_TRUE(wait_until([&] { return calls_.load() > seen; }, 1s));
  }
}

TEST_P(PostgresChangeFeed, HotPathBookkeepingDoesNotNotify) {
  auto alice = add_user("alice");
  auto token = add_token(alice);
  // The listener coalesces the notifications pending when it wakes into one callback, so on a
  // loaded machine the setup's two changes may arrive as one: wait for the first, then let any
  // trailing one settle (none for 300 ms).
  ASSERT_TRUE(wait_until([&] { return calls_.load() >= 1; }, 5s));
  int settled = calls_.load();
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(300ms);
    if (calls_.load() == settled) break;
    settled = calls_.load();
  }
  ASSERT_TRUE(store_->touch_tokens({{token.id, at(500)}}));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(calls_.load(), settled) << "touch_tokens changes nothing a cache depends on";
}

TEST_P(PostgresChangeFeed, AKilledListenerConnectionFlushesReconnectsAndDeliversAgain) {
  const int pid = listener().backend_pid();
  ASSERT_GT(pid, 0);
  const int before = calls_.load();
  auto admin = postgres::Connection::open({postgres_server_url()});
  ASSERT_TRUE(admin) << admin.error().message;
  ASSERT_TRUE((*admin)->exec("SELECT pg_terminate_backend(" + std::to_string(pid) + ")", "terminating the listener"));
  EXPECT_TRUE(wait_until([&] { return calls_.load() > before; }, 1s)) << "the drop itself flushes the caches";
  ASSERT_TRUE(wait_until([&] { return listener().connections() == 2; }, 5s)) << "it reconnects";
  EXPECT_NE(listener().backend_pid(), pid);
  std::this_thread::sleep_for(50ms);
  const int reconnected = calls_.load();
  add_user("bob");
  EXPECT_TRUE(wait_until([&] { return calls_.load() > reconnected; }, 1s)) << "and listens again";
}

TEST_P(PostgresChangeFeed, StopEndsTheCallbacks) {
  feed_->stop();
  const int stopped = calls_.load();
  add_user("carol");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(calls_.load(), stopped);
}

}  // namespace
}  // namespace keyrelay::store::test

namespace keyrelay::store::test {
namespace {

TEST(ChangeFeedOfSqlite, TheEmbeddedEngineHasNone) {
  auto sqlite = store_engines().front();
  ASSERT_EQ(sqlite.name, "sqlite");
  ::keyrelay::test::TempDir dir;
  TestSealer sealer;
  auto store = sqlite.open(dir.path(), sealer);
  ASSERT_TRUE(store);
  EXPECT_EQ(open_change_feed(**store), nullptr);
}

}  // namespace
}  // namespace keyrelay::store::test
