// /v1/chat/completions and /v1/models through the real binary: the OpenAI wire passed through, and
// translation to the Anthropic and Gemini wires and back — plain and streamed, system prompts, tools,
// usage — with the user's key injected the way each provider wants it and keyrelay's token never
// reaching a provider. The mock checks each wire's request strictly (400 otherwise).

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "gateway_harness.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

// The OpenAI error shape of API.md for /v1/*.
::testing::AssertionResult is_openai_error(const HttpResponse& r, int status, std::string_view code) {
  if (r.status != status)
    return ::testing::AssertionFailure() << "status " << r.status << " (want " << status << "): " << r.body;
  auto body = json::parse(r.body);
  const auto& error = body.at("error").as_object();
  for (const char* field : {"message", "type", "code", "request_id"})
    if (!error.contains(field)) return ::testing::AssertionFailure() << "no error." << field << ": " << r.body;
  if (!error.contains("param") || !error.at("param").is_null())
    return ::testing::AssertionFailure() << "param must be null: " << r.body;
  if (!code.empty() && error.at("code") != json::value(code))
    return ::testing::AssertionFailure() << "code " << json::serialize(error.at("code")) << " (want " << code << ")";
  return ::testing::AssertionSuccess();
}

json::object message_of(const json::object& completion) {
  return completion.at("choices").as_array()[0].as_object().at("message").as_object();
}

std::string finish_of(const json::object& completion) {
  return std::string(completion.at("choices").as_array()[0].as_object().at("finish_reason").as_string());
}

class GatewayChat : public ::testing::Test {
 protected:
  Gateway gw;
};

TEST_F(GatewayChat, OpenAiWireIsPassedThroughWithTheUsersKey) {
  const auto key = gw.add_key(gw.alice, "openai", "valid");
  auto r = gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini", "hi there"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto completion = object_of(r);
  EXPECT_EQ(completion.at("object"), "chat.completion");
  EXPECT_EQ(message_of(completion).at("content"), "Hello from openai (gpt-4o-mini): hi there");
  EXPECT_EQ(finish_of(completion), "stop");
  EXPECT_EQ(r.header("X-Keyrelay-Provider"), "openai");
  EXPECT_EQ(r.header("X-Keyrelay-Key-Id"), key);
  EXPECT_EQ(r.header("X-Keyrelay-Credential"), "user");
  EXPECT_EQ(r.header("X-Keyrelay-Attempts"), "1");

  auto seen = gw.upstream_requests("/openai/chat/completions");
  ASSERT_EQ(seen.size(), 1u);
  const auto& headers = seen[0].at("headers").as_object();
  EXPECT_EQ(text_of(headers.at("authorization")), "Bearer " + gw.secret_of(key));
  EXPECT_EQ(json::serialize(seen[0]).find(gw.alice.token), std::string::npos) << "keyrelay's token reached the provider";
}

// API.md "Round 2": keyrelay's own share and the provider's, in milliseconds with decimals.
TEST_F(GatewayChat, EveryAnswerSaysWhereItsTimeWentInServerTiming) {
  gw.add_key(gw.alice, "openai", "slow300");
  const std::regex timing(R"(keyrelay;dur=(\d+\.\d{3}), upstream;dur=(\d+\.\d{3}))");
  auto r = gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::smatch parts;
  const std::string header = r.header("Server-Timing").value_or("");
  ASSERT_TRUE(std::regex_match(header, parts, timing)) << header;
  EXPECT_GE(std::stod(parts[2]), 300.0) << "the provider took 300 ms: " << header;
  EXPECT_LT(std::stod(parts[1]), 300.0) << header;

  r = gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest"));  // no key: refused before any call
  ASSERT_EQ(r.status, 424) << r.body;
  const std::string refused = r.header("Server-Timing").value_or("");
  ASSERT_TRUE(std::regex_match(refused, parts, timing)) << refused;
  EXPECT_EQ(parts[2], "0.000");
}

TEST_F(GatewayChat, AnthropicWireIsTranslatedBothWays) {
  const auto key = gw.add_key(gw.alice, "anthropic", "valid");
  json::object body{{"model", "anthropic/claude-3-5-haiku-latest"},
                    {"temperature", 1.5},
                    {"stop", "END"},
                    {"messages", json::array{json::object{{"role", "system"}, {"content", "Be brief."}},
                                             json::object{{"role", "user"}, {"content", "hello anthropic"}}}}};
  auto r = gw.chat(gw.alice, body);
  ASSERT_EQ(r.status, 200) << r.body;
  auto completion = object_of(r);
  EXPECT_EQ(message_of(completion).at("content"), "Hello from anthropic (claude-3-5-haiku-latest): hello anthropic");
  EXPECT_EQ(finish_of(completion), "stop");
  const auto& usage = completion.at("usage").as_object();
  EXPECT_EQ(usage.at("prompt_tokens").as_int64(), 4);  // "Be brief." + "hello anthropic"
  EXPECT_EQ(usage.at("completion_tokens").as_int64(), 6);  // the mock's reply has 6 words
  EXPECT_EQ(usage.at("total_tokens").as_int64(), 10);

  auto seen = gw.upstream_requests("/anthropic/v1/messages");
  ASSERT_EQ(seen.size(), 1u);
  const auto& headers = seen[0].at("headers").as_object();
  EXPECT_EQ(text_of(headers.at("x-api-key")), gw.secret_of(key));
  EXPECT_FALSE(headers.contains("authorization"));
  EXPECT_TRUE(headers.contains("anthropic-version"));
  auto sent = json::parse(seen[0].at("body").as_string()).as_object();
  EXPECT_EQ(sent.at("system"), "Be brief.");
  EXPECT_EQ(sent.at("max_tokens").as_int64(), 4096);
  EXPECT_EQ(sent.at("temperature").to_number<double>(), 1.0);
  EXPECT_EQ(sent.at("stop_sequences").as_array().size(), 1u);
}

TEST_F(GatewayChat, GeminiWireIsTranslatedBothWays) {
  const auto key = gw.add_key(gw.alice, "gemini", "valid");
  json::object body{{"model", "gemini-2.0-flash"},
                    {"max_tokens", 50},
                    {"messages", json::array{json::object{{"role", "system"}, {"content", "Be brief."}},
                                             json::object{{"role", "user"}, {"content", "hello gemini"}}}}};
  auto r = gw.chat(gw.alice, body);
  ASSERT_EQ(r.status, 200) << r.body;
  auto completion = object_of(r);
  EXPECT_EQ(message_of(completion).at("content"), "Hello from gemini (gemini-2.0-flash): hello gemini");
  EXPECT_EQ(finish_of(completion), "stop");
  EXPECT_EQ(completion.at("usage").at("prompt_tokens").as_int64(), 4);

  auto seen = gw.upstream_requests("/gemini/v1beta/models/gemini-2.0-flash:generateContent");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(text_of(seen[0].at("headers").at("x-goog-api-key")), gw.secret_of(key));
  auto sent = json::parse(seen[0].at("body").as_string()).as_object();
  EXPECT_TRUE(sent.contains("systemInstruction"));
  EXPECT_EQ(sent.at("generationConfig").at("maxOutputTokens").as_int64(), 50);
}

// Streams of all three wires come back as OpenAI chunks: role first, the text, one finish reason,
// the usage chunk only when asked for, and [DONE] last.
TEST_F(GatewayChat, EveryWireStreamsOpenAiChunksEndingInDone) {
  gw.add_key(gw.alice, "openai", "valid");
  gw.add_key(gw.alice, "anthropic", "valid");
  gw.add_key(gw.alice, "gemini", "valid");
  for (const char* model : {"openai/gpt-4o-mini", "anthropic/claude-3-5-haiku-latest", "gemini/gemini-2.0-flash"}) {
    for (const bool include_usage : {false, true}) {
      SCOPED_TRACE(std::string(model) + (include_usage ? " with usage" : ""));
      auto body = Gateway::chat_body(model, "stream this please", true);
      if (include_usage) body["stream_options"] = json::object{{"include_usage", true}};
      auto r = gw.chat(gw.alice, body);
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.header("Content-Type"), "text/event-stream");
      auto data = sse_data(r.body);
      ASSERT_GE(data.size(), 3u) << r.body;
      EXPECT_EQ(data.back(), "[DONE]");
      EXPECT_EQ(std::count(data.begin(), data.end(), "[DONE]"), 1);
      auto first = json::parse(data.front()).as_object();
      EXPECT_EQ(first.at("object"), "chat.completion.chunk");
      EXPECT_EQ(first.at("choices").as_array()[0].at("delta").at("role"), "assistant");
      const std::string provider = std::string(model).substr(0, std::string(model).find('/'));
      const std::string name = std::string(model).substr(provider.size() + 1);
      EXPECT_EQ(streamed_text(data), "Hello from " + provider + " (" + name + "): stream this please");
      int finishes = 0, usage_chunks = 0;
      for (const auto& d : data) {
        if (d == "[DONE]") continue;
        auto chunk = json::parse(d).as_object();
        const auto& choices = chunk.at("choices").as_array();
        if (choices.empty()) {
          ++usage_chunks;
          EXPECT_EQ(chunk.at("usage").at("prompt_tokens").as_int64(), 3);
          EXPECT_EQ(chunk.at("usage").at("completion_tokens").as_int64(), 7);
        } else if (!choices[0].at("finish_reason").is_null()) {
          ++finishes;
          EXPECT_EQ(choices[0].at("finish_reason"), "stop");
        }
      }
      EXPECT_EQ(finishes, 1);
      EXPECT_EQ(usage_chunks, include_usage ? 1 : 0);
    }
  }
}

// A tool call comes back as OpenAI tool_calls, and the tool's answer goes back to the provider in
// its own shape.
TEST_F(GatewayChat, ToolCallsRoundTripThroughAnthropicAndGemini) {
  gw.add_key(gw.alice, "anthropic", "valid");
  gw.add_key(gw.alice, "gemini", "valid");
  const json::array tools{json::object{
      {"type", "function"},
      {"function", json::object{{"name", "lookup"},
                                {"description", "look something up"},
                                {"parameters", json::object{{"type", "object"},
                                                            {"properties", json::object{{"query", json::object{{"type", "string"}}}}},
                                                            {"additionalProperties", false}}}}}}};
  for (const char* model : {"anthropic/claude-3-5-haiku-latest", "gemini/gemini-2.0-flash"}) {
    SCOPED_TRACE(model);
    auto body = Gateway::chat_body(model, "weather in Paris");
    body["tools"] = tools;
    auto r = gw.chat(gw.alice, body);
    ASSERT_EQ(r.status, 200) << r.body;
    auto completion = object_of(r);
    EXPECT_EQ(finish_of(completion), "tool_calls");
    const auto message = message_of(completion);
    const auto& calls = message.at("tool_calls").as_array();
    ASSERT_EQ(calls.size(), 1u);
    const auto& call = calls[0].as_object();
    EXPECT_EQ(call.at("type"), "function");
    EXPECT_EQ(call.at("function").at("name"), "lookup");
    auto args = json::parse(call.at("function").at("arguments").as_string());
    EXPECT_EQ(args.at("query"), "weather in Paris");

    // The tool's answer goes back.
    json::array messages = body.at("messages").as_array();
    messages.push_back(json::object{{"role", "assistant"}, {"content", nullptr}, {"tool_calls", calls}});
    messages.push_back(json::object{{"role", "tool"}, {"tool_call_id", call.at("id")}, {"content", "sunny and warm"}});
    body["messages"] = messages;
    auto second = gw.chat(gw.alice, body);
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(message_of(object_of(second)).at("content"), "Tool said: sunny and warm");
  }
}

TEST_F(GatewayChat, ModelsListsWhatTheUsersKeysReach) {
  gw.add_key(gw.alice, "anthropic", "valid");
  gw.add_key(gw.alice, "gemini", "valid");
  auto r = gw.vault.call(gw.alice, "GET", "/v1/models");
  ASSERT_EQ(r.status, 200) << r.body;
  auto list = object_of(r);
  EXPECT_EQ(list.at("object"), "list");
  std::set<std::string> providers;
  for (const auto& m : list.at("data").as_array()) {
    const std::string id(m.at("id").as_string());
    providers.insert(id.substr(0, id.find('/')));
    EXPECT_EQ(m.at("object"), "model");
  }
  EXPECT_EQ(providers, (std::set<std::string>{"anthropic", "gemini"}));
  // Cached per key: a second listing asks no provider.
  gw.mock.reset();
  ASSERT_EQ(gw.vault.call(gw.alice, "GET", "/v1/models").status, 200);
  EXPECT_TRUE(gw.upstream_requests("/").empty());
}

TEST_F(GatewayChat, KeyrelaysOwnErrorsComeInOpenAisShape) {
  EXPECT_TRUE(is_openai_error(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")), 424, "no_usable_key"));
  EXPECT_TRUE(is_openai_error(gw.chat(gw.alice, Gateway::chat_body("llama-local")), 400, "invalid_request"));
  EXPECT_TRUE(is_openai_error(gw.vault.call(gw.alice, "POST", "/v1/chat/completions", "{not json"), 400,
                              "invalid_request"));
  EXPECT_TRUE(is_openai_error(gw.chat(gw.alice, json::object{{"model", "gpt-4o-mini"}}), 400, "invalid_request"));
  EXPECT_TRUE(is_openai_error(gw.vault.send("POST", "/v1/chat/completions", {}, "{}"), 401, "unauthenticated"));
  auto reader = gw.vault.issue_token(gw.alice, "keys:read");
  EXPECT_TRUE(is_openai_error(gw.chat(reader, Gateway::chat_body("gpt-4o-mini")), 403, "forbidden"));
  const auto no_key = gw.chat(gw.alice, Gateway::chat_body("gemini/gemini-2.0-flash"));
  EXPECT_NE(no_key.body.find("no gemini key is stored"), std::string::npos) << no_key.body;
}

TEST_F(GatewayChat, ProviderRequestErrorsComeBackTranslatedWithTheirStatus) {
  gw.add_key(gw.alice, "openai", "valid");
  // The provider refuses a tool answer to a call it never made: its 400, in OpenAI's shape, once.
  auto body = Gateway::chat_body("gpt-4o-mini");
  body["messages"].as_array().push_back(json::object{{"role", "tool"}, {"tool_call_id", "call_nope"}, {"content", "x"}});
  auto refused = gw.chat(gw.alice, body);
  EXPECT_TRUE(is_openai_error(refused, 400, "")) << refused.body;
  EXPECT_EQ(gw.upstream_requests("/openai/chat/completions").size(), 1u);

  gw.add_key(gw.alice, "gemini", "valid");
  // A model name Gemini cannot take in its path is refused before any call.
  auto bad = gw.chat(gw.alice, Gateway::chat_body("gemini/../secret"));
  EXPECT_TRUE(is_openai_error(bad, 400, "invalid_request")) << bad.body;
  EXPECT_TRUE(gw.upstream_requests("/gemini/").empty());
}

}  // namespace
}  // namespace keyrelay::test
