#include "gateway/wire/messages_wire.h"

#include <gtest/gtest.h>

#include "gateway/wire/messages_test_support.h"

namespace keyrelay::gateway {
namespace {

using catalog::Wire;
using namespace test;

const ResponseMeta kMeta{"msg_test", 1700000000, "client-model"};

json::object translated(Wire wire, std::string_view body, TokenUsage* usage = nullptr) {
  auto r = translate_messages_response(wire, body, kMeta);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  if (!r) return {};
  if (usage != nullptr) *usage = r->usage;
  return json::parse(r->body).as_object();
}

TEST(MessagesResponse, SaysAnOpenAiCompletionAsAMessage) {
  TokenUsage usage;
  const auto message = translated(Wire::openai, R"({"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o",
    "choices":[{"index":0,"message":{"role":"assistant","content":"Hi!"},"finish_reason":"stop"}],
    "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":4}}})",
                                  &usage);
  EXPECT_EQ(message, json::parse(R"({"id":"msg_test","type":"message","role":"assistant","model":"gpt-4o",
    "content":[{"type":"text","text":"Hi!"}],"stop_reason":"end_turn","stop_sequence":null,
    "usage":{"input_tokens":5,"output_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":4}})"))
      << "input_tokens leaves out the cache reads, as Anthropic counts";
  EXPECT_EQ(usage.input_tokens, 9u) << "metered as every prompt token";
  EXPECT_EQ(usage.output_tokens, 3u);
}

TEST(MessagesResponse, SaysToolCallsAsToolUseBlocks) {
  const auto message = translated(Wire::openai, R"({"choices":[{"index":0,"message":{"role":"assistant","content":"Checking.",
    "tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
                  {"id":"call_2","type":"function","function":{"name":"time","arguments":""}}]},"finish_reason":"tool_calls"}]})");
  EXPECT_EQ(message.at("content"), json::parse(R"([{"type":"text","text":"Checking."},
    {"type":"tool_use","id":"call_1","name":"weather","input":{"city":"Paris"}},
    {"type":"tool_use","id":"call_2","name":"time","input":{}}])"));
  EXPECT_EQ(message.at("stop_reason"), "tool_use");
  EXPECT_EQ(message.at("model"), "client-model") << "the provider named none";
}

TEST(MessagesResponse, MapsEveryFinishReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"stop", "end_turn"}, {"length", "max_tokens"}, {"tool_calls", "tool_use"}, {"content_filter", "refusal"}};
  for (const auto& [finish, stop] : cases) {
    const auto message = translated(Wire::openai, R"({"choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":")" +
                                                      finish + R"("}]})");
    EXPECT_EQ(message.at("stop_reason"), json::value(stop)) << finish;
  }
}

TEST(MessagesResponse, SaysAGeminiAnswerAsAMessage) {
  TokenUsage usage;
  const auto message = translated(Wire::gemini, R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Sure."},
    {"functionCall":{"name":"weather","args":{"city":"Paris"}}}]},"finishReason":"STOP","index":0}],
    "usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":3,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash"})",
                                  &usage);
  EXPECT_EQ(message.at("content"), json::parse(R"([{"type":"text","text":"Sure."},
    {"type":"tool_use","id":"call_0","name":"weather","input":{"city":"Paris"}}])"));
  EXPECT_EQ(message.at("stop_reason"), "tool_use");
  EXPECT_EQ(message.at("model"), "gemini-2.5-flash");
  EXPECT_EQ(message.at("usage").at("input_tokens"), 9);
  EXPECT_EQ(message.at("usage").at("output_tokens"), 3);
  EXPECT_EQ(usage.input_tokens, 9u);
}

TEST(MessagesResponse, PassesAnthropicsMessageThroughAndMetersItsCache) {
  constexpr std::string_view kBody = R"({"id":"msg_01","type":"message","role":"assistant","model":"claude-x",
    "content":[{"type":"text","text":"Hi!"}],"stop_reason":"stop_sequence","stop_sequence":"END",
    "usage":{"input_tokens":9,"output_tokens":3,"cache_creation_input_tokens":2,"cache_read_input_tokens":5}})";
  auto r = translate_messages_response(Wire::anthropic, kBody, kMeta);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, kBody) << "byte for byte";
  EXPECT_EQ(r->usage.input_tokens, 16u);
  EXPECT_EQ(r->usage.cached_input_tokens, 5u);
  EXPECT_EQ(r->usage.cache_write_tokens, 2u);
  EXPECT_EQ(r->model, "claude-x");
}

TEST(MessagesResponse, RefusesAnswersThatAreNotWhatTheWirePromises) {
  for (const auto& [wire, body] : std::vector<std::pair<Wire, std::string>>{
           {Wire::anthropic, R"({"type":"message"})"},
           {Wire::openai, "not json"},
           {Wire::openai, R"({"choices":[]})"},
           {Wire::openai, R"({"choices":[{"message":{"tool_calls":[{"id":"c","function":{"name":"t","arguments":"[1]"}}]}}]})"},
           {Wire::gemini, R"({"candidates":[]})"}}) {
    auto r = translate_messages_response(wire, body, kMeta);
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code, core::Errc::upstream_error) << body;
  }
}

TEST(MessagesErrors, UseAnthropicsTypesAndShape) {
  EXPECT_EQ(anthropic_error_type(400), "invalid_request_error");
  EXPECT_EQ(anthropic_error_type(401), "authentication_error");
  EXPECT_EQ(anthropic_error_type(402), "billing_error");
  EXPECT_EQ(anthropic_error_type(403), "permission_error");
  EXPECT_EQ(anthropic_error_type(404), "not_found_error");
  EXPECT_EQ(anthropic_error_type(413), "request_too_large");
  EXPECT_EQ(anthropic_error_type(424), "invalid_request_error");
  EXPECT_EQ(anthropic_error_type(429), "rate_limit_error");
  EXPECT_EQ(anthropic_error_type(502), "api_error");
  EXPECT_EQ(anthropic_error_type(504), "timeout_error");
  EXPECT_EQ(anthropic_error_type(529), "overloaded_error");
  EXPECT_EQ(json::parse(anthropic_error_body("billing_error", "cap reached", "spend_cap_exceeded", "req-1")),
            json::parse(R"({"type":"error","error":{"type":"billing_error","message":"cap reached","code":"spend_cap_exceeded"},"request_id":"req-1"})"));
  EXPECT_EQ(anthropic_stream_error_event("broke", "req-2"),
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"broke\",\"code\":\"upstream_error\"},\"request_id\":\"req-2\"}\n\n");
}

TEST(MessagesErrors, KeepAnthropicsOwnTypeAndTranslateTheOthers) {
  const auto overloaded = translate_messages_error(
      Wire::anthropic, 529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  EXPECT_EQ(overloaded.status, 529);
  EXPECT_EQ(overloaded.type, "overloaded_error");
  EXPECT_EQ(overloaded.message, "Overloaded");
  const auto limited = translate_messages_error(
      Wire::openai, 429, R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})");
  EXPECT_EQ(limited.type, "rate_limit_error");
  EXPECT_EQ(limited.message, "Rate limit reached");
  const auto google = translate_messages_error(
      Wire::gemini, 400, R"({"error":{"code":400,"message":"Bad field","status":"INVALID_ARGUMENT"}})");
  EXPECT_EQ(google.status, 400);
  EXPECT_EQ(google.type, "invalid_request_error");
}

}  // namespace
}  // namespace keyrelay::gateway
