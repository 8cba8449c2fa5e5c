#include "gateway/wire/embeddings_wire.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace keyrelay::gateway {
namespace {

using catalog::Wire;
namespace json = boost::json;

EmbeddingsRequest request_of(std::string_view body) {
  auto r = parse_embeddings_request(body);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? std::move(*r) : EmbeddingsRequest{};
}

TEST(EmbeddingsRequest, ReadsTextsTokenIdsFormatAndDimensions) {
  const auto texts = request_of(R"({"model":"a","models":["b"],"input":["one two","three"],"encoding_format":"base64","dimensions":4,"user":"u"})");
  EXPECT_EQ(texts.models, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(texts.texts, (std::vector<std::string>{"one two", "three"}));
  EXPECT_TRUE(texts.base64);
  EXPECT_EQ(texts.dimensions, 4);
  EXPECT_EQ(request_of(R"({"model":"a","input":"one"})").texts, (std::vector<std::string>{"one"}));
  EXPECT_FALSE(request_of(R"({"model":"a","input":"one","encoding_format":"float"})").base64);
  EXPECT_TRUE(request_of(R"({"model":"a","input":[1,2,3]})").texts.empty()) << "token ids";
  EXPECT_TRUE(request_of(R"({"model":"a","input":[[1,2],[3]]})").texts.empty()) << "token id lists";
}

TEST(EmbeddingsRequest, RefusesEachMalformedFieldNamingIt) {
  for (const auto& [body, named] : std::vector<std::pair<std::string, std::string>>{
           {R"("x")", "JSON object"},
           {R"({"input":"x"})", "model"},
           {R"({"model":"a"})", "input"},
           {R"({"model":"a","input":""})", "input"},
           {R"({"model":"a","input":[]})", "input"},
           {R"({"model":"a","input":["x",""]})", "input[1]"},
           {R"({"model":"a","input":["x",2]})", "input[1]"},
           {R"({"model":"a","input":[1,-2]})", "input"},
           {R"({"model":"a","input":{"text":"x"}})", "input"},
           {R"({"model":"a","input":"x","encoding_format":"int8"})", "encoding_format"},
           {R"({"model":"a","input":"x","dimensions":0})", "dimensions"},
           {R"({"model":"a","input":"x","dimensions":1e400})", "dimensions: number out of range"}}) {
    auto r = parse_embeddings_request(body);
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code, core::Errc::invalid_request);
    EXPECT_NE(r.error().message.find(named), std::string::npos) << body << " → " << r.error().message;
  }
}

TEST(EmbeddingsWire, ForwardsTheBodyToOpenAiWireProvidersWithTheirModel) {
  auto call = build_embeddings_call(Wire::openai, request_of(R"({"model":"openai/x","input":[1,2],"user":"u","extra":true})"),
                                    "text-embedding-3-small");
  ASSERT_TRUE(call);
  EXPECT_EQ(call->path, "/embeddings");
  EXPECT_EQ(json::parse(call->body), json::parse(R"({"model":"text-embedding-3-small","input":[1,2],"user":"u","extra":true})"));
}

TEST(EmbeddingsWire, AsksGeminiForABatchWithOneRequestPerInput) {
  auto call = build_embeddings_call(Wire::gemini, request_of(R"({"model":"g","input":["one two","three"],"dimensions":256,"user":"u"})"),
                                    "gemini-embedding-001");
  ASSERT_TRUE(call);
  EXPECT_EQ(call->path, "/v1beta/models/gemini-embedding-001:batchEmbedContents");
  EXPECT_EQ(json::parse(call->body), json::parse(R"({"requests":[
    {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"one two"}]},"outputDimensionality":256},
    {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"three"}]},"outputDimensionality":256}]})"));
}

TEST(EmbeddingsWire, RefusesWhatAWireCannotTake) {
  const auto tokens = build_embeddings_call(Wire::gemini, request_of(R"({"model":"g","input":[1,2]})"), "gemini-embedding-001");
  ASSERT_FALSE(tokens);
  EXPECT_NE(tokens.error().message.find("token ids"), std::string::npos);
  const auto bad_name = build_embeddings_call(Wire::gemini, request_of(R"({"model":"g","input":"x"})"), "../models");
  ASSERT_FALSE(bad_name);
  EXPECT_NE(bad_name.error().message.find("not a Gemini model name"), std::string::npos);
  const auto anthropic = build_embeddings_call(Wire::anthropic, request_of(R"({"model":"g","input":"x"})"), "claude-x");
  ASSERT_FALSE(anthropic);
  EXPECT_EQ(anthropic.error().code, core::Errc::invalid_request);
}

TEST(EmbeddingsWire, SaysGeminisEmbeddingsInOpenAisShapeAsFloatsOrBase64) {
  constexpr std::string_view kAnswer = R"({"embeddings":[{"values":[1.0,-2.0]},{"values":[0.5,0.25]}]})";
  auto floats = translate_embeddings_response(Wire::gemini, kAnswer, request_of(R"({"model":"g","input":["a","b"]})"), "gemini-embedding-001");
  ASSERT_TRUE(floats) << floats.error().message;
  EXPECT_EQ(json::parse(floats->body), json::parse(R"({"object":"list","data":[
    {"object":"embedding","index":0,"embedding":[1.0,-2.0]},{"object":"embedding","index":1,"embedding":[0.5,0.25]}],
    "model":"gemini-embedding-001","usage":{"prompt_tokens":0,"total_tokens":0}})"));
  EXPECT_FALSE(floats->usage.reported) << "Gemini counted nothing: unpriced, not free";

  auto base64 = translate_embeddings_response(Wire::gemini, kAnswer,
                                              request_of(R"({"model":"g","input":["a","b"],"encoding_format":"base64"})"), "m");
  ASSERT_TRUE(base64);
  const auto data = json::parse(base64->body).at("data");
  // 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0 (little-endian float32, as OpenAI encodes).
  EXPECT_EQ(data.at(0).at("embedding"), "AACAPwAAAMA=");
  EXPECT_EQ(data.at(1).at("embedding"), "AAAAPwAAgD4=");
}

TEST(EmbeddingsWire, ReadsGeminisTokenCountWhenItSendsOne) {
  auto r = translate_embeddings_response(Wire::gemini, R"({"embeddings":[{"values":[1]}],"usageMetadata":{"promptTokenCount":7}})",
                                         request_of(R"({"model":"g","input":"a b"})"), "m");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->usage.reported);
  EXPECT_EQ(r->usage.input_tokens, 7u);
  EXPECT_EQ(json::parse(r->body).at("usage"), json::parse(R"({"prompt_tokens":7,"total_tokens":7})"));
}

TEST(EmbeddingsWire, PassesOpenAiAnswersThroughWithTheirUsage) {
  constexpr std::string_view kAnswer =
      R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":"AACAPw=="}],"model":"text-embedding-3-small","usage":{"prompt_tokens":5,"total_tokens":5}})";
  auto r = translate_embeddings_response(Wire::openai, kAnswer, request_of(R"({"model":"x","input":"a"})"), "x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, kAnswer);
  EXPECT_EQ(r->usage.input_tokens, 5u);
  EXPECT_EQ(r->usage.output_tokens, 0u);
  EXPECT_EQ(r->model, "text-embedding-3-small");
}

TEST(EmbeddingsWire, RefusesAnswersThatDoNotFit) {
  const auto request = request_of(R"({"model":"g","input":["a","b"]})");
  for (const auto& [wire, body] : std::vector<std::pair<Wire, std::string>>{
           {Wire::gemini, R"({"embeddings":[{"values":[1]}]})"},              // one for two inputs
           {Wire::gemini, R"({"embeddings":[{"values":[1]},{"values":["x"]}]})"},
           {Wire::gemini, "[]"},
           {Wire::openai, R"({"object":"list"})"}}) {
    auto r = translate_embeddings_response(wire, body, request, "m");
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, core::Errc::upstream_error);
  }
}

TEST(EmbeddingsWire, EncodesFloat32LittleEndianInBase64) {
  EXPECT_EQ(base64_float32({}), "");
  EXPECT_EQ(base64_float32({1.0}), "AACAPw==");
  EXPECT_EQ(base64_float32({0.1}), "zczMPQ==") << "rounded to float32 (0x3dcccccd)";
}

}  // namespace
}  // namespace keyrelay::gateway
