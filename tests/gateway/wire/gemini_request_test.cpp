#include "gateway/wire/chat_wire.h"

#include <gtest/gtest.h>

#include "gateway/wire/wire_test_support.h"

namespace keyrelay::gateway {
namespace {

using catalog::Wire;
using namespace test;

json::object gemini(std::string_view body) { return upstream_body(Wire::gemini, body, "gemini-2.5-flash"); }

TEST(GeminiWireRequest, PutsTheModelInThePathOfEachCall) {
  auto plain = build_upstream_call(Wire::gemini, request_of(R"({"model":"g","messages":[{"role":"user","content":"hi"}]})"),
                                   "gemini-2.5-flash", {});
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->path, "/v1beta/models/gemini-2.5-flash:generateContent");
  EXPECT_FALSE(json::parse(plain->body).as_object().contains("model"));
  auto streamed = build_upstream_call(
      Wire::gemini, request_of(R"({"model":"g","stream":true,"messages":[{"role":"user","content":"hi"}]})"),
      "gemini-2.5-flash-lite_preview.1", {});
  ASSERT_TRUE(streamed.has_value());
  EXPECT_EQ(streamed->path, "/v1beta/models/gemini-2.5-flash-lite_preview.1:streamGenerateContent?alt=sse");
}

TEST(GeminiWireRequest, RefusesAModelNameThatCouldEscapeThePath) {
  const auto request = request_of(R"({"model":"g","messages":[{"role":"user","content":"hi"}]})");
  for (const std::string& bad : std::vector<std::string>{"", "models/gemini-pro", "../v1/x", "-gemini", ".hidden", "gemini pro", "gemini%2f", "a:b",
                          "gemini?alt=json", std::string(129, 'a')}) {
    auto call = build_upstream_call(Wire::gemini, request, bad, {});
    ASSERT_FALSE(call.has_value()) << bad;
    EXPECT_EQ(call.error().code, core::Errc::invalid_request);
    EXPECT_TRUE(call.error().message.starts_with("model:")) << call.error().message;
  }
  EXPECT_TRUE(build_upstream_call(Wire::gemini, request, std::string(128, 'a'), {}).has_value());
}

TEST(GeminiWireRequest, MovesSystemMessagesIntoSystemInstructionAndNamesRolesUserAndModel) {
  const auto body = gemini(R"({"model":"g","messages":[
      {"role":"system","content":"Be brief."},{"role":"developer","content":"Use French."},
      {"role":"user","content":"hi"},{"role":"assistant","content":"salut"},{"role":"user","content":"ça va?"}]})");
  EXPECT_EQ(body.at("systemInstruction"), json::parse(R"({"parts":[{"text":"Be brief.\n\nUse French."}]})"));
  EXPECT_EQ(body.at("contents"), json::parse(R"([
      {"role":"user","parts":[{"text":"hi"}]},
      {"role":"model","parts":[{"text":"salut"}]},
      {"role":"user","parts":[{"text":"ça va?"}]}])"));
}

TEST(GeminiWireRequest, TranslatesAToolRoundTripWithFunctionResponsesByName) {
  const auto body = gemini(R"({"model":"g","messages":[
      {"role":"user","content":"Weather in Paris and Rome?"},
      {"role":"assistant","content":"Looking.","tool_calls":[
        {"id":"call_a","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
        {"id":"call_b","type":"function","function":{"name":"forecast","arguments":"{\"city\":\"Rome\"}"}}]},
      {"role":"tool","tool_call_id":"call_a","content":"{\"temp\":18}"},
      {"role":"tool","tool_call_id":"call_b","content":"sunny"}]})");
  EXPECT_EQ(body.at("contents"), json::parse(R"([
      {"role":"user","parts":[{"text":"Weather in Paris and Rome?"}]},
      {"role":"model","parts":[{"text":"Looking."},
        {"functionCall":{"name":"weather","args":{"city":"Paris"}}},
        {"functionCall":{"name":"forecast","args":{"city":"Rome"}}}]},
      {"role":"user","parts":[
        {"functionResponse":{"name":"weather","response":{"temp":18}}},
        {"functionResponse":{"name":"forecast","response":{"content":"sunny"}}}]}])"));
}

TEST(GeminiWireRequest, RefusesAToolResultForAnUnknownCall) {
  const auto error = build_error(Wire::gemini, R"({"model":"g","messages":[{"role":"user","content":"x"},
      {"role":"tool","tool_call_id":"call_zz","content":"1"}]})");
  EXPECT_EQ(error.code, core::Errc::invalid_request);
  EXPECT_NE(error.message.find("messages[1].tool_call_id"), std::string::npos) << error.message;
}

TEST(GeminiWireRequest, DeclaresToolsWithSchemasGeminiAccepts) {
  const auto body = gemini(R"({"model":"g","messages":[{"role":"user","content":"x"}],"tools":[
      {"type":"function","function":{"name":"weather","description":"Current weather","strict":true,
       "parameters":{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
         "properties":{"city":{"type":"string","description":"City"},
                       "units":{"type":["string","null"],"enum":["C","F"]},
                       "days":{"type":"array","items":{"type":"object","additionalProperties":false,
                               "properties":{"additionalProperties":{"type":"string"}}}}},
         "required":["city"]}}},
      {"type":"function","function":{"name":"now"}}]})");
  EXPECT_EQ(body.at("tools"), json::parse(R"([{"functionDeclarations":[
      {"name":"weather","description":"Current weather",
       "parameters":{"type":"object",
         "properties":{"city":{"type":"string","description":"City"},
                       "units":{"type":"string","nullable":true,"enum":["C","F"]},
                       "days":{"type":"array","items":{"type":"object",
                               "properties":{"additionalProperties":{"type":"string"}}}}},
         "required":["city"]}},
      {"name":"now"}]}])"))
      << "a property may be called additionalProperties; only the keyword is dropped";
}

TEST(GeminiWireRequest, MapsEveryToolChoiceToAFunctionCallingMode) {
  const std::pair<const char*, const char*> cases[] = {
      {R"("none")", R"({"mode":"NONE"})"},
      {R"("auto")", R"({"mode":"AUTO"})"},
      {R"("required")", R"({"mode":"ANY"})"},
      {R"({"type":"function","function":{"name":"f"}})", R"({"mode":"ANY","allowedFunctionNames":["f"]})"},
  };
  for (const auto& [choice, expected] : cases) {
    const auto body = gemini(std::string(R"({"model":"g","messages":[{"role":"user","content":"x"}],
        "tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":)") + choice + "}");
    EXPECT_EQ(body.at("toolConfig"), json::object({{"functionCallingConfig", json::parse(expected)}})) << choice;
  }
}

TEST(GeminiWireRequest, FillsGenerationConfig) {
  const auto body = gemini(R"({"model":"g","messages":[{"role":"user","content":"x"}],
      "temperature":1.5,"top_p":0.9,"max_completion_tokens":300,"max_tokens":10,"stop":"END","n":2})");
  EXPECT_EQ(body.at("generationConfig"), json::parse(R"({"temperature":1.5,"topP":0.9,"maxOutputTokens":300,
      "stopSequences":["END"],"candidateCount":2})"));
  EXPECT_FALSE(gemini(R"({"model":"g","messages":[{"role":"user","content":"x"}]})").contains("generationConfig"));
  EXPECT_EQ(gemini(R"({"model":"g","max_tokens":10,"stop":["a","b"],"messages":[{"role":"user","content":"x"}]})")
                .at("generationConfig"),
            json::parse(R"({"maxOutputTokens":10,"stopSequences":["a","b"]})"));
}

TEST(GeminiWireRequest, TranslatesJsonModes) {
  EXPECT_EQ(gemini(R"({"model":"g","response_format":{"type":"json_object"},"messages":[{"role":"user","content":"x"}]})")
                .at("generationConfig"),
            json::parse(R"({"responseMimeType":"application/json"})"));
  EXPECT_EQ(gemini(R"({"model":"g","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema",
      "json_schema":{"name":"r","strict":true,"schema":{"type":"object","additionalProperties":false,
                                                       "properties":{"a":{"type":"integer"}}}}}})")
                .at("generationConfig"),
            json::parse(R"({"responseMimeType":"application/json",
                            "responseSchema":{"type":"object","properties":{"a":{"type":"integer"}}}})"));
  EXPECT_FALSE(gemini(R"({"model":"g","response_format":{"type":"text"},"messages":[{"role":"user","content":"x"}]})")
                   .contains("generationConfig"));
  EXPECT_EQ(build_error(Wire::gemini, R"({"model":"g","response_format":{"type":"yaml"},"messages":[{"role":"user","content":"x"}]})")
                .code,
            core::Errc::invalid_request);
}

TEST(GeminiWireRequest, SendsDataUrlImagesInlineAndRefusesRemoteOnes) {
  const auto body = gemini(R"({"model":"g","messages":[{"role":"user","content":[
      {"type":"text","text":"What is this?"},
      {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}}]}]})");
  EXPECT_EQ(body.at("contents").at(0).at("parts"), json::parse(R"([{"text":"What is this?"},
      {"inlineData":{"mimeType":"image/jpeg","data":"/9j/4AAQ"}}])"));
  const auto error = build_error(Wire::gemini, R"({"model":"g","messages":[{"role":"user","content":[
      {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]})");
  EXPECT_NE(error.message.find("messages[0].content[0].image_url.url"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace keyrelay::gateway
