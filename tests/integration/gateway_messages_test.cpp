// POST /v1/messages and POST /v1/embeddings end to end against the mock provider, for what the SDK
// checks do not reach: keyrelay's own refusals in each route's error shape (401, 400, 402
// spend_cap_exceeded, 424), fallback to the next model with usage booked for both attempts, and a
// stream that breaks off after its first byte ending in Anthropic's error event.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "gateway_harness.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

json::object messages_body(std::string_view model, bool stream = false) {
  json::object body{{"model", model},
                    {"max_tokens", 64},
                    {"messages", json::array{json::object{{"role", "user"}, {"content", "hi there"}}}}};
  if (stream) body["stream"] = true;
  return body;
}

HttpResponse messages(Gateway& gw, const Identity& who, const json::object& body, const HeaderList& headers = {}) {
  return gw.vault.call(who, "POST", "/v1/messages", json::serialize(body), headers);
}

// {"type":"error","error":{"type":<type>,"message":…,"code":<code>},"request_id":…}
::testing::AssertionResult is_anthropic_error(const HttpResponse& r, int status, std::string_view type,
                                              std::string_view code) {
  if (r.status != status) return ::testing::AssertionFailure() << "status " << r.status << ": " << r.body;
  const auto body = json::parse(r.body).as_object();
  const auto& error = body.at("error").as_object();
  if (body.at("type") != "error" || error.at("type") != json::value(type) || error.at("code") != json::value(code) ||
      !error.at("message").is_string() || body.at("request_id") != json::value(*r.header("X-Request-Id")))
    return ::testing::AssertionFailure() << "not Anthropic's shape with " << type << "/" << code << ": " << r.body;
  return ::testing::AssertionSuccess();
}

TEST(GatewayMessages, RefusalsComeInAnthropicsShapeAndXApiKeyCarriesTheToken) {
  Gateway gw;
  gw.add_key(gw.alice, "anthropic", "valid");
  const auto body = json::serialize(messages_body("claude-3-5-haiku-latest"));

  const auto anonymous = gw.vault.send("POST", "/v1/messages", {{"Content-Type", "application/json"}}, body);
  EXPECT_TRUE(is_anthropic_error(anonymous, 401, "authentication_error", "unauthenticated"));
  EXPECT_EQ(anonymous.header("WWW-Authenticate").value_or(""), "Bearer");

  const auto by_api_key = gw.vault.send(
      "POST", "/v1/messages", {{"Content-Type", "application/json"}, {"x-api-key", gw.alice.token}}, body);
  EXPECT_EQ(by_api_key.status, 200) << by_api_key.body;
  EXPECT_EQ(by_api_key.header("X-Keyrelay-Provider").value_or(""), "anthropic");

  auto no_limit = messages_body("claude-3-5-haiku-latest");
  no_limit.erase("max_tokens");
  EXPECT_TRUE(is_anthropic_error(messages(gw, gw.alice, no_limit), 400, "invalid_request_error", "invalid_request"));
  EXPECT_TRUE(is_anthropic_error(messages(gw, gw.alice, messages_body("gemini/gemini-2.0-flash")), 424,
                                 "invalid_request_error", "no_usable_key"));
  EXPECT_TRUE(is_anthropic_error(gw.vault.call(gw.alice, "GET", "/v1/messages"), 405, "invalid_request_error",
                                 "method_not_allowed"));
  EXPECT_TRUE(gw.upstream_requests("/gemini/").empty());
}

TEST(GatewayMessages, ASpendCapRefusesWithA402InAnthropicsShape) {
  Gateway gw;
  gw.add_key(gw.alice, "anthropic", "valid");
  const auto put = gw.vault.call(gw.alice, "PUT", "/api/v1/caps", R"({"daily_usd":0,"monthly_usd":null})");
  ASSERT_EQ(put.status, 200) << put.body;
  const auto refused = messages(gw, gw.alice, messages_body("claude-3-5-haiku-latest"));
  EXPECT_TRUE(is_anthropic_error(refused, 402, "billing_error", "spend_cap_exceeded"));
  EXPECT_TRUE(refused.header("Retry-After").has_value());
  EXPECT_TRUE(gw.upstream_requests("/anthropic/v1/messages").empty()) << "refused before it went upstream";
}

TEST(GatewayMessages, FallsBackToTheNextModelAndBooksEveryAttempt) {
  Gateway gw;
  gw.add_key(gw.alice, "anthropic", "error");
  gw.add_key(gw.alice, "openai", "valid");
  auto body = messages_body("claude-3-5-haiku-latest");
  body["models"] = json::array{"openai/gpt-4o-mini"};
  const auto r = messages(gw, gw.alice, body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Provider").value_or(""), "openai");
  EXPECT_EQ(r.header("X-Keyrelay-Attempts").value_or(""), "2");
  EXPECT_TRUE(r.header("Server-Timing").has_value());
  const auto message = json::parse(r.body).as_object();
  EXPECT_EQ(message.at("type"), "message");
  EXPECT_EQ(message.at("content").at(0).at("text"), "Hello from openai (gpt-4o-mini): hi there");
  const auto totals = gw.wait_for_usage_totals(gw.alice, 2);
  EXPECT_EQ(totals.at("errors").as_int64(), 1);
  EXPECT_EQ(totals.at("input_tokens").as_int64(), 2) << "the answered call's words";
}

TEST(GatewayMessages, AStreamThatBreaksOffEndsWithAnAnthropicErrorEvent) {
  Gateway gw;
  gw.add_key(gw.alice, "openai", "cut");
  const auto r = messages(gw, gw.alice, messages_body("openai/gpt-4o-mini", true));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/event-stream");
  EXPECT_EQ(r.body.find("event: message_start\n"), 0u) << r.body;
  EXPECT_EQ(r.body.find("message_stop"), std::string::npos) << r.body;
  const auto error_at = r.body.rfind("event: error\ndata: ");
  ASSERT_NE(error_at, std::string::npos) << r.body;
  const auto error = json::parse(r.body.substr(error_at + 19)).as_object();
  EXPECT_EQ(error.at("type"), "error");
  EXPECT_EQ(error.at("error").at("type"), "api_error");
}

TEST(GatewayEmbeddings, RefusalsComeInOpenAisShape) {
  Gateway gw;
  const auto no_key = gw.vault.call(gw.alice, "POST", "/v1/embeddings", R"({"model":"text-embedding-3-small","input":"hi"})");
  EXPECT_EQ(no_key.status, 424) << no_key.body;
  EXPECT_EQ(json::parse(no_key.body).at("error").at("code"), "no_usable_key");
  gw.add_key(gw.alice, "anthropic", "valid");
  const auto anthropic = gw.vault.call(gw.alice, "POST", "/v1/embeddings", R"({"model":"anthropic/claude-x","input":"hi"})");
  EXPECT_EQ(anthropic.status, 400) << anthropic.body;
  EXPECT_EQ(json::parse(anthropic.body).at("error").at("type"), "invalid_request_error");
  const auto bad = gw.vault.call(gw.alice, "POST", "/v1/embeddings", R"({"model":"text-embedding-3-small","input":""})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_TRUE(gw.upstream_requests("/").empty());
}

}  // namespace
}  // namespace keyrelay::test
