#include "gateway/upstream_pool.h"
#include "gateway/upstream_client.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

// Waiting for a connection slot of a busy origin: first come, first served, woken when a slot
// frees, within a deadline; a waiter that gives up never takes a slot with it.
namespace keyrelay::gateway {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

net::awaitable<void> pause(std::chrono::milliseconds d) {
  net::steady_timer t(co_await net::this_coro::executor, d);
  co_await t.async_wait(net::use_awaitable);
}

// Takes a slot of "origin" (after `arrive_after`), notes its turn, holds the slot for `hold`.
net::awaitable<void> take_turn(UpstreamPool& pool, int id, std::chrono::milliseconds arrive_after,
                               std::chrono::milliseconds hold, std::chrono::milliseconds patience,
                               std::vector<int>& turns) {
  co_await pause(arrive_after);
  const auto executor = co_await net::this_coro::executor;
  const std::string origin = "origin";  // named: GCC 12 destroys a temporary of a co_await expression twice
  auto lease = co_await pool.acquire(origin, false, executor, Clock::now() + patience);
  if (!lease) {
    turns.push_back(-id);
    co_return;
  }
  turns.push_back(id);
  co_await pause(hold);
}

TEST(UpstreamPool, WaitersGetSlotsInOrderOfArrival) {
  net::io_context ioc;
  UpstreamPool pool(2, 60s);
  std::vector<int> turns;
  // Ten requests 7 ms apart, each holding its slot 50 ms: eight of them wait.
  for (int i = 1; i <= 10; ++i)
    net::co_spawn(ioc, take_turn(pool, i, std::chrono::milliseconds(7 * i), 50ms, 10s, turns), net::detached);
  ioc.run();
  EXPECT_EQ(turns, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(pool.open_count("origin"), 0u);
}

TEST(UpstreamPool, WaiterPastItsDeadlineGivesUpAndTheSlotGoesToTheNext) {
  net::io_context ioc;
  UpstreamPool pool(1, 60s);
  std::vector<int> turns;
  net::co_spawn(ioc, take_turn(pool, 1, 0ms, 300ms, 10s, turns), net::detached);    // holds 0-300 ms
  net::co_spawn(ioc, take_turn(pool, 2, 10ms, 10ms, 100ms, turns), net::detached);  // gives up at 110 ms
  net::co_spawn(ioc, take_turn(pool, 3, 50ms, 10ms, 10s, turns), net::detached);    // next in line
  ioc.run();
  EXPECT_EQ(turns, (std::vector<int>{1, -2, 3}));
  EXPECT_EQ(pool.open_count("origin"), 0u);
}

// Many threads, short deadlines that often expire just as a slot frees: the cap always holds, and
// afterwards every slot is back (none lost to a waiter that gave up, none counted twice).
TEST(UpstreamPool, RacingDeadlinesNeitherLoseNorDuplicateSlots) {
  net::io_context ioc;
  constexpr std::size_t kCap = 3;
  UpstreamPool pool(kCap, 60s);
  std::atomic<int> holding{0};
  std::atomic<int> most{0};
  std::atomic<int> served{0};
  std::atomic<int> gave_up{0};
  std::mt19937 random(12345);
  for (int i = 0; i < 400; ++i) {
    const auto arrive = std::chrono::milliseconds(random() % 200);
    const auto hold = std::chrono::milliseconds(random() % 4);
    const auto patience = std::chrono::milliseconds(1 + random() % 6);
    net::co_spawn(net::make_strand(ioc), [&, arrive, hold, patience]() -> net::awaitable<void> {
      co_await pause(arrive);
      const auto executor = co_await net::this_coro::executor;
      const std::string origin = "origin";
      auto lease = co_await pool.acquire(origin, false, executor, Clock::now() + patience);
      if (!lease) {
        ++gave_up;
        co_return;
      }
      const int now_holding = ++holding;
      int seen = most.load();
      while (now_holding > seen && !most.compare_exchange_weak(seen, now_holding)) {}
      co_await pause(hold);
      --holding;
      ++served;
    }, net::detached);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&] { ioc.run(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(served + gave_up, 400);
  EXPECT_GT(served.load(), 0);
  EXPECT_LE(most.load(), static_cast<int>(kCap));
  EXPECT_EQ(pool.open_count("origin"), 0u) << "a slot was lost or counted twice";
}

TEST(UpstreamPool, DefaultCapComesFromTheDescriptorLimit) {
  // Half of what is left after a reserve, bounded by the server's own connection cap.
  EXPECT_EQ(default_connections_per_origin(1'048'576, 10'000), 10'000u);
  EXPECT_EQ(default_connections_per_origin(20'000, 10'000), (20'000u - 256) / 2);
  EXPECT_EQ(default_connections_per_origin(1'024, 10'000), (1'024u - 256) / 2);
  // Never below a small floor, even with a tiny limit.
  EXPECT_EQ(default_connections_per_origin(256, 10'000), 16u);
  EXPECT_EQ(default_connections_per_origin(100'000, 50), 50u);
}

}  // namespace
}  // namespace keyrelay::gateway
