#include "gateway/wire/chat_wire.h"

#include <gtest/gtest.h>

#include "gateway/wire/wire_test_support.h"

namespace keyrelay::gateway {
namespace {

using catalog::Wire;
using namespace test;

json::object anthropic(std::string_view body, WireOptions options = {}) {
  return upstream_body(Wire::anthropic, body, "claude-x", options);
}

TEST(AnthropicWireRequest, PostsToMessagesWithTheModel) {
  auto call = build_upstream_call(Wire::anthropic, request_of(R"({"model":"a","messages":[{"role":"user","content":"hi"}]})"),
                                  "claude-sonnet-4-5", {});
  ASSERT_TRUE(call.has_value());
  EXPECT_EQ(call->path, "/v1/messages");
  EXPECT_EQ(json::parse(call->body).at("model"), "claude-sonnet-4-5");
}

TEST(AnthropicWireRequest, HoistsSystemAndDeveloperMessagesIntoTheSystemString) {
  const auto body = anthropic(R"({"model":"a","messages":[
      {"role":"system","content":"Be brief."},
      {"role":"user","content":"hi"},
      {"role":"developer","content":[{"type":"text","text":"Use French."},{"type":"text","text":"No emoji."}]}]})");
  EXPECT_EQ(body.at("system"), "Be brief.\n\nUse French.\nNo emoji.");
  EXPECT_EQ(body.at("messages"), json::parse(R"([{"role":"user","content":[{"type":"text","text":"hi"}]}])"));
}

TEST(AnthropicWireRequest, SendsNoSystemWhenThereIsNone) {
  EXPECT_FALSE(anthropic(R"({"model":"a","messages":[{"role":"user","content":"hi"}]})").contains("system"));
}

TEST(AnthropicWireRequest, MergesConsecutiveMessagesOfOneRole) {
  const auto body = anthropic(R"({"model":"a","messages":[
      {"role":"user","content":"one"},{"role":"user","content":"two"},
      {"role":"assistant","content":"three"},{"role":"assistant","content":""},{"role":"user","content":"four"}]})");
  EXPECT_EQ(body.at("messages"), json::parse(R"([
      {"role":"user","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]},
      {"role":"assistant","content":[{"type":"text","text":"three"}]},
      {"role":"user","content":[{"type":"text","text":"four"}]}])"));
}

TEST(AnthropicWireRequest, TranslatesAToolRoundTripWithMergedToolResults) {
  const auto body = anthropic(R"({"model":"a","messages":[
      {"role":"user","content":"Weather in Paris and Rome?"},
      {"role":"assistant","content":null,"tool_calls":[
        {"id":"toolu_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
        {"id":"toolu_2","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Rome\"}"}}]},
      {"role":"tool","tool_call_id":"toolu_1","content":"18C"},
      {"role":"tool","tool_call_id":"toolu_2","content":[{"type":"text","text":"24C"}]},
      {"role":"user","content":"Thanks"}],
    "tools":[{"type":"function","function":{"name":"weather","description":"Current weather",
              "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}},
             {"type":"function","function":{"name":"now"}}]})");
  EXPECT_EQ(body.at("messages"), json::parse(R"([
      {"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},
      {"role":"assistant","content":[
        {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}},
        {"type":"tool_use","id":"toolu_2","name":"weather","input":{"city":"Rome"}}]},
      {"role":"user","content":[
        {"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},
        {"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"24C"}]},
        {"type":"text","text":"Thanks"}]}])"));
  EXPECT_EQ(body.at("tools"), json::parse(R"([
      {"name":"weather","description":"Current weather",
       "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
      {"name":"now","input_schema":{"type":"object","properties":{}}}])"));
  EXPECT_FALSE(body.contains("tool_choice")) << "Anthropic's default is auto";
}

TEST(AnthropicWireRequest, ReadsEmptyToolArgumentsAsAnEmptyObject) {
  const auto body = anthropic(R"({"model":"a","messages":[{"role":"user","content":"t?"},
      {"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"now","arguments":""}}]}]})");
  EXPECT_EQ(body.at("messages").at(1).at("content").at(0).at("input"), json::object{});
}

TEST(AnthropicWireRequest, RefusesToolArgumentsThatAreNotAJsonObject) {
  for (auto args : {R"("{not json")", R"("[1,2]")"}) {
    const std::string request = std::string(R"({"model":"a","messages":[{"role":"user","content":"x"},
        {"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":)") +
                                args + "}}]}]}";
    const auto error = build_error(Wire::anthropic, request);
    EXPECT_EQ(error.code, core::Errc::invalid_request);
    EXPECT_NE(error.message.find("messages[1].tool_calls[0].function.arguments"), std::string::npos) << error.message;
  }
}

TEST(AnthropicWireRequest, TranslatesStopIntoStopSequences) {
  EXPECT_EQ(anthropic(R"({"model":"a","stop":"END","messages":[{"role":"user","content":"x"}]})").at("stop_sequences"),
            json::parse(R"(["END"])"));
  EXPECT_EQ(anthropic(R"({"model":"a","stop":["a","b"],"messages":[{"role":"user","content":"x"}]})").at("stop_sequences"),
            json::parse(R"(["a","b"])"));
  EXPECT_FALSE(anthropic(R"({"model":"a","stop":null,"messages":[{"role":"user","content":"x"}]})").contains("stop_sequences"));
}

TEST(AnthropicWireRequest, TakesMaxTokensFromTheClientElseTheConfiguredDefault) {
  EXPECT_EQ(anthropic(R"({"model":"a","max_completion_tokens":50,"max_tokens":60,"messages":[{"role":"user","content":"x"}]})")
                .at("max_tokens"),
            50);
  EXPECT_EQ(anthropic(R"({"model":"a","max_tokens":60,"messages":[{"role":"user","content":"x"}]})").at("max_tokens"), 60);
  EXPECT_TRUE(anthropic(R"({"model":"a","max_tokens":60.0,"messages":[{"role":"user","content":"x"}]})").at("max_tokens").is_int64())
      << "sent as an integer, not as 6E1";
  EXPECT_EQ(anthropic(R"({"model":"a","messages":[{"role":"user","content":"x"}]})").at("max_tokens"), 4096);
  EXPECT_EQ(anthropic(R"({"model":"a","messages":[{"role":"user","content":"x"}]})", WireOptions{1234}).at("max_tokens"),
            1234);
}

TEST(AnthropicWireRequest, ClampsTemperatureIntoZeroToOne) {
  EXPECT_EQ(anthropic(R"({"model":"a","temperature":1.7,"messages":[{"role":"user","content":"x"}]})").at("temperature"), 1);
  EXPECT_EQ(anthropic(R"({"model":"a","temperature":2,"messages":[{"role":"user","content":"x"}]})").at("temperature"), 1);
  EXPECT_EQ(anthropic(R"({"model":"a","temperature":0.5,"messages":[{"role":"user","content":"x"}]})").at("temperature"), 0.5);
  EXPECT_EQ(anthropic(R"({"model":"a","temperature":0,"top_p":0.9,"messages":[{"role":"user","content":"x"}]})").at("top_p"), 0.9);
  EXPECT_FALSE(anthropic(R"({"model":"a","messages":[{"role":"user","content":"x"}]})").contains("temperature"));
}

TEST(AnthropicWireRequest, MapsEveryToolChoice) {
  const std::pair<const char*, const char*> cases[] = {
      {R"("none")", R"({"type":"none"})"},
      {R"("auto")", R"({"type":"auto"})"},
      {R"("required")", R"({"type":"any"})"},
      {R"({"type":"function","function":{"name":"f"}})", R"({"type":"tool","name":"f"})"},
  };
  for (const auto& [choice, expected] : cases) {
    const auto body = anthropic(std::string(R"({"model":"a","messages":[{"role":"user","content":"x"}],
        "tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":)") + choice + "}");
    EXPECT_EQ(body.at("tool_choice"), json::parse(expected)) << choice;
  }
  EXPECT_EQ(build_error(Wire::anthropic, R"({"model":"a","messages":[{"role":"user","content":"x"}],
        "tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"sometimes"})")
                .code,
            core::Errc::invalid_request);
}

TEST(AnthropicWireRequest, TurnsParallelToolCallsOffInsideToolChoice) {
  constexpr std::string_view kTools = R"("tools":[{"type":"function","function":{"name":"f"}}],"parallel_tool_calls":false)";
  EXPECT_EQ(anthropic(std::string(R"({"model":"a","messages":[{"role":"user","content":"x"}],)") + std::string(kTools) + "}")
                .at("tool_choice"),
            json::parse(R"({"type":"auto","disable_parallel_tool_use":true})"));
  EXPECT_EQ(anthropic(std::string(R"({"model":"a","messages":[{"role":"user","content":"x"}],"tool_choice":"required",)") +
                      std::string(kTools) + "}")
                .at("tool_choice"),
            json::parse(R"({"type":"any","disable_parallel_tool_use":true})"));
}

TEST(AnthropicWireRequest, SendsUserAsMetadataAndStreamWhenStreaming) {
  const auto body = anthropic(R"({"model":"a","user":"u-42","stream":true,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(body.at("metadata"), json::parse(R"({"user_id":"u-42"})"));
  EXPECT_EQ(body.at("stream"), true);
  EXPECT_FALSE(anthropic(R"({"model":"a","messages":[{"role":"user","content":"x"}]})").contains("stream"));
}

TEST(AnthropicWireRequest, TranslatesImagePartsFromDataAndHttpUrls) {
  const auto body = anthropic(R"({"model":"a","messages":[{"role":"user","content":[
      {"type":"text","text":"Compare"},
      {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
      {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"low"}}]}]})");
  EXPECT_EQ(body.at("messages").at(0).at("content"), json::parse(R"([
      {"type":"text","text":"Compare"},
      {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
      {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}])"));
  EXPECT_EQ(build_error(Wire::anthropic, R"({"model":"a","messages":[{"role":"user","content":[
      {"type":"image_url","image_url":{"url":"ftp://example.com/cat.jpg"}}]}]})")
                .code,
            core::Errc::invalid_request);
  EXPECT_EQ(build_error(Wire::anthropic, R"({"model":"a","messages":[{"role":"user","content":[
      {"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]})")
                .code,
            core::Errc::invalid_request);
}

TEST(AnthropicWireRequest, RefusesMoreThanOneChoice) {
  const auto error = build_error(Wire::anthropic, R"({"model":"a","n":2,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(error.code, core::Errc::invalid_request);
  EXPECT_TRUE(error.message.starts_with("n:")) << error.message;
  EXPECT_TRUE(anthropic(R"({"model":"a","n":1,"messages":[{"role":"user","content":"x"}]})").contains("messages"));
}

TEST(AnthropicWireRequest, RefusesJsonModeButAcceptsPlainText) {
  for (auto format : {R"({"type":"json_object"})", R"({"type":"json_schema","json_schema":{"name":"x","schema":{}}})"}) {
    const auto error = build_error(Wire::anthropic, std::string(R"({"model":"a","messages":[{"role":"user","content":"x"}],"response_format":)") +
                                                        format + "}");
    EXPECT_NE(error.message.find("JSON mode"), std::string::npos) << error.message;
  }
  EXPECT_TRUE(anthropic(R"({"model":"a","response_format":{"type":"text"},"messages":[{"role":"user","content":"x"}]})")
                  .contains("messages"));
}

TEST(AnthropicWireRequest, RefusesAConversationOfOnlySystemMessages) {
  EXPECT_EQ(build_error(Wire::anthropic, R"({"model":"a","messages":[{"role":"system","content":"x"}]})").code,
            core::Errc::invalid_request);
}

}  // namespace
}  // namespace keyrelay::gateway
