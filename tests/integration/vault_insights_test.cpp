// Usage, alerts and the key health summary as the API shows them. Nothing writes usage or raises
// alerts through the API yet (the gateway and the anomaly rules do), so these tests put rows into
// the database as those writers will, and check what the endpoints make of them.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "raw_database.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

void exec_sql(const std::filesystem::path& db_file, const std::string& sql) { RawDatabase(db_file).exec(sql); }

std::string usage_row(const std::string& key, const std::string& day, const std::string& owner,
                      const std::string& provider, int requests, int in, int out, int errors) {
  return "INSERT INTO usage_daily (key_id, day, owner_id, provider, requests, input_tokens, output_tokens, errors) "
         "VALUES ('" + key + "','" + day + "','" + owner + "','" + provider + "'," + std::to_string(requests) + "," +
         std::to_string(in) + "," + std::to_string(out) + "," + std::to_string(errors) + ");";
}

std::string alert_row(const std::string& id, const std::string& user, const std::string& status, std::int64_t last_seen_ms) {
  const std::string resolved = status == "resolved" ? std::to_string(last_seen_ms + 1) : "NULL";
  return "INSERT INTO alerts (id, rule, severity, status, user_id, key_id, provider, message, first_seen, last_seen, "
         "count, resolved_at) VALUES ('" + id + "','invalid_key','warning','" + status + "','" + user +
         "',NULL,'openai','the provider rejected the key'," + std::to_string(last_seen_ms - 1000) + "," +
         std::to_string(last_seen_ms) + ",2," + resolved + ");";
}

class VaultInsights : public ::testing::Test {
 protected:
  VaultServer vault;
  Identity alice = vault.add_user("alice");
  Identity bob = vault.add_user("bob");
};

TEST_F(VaultInsights, UsageIsSummedPerDayProviderOrKeyWithTotalsAndOnlyForItsOwner) {
  const std::string a1 = str(create_key(vault, alice, "openai", "a1", make_secret()), "id");
  const std::string a2 = str(create_key(vault, alice, "anthropic", "a2", make_secret("sk-ant-")), "id");
  const std::string b1 = str(create_key(vault, bob, "openai", "b1", make_secret()), "id");
  exec_sql(vault.database_file(), usage_row(a1, "2026-11-20", alice.user_id, "openai", 3, 30, 300, 1) +
                                      usage_row(a1, "2026-11-21", alice.user_id, "openai", 2, 20, 200, 0) +
                                      usage_row(a2, "2026-11-21", alice.user_id, "anthropic", 5, 50, 500, 2) +
                                      usage_row(b1, "2026-11-21", bob.user_id, "openai", 100, 1, 1, 1));

  auto by_day = vault.call(alice, "GET", "/api/v1/usage?from=2026-11-20&to=2026-11-21");
  ASSERT_EQ(by_day.status, 200) << by_day.body;
  auto body = object_of(by_day);
  const auto& days = body.at("data").as_array();
  ASSERT_EQ(days.size(), 2u) << by_day.body;
  EXPECT_EQ(days[0].at("day").as_string(), "2026-11-20");
  EXPECT_EQ(days[1].at("requests").as_int64(), 7);
  EXPECT_FALSE(days[0].as_object().contains("provider")) << "dimensions not grouped by are left out";
  EXPECT_EQ(body.at("totals").at("requests").as_int64(), 10) << "bob's usage never counts for alice";
  EXPECT_EQ(body.at("totals").at("output_tokens").as_int64(), 1000);
  EXPECT_EQ(body.at("totals").at("errors").as_int64(), 3);

  auto by_key = object_of(vault.call(alice, "GET", "/api/v1/usage?from=2026-11-20&to=2026-11-21&group_by=provider,key"));
  const auto& keys = by_key.at("data").as_array();
  ASSERT_EQ(keys.size(), 2u);
  for (const auto& row : keys) {
    EXPECT_FALSE(row.as_object().contains("day"));
    EXPECT_TRUE(row.at("key_id").as_string() == a1 || row.at("key_id").as_string() == a2);
  }

  auto one_day = object_of(vault.call(alice, "GET", "/api/v1/usage?from=2026-11-21&to=2026-11-21&group_by=provider"));
  EXPECT_EQ(one_day.at("totals").at("requests").as_int64(), 7) << "from and to are inclusive days";
}

TEST_F(VaultInsights, UsageRejectsBadRangesAndGroupings) {
  for (const char* query : {"from=2026-11-22&to=2026-11-21", "from=2026-13-01", "from=yesterday",
                            "group_by=day,colour", "from=2020-01-01&to=2026-01-01", "colour=red"}) {
    auto r = vault.call(alice, "GET", std::string("/api/v1/usage?") + query);
    EXPECT_TRUE(is_api_error(r, 400, "invalid_request")) << query << ": " << r.status << " " << r.body;
  }
}

// Found by the api_json fuzz target (UBSan: signed overflow): a range longer than about 292 years
// overflowed the clock's nanoseconds when its length was measured, came out negative and passed
// the 400-day limit.
TEST_F(VaultInsights, UsageRefusesRangesOfCenturiesToo) {
  for (const char* query : {"from=1700-01-01&to=2262-01-01", "from=1677-09-22&to=2262-04-11"}) {
    auto r = vault.call(alice, "GET", std::string("/api/v1/usage?") + query);
    EXPECT_TRUE(is_api_error(r, 400, "invalid_request")) << query << ": " << r.status << " " << r.body;
  }
}

TEST_F(VaultInsights, AlertsAreListedNewestFirstForTheirUserAndCanBeResolvedOnce) {
  exec_sql(vault.database_file(), alert_row("al-old", alice.user_id, "open", 1'700'000'000'000) +
                                      alert_row("al-new", alice.user_id, "open", 1'700'000'100'000) +
                                      alert_row("al-done", alice.user_id, "resolved", 1'700'000'050'000) +
                                      alert_row("bob-1", bob.user_id, "open", 1'700'000'200'000));
  auto all = list_all(vault, alice, "/api/v1/alerts");
  ASSERT_EQ(ids_of(all), (std::vector<std::string>{"al-new", "al-done", "al-old"}));
  EXPECT_EQ(str(all[0], "severity"), "warning");
  EXPECT_EQ(all[0].at("count").as_int64(), 2);

  auto open = list_all(vault, alice, "/api/v1/alerts?status=open");
  EXPECT_EQ(ids_of(open), (std::vector<std::string>{"al-new", "al-old"}));
  EXPECT_EQ(ids_of(list_all(vault, alice, "/api/keys/alerts")), ids_of(all)) << "the alias answers the same";

  auto resolved = vault.call(alice, "POST", "/api/v1/alerts/al-new/resolve");
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(str(object_of(resolved), "status"), "resolved");
  EXPECT_FALSE(object_of(resolved).at("resolved_at").is_null());
  EXPECT_EQ(audit_events(vault, alice, "action=alert.resolved").size(), 1u);

  EXPECT_TRUE(is_api_error(vault.call(alice, "POST", "/api/v1/alerts/bob-1/resolve"), 404, "not_found"));
  EXPECT_TRUE(is_api_error(vault.call(alice, "GET", "/api/v1/alerts?status=closed"), 400, "invalid_request"));
  EXPECT_EQ(ids_of(list_all(vault, bob, "/api/v1/alerts")), (std::vector<std::string>{"bob-1"}));
  auto admin_view = list_all(vault, vault.admin(), "/api/v1/alerts?user_id=" + bob.user_id);
  EXPECT_EQ(ids_of(admin_view), (std::vector<std::string>{"bob-1"}));
}

TEST_F(VaultInsights, MetricsCountKeysByStatusAndProvider) {
  create_key(vault, alice, "openai", "one", make_secret());
  create_key(vault, alice, "openai", "two", make_secret());
  const std::string off = str(create_key(vault, alice, "anthropic", "off", make_secret("sk-ant-")), "id");
  ASSERT_EQ(vault.call(alice, "PATCH", "/api/v1/keys/" + off, R"({"enabled":false})").status, 200);
  create_key(vault, bob, "gemini", "bobs", make_secret("AIza"));

  auto metrics = vault.call(alice, "GET", "/api/v1/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  auto body = object_of(metrics);
  EXPECT_EQ(body.at("keys").at("total").as_int64(), 3);
  EXPECT_EQ(body.at("keys").at("by_status").at("active").as_int64(), 2);
  EXPECT_EQ(body.at("keys").at("by_status").at("disabled").as_int64(), 1);
  EXPECT_EQ(body.at("keys").at("by_provider").at("openai").as_int64(), 2);
  EXPECT_FALSE(body.at("keys").at("by_provider").as_object().contains("gemini")) << "only the caller's keys";
  EXPECT_EQ(body.at("validation").at("checked").as_int64(), 0);
  EXPECT_TRUE(body.at("validation").at("success_rate").is_null());
  EXPECT_TRUE(body.at("recent_errors").as_array().empty());
  EXPECT_EQ(json::serialize(object_of(vault.call(alice, "GET", "/api/keys/metrics"))), json::serialize(body));
}

TEST_F(VaultInsights, AnAdminSeesEveryonesKeysInTheMetricsAndAUserOnlyTheirOwn) {
  create_key(vault, alice, "openai", "one", make_secret());
  create_key(vault, alice, "anthropic", "two", make_secret("sk-ant-"));
  const std::string off = str(create_key(vault, bob, "gemini", "bobs", make_secret("AIza")), "id");
  ASSERT_EQ(vault.call(bob, "PATCH", "/api/v1/keys/" + off, R"({"enabled":false})").status, 200);
  // The operator's default keys are keys too.
  create_key(vault, vault.admin(), "openai", "fallback", make_secret(), {}, "/api/v1/default-keys");

  auto global = object_of(vault.call(vault.admin(), "GET", "/api/v1/metrics"));
  EXPECT_EQ(global.at("keys").at("total").as_int64(), 4) << json::serialize(global);
  EXPECT_EQ(global.at("keys").at("by_provider").at("openai").as_int64(), 2);
  EXPECT_EQ(global.at("keys").at("by_provider").at("anthropic").as_int64(), 1);
  EXPECT_EQ(global.at("keys").at("by_provider").at("gemini").as_int64(), 1);
  EXPECT_EQ(global.at("keys").at("by_status").at("active").as_int64(), 3);
  EXPECT_EQ(global.at("keys").at("by_status").at("disabled").as_int64(), 1);

  auto own = object_of(vault.call(bob, "GET", "/api/v1/metrics"));
  EXPECT_EQ(own.at("keys").at("total").as_int64(), 1) << json::serialize(own);
  EXPECT_EQ(own.at("keys").at("by_status").at("disabled").as_int64(), 1);
  EXPECT_FALSE(own.at("keys").at("by_provider").as_object().contains("openai"));
}

}  // namespace
}  // namespace keyrelay::test
