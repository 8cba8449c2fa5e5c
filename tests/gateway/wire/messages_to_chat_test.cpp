#include "gateway/wire/messages_wire.h"

#include <gtest/gtest.h>

#include "gateway/wire/messages_test_support.h"

namespace keyrelay::gateway {
namespace {

using catalog::Wire;
using namespace test;

constexpr std::string_view kConversation = R"({
  "model": "m", "max_tokens": 300,
  "system": [{"type":"text","text":"Be brief."},{"type":"text","text":"Be kind."}],
  "messages": [
    {"role":"user","content":[{"type":"text","text":"Look"},
      {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0K"}},
      {"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}]},
    {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"Let me check."},
      {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}},
      {"type":"tool_use","id":"toolu_2","name":"time","input":{}}]},
    {"role":"user","content":[{"type":"text","text":"And tomorrow?"},
      {"type":"tool_result","tool_use_id":"toolu_1","content":"Sunny"},
      {"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"noon"},{"type":"text","text":"CET"}]}]}
  ],
  "tools": [{"name":"weather","description":"Weather of a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}},
            {"type":"custom","name":"time","input_schema":{"type":"object","properties":{}}}],
  "tool_choice": {"type":"auto","disable_parallel_tool_use":true},
  "stop_sequences": ["END"], "temperature": 0.3, "top_p": 0.9, "top_k": 40,
  "metadata": {"user_id": "u-42"}, "thinking": {"type":"enabled","budget_tokens":1024}
})";

TEST(MessagesToChat, SaysEveryPartOfTheConversationInOpenAisShape) {
  std::string path;
  const auto body = messages_upstream(provider_of(Wire::openai, "groq"), kConversation, "llama-x", &path);
  EXPECT_EQ(path, "/chat/completions");
  const auto expected_messages = json::parse(R"([
    {"role":"system","content":"Be brief.\nBe kind."},
    {"role":"user","content":[{"type":"text","text":"Look"},
      {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0K"}},
      {"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]},
    {"role":"assistant","content":"Let me check.","tool_calls":[
      {"id":"toolu_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
      {"id":"toolu_2","type":"function","function":{"name":"time","arguments":"{}"}}]},
    {"role":"tool","tool_call_id":"toolu_1","content":"Sunny"},
    {"role":"tool","tool_call_id":"toolu_2","content":"noon\nCET"},
    {"role":"user","content":[{"type":"text","text":"And tomorrow?"}]}
  ])");
  EXPECT_EQ(body.at("messages"), expected_messages) << "tool results right after the calls, the user's text after them";
  EXPECT_EQ(body.at("model"), "llama-x");
  EXPECT_EQ(body.at("max_tokens"), 300) << "OpenAI-compatible providers know max_tokens";
  EXPECT_EQ(body.at("temperature"), 0.3);
  EXPECT_EQ(body.at("top_p"), 0.9);
  EXPECT_EQ(body.at("stop"), json::parse(R"(["END"])"));
  EXPECT_EQ(body.at("user"), "u-42");
  EXPECT_EQ(body.at("tools"), json::parse(R"([
    {"type":"function","function":{"name":"weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}},"description":"Weather of a city"}},
    {"type":"function","function":{"name":"time","parameters":{"type":"object","properties":{}}}}])"));
  EXPECT_EQ(body.at("tool_choice"), "auto");
  EXPECT_EQ(body.at("parallel_tool_calls"), false);
  for (const char* absent : {"top_k", "thinking", "system", "metadata", "stop_sequences", "stream"})
    EXPECT_FALSE(body.contains(absent)) << absent << " has no OpenAI counterpart here";
}

TEST(MessagesToChat, SendsOpenAiItselfMaxCompletionTokens) {
  const auto body = messages_upstream(provider_of(Wire::openai, "openai"), kConversation, "gpt-5");
  EXPECT_EQ(body.at("max_completion_tokens"), 300);
  EXPECT_FALSE(body.contains("max_tokens")) << "OpenAI's newer models refuse max_tokens";
}

TEST(MessagesToChat, MapsEachToolChoice) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"type":"auto"})", R"("auto")"},
      {R"({"type":"any"})", R"("required")"},
      {R"({"type":"none"})", R"("none")"},
      {R"({"type":"tool","name":"time"})", R"({"type":"function","function":{"name":"time"}})"},
  };
  for (const auto& [choice, expected] : cases) {
    const std::string request = R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],)"
                                R"("tools":[{"name":"time","input_schema":{"type":"object"}}],"tool_choice":)" +
                                choice + "}";
    const auto body = messages_upstream(provider_of(Wire::openai, "groq"), request);
    EXPECT_EQ(body.at("tool_choice"), json::parse(expected)) << choice;
    EXPECT_FALSE(body.contains("parallel_tool_calls")) << choice;
  }
}

TEST(MessagesToChat, AStreamAsksForUsage) {
  const auto body = messages_upstream(
      provider_of(Wire::openai, "groq"), R"({"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(body.at("stream"), true);
  EXPECT_EQ(body.at("stream_options"), json::parse(R"({"include_usage":true})"));
}

TEST(MessagesToChat, GoesToGeminiThroughTheChatTranslation) {
  // Gemini takes no image URLs: the conversation without that block.
  std::string conversation(kConversation);
  const std::string url_image = R"(,
      {"type":"image","source":{"type":"url","url":"https://example.com/a.png"}})";
  conversation.erase(conversation.find(url_image), url_image.size());
  std::string path;
  const auto body = messages_upstream(provider_of(Wire::gemini, "gemini"), conversation, "gemini-2.0-flash", &path);
  EXPECT_EQ(path, "/v1beta/models/gemini-2.0-flash:generateContent");
  EXPECT_EQ(body.at("systemInstruction"), json::parse(R"({"parts":[{"text":"Be brief.\nBe kind."}]})"));
  EXPECT_EQ(body.at("generationConfig"),
            json::parse(R"({"temperature":0.3,"topP":0.9,"maxOutputTokens":300,"stopSequences":["END"]})"));
  const auto& contents = body.at("contents").as_array();
  ASSERT_EQ(contents.size(), 3u);
  EXPECT_EQ(contents[0].at("parts").at(1), json::parse(R"({"inlineData":{"mimeType":"image/png","data":"iVBORw0K"}})"));
  EXPECT_EQ(contents[1].at("role"), "model");
  EXPECT_EQ(contents[1].at("parts").at(1), json::parse(R"({"functionCall":{"name":"weather","args":{"city":"Paris"}}})"));
  EXPECT_EQ(contents[2].at("parts").at(0),
            json::parse(R"({"functionResponse":{"name":"weather","response":{"content":"Sunny"}}})"));
  EXPECT_EQ(body.at("tools").at(0).at("functionDeclarations").at(0).at("name"), "weather");
}

TEST(MessagesToChat, RefusesWhatTheChatWiresCannotSay) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{}}]}]})",
       "messages[0].content[0].type: \"document\""},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"web_search_20250305","name":"web_search"}]})",
       "tools[0].type"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"t","input":{}}]},)"
       R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":[{"type":"image","source":{}}]}]}]})",
       "messages[1].content[0].content[0]"},
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]})",
       "messages[0].content[0].source"},
  };
  for (const auto& [request, named] : cases) {
    auto call = build_messages_call(provider_of(Wire::openai, "groq"), messages_request_of(request), "m", WireOptions{});
    ASSERT_FALSE(call.has_value()) << request;
    EXPECT_EQ(call.error().code, core::Errc::invalid_request);
    EXPECT_NE(call.error().message.find(named), std::string::npos) << call.error().message;
  }
  // Anthropic takes them all as they are.
  for (const auto& [request, named] : cases)
    EXPECT_TRUE(build_messages_call(provider_of(Wire::anthropic, "anthropic"), messages_request_of(request), "m", WireOptions{}))
        << request;
}

}  // namespace
}  // namespace keyrelay::gateway
