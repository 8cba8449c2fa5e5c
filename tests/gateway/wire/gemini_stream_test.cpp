#include "gateway/wire/chat_wire.h"

#include <gtest/gtest.h>

#include "gateway/wire/wire_test_support.h"

namespace keyrelay::gateway {
namespace {

using catalog::Wire;
using namespace test;

// PROVIDERS.md 3.3, verbatim (trimmed from discourse-ai spec fixtures).
constexpr std::string_view kStream =
    R"(data: {"candidates":[{"content":{"parts":[{"text":"Certainly"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":399,"totalTokenCount":399},"modelVersion":"gemini-1.5-pro-002"})"
    "\n\n"
    R"(data: {"candidates":[{"content":{"parts":[{"text":"! Here it is."}],"role":"model"}}],"usageMetadata":{"promptTokenCount":399,"totalTokenCount":399},"modelVersion":"gemini-1.5-pro-002"})"
    "\n\n"
    R"(data: {"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":399,"candidatesTokenCount":191,"totalTokenCount":590},"modelVersion":"gemini-1.5-pro-002"})"
    "\n\n";

constexpr std::string_view kToolStream =
    R"(data: {"candidates":[{"content":{"parts":[{"text":"Checking."}],"role":"model"}}],"modelVersion":"gemini-x"})"
    "\r\n\r\n"
    R"(data: {"candidates":[{"content":{"parts":[{"functionCall":{"name":"weather","args":{"city":"Paris"}}},{"functionCall":{"id":"fc-2","name":"now","args":{}}}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":30,"candidatesTokenCount":10,"thoughtsTokenCount":5}})"
    "\r\n\r\n";

const ChatRequest& streaming(bool include_usage) {
  static const ChatRequest with = request_of(
      R"({"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]})");
  static const ChatRequest without = request_of(R"({"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  return include_usage ? with : without;
}

std::string chunk(std::string_view choices_and_more) {
  return R"({"id":"chatcmpl-test","object":"chat.completion.chunk","created":1700000000,"model":"gemini-1.5-pro-002",)" +
         std::string(choices_and_more) + "}";
}

TEST(GeminiWireStream, TranslatesTheProvidersExampleIntoOpenAiChunks) {
  const auto run = run_stream(Wire::gemini, streaming(true), kStream, 0);
  ASSERT_TRUE(run.fed);
  ASSERT_TRUE(run.finished) << run.finished.error().message;
  const std::vector<std::string> expected = {
      chunk(R"("choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}])"),
      chunk(R"("choices":[{"index":0,"delta":{"content":"Certainly"},"finish_reason":null}])"),
      chunk(R"("choices":[{"index":0,"delta":{"content":"! Here it is."},"finish_reason":null}])"),
      chunk(R"("choices":[{"index":0,"delta":{},"finish_reason":"stop"}])"),
      chunk(R"("choices":[],"usage":{"prompt_tokens":399,"completion_tokens":191,"total_tokens":590})"),
      "[DONE]",
  };
  EXPECT_EQ(data_of_events(run.out), expected);
  EXPECT_EQ(run.usage.input_tokens, 399u);
  EXPECT_EQ(run.usage.output_tokens, 191u) << "the last usageMetadata counts";
}

TEST(GeminiWireStream, GivesTheSameOutputFedByteByByteAsInOnePiece) {
  for (auto upstream : {kStream, kToolStream})
    for (bool include_usage : {true, false}) {
      const auto whole = run_stream(Wire::gemini, streaming(include_usage), upstream, 0);
      const auto bytes = run_stream(Wire::gemini, streaming(include_usage), upstream, 1);
      ASSERT_TRUE(whole.finished);
      ASSERT_TRUE(bytes.finished);
      EXPECT_EQ(bytes.out, whole.out);
      expect_stream_frame(whole.out, include_usage);
    }
}

TEST(GeminiWireStream, EmitsEachChunkAsItArrivesAndTheEndAtFinish) {
  auto translator = make_stream_translator(Wire::gemini, streaming(true), test_meta());
  std::string out;
  ASSERT_TRUE(translator->feed(kStream.substr(0, kStream.find("\n\n") + 2), out));
  EXPECT_EQ(data_of_events(out).size(), 2u) << "role and the first text, before the stream goes on";
  out.clear();
  ASSERT_TRUE(translator->feed(kStream.substr(kStream.find("\n\n") + 2), out));
  EXPECT_EQ(data_of_events(out).size(), 2u) << "the second text and the finish chunk";
  out.clear();
  ASSERT_TRUE(translator->finish(out));
  EXPECT_EQ(data_of_events(out).size(), 2u) << "usage and [DONE]: Gemini's stream just ends";
}

TEST(GeminiWireStream, SendsEachFunctionCallWholeAndFinishesWithToolCalls) {
  const auto run = run_stream(Wire::gemini, streaming(true), kToolStream, 0);
  ASSERT_TRUE(run.finished);
  std::vector<json::value> deltas;
  const auto chunks = chunks_of(run.out);
  for (const auto& c : chunks)
    if (!c.at("choices").as_array().empty()) deltas.push_back(c.at("choices").at(0).at("delta"));
  const std::vector<json::value> expected = {
      json::parse(R"({"role":"assistant","content":""})"),
      json::parse(R"({"content":"Checking."})"),
      json::parse(R"({"tool_calls":[{"index":0,"id":"call_0","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]})"),
      json::parse(R"({"tool_calls":[{"index":1,"id":"fc-2","type":"function","function":{"name":"now","arguments":"{}"}}]})"),
      json::parse(R"({})"),
  };
  EXPECT_EQ(deltas, expected);
  EXPECT_EQ(chunks[chunks.size() - 2].at("choices").at(0).at("finish_reason"), "tool_calls");
  EXPECT_EQ(chunks.back().at("usage"), json::parse(R"({"prompt_tokens":30,"completion_tokens":15,"total_tokens":45})"));
  EXPECT_EQ(chunks.front().at("model"), "gemini-x");
}

TEST(GeminiWireStream, TakesUsageThatArrivesAfterTheFinishReason) {
  const std::string upstream =
      joined({kStream, R"(data: {"usageMetadata":{"promptTokenCount":400,"candidatesTokenCount":200}})" "\n\n"});
  const auto run = run_stream(Wire::gemini, streaming(true), upstream, 0);
  ASSERT_TRUE(run.finished);
  EXPECT_EQ(run.usage.input_tokens, 400u);
  EXPECT_EQ(chunks_of(run.out).back().at("usage").at("total_tokens"), 600);
}

TEST(GeminiWireStream, ReadsCachedContentAsPartOfThePromptAndNamesTheModel) {
  const std::string upstream = joined(
      {kStream, R"(data: {"usageMetadata":{"promptTokenCount":400,"cachedContentTokenCount":250,"candidatesTokenCount":9}})"
                "\n\n"});
  const auto run = run_stream(Wire::gemini, streaming(true), upstream, 0);
  ASSERT_TRUE(run.finished);
  EXPECT_EQ(run.usage.input_tokens, 400u) << "cachedContentTokenCount is part of promptTokenCount";
  EXPECT_EQ(run.usage.cached_input_tokens, 250u);
  EXPECT_EQ(run.model, "gemini-1.5-pro-002");
  EXPECT_EQ(chunks_of(run.out).back().at("usage").at("prompt_tokens_details").at("cached_tokens"), 250);
}

TEST(GeminiWireStream, EndsABlockedPromptWithContentFilter) {
  const auto run = run_stream(Wire::gemini, streaming(false),
                              R"(data: {"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":4}})" "\n\n",
                              0);
  ASSERT_TRUE(run.finished);
  expect_stream_frame(run.out, false);
  EXPECT_EQ(chunks_of(run.out).back().at("choices").at(0).at("finish_reason"), "content_filter");
}

TEST(GeminiWireStream, ATruncatedStreamFailsAtFinishAndAppendsNothingMore) {
  for (std::string_view cut : {kStream.substr(0, kStream.rfind("data: ")), std::string_view()}) {
    auto translator = make_stream_translator(Wire::gemini, streaming(true), test_meta());
    std::string out;
    ASSERT_TRUE(translator->feed(cut, out));
    const std::string before = out;
    auto finished = translator->finish(out);
    ASSERT_FALSE(finished) << "cut at " << cut.size();
    EXPECT_EQ(finished.error().code, core::Errc::upstream_error);
    EXPECT_EQ(out, before);
  }
}

TEST(GeminiWireStream, ReportsAnErrorObjectMidStream) {
  const std::string upstream =
      joined({kStream.substr(0, kStream.find("\n\n") + 2),
              R"(data: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})" "\n\n"});
  const auto run = run_stream(Wire::gemini, streaming(false), upstream, 1);
  ASSERT_FALSE(run.fed);
  EXPECT_EQ(run.fed.error().code, core::Errc::upstream_error);
  EXPECT_EQ(run.fed.error().message, "The model is overloaded.");
}

}  // namespace
}  // namespace keyrelay::gateway
