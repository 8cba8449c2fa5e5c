// Alert rules through the real binary (issue 5): each fires on its trigger, repeats coalesce into
// one open alert with a count, and the owner (or, for alerts about nobody, the admin) sees it.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "raw_database.h"
#include "support/deadline.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// The open alert of `rule` that `who` sees once its count reached `count` (raises are written in
// the background); an empty object when none did within 10 s.
json::object wait_for_alert(VaultServer& vault, const Identity& who, std::string_view rule, std::int64_t count = 1) {
  json::object found;
  poll_until(deadline_in(10s), [&] {
    for (const auto& a : list_page(vault, who, "/api/v1/alerts?status=open")) {
      if (str(a, "rule") == rule && a.at("count").as_int64() >= count) {
        found = a;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::size_t alerts_of_rule(VaultServer& vault, const Identity& who, std::string_view rule) {
  std::size_t n = 0;
  for (const auto& a : list_page(vault, who, "/api/v1/alerts")) n += str(a, "rule") == rule;
  return n;
}

TEST(AlertRules, ABurstOfChangesAlertsTheUserOncePerBurst) {
  VaultServer vault({.env = {{"KEYRELAY_ALERTS_MANAGEMENT_BURST", "5/1m"}}});
  const Identity alice = vault.add_user("alice");
  for (int i = 0; i < 4; ++i) create_key(vault, alice, "openai", "k" + std::to_string(i), "sk-proj-abcdefghijklmnopqrst" + std::to_string(i));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(alerts_of_rule(vault, alice, "management.burst"), 0u) << "four changes are no burst";
  create_key(vault, alice, "openai", "k4", "sk-proj-abcdefghijklmnopqrst4");
  auto alert = wait_for_alert(vault, alice, "management.burst");
  ASSERT_FALSE(alert.empty()) << "the fifth change should raise management.burst";
  EXPECT_EQ(str(alert, "user_id"), alice.user_id);
  EXPECT_EQ(str(alert, "severity"), "warning");
  // Five more: the same open alert, counted twice, not a second alert.
  for (int i = 5; i < 10; ++i) create_key(vault, alice, "openai", "k" + std::to_string(i), "sk-proj-abcdefghijklmnopqrst" + std::to_string(i));
  auto coalesced = wait_for_alert(vault, alice, "management.burst", 2);
  ASSERT_FALSE(coalesced.empty());
  EXPECT_EQ(str(coalesced, "id"), str(alert, "id"));
  EXPECT_EQ(alerts_of_rule(vault, alice, "management.burst"), 1u);
  // The raise is audited.
  EXPECT_FALSE(audit_events(vault, alice, "action=alert.raised").empty());
}

TEST(AlertRules, RepeatedFailedValidationsAlertTheUser) {
  Gateway gw(Environment{{"KEYRELAY_ALERTS_VALIDATION_FAILURES", "3/1h"}});
  const std::string bad = body_of({{"provider", "openai"}, {"secret", Gateway::secret_for("openai", "invalid")}});
  const std::string good = body_of({{"provider", "openai"}, {"secret", Gateway::secret_for("openai", "valid")}});
  EXPECT_EQ(gw.vault.call(gw.alice, "POST", "/api/v1/keys/validate", bad).status, 200);
  EXPECT_EQ(gw.vault.call(gw.alice, "POST", "/api/v1/keys/validate", good).status, 200) << "a valid key does not count";
  EXPECT_EQ(gw.vault.call(gw.alice, "POST", "/api/v1/keys/validate", bad).status, 200);
  const auto key = gw.add_key(gw.alice, "anthropic", "invalid");
  EXPECT_EQ(gw.vault.call(gw.alice, "POST", "/api/v1/keys/" + key + "/validate").status, 200);
  auto alert = wait_for_alert(gw.vault, gw.alice, "validation.failures");
  ASSERT_FALSE(alert.empty()) << "three rejected keys should raise validation.failures";
  EXPECT_EQ(str(alert, "provider"), "anthropic") << "the last failure's provider";
  EXPECT_EQ(alert.at("message").as_string().find("sk-"), json::string::npos) << "no secret in an alert";
}

TEST(AlertRules, ARequestWithoutAUsableKeyTellsTheUser) {
  Gateway gw;
  EXPECT_EQ(gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest")).status, 424);
  auto alert = wait_for_alert(gw.vault, gw.alice, "gateway.no_usable_key");
  ASSERT_FALSE(alert.empty());
  EXPECT_EQ(str(alert, "provider"), "anthropic");
  EXPECT_EQ(str(alert, "severity"), "info");
  EXPECT_EQ(gw.vault.call(gw.alice, "GET", "/proxy/anthropic/v1/models").status, 424);
  auto coalesced = wait_for_alert(gw.vault, gw.alice, "gateway.no_usable_key", 2);
  EXPECT_EQ(str(coalesced, "id"), str(alert, "id")) << "repeats coalesce per user and provider";
}

TEST(AlertRules, AKeyTheProviderRejectsIsMarkedInvalidAndItsOwnerAlerted) {
  Gateway gw;
  const auto key = gw.add_key(gw.alice, "openai", "invalid");
  EXPECT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 502);
  auto alert = wait_for_alert(gw.vault, gw.alice, "key.invalid");
  ASSERT_FALSE(alert.empty());
  EXPECT_EQ(str(alert, "key_id"), key);
  EXPECT_EQ(str(get_key(gw.vault, gw.alice, "/api/v1/keys/" + key), "status"), "invalid");
}

TEST(AlertRules, ASecretThatFailsItsIntegrityCheckIsCritical) {
  Gateway gw;
  const auto key = gw.add_key(gw.alice, "openai", "valid");
  {
    RawDatabase db(gw.vault.database_file());
    std::string sealed = db.key_blob("sealed_secret", key);
    sealed[sealed.size() / 2] = static_cast<char>(sealed[sealed.size() / 2] ^ 0x01);
    ASSERT_EQ(db.set_key_blob("sealed_secret", key, sealed), 1);
  }
  // The server notices the changed database and reads the row afresh; the chat cannot open it.
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] { return gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status != 200; }));
  auto alert = wait_for_alert(gw.vault, gw.alice, "key.decrypt_failed");
  ASSERT_FALSE(alert.empty());
  EXPECT_EQ(str(alert, "severity"), "critical");
  EXPECT_EQ(str(alert, "key_id"), key);
  // The admin sees everyone's alerts, this one included.
  bool admin_sees = false;
  for (const auto& a : list_page(gw.vault, gw.vault.admin(), "/api/v1/alerts")) admin_sees |= str(a, "id") == str(alert, "id");
  EXPECT_TRUE(admin_sees);
}

TEST(AlertRules, AKeyUsedFromANewClientAlertsItsUser) {
  Gateway gw;
  gw.add_key(gw.alice, "openai", "valid");
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  std::this_thread::sleep_for(1500ms);  // the uses are written (and watched) in batches every second
  EXPECT_TRUE(alerts_of_rule(gw.vault, gw.alice, "key.new_client") == 0u) << "the first client is the baseline";
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini"), {{"User-Agent", "curl/8.5.0"}}).status, 200);
  auto alert = wait_for_alert(gw.vault, gw.alice, "key.new_client");
  ASSERT_FALSE(alert.empty());
  EXPECT_NE(alert.at("message").as_string().find("curl/8.5.0"), json::string::npos);
  EXPECT_EQ(str(alert, "provider"), "openai");
}

TEST(AlertRules, AProviderFailingOftenAlertsTheOperator) {
  Gateway gw(Environment{{"KEYRELAY_ALERTS_UPSTREAM_ERROR_PERCENT", "50"},
                         {"KEYRELAY_ALERTS_UPSTREAM_ERROR_MIN_REQUESTS", "4"},
                         {"KEYRELAY_GATEWAY_BREAKER_FAILURES", "100"}});
  gw.add_key(gw.alice, "anthropic", "error");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest")).status, 502);
  auto alert = wait_for_alert(gw.vault, gw.vault.admin(), "provider.error_rate");
  ASSERT_FALSE(alert.empty());
  EXPECT_EQ(str(alert, "provider"), "anthropic");
  EXPECT_EQ(str(alert, "severity"), "warning");
  EXPECT_NE(alert.at("message").as_string().find("100% of 4 requests"), json::string::npos) << alert.at("message");
}

}  // namespace
}  // namespace keyrelay::test
