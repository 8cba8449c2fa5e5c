// Spend caps through the API, end to end (API.md round 2): a user's own caps, a key's caps (its
// owner, or an admin; another user's key is 404), an admin's default-key allowance per user; each
// reads back with what was spent today and this month and when it resets; bad input is 400
// invalid_request and changes nothing; every change is audited as cap.updated with old and new
// values. Spent figures come from the booked usage: a key's, the user's across their keys, and a
// user's use of the operator's default keys.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "support/deadline.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

json::object caps_of(VaultServer& vault, const Identity& who, const std::string& target) {
  auto r = vault.call(who, "GET", target);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? object_of(r) : json::object{};
}

// The next UTC midnight as RFC 3339, computed here independently of the server.
std::string next_utc_midnight() {
  const auto now = std::chrono::system_clock::now();
  const auto tomorrow = std::chrono::floor<std::chrono::days>(now) + std::chrono::days(1);
  const std::chrono::year_month_day d{tomorrow};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT00:00:00", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return text;
}

TEST(CapsApi, OwnCapsReadBackWithSpendAndTheNextReset) {
  VaultServer vault;
  auto alice = vault.add_user("alice");
  auto fresh = caps_of(vault, alice, "/api/v1/caps");
  EXPECT_TRUE(fresh.at("daily_usd").is_null());
  EXPECT_TRUE(fresh.at("monthly_usd").is_null());
  EXPECT_EQ(fresh.at("spent_today_usd").to_number<double>(), 0.0);
  EXPECT_EQ(fresh.at("spent_month_usd").to_number<double>(), 0.0);
  EXPECT_TRUE(str(fresh, "resets_at").starts_with(next_utc_midnight())) << str(fresh, "resets_at");

  auto put = vault.call(alice, "PUT", "/api/v1/caps", R"({"daily_usd": 5, "monthly_usd": 100.123456})");
  ASSERT_EQ(put.status, 200) << put.body;
  auto stored = caps_of(vault, alice, "/api/v1/caps");
  EXPECT_DOUBLE_EQ(stored.at("daily_usd").to_number<double>(), 5.0);
  EXPECT_DOUBLE_EQ(stored.at("monthly_usd").to_number<double>(), 100.123456);
  EXPECT_EQ(object_of(put), stored);

  // Only a monthly cap: what resets next that matters is the month.
  ASSERT_EQ(vault.call(alice, "PUT", "/api/v1/caps", R"({"daily_usd": null, "monthly_usd": 7.5})").status, 200);
  auto monthly = caps_of(vault, alice, "/api/v1/caps");
  EXPECT_TRUE(monthly.at("daily_usd").is_null());
  EXPECT_TRUE(str(monthly, "resets_at").ends_with("-01T00:00:00Z") || str(monthly, "resets_at").ends_with("-01T00:00:00.000Z"))
      << str(monthly, "resets_at");
}

TEST(CapsApi, BadInputIsRefusedAndChangesNothing) {
  VaultServer vault;
  auto alice = vault.add_user("alice");
  ASSERT_EQ(vault.call(alice, "PUT", "/api/v1/caps", R"({"daily_usd": 2.5, "monthly_usd": 40})").status, 200);
  const auto before = caps_of(vault, alice, "/api/v1/caps");
  for (std::string_view bad : {R"({"daily_usd": -1})", R"({"daily_usd": 1.1234567})", R"({"monthly_usd": "5"})",
                               R"({"daily_usd": true})", R"({"daily_usd": 5, "weekly_usd": 1})", R"([5])",
                               R"({"daily_usd": 1e300})", R"({"daily_usd": {}})", "not json"}) {
    auto r = vault.call(alice, "PUT", "/api/v1/caps", bad);
    EXPECT_TRUE(is_api_error(r, 400, "invalid_request")) << bad;
  }
  EXPECT_EQ(caps_of(vault, alice, "/api/v1/caps"), before);
  EXPECT_EQ(audit_events(vault, alice, "action=cap.updated").size(), 1u);
}

TEST(CapsApi, AKeysCapsBelongToItsOwnerAndToAdmins) {
  VaultServer vault;
  auto alice = vault.add_user("alice");
  auto bob = vault.add_user("bob");
  const auto key = create_key(vault, alice, "openai", "work", make_secret());
  const std::string target = "/api/v1/keys/" + str(key, "id") + "/caps";

  ASSERT_EQ(vault.call(alice, "PUT", target, R"({"daily_usd": 1.25})").status, 200);
  EXPECT_DOUBLE_EQ(caps_of(vault, alice, target).at("daily_usd").to_number<double>(), 1.25);
  EXPECT_TRUE(is_api_error(vault.call(bob, "GET", target), 404, "not_found"));
  EXPECT_TRUE(is_api_error(vault.call(bob, "PUT", target, R"({"daily_usd": 100})"), 404, "not_found"));
  EXPECT_TRUE(is_api_error(vault.call(alice, "GET", "/api/v1/keys/no-such-key/caps"), 404, "not_found"));

  // An admin reaches any key.
  ASSERT_EQ(vault.call(vault.admin(), "PUT", target, R"({"daily_usd": 2, "monthly_usd": 20})").status, 200);
  auto after = caps_of(vault, alice, target);
  EXPECT_DOUBLE_EQ(after.at("daily_usd").to_number<double>(), 2.0);
  EXPECT_DOUBLE_EQ(after.at("monthly_usd").to_number<double>(), 20.0);
  // A key's caps are not the user's.
  EXPECT_TRUE(caps_of(vault, alice, "/api/v1/caps").at("daily_usd").is_null());
}

TEST(CapsApi, OnlyAdminsSetTheDefaultKeyAllowance) {
  VaultServer vault;
  auto alice = vault.add_user("alice");
  const std::string target = "/api/v1/users/" + alice.user_id + "/default-key-allowance";
  EXPECT_TRUE(is_api_error(vault.call(alice, "PUT", target, R"({"daily_usd": 100})"), 403, "forbidden"));
  EXPECT_TRUE(is_api_error(vault.call(alice, "GET", target), 403, "forbidden"));
  ASSERT_EQ(vault.call(vault.admin(), "PUT", target, R"({"daily_usd": 0.5})").status, 200);
  EXPECT_DOUBLE_EQ(caps_of(vault, vault.admin(), target).at("daily_usd").to_number<double>(), 0.5);
  EXPECT_TRUE(is_api_error(vault.call(vault.admin(), "GET", "/api/v1/users/nobody/default-key-allowance"), 404,
                           "not_found"));
  // The allowance is not the user's own cap.
  EXPECT_TRUE(caps_of(vault, alice, "/api/v1/caps").at("daily_usd").is_null());
}

TEST(CapsApi, EveryChangeIsAuditedWithOldAndNewValues) {
  VaultServer vault;
  auto alice = vault.add_user("alice");
  ASSERT_EQ(vault.call(alice, "PUT", "/api/v1/caps", R"({"daily_usd": 3})").status, 200);
  ASSERT_EQ(vault.call(alice, "PUT", "/api/v1/caps", R"({"daily_usd": 4, "monthly_usd": 50})").status, 200);
  auto events = audit_events(vault, alice, "action=cap.updated");
  ASSERT_EQ(events.size(), 2u);
  const auto& newest = events.front();
  EXPECT_TRUE(is_audit_event_shape(newest));
  EXPECT_EQ(str(newest, "outcome"), "success");
  const auto details = newest.at("details").as_object();
  EXPECT_EQ(str(details, "subject"), "user");
  EXPECT_EQ(str(details, "user_id"), alice.user_id);
  EXPECT_DOUBLE_EQ(details.at("old").at("daily_usd").to_number<double>(), 3.0);
  EXPECT_TRUE(details.at("old").at("monthly_usd").is_null());
  EXPECT_DOUBLE_EQ(details.at("new").at("daily_usd").to_number<double>(), 4.0);
  EXPECT_DOUBLE_EQ(details.at("new").at("monthly_usd").to_number<double>(), 50.0);
}

// What `who` spent according to the usage report (the independent figure the caps must show).
double usage_cost(Gateway& gw, const Identity& who, std::int64_t requests) {
  double cost = -1;
  poll_until(deadline_in(10s), [&] {
    auto body = object_of(gw.vault.call(who, "GET", "/api/v1/usage?group_by=key"));
    const auto& totals = body.at("totals").as_object();
    if (totals.at("requests").as_int64() < requests || totals.at("cost_usd").is_null()) return false;
    cost = totals.at("cost_usd").to_number<double>();
    return true;
  }, 100ms);
  return cost;
}

TEST(CapsApi, SpentFiguresComeFromTheBookedCostOfKeysUserAndDefaultKeys) {
  Gateway gw(Environment{{"KEYRELAY_DEFAULT_KEY_FALLBACK", "true"}});
  const auto own = gw.add_key(gw.alice, "anthropic", "valid");  // the catalog prices Claude
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest", "count these words")).status, 200);
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest", "and these too")).status, 200);
  const double spent = usage_cost(gw, gw.alice, 2);
  ASSERT_GT(spent, 0.0);
  auto key_caps = caps_of(gw.vault, gw.alice, "/api/v1/keys/" + own + "/caps");
  EXPECT_DOUBLE_EQ(key_caps.at("spent_today_usd").to_number<double>(), spent);
  EXPECT_DOUBLE_EQ(key_caps.at("spent_month_usd").to_number<double>(), spent);
  EXPECT_DOUBLE_EQ(caps_of(gw.vault, gw.alice, "/api/v1/caps").at("spent_today_usd").to_number<double>(), spent);

  // Bob has no key of his own: the operator's default key serves him, and his allowance shows it.
  auto bob = gw.vault.add_user("bob");
  create_key(gw.vault, gw.vault.admin(), "anthropic", "shared", Gateway::secret_for("anthropic", "valid"), {},
             "/api/v1/default-keys");
  ASSERT_EQ(gw.chat(bob, Gateway::chat_body("claude-3-5-haiku-latest", "count these words")).status, 200);
  const std::string allowance = "/api/v1/users/" + bob.user_id + "/default-key-allowance";
  double bob_spent = 0;
  poll_until(deadline_in(10s), [&] {
    bob_spent = caps_of(gw.vault, gw.vault.admin(), allowance).at("spent_today_usd").to_number<double>();
    return bob_spent > 0;
  }, 100ms);
  EXPECT_GT(bob_spent, 0.0);
  // Default-key spend is the allowance's, not bob's own caps', and none of alice's.
  EXPECT_EQ(caps_of(gw.vault, bob, "/api/v1/caps").at("spent_today_usd").to_number<double>(), 0.0);
  EXPECT_DOUBLE_EQ(caps_of(gw.vault, gw.alice, "/api/v1/caps").at("spent_today_usd").to_number<double>(), spent);
}

}  // namespace
}  // namespace keyrelay::test
