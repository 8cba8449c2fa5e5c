// The official `@anthropic-ai/sdk` (pinned in tests/sdk/package-lock.json) against the real
// keyrelay: POST /v1/messages to Anthropic natively and to an OpenAI-wire and a Gemini model
// translated, and /proxy/anthropic — plain, streamed and with tools (tests/sdk/anthropic_sdk_check.mjs
// checks the answers). The mock provider refuses a malformed translated request (400), and this test
// reads what reached it: each user's own key in each provider's auth header, and the translated
// requests in the shape of their wire.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "sdk_check.h"
#include "support/mock_provider_process.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

std::string header(const json::object& request, std::string_view name) {
  const auto& headers = request.at("headers").as_object();
  const auto* v = headers.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

TEST(AnthropicSdk, MessagesNativeAndTranslatedAndProxyWithStreamsAndTools) {
  MockProviderProcess mock;
  VaultServer vault{VaultServer::Options{mock.provider_env()}};
  const Identity alice = vault.add_user("alice");
  const std::string anthropic_key = "sk-ant-api03-" + random_base64url(40) + "-valid";
  const std::string openai_key = "sk-proj-" + random_base64url(40) + "-valid";
  const std::string gemini_key = "AIza" + random_base64url(35) + "-valid";
  create_key(vault, alice, "anthropic", "sdk", anthropic_key);
  create_key(vault, alice, "openai", "sdk", openai_key);
  create_key(vault, alice, "gemini", "sdk", gemini_key);
  const Identity gateway = vault.issue_token(alice, "gateway");

  const SdkRun run = run_sdk_check(
      "anthropic_sdk_check.mjs", "@anthropic-ai/sdk",
      {{"KEYRELAY_URL", "http://127.0.0.1:" + std::to_string(vault.server().port())},
       {"KEYRELAY_TOKEN", gateway.token},
       {"KEYRELAY_MESSAGES_MODELS", "anthropic/claude-3-5-haiku-latest,openai/gpt-4o-mini,gemini/gemini-2.0-flash"},
       {"KEYRELAY_PROXY_MODEL", "claude-3-5-haiku-latest"}});
  ASSERT_TRUE(run.ran) << run.output;
  EXPECT_EQ(run.exit_code, 0) << "node anthropic_sdk_check.mjs:\n" << run.output << "--- keyrelay ---\n" << vault.server().logs();

  int anthropic = 0, openai = 0, gemini = 0;
  for (const auto& request : mock.requests()) {
    const std::string path(request.at("path").as_string());
    const auto body = json::parse(request.at("body").as_string()).as_object();
    if (path == "/anthropic/v1/messages") {
      ++anthropic;
      EXPECT_EQ(header(request, "x-api-key"), anthropic_key);  // the stored key, not keyrelay's token
      EXPECT_FALSE(header(request, "anthropic-version").empty());  // the SDK's own, passed on
      EXPECT_TRUE(body.contains("system")) << body;  // the client's body as it came
    } else if (path == "/openai/chat/completions") {
      ++openai;
      EXPECT_EQ(header(request, "authorization"), "Bearer " + openai_key);
      const auto& messages = body.at("messages").as_array();
      EXPECT_EQ(messages.at(0).as_object().at("role"), "system") << body;  // system hoisted into a message
      EXPECT_TRUE(body.contains("max_completion_tokens")) << body;         // OpenAI's own limit field
      EXPECT_FALSE(body.contains("max_tokens")) << body;
      if (body.contains("tools")) {
        EXPECT_EQ(body.at("tools").as_array().at(0).as_object().at("type"), "function") << body;
      }
    } else if (path.starts_with("/gemini/v1beta/models/gemini-2.0-flash:")) {
      ++gemini;
      EXPECT_EQ(header(request, "x-goog-api-key"), gemini_key);
      EXPECT_TRUE(body.contains("contents") && body.contains("systemInstruction")) << body;
      EXPECT_EQ(body.at("generationConfig").as_object().at("maxOutputTokens"), 256) << body;
    }
  }
  // plain + stream + 2 × (tool call + answer) per target; the proxy's four checks come on top.
  EXPECT_EQ(anthropic, 6 + 6);
  EXPECT_EQ(openai, 6);
  EXPECT_EQ(gemini, 6);
}

}  // namespace
}  // namespace keyrelay::test
