#include "gateway/wire/chat_wire.h"

#include <gtest/gtest.h>

namespace keyrelay::gateway {
namespace {

using catalog::Wire;
using Models = std::vector<std::string>;

TEST(WireModelLists, NamesTheListCallOfEachWire) {
  EXPECT_EQ(list_models_path(Wire::openai), "/models");
  EXPECT_EQ(list_models_path(Wire::anthropic), "/v1/models?limit=1000");
  EXPECT_EQ(list_models_path(Wire::gemini), "/v1beta/models?pageSize=1000");
}

TEST(WireModelLists, ReadsOpenAiAndAnthropicDataIds) {
  auto openai = models_of_list(Wire::openai, R"({"object":"list","data":[{"id":"gpt-4.1","object":"model"},{"id":"o3"},{"object":"model"}]})");
  ASSERT_TRUE(openai.has_value());
  EXPECT_EQ(*openai, (Models{"gpt-4.1", "o3"}));
  auto anthropic = models_of_list(Wire::anthropic, R"({"data":[{"type":"model","id":"claude-sonnet-4-5","display_name":"Claude"}],"has_more":false})");
  ASSERT_TRUE(anthropic.has_value());
  EXPECT_EQ(*anthropic, (Models{"claude-sonnet-4-5"}));
}

TEST(WireModelLists, ReadsGeminiNamesWithoutTheModelsPrefix) {
  auto gemini = models_of_list(Wire::gemini, R"({"models":[{"name":"models/gemini-2.5-flash"},{"name":"models/embedding-001"}],"nextPageToken":"x"})");
  ASSERT_TRUE(gemini.has_value());
  EXPECT_EQ(*gemini, (Models{"gemini-2.5-flash", "embedding-001"}));
  auto empty = models_of_list(Wire::gemini, "{}");
  ASSERT_TRUE(empty.has_value()) << "proto3 JSON leaves out an empty list";
  EXPECT_TRUE(empty->empty());
}

TEST(WireModelLists, GeminiModelsThatCannotChatAreLeftOut) {
  auto gemini = models_of_list(Wire::gemini, R"({"models":[
    {"name":"models/gemini-2.5-flash","supportedGenerationMethods":["generateContent","countTokens"]},
    {"name":"models/text-embedding-004","supportedGenerationMethods":["embedContent"]}]})");
  ASSERT_TRUE(gemini.has_value());
  EXPECT_EQ(*gemini, (Models{"gemini-2.5-flash"}));
}

TEST(WireModelLists, RefusesABodyThatIsNotAList) {
  for (auto [wire, body] : {std::pair{Wire::openai, "<html>"}, std::pair{Wire::openai, R"({"models":[]})"},
                            std::pair{Wire::anthropic, R"({"data":{}})"}, std::pair{Wire::gemini, "[]"},
                            std::pair{Wire::gemini, R"({"models":"x"})"}}) {
    auto r = models_of_list(wire, body);
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code, core::Errc::upstream_error);
  }
}

}  // namespace
}  // namespace keyrelay::gateway
