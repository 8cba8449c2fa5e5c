#include "gateway/wire/chat_wire.h"

#include <gtest/gtest.h>

#include "gateway/wire/wire_test_support.h"

namespace keyrelay::gateway {
namespace {

using catalog::Wire;
using namespace test;

json::object translated(std::string_view answer) {
  auto r = translate_response(Wire::anthropic, std::string(answer), test_meta());
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? json::parse(r->body).as_object() : json::object{};
}

TEST(AnthropicWireResponse, TranslatesTheProvidersExampleIntoAChatCompletion) {
  // PROVIDERS.md 3.2
  auto r = translate_response(Wire::anthropic, R"({"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
 "content":[{"type":"text","text":"Hi!"}],"stop_reason":"end_turn","stop_sequence":null,
 "usage":{"input_tokens":9,"output_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}})",
                              test_meta());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(json::parse(r->body), json::parse(R"({"id":"chatcmpl-test","object":"chat.completion","created":1700000000,
      "model":"claude-sonnet-4-5-20250929",
      "choices":[{"index":0,"message":{"role":"assistant","content":"Hi!"},"logprobs":null,"finish_reason":"stop"}],
      "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}})"));
  EXPECT_TRUE(r->usage.reported);
  EXPECT_EQ(r->usage.input_tokens, 9u);
  EXPECT_EQ(r->usage.output_tokens, 3u);
}

TEST(AnthropicWireResponse, CountsCacheReadsAndWritesAsPromptTokens) {
  auto r = translate_response(Wire::anthropic, R"({"type":"message","model":"c","content":[],"stop_reason":"end_turn",
      "usage":{"input_tokens":10,"output_tokens":4,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000}})",
                              test_meta());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->usage.input_tokens, 1110u) << "input_tokens excludes cache reads and writes: they are added in";
  EXPECT_EQ(r->usage.cached_input_tokens, 1000u);
  EXPECT_EQ(r->usage.cache_write_tokens, 100u);
  EXPECT_EQ(r->usage.output_tokens, 4u);
  EXPECT_EQ(r->model, "c");
  EXPECT_EQ(json::parse(r->body).at("usage"),
            json::parse(R"({"prompt_tokens":1110,"completion_tokens":4,"total_tokens":1114,
                            "prompt_tokens_details":{"cached_tokens":1000}})"));
}

TEST(AnthropicWireResponse, ConcatenatesTextAndTurnsToolUseIntoToolCalls) {
  const auto body = translated(R"({"type":"message","model":"c","stop_reason":"tool_use","content":[
      {"type":"thinking","thinking":"hmm","signature":"s"},
      {"type":"text","text":"Let me "},{"type":"text","text":"check."},
      {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}},
      {"type":"tool_use","id":"toolu_2","name":"now","input":{}}],"usage":{"input_tokens":1,"output_tokens":2}})");
  const auto& choice = body.at("choices").at(0);
  EXPECT_EQ(choice.at("message"), json::parse(R"({"role":"assistant","content":"Let me check.","tool_calls":[
      {"id":"toolu_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
      {"id":"toolu_2","type":"function","function":{"name":"now","arguments":"{}"}}]})"));
  EXPECT_EQ(choice.at("finish_reason"), "tool_calls");
}

TEST(AnthropicWireResponse, GivesNullContentWhenThereIsNoText) {
  const auto body = translated(R"({"type":"message","model":"c","stop_reason":"tool_use","content":[
      {"type":"tool_use","id":"toolu_1","name":"now","input":{}}]})");
  EXPECT_TRUE(body.at("choices").at(0).at("message").at("content").is_null());
  EXPECT_FALSE(body.contains("usage")) << "no usage reported, none invented";
}

TEST(AnthropicWireResponse, UsesTheClientModelWhenTheAnswerNamesNone) {
  EXPECT_EQ(translated(R"({"type":"message","content":[],"stop_reason":"end_turn"})").at("model"), "client-model");
}

TEST(AnthropicWireResponse, MapsEveryStopReason) {
  const std::pair<const char*, const char*> rows[] = {
      {"end_turn", "stop"},         {"stop_sequence", "stop"},   {"pause_turn", "stop"},
      {"max_tokens", "length"},     {"model_context_window_exceeded", "length"},
      {"tool_use", "tool_calls"},   {"refusal", "content_filter"}, {"something_new", "stop"},
  };
  for (const auto& [reason, expected] : rows) {
    const auto body = translated(std::string(R"({"type":"message","model":"c","content":[{"type":"text","text":"x"}],"stop_reason":")") +
                                 reason + "\"}");
    EXPECT_EQ(body.at("choices").at(0).at("finish_reason"), expected) << reason;
  }
}

TEST(AnthropicWireResponse, RefusesAnAnswerThatIsNotAMessage) {
  for (auto body : {"", "<html>", R"({"type":"message"})", R"({"content":"text"})"}) {
    auto r = translate_response(Wire::anthropic, std::string(body), test_meta());
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code, core::Errc::upstream_error);
  }
}

}  // namespace
}  // namespace keyrelay::gateway
