#include "gateway/wire/messages_wire.h"

#include <gtest/gtest.h>

#include "gateway/wire/messages_test_support.h"

namespace keyrelay::gateway {
namespace {

using catalog::Wire;
using namespace test;

// An OpenAI-wire stream: text in two pieces, then the usage chunk (include_usage), then [DONE].
constexpr std::string_view kOpenAiText =
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo ✓\"},\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n"
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12,\"prompt_tokens_details\":{\"cached_tokens\":2}}}\n\n"
    "data: [DONE]\n\n";

// Text, then two tool calls whose arguments arrive in fragments.
constexpr std::string_view kOpenAiTools =
    "data: {\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Checking.\"},\"finish_reason\":null}]}\n\n"
    "data: {\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\" \\\"Paris\\\"}\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"time\",\"arguments\":\"{}\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: {\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":7,\"total_tokens\":27}}\n\n"
    "data: [DONE]\n\n";

// Gemini: text in two chunks, then a whole functionCall with the finish reason and the usage.
constexpr std::string_view kGemini =
    "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Sure\"}],\"role\":\"model\"}}],\"usageMetadata\":{\"promptTokenCount\":11},\"modelVersion\":\"gemini-2.0-flash\"}\r\n\r\n"
    "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\", one moment.\"}],\"role\":\"model\"}}],\"usageMetadata\":{\"promptTokenCount\":11}}\r\n\r\n"
    "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"weather\",\"args\":{\"city\":\"Paris\"}}}],\"role\":\"model\"},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":11,\"candidatesTokenCount\":8,\"totalTokenCount\":19}}\r\n\r\n";

// Anthropic's own stream (PROVIDERS.md 3.3), with a tool call and cache counters.
constexpr std::string_view kAnthropic = R"(event: message_start
data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-x","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"cache_read_input_tokens":100,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"weather","input":{}}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Paris\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":40}}

event: message_stop
data: {"type":"message_stop"}

)";

// The pieces an event-stream reader of Anthropic's SDK assembles: text, tool inputs by block, the
// final stop reason and usage.
struct Assembled {
  std::string text;
  std::vector<std::pair<std::string, std::string>> tools;  // name, concatenated partial_json
  std::string stop_reason;
  json::object usage;
};

Assembled assemble(const std::vector<AnthropicEvent>& events) {
  Assembled a;
  for (const auto& e : events) {
    if (e.name == "content_block_start" && e.data.at("content_block").at("type") == "tool_use")
      a.tools.emplace_back(std::string(e.data.at("content_block").at("name").as_string()), "");
    if (e.name == "content_block_delta") {
      const auto& delta = e.data.at("delta").as_object();
      if (delta.at("type") == "text_delta") a.text += delta.at("text").as_string();
      if (delta.at("type") == "input_json_delta") a.tools.back().second += delta.at("partial_json").as_string();
    }
    if (e.name == "message_delta") {
      a.stop_reason = e.data.at("delta").at("stop_reason").as_string();
      a.usage = e.data.at("usage").as_object();
    }
  }
  return a;
}

TEST(MessagesStream, SaysAnOpenAiStreamInAnthropicsEvents) {
  const auto run = run_messages_stream(Wire::openai, kOpenAiText, 0);
  ASSERT_TRUE(run.fed);
  ASSERT_TRUE(run.finished) << run.finished.error().message;
  const auto events = anthropic_events(run.out);
  EXPECT_EQ(names_of(events), (std::vector<std::string>{"message_start", "ping", "content_block_start", "content_block_delta",
                                                        "content_block_delta", "content_block_stop", "message_delta",
                                                        "message_stop"}));
  EXPECT_EQ(events[0].data.at("message"), json::parse(R"({"id":"msg_test","type":"message","role":"assistant","model":"gpt-4o",
    "content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}})"));
  EXPECT_EQ(events[2].data, json::parse(R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"));
  EXPECT_EQ(events[3].data, json::parse(R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}})"));
  EXPECT_EQ(events[5].data, json::parse(R"({"type":"content_block_stop","index":0})"));
  EXPECT_EQ(events[6].data, json::parse(R"({"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},
    "usage":{"input_tokens":7,"output_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":2}})"));
  EXPECT_EQ(run.usage.input_tokens, 9u);
  EXPECT_EQ(run.usage.output_tokens, 3u);
}

TEST(MessagesStream, SaysToolCallsAsToolUseBlocksWithInputJsonDeltas) {
  const auto run = run_messages_stream(Wire::openai, kOpenAiTools, 0);
  ASSERT_TRUE(run.finished) << run.finished.error().message;
  const auto events = anthropic_events(run.out);
  const Assembled a = assemble(events);
  EXPECT_EQ(a.text, "Checking.");
  ASSERT_EQ(a.tools.size(), 2u);
  EXPECT_EQ(a.tools[0].first, "weather");
  EXPECT_EQ(json::parse(a.tools[0].second), json::parse(R"({"city":"Paris"})"));
  EXPECT_EQ(a.tools[1].first, "time");
  EXPECT_EQ(a.tools[1].second, "{}");
  EXPECT_EQ(a.stop_reason, "tool_use");
  std::vector<std::int64_t> started;  // block indices, in order, each stopped before the next starts
  std::int64_t open = -1;
  for (const auto& e : events) {
    if (e.name == "content_block_start") {
      EXPECT_EQ(open, -1) << "a block starts only after the previous one stopped";
      open = e.data.at("index").as_int64();
      started.push_back(open);
      if (e.data.at("content_block").at("type") == "tool_use") {
        EXPECT_EQ(e.data.at("content_block").at("input"), json::object{});
      }
    }
    if (e.name == "content_block_delta") {
      EXPECT_EQ(e.data.at("index").as_int64(), open);
    }
    if (e.name == "content_block_stop") {
      EXPECT_EQ(e.data.at("index").as_int64(), open);
      open = -1;
    }
  }
  EXPECT_EQ(started, (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(events[events.size() - 2].data.at("usage").at("output_tokens"), 7);
}

TEST(MessagesStream, SaysAGeminiStreamInAnthropicsEvents) {
  const auto run = run_messages_stream(Wire::gemini, kGemini, 0);
  ASSERT_TRUE(run.finished) << run.finished.error().message;
  const auto events = anthropic_events(run.out);
  const Assembled a = assemble(events);
  EXPECT_EQ(a.text, "Sure, one moment.");
  ASSERT_EQ(a.tools.size(), 1u);
  EXPECT_EQ(json::parse(a.tools[0].second), json::parse(R"({"city":"Paris"})"));
  EXPECT_EQ(a.stop_reason, "tool_use");
  EXPECT_EQ(a.usage.at("input_tokens"), 11);
  EXPECT_EQ(a.usage.at("output_tokens"), 8);
  EXPECT_EQ(events[0].data.at("message").at("model"), "gemini-2.0-flash") << "the model Gemini names";
}

TEST(MessagesStream, PassesAnthropicsEventsThroughAndMetersThem) {
  const auto run = run_messages_stream(Wire::anthropic, kAnthropic, 0);
  ASSERT_TRUE(run.finished) << run.finished.error().message;
  EXPECT_EQ(run.out, kAnthropic) << "event for event, ping included";
  EXPECT_EQ(run.usage.input_tokens, 105u);
  EXPECT_EQ(run.usage.cached_input_tokens, 100u);
  EXPECT_EQ(run.usage.output_tokens, 40u);
}

TEST(MessagesStream, GivesTheSameEventsFedInAnyPieces) {
  for (const auto& [wire, upstream] : std::vector<std::pair<Wire, std::string_view>>{
           {Wire::openai, kOpenAiText}, {Wire::openai, kOpenAiTools}, {Wire::gemini, kGemini}, {Wire::anthropic, kAnthropic}}) {
    const auto whole = run_messages_stream(wire, upstream, 0);
    ASSERT_TRUE(whole.finished);
    // 1 byte splits "\r\n" and the UTF-8 of ✓; 7 and 64 split lines and JSON anywhere.
    for (std::size_t piece : {1, 2, 7, 64}) {
      const auto split = run_messages_stream(wire, upstream, piece);
      ASSERT_TRUE(split.finished) << piece;
      EXPECT_EQ(split.out, whole.out) << "pieces of " << piece;
      EXPECT_EQ(split.usage.output_tokens, whole.usage.output_tokens);
    }
  }
}

TEST(MessagesStream, FailsAStreamThatEndsEarlyOrReportsAnError) {
  const std::string cut(kOpenAiText.substr(0, kOpenAiText.find("data: [DONE]")));
  const auto early = run_messages_stream(Wire::openai, cut, 0);
  ASSERT_TRUE(early.fed);
  EXPECT_FALSE(early.finished) << "no [DONE]: incomplete";
  const std::string anthropic_cut(kAnthropic.substr(0, kAnthropic.find("event: message_stop")));
  EXPECT_FALSE(run_messages_stream(Wire::anthropic, anthropic_cut, 0).finished) << "no message_stop: incomplete";

  const auto error = run_messages_stream(
      Wire::anthropic, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n", 0);
  ASSERT_FALSE(error.fed);
  EXPECT_EQ(error.fed.error().message, "Overloaded");
  const auto openai_error = run_messages_stream(Wire::openai, "data: {\"error\":{\"message\":\"boom\"}}\n\n", 0);
  ASSERT_FALSE(openai_error.fed);
  EXPECT_EQ(openai_error.fed.error().message, "boom");
}

}  // namespace
}  // namespace keyrelay::gateway
