#include "gateway/wire/chat_wire.h"

#include <gtest/gtest.h>

#include "gateway/wire/wire_test_support.h"

namespace keyrelay::gateway {
namespace {

using catalog::Wire;
using namespace test;

json::object translated(std::string_view answer) {
  auto r = translate_response(Wire::gemini, std::string(answer), test_meta());
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? json::parse(r->body).as_object() : json::object{};
}

TEST(GeminiWireResponse, TranslatesTheProvidersExampleIntoAChatCompletion) {
  // PROVIDERS.md 3.2
  auto r = translate_response(Wire::gemini, R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Hi!"}]},"finishReason":"STOP","index":0}],
 "usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":3,"totalTokenCount":12},
 "modelVersion":"gemini-2.5-flash","responseId":"..."})",
                              test_meta());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(json::parse(r->body), json::parse(R"({"id":"chatcmpl-test","object":"chat.completion","created":1700000000,
      "model":"gemini-2.5-flash",
      "choices":[{"index":0,"message":{"role":"assistant","content":"Hi!"},"logprobs":null,"finish_reason":"stop"}],
      "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}})"));
  EXPECT_EQ(r->usage.input_tokens, 9u);
  EXPECT_EQ(r->usage.output_tokens, 3u);
}

TEST(GeminiWireResponse, CountsThoughtsAsCompletionAndToolUsePromptAsPrompt) {
  auto r = translate_response(Wire::gemini, R"({"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP"}],
      "usageMetadata":{"promptTokenCount":100,"toolUsePromptTokenCount":20,"cachedContentTokenCount":50,
                       "candidatesTokenCount":7,"thoughtsTokenCount":300,"totalTokenCount":427}})",
                              test_meta());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->usage.input_tokens, 120u) << "cached tokens are already part of promptTokenCount";
  EXPECT_EQ(r->usage.cached_input_tokens, 50u);
  EXPECT_EQ(r->usage.cache_write_tokens, 0u);
  EXPECT_EQ(r->usage.output_tokens, 307u);
  EXPECT_EQ(json::parse(r->body).at("usage").at("total_tokens"), 427);
}

TEST(GeminiWireResponse, ConcatenatesTextSkipsThoughtsAndTurnsFunctionCallsIntoToolCalls) {
  const auto body = translated(R"({"candidates":[{"content":{"role":"model","parts":[
      {"text":"thinking about it","thought":true},{"text":"Let me "},{"text":"check."},
      {"functionCall":{"name":"weather","args":{"city":"Paris"}}},
      {"functionCall":{"id":"fc-7","name":"now"}}]},"finishReason":"STOP"}],"modelVersion":"gemini-x"})");
  const auto& choice = body.at("choices").at(0);
  EXPECT_EQ(choice.at("message"), json::parse(R"({"role":"assistant","content":"Let me check.","tool_calls":[
      {"id":"call_0","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
      {"id":"fc-7","type":"function","function":{"name":"now","arguments":"{}"}}]})"));
  EXPECT_EQ(choice.at("finish_reason"), "tool_calls") << "STOP with a functionCall part";
}

TEST(GeminiWireResponse, MapsEveryFinishReason) {
  const std::pair<const char*, const char*> rows[] = {
      {"STOP", "stop"},
      {"FINISH_REASON_UNSPECIFIED", "stop"},
      {"MAX_TOKENS", "length"},
      {"SAFETY", "content_filter"},
      {"RECITATION", "content_filter"},
      {"LANGUAGE", "content_filter"},
      {"BLOCKLIST", "content_filter"},
      {"PROHIBITED_CONTENT", "content_filter"},
      {"SPII", "content_filter"},
      {"IMAGE_SAFETY", "content_filter"},
      {"IMAGE_PROHIBITED_CONTENT", "content_filter"},
      {"IMAGE_RECITATION", "content_filter"},
      {"IMAGE_OTHER", "content_filter"},
      {"NO_IMAGE", "content_filter"},
      {"OTHER", "content_filter"},
      {"MALFORMED_FUNCTION_CALL", "stop"},
      {"UNEXPECTED_TOOL_CALL", "stop"},
      {"TOO_MANY_TOOL_CALLS", "stop"},
      {"SOMETHING_NEW", "stop"},
  };
  for (const auto& [reason, expected] : rows) {
    const auto body = translated(std::string(R"({"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":")") +
                                 reason + "\"}]}");
    EXPECT_EQ(body.at("choices").at(0).at("finish_reason"), expected) << reason;
  }
  EXPECT_EQ(translated(R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}}]},"finishReason":"MAX_TOKENS"}]})")
                .at("choices").at(0).at("finish_reason"),
            "length")
      << "only STOP becomes tool_calls";
}

TEST(GeminiWireResponse, GivesContentFilterWithNullContentForABlockedPrompt) {
  const auto body = translated(R"({"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[]},
      "usageMetadata":{"promptTokenCount":8,"totalTokenCount":8}})");
  EXPECT_EQ(body.at("choices"), json::parse(R"([{"index":0,"message":{"role":"assistant","content":null},
      "logprobs":null,"finish_reason":"content_filter"}])"));
  EXPECT_EQ(body.at("usage").at("prompt_tokens"), 8);
  EXPECT_EQ(body.at("model"), "client-model");
}

TEST(GeminiWireResponse, GivesEveryCandidateItsOwnChoice) {
  const auto body = translated(R"({"candidates":[
      {"content":{"parts":[{"text":"one"}]},"finishReason":"STOP","index":0},
      {"content":{"parts":[{"text":"two"}]},"finishReason":"MAX_TOKENS","index":1}]})");
  ASSERT_EQ(body.at("choices").as_array().size(), 2u);
  EXPECT_EQ(body.at("choices").at(1).at("message").at("content"), "two");
  EXPECT_EQ(body.at("choices").at(1).at("index"), 1);
  EXPECT_EQ(body.at("choices").at(1).at("finish_reason"), "length");
}

TEST(GeminiWireResponse, RefusesAnAnswerWithoutCandidatesOrBlockReason) {
  for (auto body : {"", "[]", "{}", R"({"candidates":[]})", R"({"promptFeedback":{}})"}) {
    auto r = translate_response(Wire::gemini, std::string(body), test_meta());
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code, core::Errc::upstream_error);
  }
}

}  // namespace
}  // namespace keyrelay::gateway
