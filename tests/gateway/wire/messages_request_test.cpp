#include "gateway/wire/messages_wire.h"

#include <gtest/gtest.h>

#include "gateway/wire/messages_test_support.h"

namespace keyrelay::gateway {
namespace {

using catalog::Wire;
using namespace test;

constexpr std::string_view kFull = R"({
  "model": "claude-x", "models": ["gpt-4o", "claude-x"], "max_tokens": 300, "stream": true,
  "system": [{"type":"text","text":"Be brief."},{"type":"text","text":"Be kind.","cache_control":{"type":"ephemeral"}}],
  "messages": [
    {"role":"user","content":[{"type":"text","text":"Look"},
      {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0K"}},
      {"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}]},
    {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"Let me check."},
      {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}},
      {"type":"tool_use","id":"toolu_2","name":"time","input":{}}]},
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"Sunny"},
      {"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"noon"},{"type":"text","text":"CET"}],"is_error":false},
      {"type":"text","text":"And tomorrow?"}]}
  ],
  "tools": [{"name":"weather","description":"Weather of a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}},
            {"name":"time","input_schema":{"type":"object","properties":{}}}],
  "tool_choice": {"type":"any","disable_parallel_tool_use":true},
  "stop_sequences": ["END", "STOP"], "temperature": 0.3, "top_p": 0.9, "top_k": 40,
  "metadata": {"user_id": "u-42"}, "thinking": {"type":"enabled","budget_tokens":1024}
})";

TEST(MessagesRequest, AcceptsEveryFieldAndKeepsTheModelChain) {
  const auto request = messages_request_of(kFull);
  EXPECT_TRUE(request.stream);
  EXPECT_EQ(request.models, (std::vector<std::string>{"claude-x", "gpt-4o"}));
  EXPECT_FALSE(request.body.contains("models")) << "no provider knows \"models\"";
  EXPECT_TRUE(request.body.contains("thinking")) << "unknown fields stay for Anthropic";
}

TEST(MessagesRequest, RefusesEachMalformedFieldNamingIt) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"([])", "JSON object"},
      {R"({"max_tokens":5,"messages":[{"role":"user","content":"hi"}]})", "model"},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}]})", "max_tokens"},
      {R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]})", "max_tokens"},
      {R"({"model":"m","max_tokens":5,"messages":[]})", "messages"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"system","content":"hi"}]})", "messages[0].role"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"user"}]})", "messages[0].content"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"text":"x"}]}]})", "messages[0].content[0]"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_use","id":"a","name":"b","input":{}}]}]})",
       "assistant messages"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_result","tool_use_id":"a"}]}]})",
       "user messages"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"b","input":"x"}]}]})",
       ".input"},
      {R"({"model":"m","max_tokens":5,"system":7,"messages":[{"role":"user","content":"hi"}]})", "system"},
      {R"({"model":"m","max_tokens":5,"system":[{"type":"image"}],"messages":[{"role":"user","content":"hi"}]})", "system[0]"},
      {R"({"model":"m","max_tokens":5,"stream":"yes","messages":[{"role":"user","content":"hi"}]})", "stream"},
      {R"({"model":"m","max_tokens":5,"temperature":1.5,"messages":[{"role":"user","content":"hi"}]})", "temperature"},
      {R"({"model":"m","max_tokens":5,"top_p":-1,"messages":[{"role":"user","content":"hi"}]})", "top_p"},
      {R"({"model":"m","max_tokens":5,"top_k":-1,"messages":[{"role":"user","content":"hi"}]})", "top_k"},
      {R"({"model":"m","max_tokens":5,"stop_sequences":[1],"messages":[{"role":"user","content":"hi"}]})", "stop_sequences"},
      {R"({"model":"m","max_tokens":5,"tools":[{"name":"t"}],"messages":[{"role":"user","content":"hi"}]})", "tools[0].input_schema"},
      {R"({"model":"m","max_tokens":5,"tool_choice":{"type":"tool"},"messages":[{"role":"user","content":"hi"}]})", "tool_choice"},
      {R"({"model":"m","max_tokens":5,"tool_choice":"auto","messages":[{"role":"user","content":"hi"}]})", "tool_choice"},
      {R"({"model":"m","max_tokens":5,"metadata":"x","messages":[{"role":"user","content":"hi"}]})", "metadata"},
      {R"({"model":"m","max_tokens":5,"temperature":1e400,"messages":[{"role":"user","content":"hi"}]})", "temperature: number out of range"},
  };
  for (const auto& [body, named] : cases) {
    const auto r = parse_messages_request(body);
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code, core::Errc::invalid_request) << body;
    EXPECT_NE(r.error().message.find(named), std::string::npos) << body << " → " << r.error().message;
  }
}

TEST(MessagesRequest, GoesToAnthropicAsItCameWithOnlyTheModelReplaced) {
  std::string path;
  const auto body = messages_upstream(provider_of(Wire::anthropic, "anthropic"), kFull, "claude-sonnet-4-5", &path);
  EXPECT_EQ(path, "/v1/messages");
  auto expected = json::parse(kFull).as_object();
  expected.erase("models");
  expected["model"] = "claude-sonnet-4-5";
  EXPECT_EQ(body, expected);
}

}  // namespace
}  // namespace keyrelay::gateway
