// PostgreSQL only: the transaction helper and the pool — retried serialization failures and
// deadlocks, a bounded pool that answers `unavailable` instead of waiting forever, and connections
// the server dropped replaced without the caller noticing.

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "postgres_test_database.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/transaction.h"
#include "support/temp_dir.h"

namespace keyrelay::store::test {
namespace {

using postgres::Access;
using postgres::Connection;
using postgres::ConnectionPool;

class PostgresTransaction : public ::testing::Test {
 protected:
  std::unique_ptr<ConnectionPool> open_pool(std::size_t size, std::chrono::milliseconds wait = std::chrono::milliseconds(5000)) {
    postgres::PoolSettings settings;
    settings.connection.url = postgres_database_url(dir_.path());
    settings.size = size;
    settings.acquire_timeout = wait;
    auto pool = ConnectionPool::open(settings);
    EXPECT_TRUE(pool) << pool.error().message;
    return pool ? std::move(*pool) : nullptr;
  }

  ::keyrelay::test::TempDir dir_;
};

// Raises `sqlstate` from inside the server, as a real conflict would.
core::Result<void> raise(Connection& c, std::string_view sqlstate) {
  auto raised = c.exec("DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '" + std::string(sqlstate) + "'; END $$",
                       "raising");
  if (!raised) return raised.error();
  return core::ok();
}

TEST_F(PostgresTransaction, SerializationFailuresAndDeadlocksAreRunAgain) {
  auto pool = open_pool(2);
  ASSERT_TRUE(pool);
  for (const std::string_view sqlstate : {"40001", "40P01"}) {
    int runs = 0;
    auto done = postgres::run_transaction(*pool, Access::owner(), postgres::Mode::write, postgres::Bump::none,
                                          [&](Connection& c) -> core::Result<int> {
                                            if (++runs < 3) {
                                              if (auto raised = raise(c, sqlstate); !raised) return raised.error();
                                            }
                                            return runs;
                                          });
    ASSERT_TRUE(done) << sqlstate << ": " << done.error().message;
    EXPECT_EQ(*done, 3) << sqlstate;
  }
}

TEST_F(PostgresTransaction, RetriesStopAfterAFewAttemptsWithUnavailable) {
  auto pool = open_pool(1);
  ASSERT_TRUE(pool);
  int runs = 0;
  auto done = postgres::run_transaction(*pool, Access::owner(), postgres::Mode::write, postgres::Bump::none,
                                        [&](Connection& c) -> core::Result<void> {
                                          ++runs;
                                          return raise(c, "40001");
                                        });
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, core::Errc::unavailable);
  EXPECT_EQ(runs, postgres::kAttempts);
}

TEST_F(PostgresTransaction, OtherFailuresAreNotRetried) {
  auto pool = open_pool(1);
  ASSERT_TRUE(pool);
  int runs = 0;
  auto done = postgres::run_transaction(*pool, Access::owner(), postgres::Mode::write, postgres::Bump::none,
                                        [&](Connection& c) -> core::Result<void> {
                                          ++runs;
                                          return raise(c, "23505");
                                        });
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, core::Errc::conflict);
  EXPECT_EQ(runs, 1);
}

TEST_F(PostgresTransaction, AFailedBodyCommitsNothing) {
  auto pool = open_pool(1);
  ASSERT_TRUE(pool);
  auto made = postgres::run_transaction(*pool, Access::owner(), postgres::Mode::write, postgres::Bump::none,
                                        [&](Connection& c) { return c.exec("CREATE TABLE t (x int)", "creating"); });
  ASSERT_TRUE(made) << made.error().message;
  auto failed = postgres::run_transaction(*pool, Access::owner(), postgres::Mode::write, postgres::Bump::none,
                                          [&](Connection& c) -> core::Result<void> {
                                            if (auto ins = c.exec("INSERT INTO t VALUES (1)", "inserting"); !ins) return ins;
                                            return core::Error::not_found("changed my mind");
                                          });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "changed my mind");
  auto rows = postgres::read_transaction(*pool, Access::owner(), [&](Connection& c) -> core::Result<std::int64_t> {
    auto r = c.query("SELECT count(*) FROM t", "counting");
    if (!r) return r.error();
    return r->int_at(0, 0);
  });
  ASSERT_TRUE(rows);
  EXPECT_EQ(*rows, 0);
}

TEST_F(PostgresTransaction, AFullPoolAnswersUnavailableAfterItsWait) {
  auto pool = open_pool(1, std::chrono::milliseconds(200));
  ASSERT_TRUE(pool);
  auto held = pool->acquire();
  ASSERT_TRUE(held);
  const auto start = std::chrono::steady_clock::now();
  auto second = pool->acquire();
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, core::Errc::unavailable);
  EXPECT_GE(waited, std::chrono::milliseconds(190));
  EXPECT_LT(waited, std::chrono::milliseconds(3000));
}

TEST_F(PostgresTransaction, NeverOpensMoreThanItsSize) {
  auto pool = open_pool(3);
  ASSERT_TRUE(pool);
  std::atomic<int> inside{0}, most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto done = postgres::read_transaction(*pool, Access::owner(), [&](Connection& c) -> core::Result<void> {
          const int now = ++inside;
          int seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
          auto slept = c.query("SELECT pg_sleep(0.01)", "sleeping");
          --inside;
          if (!slept) return slept.error();
          return core::ok();
        });
        EXPECT_TRUE(done) << done.error().message;
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_LE(most.load(), 3);
  EXPECT_GE(most.load(), 2) << "the pool lends connections concurrently";
}

TEST_F(PostgresTransaction, ConnectionsTheServerDroppedAreReplaced) {
  auto pool = open_pool(2);
  ASSERT_TRUE(pool);
  auto pid_of_lease = [&]() -> int {
    auto lease = pool->acquire();
    EXPECT_TRUE(lease);
    return lease ? (*lease)->backend_pid() : -1;
  };
  const int first = pid_of_lease();
  // Another connection ends that backend, as a server restart or an administrator would.
  auto admin = Connection::open({postgres_server_url()});
  ASSERT_TRUE(admin) << admin.error().message;
  ASSERT_TRUE((*admin)->exec("SELECT pg_terminate_backend(" + std::to_string(first) + ")", "terminating"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto answered = postgres::read_transaction(*pool, Access::owner(), [&](Connection& c) -> core::Result<int> {
    auto r = c.query("SELECT pg_backend_pid()", "who am I");
    if (!r) return r.error();
    return static_cast<int>(r->int_at(0, 0));
  });
  ASSERT_TRUE(answered) << answered.error().message;
  EXPECT_NE(*answered, first) << "a fresh connection served the call";
}

TEST_F(PostgresTransaction, ALostConnectionMidTransactionIsUnavailable) {
  auto pool = open_pool(1);
  ASSERT_TRUE(pool);
  auto admin = Connection::open({postgres_server_url()});
  ASSERT_TRUE(admin);
  auto lost = postgres::run_transaction(*pool, Access::owner(), postgres::Mode::write, postgres::Bump::none,
                                        [&](Connection& c) -> core::Result<void> {
                                          (void)(*admin)->exec("SELECT pg_terminate_backend(" +
                                                                   std::to_string(c.backend_pid()) + ")",
                                                               "terminating");
                                          auto r = c.query("SELECT 1", "after the kill");
                                          if (!r) return r.error();
                                          return core::ok();
                                        });
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, core::Errc::unavailable) << lost.error().message;
  auto again = postgres::read_transaction(*pool, Access::owner(), [&](Connection& c) -> core::Result<void> {
    auto r = c.query("SELECT 1", "afterwards");
    if (!r) return r.error();
    return core::ok();
  });
  EXPECT_TRUE(again) << "the pool recovered: " << (again ? "" : again.error().message);
}

}  // namespace
}  // namespace keyrelay::store::test
