#include "gateway/wire/chat_wire.h"

#include <gtest/gtest.h>

#include "gateway/wire/wire_test_support.h"

namespace keyrelay::gateway {
namespace {

using catalog::Wire;
using namespace test;

// PROVIDERS.md 3.3, verbatim (abridged from the SDK fixture basic_response.txt).
constexpr std::string_view kStream = R"(event: message_start
data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":6}}

event: message_stop
data: {"type":"message_stop"}

)";

// Text, then two tool calls whose input arrives in fragments, with cache counters.
constexpr std::string_view kToolStream = R"(event: message_start
data: {"type":"message_start","message":{"id":"msg_02","model":"claude-x","usage":{"input_tokens":5,"cache_read_input_tokens":100,"cache_creation_input_tokens":10,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking."}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"Paris\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: content_block_start
data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_2","name":"now","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":2}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":40}}

event: message_stop
data: {"type":"message_stop"}

)";

const ChatRequest& streaming(bool include_usage) {
  static const ChatRequest with = request_of(
      R"({"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]})");
  static const ChatRequest without = request_of(R"({"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  return include_usage ? with : without;
}

std::string chunk(std::string_view choices_and_more) {
  return R"({"id":"chatcmpl-test","object":"chat.completion.chunk","created":1700000000,"model":"claude-sonnet-4-5-20250929",)" +
         std::string(choices_and_more) + "}";
}

TEST(AnthropicWireStream, TranslatesTheProvidersExampleIntoOpenAiChunks) {
  const auto run = run_stream(Wire::anthropic, streaming(true), kStream, 0);
  ASSERT_TRUE(run.fed);
  ASSERT_TRUE(run.finished) << run.finished.error().message;
  const std::vector<std::string> expected = {
      chunk(R"("choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}])"),
      chunk(R"("choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}])"),
      chunk(R"("choices":[{"index":0,"delta":{},"finish_reason":"stop"}])"),
      chunk(R"("choices":[],"usage":{"prompt_tokens":11,"completion_tokens":6,"total_tokens":17})"),
      "[DONE]",
  };
  EXPECT_EQ(data_of_events(run.out), expected);
  EXPECT_EQ(run.usage.input_tokens, 11u);
  EXPECT_EQ(run.usage.output_tokens, 6u) << "message_delta's output_tokens is cumulative, not added";
}

TEST(AnthropicWireStream, GivesTheSameOutputFedByteByByteAsInOnePiece) {
  for (auto upstream : {kStream, kToolStream})
    for (bool include_usage : {true, false}) {
      const auto whole = run_stream(Wire::anthropic, streaming(include_usage), upstream, 0);
      const auto bytes = run_stream(Wire::anthropic, streaming(include_usage), upstream, 1);
      ASSERT_TRUE(whole.finished);
      ASSERT_TRUE(bytes.finished);
      EXPECT_EQ(bytes.out, whole.out);
      expect_stream_frame(whole.out, include_usage);
    }
}

TEST(AnthropicWireStream, SendsTheUsageChunkOnlyWhenAsked) {
  const auto run = run_stream(Wire::anthropic, streaming(false), kStream, 0);
  ASSERT_TRUE(run.finished);
  expect_stream_frame(run.out, false);
  EXPECT_TRUE(run.usage.reported) << "metered all the same";
}

TEST(AnthropicWireStream, EmitsEachEventAsItCompletesAndDoneAtMessageStop) {
  auto translator = make_stream_translator(Wire::anthropic, streaming(false), test_meta());
  std::string out;
  const auto first_two = kStream.substr(0, kStream.find("event: ping"));
  ASSERT_TRUE(translator->feed(first_two, out));
  EXPECT_EQ(data_of_events(out).size(), 1u) << "the role chunk, at message_start";
  out.clear();
  ASSERT_TRUE(translator->feed(kStream.substr(first_two.size()), out));
  EXPECT_EQ(data_of_events(out).back(), "[DONE]") << "message_stop completes the stream";
  std::string rest;
  ASSERT_TRUE(translator->finish(rest));
  EXPECT_EQ(rest, "");
}

TEST(AnthropicWireStream, StreamsToolCallsWithOpenAiIndexesAndArgumentFragments) {
  const auto run = run_stream(Wire::anthropic, streaming(true), kToolStream, 0);
  ASSERT_TRUE(run.finished);
  const auto chunks = chunks_of(run.out);
  std::vector<json::value> deltas;
  for (const auto& c : chunks)
    if (!c.at("choices").as_array().empty()) deltas.push_back(c.at("choices").at(0).at("delta"));
  const std::vector<json::value> expected = {
      json::parse(R"({"role":"assistant","content":""})"),
      json::parse(R"({"content":"Checking."})"),
      json::parse(R"({"tool_calls":[{"index":0,"id":"toolu_1","type":"function","function":{"name":"weather","arguments":""}}]})"),
      json::parse(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]})"),
      json::parse(R"({"tool_calls":[{"index":0,"function":{"arguments":" \"Paris\"}"}}]})"),
      json::parse(R"({"tool_calls":[{"index":1,"id":"toolu_2","type":"function","function":{"name":"now","arguments":""}}]})"),
      json::parse(R"({"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]})"),
      json::parse(R"({})"),
  };
  EXPECT_EQ(deltas, expected);
  EXPECT_EQ(chunks[chunks.size() - 2].at("choices").at(0).at("finish_reason"), "tool_calls");
  EXPECT_EQ(chunks.back().at("usage"), json::parse(R"({"prompt_tokens":115,"completion_tokens":40,"total_tokens":155,
                                                       "prompt_tokens_details":{"cached_tokens":100}})"));
  EXPECT_EQ(chunks.front().at("model"), "claude-x");
}

TEST(AnthropicWireStream, ReportsAnErrorEventMidStreamWithTheProvidersMessage) {
  const std::string upstream =
      joined({kStream.substr(0, kStream.find("event: content_block_stop")), "event: error\n",
              R"(data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})" "\n\n"});
  for (std::size_t piece : {0, 1}) {
    const auto run = run_stream(Wire::anthropic, streaming(true), upstream, piece);
    ASSERT_FALSE(run.fed);
    EXPECT_EQ(run.fed.error().code, core::Errc::upstream_error);
    EXPECT_EQ(run.fed.error().message, "Overloaded");
    EXPECT_EQ(run.out.find("[DONE]"), std::string::npos);
    EXPECT_EQ(data_of_events(run.out).size(), 2u) << "role and Hello were due before the error";
  }
}

TEST(AnthropicWireStream, StaysFailedAfterAnError) {
  auto translator = make_stream_translator(Wire::anthropic, streaming(false), test_meta());
  std::string out;
  ASSERT_FALSE(translator->feed("event: error\ndata: {\"type\":\"error\",\"error\":{\"message\":\"boom\"}}\n\n", out));
  EXPECT_FALSE(translator->feed(kStream, out));
  EXPECT_FALSE(translator->finish(out));
  EXPECT_EQ(out, "");
}

TEST(AnthropicWireStream, ATruncatedStreamFailsAtFinishAndAppendsNothingMore) {
  for (auto cut_at : {"event: message_delta", "event: message_stop"}) {
    auto translator = make_stream_translator(Wire::anthropic, streaming(true), test_meta());
    std::string out;
    ASSERT_TRUE(translator->feed(kStream.substr(0, kStream.find(cut_at)), out));
    const std::string before = out;
    auto finished = translator->finish(out);
    ASSERT_FALSE(finished) << cut_at;
    EXPECT_EQ(finished.error().code, core::Errc::upstream_error);
    EXPECT_EQ(out, before);
  }
}

TEST(AnthropicWireStream, CompletesWhenTheLastEventLacksItsBlankLine) {
  const auto run = run_stream(Wire::anthropic, streaming(false), kStream.substr(0, kStream.size() - 2), 0);
  ASSERT_TRUE(run.finished);
  EXPECT_EQ(data_of_events(run.out).back(), "[DONE]");
}

TEST(AnthropicWireStream, ReportsDataThatIsNotJson) {
  const auto run = run_stream(Wire::anthropic, streaming(false), "event: message_start\ndata: {oops\n\n", 0);
  ASSERT_FALSE(run.fed);
  EXPECT_EQ(run.fed.error().code, core::Errc::upstream_error);
}

TEST(AnthropicWireStream, KeepsCacheReadsAndWritesApartAndLaterCountersReplaceEarlierOnes) {
  auto run = run_stream(Wire::anthropic, streaming(false), kToolStream, 0);
  ASSERT_TRUE(run.finished);
  EXPECT_EQ(run.usage.input_tokens, 115u) << "message_start's input_tokens excludes cache reads and writes";
  EXPECT_EQ(run.usage.cached_input_tokens, 100u);
  EXPECT_EQ(run.usage.cache_write_tokens, 10u);
  EXPECT_EQ(run.model, "claude-x");

  // Newer API versions repeat the (cumulative) input counters in message_delta.
  std::string upstream(kToolStream);
  const std::string old_delta = R"("usage":{"output_tokens":40})";
  upstream.replace(upstream.find(old_delta), old_delta.size(),
                   R"("usage":{"output_tokens":40,"input_tokens":7,"cache_read_input_tokens":200})");
  run = run_stream(Wire::anthropic, streaming(false), upstream, 0);
  ASSERT_TRUE(run.finished);
  EXPECT_EQ(run.usage.cached_input_tokens, 200u);
  EXPECT_EQ(run.usage.cache_write_tokens, 10u) << "not repeated: message_start's stands";
  EXPECT_EQ(run.usage.input_tokens, 217u);
  EXPECT_EQ(run.usage.output_tokens, 40u);
}

}  // namespace
}  // namespace keyrelay::gateway
