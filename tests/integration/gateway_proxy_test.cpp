// /proxy/{provider}/… through the real binary: the key injected in the provider's header or query,
// the client's credentials never forwarded, SDK-style tokens in the provider's own auth header,
// paths that could escape the provider refused, and SSE passed through event by event.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "support/http_client.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class GatewayProxy : public ::testing::Test {
 protected:
  Gateway gw;
};

TEST_F(GatewayProxy, HeaderKeyIsInjectedAndClientCredentialsAreDropped) {
  const auto key = gw.add_key(gw.alice, "openai", "valid");
  auto r = gw.vault.call(gw.alice, "POST", "/proxy/openai/chat/completions",
                         json::serialize(Gateway::chat_body("gpt-4o-mini", "via proxy")),
                         {{"Cookie", "session=abc"}, {"X-Keyrelay-Fallback", "x"}, {"OpenAI-Organization", "org-mock"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Key-Id"), key);
  auto body = object_of(r);
  EXPECT_EQ(body.at("choices").as_array()[0].at("message").at("content"), "Hello from openai (gpt-4o-mini): via proxy");
  auto seen = gw.upstream_requests("/openai/chat/completions");
  ASSERT_EQ(seen.size(), 1u);
  const auto& headers = seen[0].at("headers").as_object();
  EXPECT_EQ(text_of(headers.at("authorization")), "Bearer " + gw.secret_of(key));
  EXPECT_FALSE(headers.contains("cookie"));
  EXPECT_FALSE(headers.contains("x-keyrelay-fallback"));
  EXPECT_EQ(headers.at("openai-organization"), "org-mock");  // the user's own account: kept
  EXPECT_EQ(json::serialize(seen[0]).find(gw.alice.token), std::string::npos);
}

TEST_F(GatewayProxy, QueryKeyIsPercentEncodedIntoTheQuery) {
  const auto key = gw.add_key(gw.alice, "google-maps", "valid");
  auto r = gw.vault.call(gw.alice, "GET", "/proxy/google-maps/maps/api/geocode/json?address=Sydney");
  ASSERT_EQ(r.status, 200) << r.body;
  auto seen = gw.upstream_requests("/google-maps/");
  ASSERT_EQ(seen.size(), 1u);
  const auto& params = seen[0].at("query_params").as_object();
  EXPECT_EQ(text_of(params.at("key")), gw.secret_of(key));
  EXPECT_EQ(params.at("address"), "Sydney");
  // A client-supplied key parameter is dropped, never forwarded (gateway_proxy_credentials_test).
  EXPECT_EQ(gw.vault.call(gw.alice, "GET", "/proxy/google-maps/maps/api/geocode/json?key=mine").status, 200);
}

TEST_F(GatewayProxy, SdkStyleTokenInTheProvidersAuthHeaderIsAccepted) {
  const auto key = gw.add_key(gw.alice, "anthropic", "valid");
  json::object body{{"model", "claude-3-5-haiku-latest"},
                    {"max_tokens", 64},
                    {"messages", json::array{json::object{{"role", "user"}, {"content", "sdk style"}}}}};
  auto r = gw.vault.send("POST", "/proxy/anthropic/v1/messages",
                         {{"x-api-key", gw.alice.token}, {"anthropic-version", "2023-06-01"},
                          {"Content-Type", "application/json"}},
                         json::serialize(body));
  ASSERT_EQ(r.status, 200) << r.body;
  auto seen = gw.upstream_requests("/anthropic/v1/messages");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(text_of(seen[0].at("headers").at("x-api-key")), gw.secret_of(key));
  EXPECT_EQ(object_of(r).at("type"), "message");  // the provider's body, unchanged
}

TEST_F(GatewayProxy, PathsThatCouldEscapeTheProviderAreRefused) {
  gw.add_key(gw.alice, "openai", "valid");
  for (const char* target : {"/proxy/openai/../admin", "/proxy/openai/a/%2e%2e/b", "/proxy/openai/a%2fb",
                             "/proxy/openai/a%5Cb", "/proxy/openai/a%00b", "/proxy/openai/a//b", "/proxy/openai/a\\b"}) {
    SCOPED_TRACE(target);
    auto r = gw.vault.call(gw.alice, "GET", target);
    EXPECT_EQ(r.status, 400) << r.body;
  }
  EXPECT_TRUE(gw.upstream_requests("/").empty());
  EXPECT_TRUE(is_api_error(gw.vault.call(gw.alice, "GET", "/proxy/nowhere/x"), 404, "not_found"));
  EXPECT_TRUE(is_api_error(gw.vault.call(gw.alice, "GET", "/proxy/gemini/v1beta/models"), 424, "no_usable_key"));
}

TEST_F(GatewayProxy, ProviderErrorsPassThroughUnchanged) {
  gw.add_key(gw.alice, "openai", "valid");
  // The mock answers 400 in OpenAI's shape to a chat request without messages.
  auto r = gw.vault.call(gw.alice, "POST", "/proxy/openai/chat/completions", R"({"model":"gpt-4o-mini"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_TRUE(object_of(r).at("error").is_object());
}

// Each event is relayed as soon as the provider sends it: with 250 ms between the mock's events,
// the first one arrives long before the last.
TEST_F(GatewayProxy, ServerSentEventsArriveOneByOne) {
  gw.add_key(gw.alice, "openai", "drip");
  auto conn = HttpConnection::connect(gw.vault.server().port());
  const std::string body = json::serialize(Gateway::chat_body("gpt-4o-mini", "one two three four five six", true));
  ASSERT_TRUE(conn.send("POST /proxy/openai/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                        gw.alice.token + "\r\nContent-Type: application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body));
  const auto started = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::duration> first_event;
  while (std::chrono::steady_clock::now() - started < 20s) {
    conn.read_available(200ms);
    if (!first_event && conn.pending().find("data: {") != std::string::npos)
      first_event = std::chrono::steady_clock::now() - started;
    if (conn.pending().find("[DONE]") != std::string::npos) break;
  }
  const auto total = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(first_event.has_value()) << conn.pending();
  ASSERT_NE(conn.pending().find("[DONE]"), std::string::npos) << conn.pending();
  EXPECT_LT(*first_event + 1s, total) << "the events were held back and sent together";
}

}  // namespace
}  // namespace keyrelay::test
