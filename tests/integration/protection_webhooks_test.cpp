// Alert webhooks through the real binary: a receiver gets each raised alert as JSON whose
// signature it can check on its own, failed deliveries are retried with back-off and their state
// is listed, and a receiver that is down or slow holds up no request.

#include <gtest/gtest.h>

#include <openssl/hmac.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "support/deadline.h"
#include "support/keyrelay_command.h"
#include "support/keyrelay_server.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::string kSecret = "whsec_test_0123456789abcdef0123456789";

// What a receiver does, written here without keyrelay's code: HMAC-SHA256("<t>.<body>").
bool signature_verifies(std::string_view header, std::string_view body) {
  const auto t_at = header.find("t=");
  const auto v1_at = header.find(",v1=");
  if (t_at != 0 || v1_at == std::string_view::npos) return false;
  const std::string timestamp(header.substr(2, v1_at - 2));
  const std::string text = timestamp + "." + std::string(body);
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()), reinterpret_cast<const unsigned char*>(text.data()),
       text.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += {kHex[mac[i] >> 4], kHex[mac[i] & 15]};
  const auto age = std::chrono::system_clock::now() - std::chrono::system_clock::time_point(std::chrono::seconds(std::stoll(timestamp)));
  return header.substr(v1_at + 4) == hex && age < 5min && age > -5min;
}

Environment hooks_env(const MockProviderProcess& mock, const std::string& paths, std::string attempts = "3") {
  std::string urls;
  for (std::string_view rest = paths; !rest.empty();) {
    const auto comma = rest.find(',');
    if (!urls.empty()) urls += ",";
    urls += "http://127.0.0.1:" + std::to_string(mock.port()) + "/hooks/" + std::string(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return {{"KEYRELAY_ALERTS_WEBHOOK_URLS", urls},
          {"KEYRELAY_ALERTS_WEBHOOK_SECRET", kSecret},
          {"KEYRELAY_ALERTS_WEBHOOK_MAX_ATTEMPTS", std::move(attempts)},
          {"KEYRELAY_ALERTS_WEBHOOK_BACKOFF", "100ms"}};
}

// The requests `mock` recorded whose path starts with `prefix`.
std::vector<json::object> requests_to(const MockProviderProcess& mock, std::string_view prefix) {
  std::vector<json::object> out;
  for (auto& r : mock.requests())
    if (text_of(r.at("path")).starts_with(prefix)) out.push_back(std::move(r));
  return out;
}

// A request that raises gateway.no_usable_key for alice (she has no anthropic key).
HttpResponse raise_an_alert(Gateway& gw) { return gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest")); }

std::vector<json::object> deliveries(Gateway& gw) { return list_page(gw.vault, gw.vault.admin(), "/api/v1/alerts/deliveries"); }

class Webhooks : public ::testing::Test {
 protected:
  MockProviderProcess receiver;  // a second mock, so the hooks are apart from provider traffic
};

TEST_F(Webhooks, TheReceiverGetsTheAlertSignedSoItCanCheckIt) {
  Gateway gw(hooks_env(receiver, "ok"));
  ASSERT_EQ(raise_an_alert(gw).status, 424);
  std::vector<json::object> got;
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] { return !(got = requests_to(receiver, "/hooks/ok")).empty(); }));
  const auto& hook = got[0];
  const auto& headers = hook.at("headers").as_object();
  const std::string body = text_of(hook.at("body"));
  EXPECT_TRUE(signature_verifies(text_of(headers.at("x-keyrelay-signature")), body)) << text_of(headers.at("x-keyrelay-signature"));
  EXPECT_FALSE(signature_verifies(text_of(headers.at("x-keyrelay-signature")), body + " ")) << "any change breaks it";
  EXPECT_EQ(text_of(headers.at("content-type")), "application/json");
  EXPECT_EQ(text_of(headers.at("x-keyrelay-event")), "alert.raised");
  const auto payload = json::parse(body).as_object();
  EXPECT_EQ(text_of(payload.at("type")), "alert.raised");
  EXPECT_EQ(text_of(payload.at("delivery_id")), text_of(headers.at("x-keyrelay-delivery")));
  const auto& alert = payload.at("alert").as_object();
  EXPECT_EQ(text_of(alert.at("rule")), "gateway.no_usable_key");
  EXPECT_EQ(text_of(alert.at("user_id")), gw.alice.user_id);
  EXPECT_EQ(alert.at("count").as_int64(), 1);

  // The delivery is listed as delivered; the receiver's path (often a credential) is not shown.
  ASSERT_TRUE(poll_until(deadline_in(5s), [&] { auto d = deliveries(gw); return !d.empty() && str(d[0], "state") == "delivered"; }));
  const auto listed = deliveries(gw)[0];
  EXPECT_EQ(str(listed, "receiver"), "http://127.0.0.1:" + std::to_string(receiver.port()));
  EXPECT_EQ(listed.at("attempts").as_int64(), 1);
  // Users do not see deliveries.
  EXPECT_EQ(gw.vault.call(gw.alice, "GET", "/api/v1/alerts/deliveries").status, 403);
}

TEST_F(Webhooks, AFailingReceiverIsRetriedWithBackoffUntilItAnswers) {
  Gateway gw(hooks_env(receiver, "flaky2", "5"));
  ASSERT_EQ(raise_an_alert(gw).status, 424);
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] {
    auto d = deliveries(gw);
    return !d.empty() && str(d[0], "state") == "delivered";
  }));
  const auto d = deliveries(gw)[0];
  EXPECT_EQ(d.at("attempts").as_int64(), 3);
  EXPECT_EQ(requests_to(receiver, "/hooks/flaky2").size(), 3u);
}

TEST_F(Webhooks, AReceiverThatStaysDownIsGivenUpAfterTheLastAttempt) {
  Gateway gw(hooks_env(receiver, "down", "3"));
  ASSERT_EQ(raise_an_alert(gw).status, 424);
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] {
    auto d = deliveries(gw);
    return !d.empty() && str(d[0], "state") == "failed";
  }));
  const auto d = deliveries(gw)[0];
  EXPECT_EQ(d.at("attempts").as_int64(), 3);
  EXPECT_EQ(d.at("last_status").as_int64(), 503);
  EXPECT_EQ(requests_to(receiver, "/hooks/down").size(), 3u);
}

TEST_F(Webhooks, ASlowOrDownReceiverHoldsUpNoRequest) {
  Gateway gw(hooks_env(receiver, "slow,down", "8"));
  for (int i = 0; i < 5; ++i) {
    const auto started = std::chrono::steady_clock::now();
    ASSERT_EQ(raise_an_alert(gw).status, 424);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_LT(took, 1s) << "request " << i + 1 << " waited for the webhook receivers";
  }
  // The deliveries are under way meanwhile.
  EXPECT_TRUE(poll_until(deadline_in(5s), [&] { return !requests_to(receiver, "/hooks/slow").empty(); }));
}

// The payloads `receiver` got at /hooks/`path`, in order of arrival.
std::vector<json::object> payloads_at(const MockProviderProcess& receiver, std::string_view path) {
  std::vector<json::object> out;
  for (const auto& hook : requests_to(receiver, "/hooks/" + std::string(path))) {
    auto payload = json::parse(text_of(hook.at("body"))).as_object();
    // The event header says what the body says, so a receiver can route without parsing.
    EXPECT_EQ(text_of(hook.at("headers").at("x-keyrelay-event")), text_of(payload.at("type")));
    EXPECT_TRUE(signature_verifies(text_of(hook.at("headers").at("x-keyrelay-signature")), text_of(hook.at("body"))));
    out.push_back(std::move(payload));
  }
  return out;
}

// "type delivery_id alert.id (count)" per payload, a line each: what a failure shows.
std::string described(const std::vector<json::object>& payloads) {
  std::string out;
  for (const auto& p : payloads)
    out += text_of(p.at("type")) + " " + text_of(p.at("delivery_id")) + " " + text_of(p.at("alert").at("id")) + " (" +
           json::serialize(p.at("alert").at("count")) + ")\n";
  return out;
}

TEST_F(Webhooks, ARepeatIsSentAsUpdatedAndTheResolutionAsResolved) {
  // /hooks/ok answers 204, so each event is delivered once (a refused delivery would be retried).
  Gateway gw(hooks_env(receiver, "ok"));
  ASSERT_EQ(raise_an_alert(gw).status, 424);
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] { return payloads_at(receiver, "ok").size() == 1; }));
  ASSERT_EQ(raise_an_alert(gw).status, 424);  // the same rule, user and provider: coalesced
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] { return payloads_at(receiver, "ok").size() == 2; }));

  auto sent = payloads_at(receiver, "ok");
  EXPECT_EQ(text_of(sent[0].at("type")), "alert.raised");
  EXPECT_EQ(text_of(sent[1].at("type")), "alert.updated");
  const std::string alert_id = text_of(sent[0].at("alert").at("id"));
  EXPECT_EQ(text_of(sent[1].at("alert").at("id")), alert_id);
  EXPECT_EQ(sent[1].at("alert").at("count").as_int64(), 2);

  auto resolved = gw.vault.call(gw.alice, "POST", "/api/v1/alerts/" + alert_id + "/resolve");
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] { return payloads_at(receiver, "ok").size() == 3; }))
      << "resolving sent nothing";
  sent = payloads_at(receiver, "ok");
  EXPECT_EQ(text_of(sent[2].at("type")), "alert.resolved");
  EXPECT_EQ(text_of(sent[2].at("alert").at("id")), alert_id);
  EXPECT_EQ(text_of(sent[2].at("alert").at("status")), "resolved");

  // Resolving it again changes nothing, so nothing more is sent.
  ASSERT_EQ(gw.vault.call(gw.alice, "POST", "/api/v1/alerts/" + alert_id + "/resolve").status, 200);
  ASSERT_EQ(raise_an_alert(gw).status, 424);  // a new alert: the old one is resolved
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] { return payloads_at(receiver, "ok").size() >= 4; }));
  sent = payloads_at(receiver, "ok");
  ASSERT_EQ(sent.size(), 4u) << described(sent);
  EXPECT_EQ(text_of(sent[3].at("type")), "alert.raised");
  EXPECT_NE(text_of(sent[3].at("alert").at("id")), alert_id);
}

TEST(WebhookReceivers, PlainHttpToAnotherHostIsRefusedAtStartUnlessAllowed) {
  const Environment env = {{"KEYRELAY_LISTEN", "127.0.0.1:0"},
                           {"KEYRELAY_ALERTS_WEBHOOK_URLS", "https://ok.example.com/a,http://hooks.example.com/T0/B1/secretpath"},
                           {"KEYRELAY_ALERTS_WEBHOOK_SECRET", kSecret}};
  auto refused = run_keyrelay({"serve"}, env);
  EXPECT_EQ(refused.exit_status, 1) << refused.output();
  EXPECT_NE(refused.output().find("KEYRELAY_ALERTS_WEBHOOK_URLS"), std::string::npos) << refused.output();
  EXPECT_NE(refused.output().find("KEYRELAY_ALERTS_WEBHOOK_ALLOW_HTTP"), std::string::npos) << refused.output();
  EXPECT_NE(refused.output().find("http://hooks.example.com"), std::string::npos) << refused.output();
  EXPECT_EQ(refused.output().find("secretpath"), std::string::npos) << "a webhook URL's path may be a credential";

  // Loopback receivers need no permission (a sidecar on the same host)...
  Environment loopback = env;
  loopback["KEYRELAY_ALERTS_WEBHOOK_URLS"] = "http://127.0.0.1:9/a,http://localhost:9/b,http://[::1]:9/c";
  KeyrelayServer local({.env = loopback});
  EXPECT_EQ(local.get("/healthz").status, 200);
  // ...and the operator may allow plain http explicitly.
  Environment allowed = env;
  allowed["KEYRELAY_ALERTS_WEBHOOK_ALLOW_HTTP"] = "true";
  KeyrelayServer server({.env = allowed});
  EXPECT_EQ(server.get("/healthz").status, 200);
}

}  // namespace
}  // namespace keyrelay::test
