#include "auth/failed_attempts.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "fake_clock.h"

namespace keyrelay::auth {
namespace {

using namespace std::chrono_literals;
using test::FakeClock;

FailedAttempt from(std::string ip, std::string reason = "missing or invalid credentials") {
  FailedAttempt a;
  a.reason = std::move(reason);
  a.ip = std::move(ip);
  a.user_agent = "curl/8";
  a.request_id = "req-1";
  return a;
}

std::int64_t count_of(const store::AuditEvent& e) {
  return boost::json::parse(e.details_json).at("count").as_int64();
}

class FailedAttemptsTest : public ::testing::Test {
 protected:
  FakeClock clock{std::chrono::seconds(1'800'000'000)};
  FailedAttemptLog log{clock, {.chain = "node-1/use", .window = 60s, .max_groups = 3}};
};

TEST_F(FailedAttemptsTest, TheFirstFailureOfAnAddressIsWrittenAtOnce) {
  auto written = log.record(from("203.0.113.7", "token has been revoked"));
  ASSERT_EQ(written.size(), 1u);
  const auto* event = &written[0];
  EXPECT_EQ(event->action, "auth.failed");
  EXPECT_EQ(event->chain, "node-1/use");
  EXPECT_EQ(event->outcome, store::Outcome::failure);
  EXPECT_EQ(event->ip, "203.0.113.7");
  EXPECT_EQ(event->user_agent, "curl/8");
  EXPECT_EQ(count_of(*event), 1);
  EXPECT_EQ(boost::json::parse(event->details_json).at("reason").as_string(), "token has been revoked");
  EXPECT_TRUE(log.take_summaries(false).empty()) << "nothing else is pending";
}

TEST_F(FailedAttemptsTest, LaterFailuresInTheWindowBecomeOneEventWithTheirCountWhenItCloses) {
  ASSERT_EQ(1u, log.record(from("203.0.113.7")).size());
  for (int i = 0; i < 999; ++i) {
    clock.advance(std::chrono::seconds(i % 20 == 0 ? 1 : 0));
    EXPECT_EQ(0u, log.record(from("203.0.113.7")).size()) << "failure " << i + 2 << " was written on its own";
  }
  EXPECT_TRUE(log.take_summaries(false).empty()) << "the window is still open";
  clock.advance(60s);
  auto summaries = log.take_summaries(false);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(count_of(summaries[0]), 999);
  EXPECT_EQ(summaries[0].action, "auth.failed");
  EXPECT_EQ(summaries[0].chain, "node-1/use");
  EXPECT_EQ(summaries[0].ip, "203.0.113.7");
  EXPECT_TRUE(log.take_summaries(true).empty()) << "written once";
  // A new window starts with an event of its own again.
  EXPECT_EQ(1u, log.record(from("203.0.113.7")).size());
}

TEST_F(FailedAttemptsTest, AFailureAfterAClosedWindowBringsItsSummaryAlongIfNobodyTookItYet) {
  ASSERT_EQ(1u, log.record(from("203.0.113.7")).size());
  ASSERT_EQ(0u, log.record(from("203.0.113.7")).size());
  clock.advance(61s);
  auto written = log.record(from("203.0.113.7"));
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(count_of(written[0]), 1) << "the summary of the closed window";
  EXPECT_TRUE(boost::json::parse(written[0].details_json).as_object().contains("window_start"));
  EXPECT_EQ(count_of(written[1]), 1) << "the first failure of the new one";
}

TEST_F(FailedAttemptsTest, AShutdownWritesWhatIsPendingWhateverTheWindow) {
  ASSERT_EQ(1u, log.record(from("203.0.113.7")).size());
  ASSERT_EQ(0u, log.record(from("203.0.113.7")).size());
  ASSERT_EQ(0u, log.record(from("203.0.113.7")).size());
  auto summaries = log.take_summaries(true);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(count_of(summaries[0]), 2);
}

TEST_F(FailedAttemptsTest, AddressesAreCountedApartButAnIpv6NeighbourIsTheSameClient) {
  EXPECT_EQ(1u, log.record(from("203.0.113.7")).size());
  EXPECT_EQ(1u, log.record(from("203.0.113.8")).size());
  EXPECT_EQ(1u, log.record(from("2001:db8:1:2::1")).size());
  EXPECT_EQ(0u, log.record(from("2001:db8:1:2::2")).size()) << "same /64";
  EXPECT_EQ(0u, log.record(from("::ffff:203.0.113.8")).size()) << "the IPv4 address it maps";
  auto summaries = log.take_summaries(true);
  ASSERT_EQ(summaries.size(), 2u);
  std::int64_t total = 0;
  for (const auto& s : summaries) total += count_of(s);
  EXPECT_EQ(total, 2);
}

TEST_F(FailedAttemptsTest, ManyAddressesShareOneOverflowCountInsteadOfARowEach) {
  for (const char* ip : {"198.51.100.1", "198.51.100.2", "198.51.100.3"}) ASSERT_EQ(1u, log.record(from(ip)).size());
  // The table is full (max_groups = 3): the next addresses are counted together.
  int written = 0;
  for (int i = 10; i < 1010; ++i)
    written += static_cast<int>(log.record(from("198.18." + std::to_string(i / 250) + "." + std::to_string(i % 250))).size());
  EXPECT_LE(written, 1) << "one row per new address: unbounded under a spread-out attack";
  std::int64_t total = written;
  for (const auto& s : log.take_summaries(true)) total += count_of(s);
  EXPECT_EQ(total, 1000);
}

}  // namespace
}  // namespace keyrelay::auth
