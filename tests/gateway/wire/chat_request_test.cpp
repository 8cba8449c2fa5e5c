#include "gateway/wire/chat_wire.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace keyrelay::gateway {
namespace {

namespace json = boost::json;

// The message of the invalid_request that `body` must give.
std::string refusal(std::string_view body) {
  auto r = parse_chat_request(body);
  EXPECT_FALSE(r.has_value()) << body;
  if (r) return {};
  EXPECT_EQ(r.error().code, core::Errc::invalid_request);
  return r.error().message;
}

constexpr std::string_view kHello = R"("messages":[{"role":"user","content":"hi"}])";

std::string body_with(std::string_view fields) { return "{" + std::string(fields) + "," + std::string(kHello) + "}"; }

TEST(ChatRequestParse, ListsModelFirstThenTheFallbacksWithoutDuplicates) {
  auto r = parse_chat_request(body_with(R"("model":"a","models":["b","a","c","b"])"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->models, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(r->body.contains("models")) << "fallbacks are keyrelay's, not the provider's";
  EXPECT_EQ(r->body.at("model"), "a");
}

TEST(ChatRequestParse, TakesTheFirstFallbackWhenModelIsMissingOrEmpty) {
  for (auto fields : {R"("models":["x/y","z"])", R"("model":"","models":["x/y","z"])"}) {
    auto r = parse_chat_request(body_with(fields));
    ASSERT_TRUE(r.has_value()) << fields;
    EXPECT_EQ(r->models, (std::vector<std::string>{"x/y", "z"}));
  }
}

TEST(ChatRequestParse, RefusesARequestWithoutAnyModel) {
  EXPECT_NE(refusal(std::string("{") + std::string(kHello) + "}").find("model"), std::string::npos);
  EXPECT_NE(refusal(body_with(R"("model":"")")).find("model"), std::string::npos);
  EXPECT_NE(refusal(body_with(R"("model":7)")).find("model"), std::string::npos);
  EXPECT_NE(refusal(body_with(R"("model":"a","models":"b")")).find("models"), std::string::npos);
  EXPECT_NE(refusal(body_with(R"("model":"a","models":["b",""])")).find("models"), std::string::npos);
}

TEST(ChatRequestParse, RefusesABodyThatIsNotAJsonObject) {
  for (auto body : {"", "[]", "\"x\"", "{", "{\"model\":\"a\",}"})
    EXPECT_NE(refusal(body).find("JSON object"), std::string::npos) << body;
}

TEST(ChatRequestParse, RefusesMissingOrEmptyMessages) {
  for (auto body : {R"({"model":"a"})", R"({"model":"a","messages":[]})", R"({"model":"a","messages":{}})"})
    EXPECT_NE(refusal(body).find("messages"), std::string::npos) << body;
}

TEST(ChatRequestParse, NamesTheMessageWithAnUnknownOrMissingRole) {
  EXPECT_NE(refusal(R"({"model":"a","messages":[{"role":"user","content":"x"},{"role":"robot","content":"y"}]})")
                .find("messages[1].role"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"model":"a","messages":[{"content":"y"}]})").find("messages[0].role"), std::string::npos);
  EXPECT_NE(refusal(R"({"model":"a","messages":["hi"]})").find("messages[0]"), std::string::npos);
}

TEST(ChatRequestParse, RefusesTheDeprecatedFunctionRoleSayingWhatToSendInstead) {
  const auto message = refusal(R"({"model":"a","messages":[{"role":"function","name":"f","content":"1"}]})");
  EXPECT_NE(message.find("deprecated"), std::string::npos) << message;
  EXPECT_NE(message.find("tool_call_id"), std::string::npos) << message;
}

TEST(ChatRequestParse, RefusesAToolMessageWithoutToolCallId) {
  EXPECT_NE(refusal(R"({"model":"a","messages":[{"role":"tool","content":"42"}]})").find("messages[0].tool_call_id"),
            std::string::npos);
}

TEST(ChatRequestParse, ChecksContentAndToolCallShapes) {
  EXPECT_NE(refusal(R"({"model":"a","messages":[{"role":"user"}]})").find("messages[0].content"), std::string::npos);
  EXPECT_NE(refusal(R"({"model":"a","messages":[{"role":"user","content":5}]})").find("messages[0].content"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"model":"a","messages":[{"role":"user","content":[{"text":"no type"}]}]})")
                .find("messages[0].content[0]"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"model":"a","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":{}}}]}]})")
                .find("messages[0].tool_calls[0].function.arguments"),
            std::string::npos);
  EXPECT_TRUE(parse_chat_request(
                  R"({"model":"a","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}]})")
                  .has_value())
      << "an assistant message may carry only tool calls";
}

TEST(ChatRequestParse, ReadsStreamAndIncludeUsage) {
  auto plain = parse_chat_request(body_with(R"("model":"a")"));
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->stream);
  EXPECT_FALSE(plain->include_usage);
  auto streamed = parse_chat_request(body_with(R"("model":"a","stream":true,"stream_options":{"include_usage":true})"));
  ASSERT_TRUE(streamed.has_value());
  EXPECT_TRUE(streamed->stream);
  EXPECT_TRUE(streamed->include_usage);
  auto nulls = parse_chat_request(body_with(R"("model":"a","stream":null,"stream_options":null)"));
  ASSERT_TRUE(nulls.has_value()) << "null means not given, as in OpenAI's API";
  EXPECT_FALSE(nulls->stream);
}

TEST(ChatRequestParse, RefusesAStreamFlagThatIsNotBoolean) {
  EXPECT_NE(refusal(body_with(R"("model":"a","stream":"yes")")).find("stream"), std::string::npos);
  EXPECT_NE(refusal(body_with(R"("model":"a","stream":true,"stream_options":{"include_usage":1})"))
                .find("stream_options.include_usage"),
            std::string::npos);
}

TEST(ChatRequestParse, RefusesNumbersOutOfTypeOrRangeNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"("temperature":2.5)", "temperature"},  {R"("temperature":"hot")", "temperature"},
      {R"("top_p":1.5)", "top_p"},              {R"("n":0)", "n"},
      {R"("n":1.5)", "n"},                      {R"("max_tokens":"100")", "max_tokens"},
      {R"("max_completion_tokens":0)", "max_completion_tokens"},
      {R"("presence_penalty":-3)", "presence_penalty"}, {R"("seed":"x")", "seed"},
      {R"("stop":7)", "stop"},                  {R"("stop":["a",1])", "stop"},
      {R"("tools":[{"type":"function","function":{}}])", "tools[0].function.name"},
  };
  for (const auto& [fields, name] : cases) {
    const auto message = refusal(body_with(std::string(R"("model":"a",)") + fields));
    EXPECT_TRUE(message.starts_with(name)) << fields << " → " << message;
  }
}

// Found by fuzzing (tests/fuzz/corpus/wire_request/finding-number-beyond-double): Boost.JSON reads
// 1e400 as infinity and writes it back as the bare word Infinity, which is not JSON, so the provider
// would get a body it cannot parse. Such a request is refused, naming where the number is.
TEST(ChatRequestParse, RefusesNumbersBeyondTheRangeOfADouble) {
  EXPECT_EQ(refusal(body_with(R"("model":"a","max_json_objecttokens":555.5e308551)")),
            "max_json_objecttokens: number out of range");
  EXPECT_EQ(refusal(body_with(R"("model":"a","tools":[{"type":"function","function":{"name":"f",)"
                              R"("parameters":{"type":"object","properties":{"n":{"maximum":-1e999}}}}}])")),
            "tools[0].function.parameters.properties.n.maximum: number out of range");
  EXPECT_TRUE(parse_chat_request(body_with(R"("model":"a","x":1.7976931348623157e308,"y":-4.9e-324)")));
}

TEST(ChatRequestParse, AcceptsNumbersInRangeAndKeepsUnknownFields) {
  auto r = parse_chat_request(body_with(
      R"("model":"a","temperature":2,"top_p":0,"n":2,"max_tokens":4096.0,"seed":-5,"logit_bias":{"1":2},"x_custom":true)"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->body.contains("x_custom"));
  EXPECT_TRUE(r->body.contains("logit_bias"));
}

}  // namespace
}  // namespace keyrelay::gateway
