// GET /metrics through the real binary: after a mixed workload the counters move by exactly the
// requests made, the scrape passes `promtool check metrics`, and a metrics token closes it.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "support/deadline.h"
#include "support/temp_dir.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// Each sample line "series value" of a scrape, by series ("name{labels}").
std::map<std::string, double> samples_of(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

class Metrics : public ::testing::Test {
 protected:
  Gateway gw{Environment{{"KEYRELAY_RATE_LIMIT_VALIDATIONS", "1/1h"}}};

  std::string scrape() {
    auto r = gw.vault.send("GET", "/metrics", {});
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    return r.body;
  }
};

TEST_F(Metrics, CountersMatchTheRequestsMadeAndPromtoolAcceptsTheScrape) {
  gw.add_key(gw.alice, "openai", "error", {{"priority", 0}}, "first");
  gw.add_key(gw.alice, "openai", "valid", {{"priority", 1}}, "second");
  const auto before = samples_of(scrape());

  // The workload: reads, a 404 of a route and one of no route, a 401, a chat that falls back once,
  // a validation and one refused by its rate limit, a request that raises an alert.
  EXPECT_EQ(gw.vault.call(gw.alice, "GET", "/api/v1/keys").status, 200);
  EXPECT_EQ(gw.vault.call(gw.alice, "GET", "/api/v1/keys").status, 200);
  EXPECT_EQ(gw.vault.call(gw.alice, "GET", "/api/v1/keys/00000000-0000-7000-8000-000000000000").status, 404);
  EXPECT_EQ(gw.vault.call(gw.alice, "GET", "/nope").status, 404);
  EXPECT_EQ(gw.vault.send("GET", "/api/v1/keys", {{"Authorization", "Bearer kr_wrong"}}).status, 401);
  EXPECT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  const std::string invalid = body_of({{"provider", "openai"}, {"secret", Gateway::secret_for("openai", "invalid")}});
  EXPECT_EQ(gw.vault.call(gw.alice, "POST", "/api/v1/keys/validate", invalid).status, 200);
  EXPECT_EQ(gw.vault.call(gw.alice, "POST", "/api/v1/keys/validate", invalid).status, 429);
  EXPECT_EQ(gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest")).status, 424);

  std::map<std::string, double> after;
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] {
    after = samples_of(scrape());
    return after["keyrelay_alerts_raised_total{rule=\"gateway.no_usable_key\"}"] >= 1;
  })) << "the alert is raised in the background";
  auto delta = [&](const std::string& series) {
    const double was = before.count(series) ? before.at(series) : 0;
    return after[series] - was;
  };
  EXPECT_EQ(delta("keyrelay_http_requests_total{route=\"/api/v1/keys\",method=\"GET\",status=\"200\"}"), 2);
  EXPECT_EQ(delta("keyrelay_http_requests_total{route=\"/api/v1/keys/{id}\",method=\"GET\",status=\"404\"}"), 1);
  EXPECT_EQ(delta("keyrelay_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}"), 1);
  EXPECT_EQ(delta("keyrelay_http_requests_total{route=\"/api/v1/keys\",method=\"GET\",status=\"401\"}"), 1);
  EXPECT_EQ(delta("keyrelay_http_requests_total{route=\"/v1/chat/completions\",method=\"POST\",status=\"200\"}"), 1);
  EXPECT_EQ(delta("keyrelay_http_requests_total{route=\"/v1/chat/completions\",method=\"POST\",status=\"424\"}"), 1);
  EXPECT_EQ(delta("keyrelay_http_request_duration_seconds_count{route=\"/v1/chat/completions\"}"), 2);
  EXPECT_EQ(delta("keyrelay_upstream_requests_total{provider=\"openai\",outcome=\"server_error\"}"), 1);
  EXPECT_EQ(delta("keyrelay_upstream_requests_total{provider=\"openai\",outcome=\"ok\"}"), 1);
  EXPECT_EQ(delta("keyrelay_upstream_errors_total{provider=\"openai\"}"), 1);
  EXPECT_EQ(delta("keyrelay_upstream_response_seconds_count{provider=\"openai\"}"), 2);
  EXPECT_EQ(delta("keyrelay_fallbacks_total{reason=\"server_error\"}"), 1);
  EXPECT_EQ(delta("keyrelay_gateway_overhead_seconds_count"), 2) << "both gateway answers, the 424 included";
  EXPECT_EQ(delta("keyrelay_decrypts_total{result=\"success\"}"), 2);
  EXPECT_EQ(delta("keyrelay_decrypts_total{result=\"failure\"}"), 0);
  EXPECT_EQ(delta("keyrelay_validations_total{provider=\"openai\",result=\"invalid\"}"), 1);
  EXPECT_EQ(delta("keyrelay_rate_limited_total{bucket=\"validation\"}"), 1);
  EXPECT_EQ(delta("keyrelay_alerts_raised_total{rule=\"gateway.no_usable_key\"}"), 1);
  EXPECT_EQ(after["keyrelay_keys{provider=\"openai\",status=\"active\"}"], 2);
  EXPECT_EQ(after["keyrelay_keys{provider=\"anthropic\",status=\"active\"}"], 0);
  EXPECT_GT(after["keyrelay_audit_events_total"], before.at("keyrelay_audit_events_total"));
  EXPECT_EQ(after["keyrelay_audit_write_failures_total"], 0);
  EXPECT_GE(after["keyrelay_http_open_connections"], 1);
  EXPECT_GT(after["process_resident_memory_bytes"], 1e6);
  EXPECT_GT(after["process_open_fds"], 3);
  EXPECT_GT(after["process_start_time_seconds"], 1.7e9);

  // promtool, as Prometheus itself would read it: valid and lint-clean.
  TempDir dir;
  const auto file = dir.path() / "scrape.txt";
  const auto out = dir.path() / "promtool.txt";
  std::ofstream(file) << scrape();
  const int rc = std::system(("promtool check metrics < " + file.string() + " > " + out.string() + " 2>&1").c_str());
  std::ifstream said(out);
  const std::string report((std::istreambuf_iterator<char>(said)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << report;
  EXPECT_EQ(report, "") << "promtool lint findings";
}

TEST_F(Metrics, NoSecretOrIdIsALabel) {
  const auto key = gw.add_key(gw.alice, "openai", "valid");
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  const std::string text = scrape();
  EXPECT_EQ(text.find(gw.secret_of(key)), std::string::npos);
  EXPECT_EQ(text.find(key), std::string::npos);
  EXPECT_EQ(text.find(gw.alice.user_id), std::string::npos);
  EXPECT_EQ(text.find(gw.alice.token), std::string::npos);
}

TEST(MetricsToken, WhenSetOnlyItsBearerGetsTheScrape) {
  VaultServer vault({.env = {{"KEYRELAY_METRICS_TOKEN", "scrape-me-0123456789"}}});
  EXPECT_EQ(vault.send("GET", "/metrics", {}).status, 401);
  EXPECT_EQ(vault.send("GET", "/metrics", {{"Authorization", "Bearer scrape-me-012345678"}}).status, 401);
  EXPECT_EQ(vault.call(vault.admin(), "GET", "/metrics").status, 401) << "an access token is not the metrics token";
  auto ok = vault.send("GET", "/metrics", {{"Authorization", "Bearer scrape-me-0123456789"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.body.find("# TYPE keyrelay_http_requests_total counter"), std::string::npos);
}

}  // namespace
}  // namespace keyrelay::test
