#include "http/deadline.h"

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

namespace keyrelay::http {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

// Runs the context until `done` or 5 s pass.
template <class Done>
void run_until(net::io_context& io, Done done) {
  const auto give_up = Clock::now() + 5s;
  while (!done() && Clock::now() < give_up) io.run_one_for(10ms);
}

TEST(Deadline, FiresOncePastAndSaysSo) {
  net::io_context io(1);
  int fired = 0;
  Deadline deadline(io.get_executor(), [&] { ++fired; });
  deadline.expires_after(30ms);
  EXPECT_FALSE(deadline.expired());
  run_until(io, [&] { return fired > 0; });
  EXPECT_EQ(fired, 1);
  EXPECT_TRUE(deadline.expired());
  io.run_for(60ms);
  EXPECT_EQ(fired, 1) << "a deadline fires once, not again on the next sweep";
}

TEST(Deadline, SettingItAgainClearsExpiredAndMovesIt) {
  net::io_context io(1);
  int fired = 0;
  Deadline deadline(io.get_executor(), [&] { ++fired; });
  deadline.expires_after(10ms);
  run_until(io, [&] { return fired > 0; });
  deadline.expires_after(10s);
  EXPECT_FALSE(deadline.expired());
  io.run_for(50ms);
  EXPECT_EQ(fired, 1);
}

TEST(Deadline, AnEarlierDeadlineWakesTheSweeperEarlier) {
  net::io_context io(1);
  bool late_fired = false, early_fired = false;
  Deadline late(io.get_executor(), [&] { late_fired = true; });
  Deadline early(io.get_executor(), [&] { early_fired = true; });
  late.expires_after(10s);  // the sweeper sleeps until then
  early.expires_after(20ms);
  const auto started = Clock::now();
  run_until(io, [&] { return early_fired; });
  EXPECT_TRUE(early_fired);
  EXPECT_FALSE(late_fired);
  EXPECT_LT(Clock::now() - started, 2s);
}

TEST(Deadline, NeverAndALaterDeadlineDoNotFire) {
  net::io_context io(1);
  int fired = 0;
  Deadline never(io.get_executor(), [&] { ++fired; });
  Deadline moved(io.get_executor(), [&] { ++fired; });
  never.expires_after(10ms);
  never.expires_never();
  moved.expires_after(10ms);
  moved.expires_after(10s);
  io.run_for(80ms);
  EXPECT_EQ(fired, 0);
}

TEST(Deadline, ADestroyedDeadlineIsForgotten) {
  net::io_context io(1);
  int fired = 0;
  auto gone = std::make_unique<Deadline>(io.get_executor(), [&] { ++fired; });
  Deadline kept(io.get_executor(), [&] { fired += 10; });
  gone->expires_after(10ms);
  kept.expires_after(40ms);
  gone.reset();
  run_until(io, [&] { return fired != 0; });
  EXPECT_EQ(fired, 10);
}

TEST(Deadline, EachContextSweepsItsOwn) {
  net::io_context first(1), second(1);
  bool first_fired = false, second_fired = false;
  Deadline a(first.get_executor(), [&] { first_fired = true; });
  Deadline b(second.get_executor(), [&] { second_fired = true; });
  a.expires_after(10ms);
  b.expires_after(10ms);
  run_until(first, [&] { return first_fired; });
  EXPECT_TRUE(first_fired);
  EXPECT_FALSE(second_fired) << "the second context has not run";
  run_until(second, [&] { return second_fired; });
  EXPECT_TRUE(second_fired);
}

}  // namespace
}  // namespace keyrelay::http
