// Expiry (issue 5): a key is refused by the gateway at the second it expires, whatever the sweeper
// does; the sweeper tells the owner once per key and threshold before, and once after.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "core/time_format.h"
#include "gateway_harness.h"
#include "support/deadline.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using sys = std::chrono::system_clock;

std::vector<json::object> alerts_of_rule(VaultServer& vault, const Identity& who, std::string_view rule) {
  std::vector<json::object> out;
  for (auto& a : list_page(vault, who, "/api/v1/alerts")) if (str(a, "rule") == rule) out.push_back(a);
  return out;
}

class Expiry : public ::testing::Test {
 protected:
  Gateway gw{Environment{{"KEYRELAY_ALERTS_EXPIRY_SWEEP_INTERVAL", "200ms"}, {"KEYRELAY_ALERTS_EXPIRY_DAYS", "7,1"}}};
};

TEST_F(Expiry, AKeyIsRefusedAtTheSecondItExpires) {
  // Whole seconds: expires_at is stored to the millisecond, the check is "expires_at <= now".
  const auto expires_at = std::chrono::ceil<std::chrono::seconds>(sys::now()) + 3s;
  const auto key = gw.add_key(gw.alice, "openai", "valid", {{"expires_at", core::format_rfc3339(expires_at)}});
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  while (sys::now() < expires_at - 150ms) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200) << "still valid just before";
  while (sys::now() < expires_at) std::this_thread::sleep_for(5ms);
  auto refused = gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini"));
  EXPECT_EQ(refused.status, 424) << refused.body;
  EXPECT_NE(refused.body.find("expired"), std::string::npos) << refused.body;
  EXPECT_EQ(str(get_key(gw.vault, gw.alice, "/api/v1/keys/" + key), "status"), "expired");
}

TEST_F(Expiry, TheOwnerHearsOncePerThresholdAndOnceWhenItExpired) {
  const auto soon = gw.add_key(gw.alice, "openai", "valid", {{"expires_at", rfc3339_in_days(3)}}, "soon");
  const auto later = gw.add_key(gw.alice, "anthropic", "valid", {{"expires_at", rfc3339_in_days(30)}}, "later");
  const auto expiring_at = std::chrono::ceil<std::chrono::seconds>(sys::now()) + 2s;
  const auto going = gw.add_key(gw.alice, "gemini", "valid", {{"expires_at", core::format_rfc3339(expiring_at)}}, "going");

  ASSERT_TRUE(poll_until(deadline_in(10s), [&] {
    return alerts_of_rule(gw.vault, gw.alice, "key.expiring.7d").size() == 1 &&
           alerts_of_rule(gw.vault, gw.alice, "key.expiring.1d").size() == 1;
  }));
  EXPECT_EQ(str(alerts_of_rule(gw.vault, gw.alice, "key.expiring.7d")[0], "key_id"), soon);
  EXPECT_EQ(str(alerts_of_rule(gw.vault, gw.alice, "key.expiring.1d")[0], "key_id"), going)
      << "a key within a day gets the 1-day alert only, not the 7-day one too";

  ASSERT_TRUE(poll_until(deadline_in(10s), [&] { return alerts_of_rule(gw.vault, gw.alice, "key.expired").size() == 1; }));
  const auto expired = alerts_of_rule(gw.vault, gw.alice, "key.expired")[0];
  EXPECT_EQ(str(expired, "key_id"), going);
  EXPECT_EQ(str(expired, "severity"), "warning");
  EXPECT_FALSE(audit_events(gw.vault, gw.alice, "action=key.expired&key_id=" + going).empty());

  // Many sweeps later: still one alert each, each raised once.
  std::this_thread::sleep_for(1s);
  for (const char* rule : {"key.expiring.7d", "key.expiring.1d", "key.expired"}) {
    const auto alerts = alerts_of_rule(gw.vault, gw.alice, rule);
    ASSERT_EQ(alerts.size(), 1u) << rule;
    EXPECT_EQ(alerts[0].at("count").as_int64(), 1) << rule;
  }
  EXPECT_EQ(audit_events(gw.vault, gw.alice, "action=key.expired").size(), 1u);
  EXPECT_TRUE(alerts_of_rule(gw.vault, gw.alice, "key.expiring.7d")[0].at("key_id") != json::value(later));

  // A new expiry date arms the thresholds again.
  auto patched = gw.vault.call(gw.alice, "PATCH", "/api/v1/keys/" + soon, body_of({{"expires_at", rfc3339_in_days(5)}}));
  ASSERT_EQ(patched.status, 200) << patched.body;
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] {
    auto alerts = alerts_of_rule(gw.vault, gw.alice, "key.expiring.7d");
    return alerts.size() == 1 && alerts[0].at("count").as_int64() == 2;
  })) << "the open 7-day alert counts the new date's warning";
}

}  // namespace
}  // namespace keyrelay::test
