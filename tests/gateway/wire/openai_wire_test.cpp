#include "gateway/wire/chat_wire.h"

#include <gtest/gtest.h>

#include "gateway/wire/wire_test_support.h"

namespace keyrelay::gateway {
namespace {

using catalog::Wire;
using namespace test;

TEST(OpenAiWire, ForwardsTheBodyWithTheProviderModel) {
  auto call = build_upstream_call(
      Wire::openai,
      request_of(R"({"model":"openai/gpt-4.1","models":["x"],"messages":[{"role":"user","content":"hi"}],"seed":3,"x_extra":1})"),
      "gpt-4.1", {});
  ASSERT_TRUE(call.has_value());
  EXPECT_EQ(call->path, "/chat/completions");
  const auto body = json::parse(call->body).as_object();
  EXPECT_EQ(body.at("model"), "gpt-4.1");
  EXPECT_EQ(body.at("seed"), 3);
  EXPECT_EQ(body.at("x_extra"), 1);
  EXPECT_FALSE(body.contains("models"));
  EXPECT_FALSE(body.contains("stream_options")) << "nothing to meter without a stream";
}

// The body is the client's document with "model" replaced: every other member, in the client's
// order and value for value, as serializing a changed copy of the document would write it.
TEST(OpenAiWire, WritesTheClientsDocumentWithOnlyTheModelChanged) {
  constexpr std::string_view kBody =
      R"({"temperature":0.25,"model":"openai/gpt-4.1","messages":[{"role":"user","content":"h\u00e9\n\"q\""},)"
      R"({"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f",)"
      R"("arguments":"{}"}}]}],"n":1,"big":18446744073709551615,"neg":-3,"x":{"y":[true,false,null,1e300]}})";
  auto call = build_upstream_call(Wire::openai, request_of(kBody), "gpt-4.1", {});
  ASSERT_TRUE(call.has_value());
  json::object expected = json::parse(kBody).as_object();
  expected["model"] = "gpt-4.1";
  EXPECT_EQ(call->body, json::serialize(expected));

  // Without "model" (only "models"), the provider's model goes last.
  auto from_list = build_upstream_call(
      Wire::openai, request_of(R"({"models":["openai/a","openai/b"],"messages":[{"role":"user","content":"hi"}]})"),
      "a", {});
  ASSERT_TRUE(from_list.has_value());
  EXPECT_EQ(from_list->body, R"({"messages":[{"role":"user","content":"hi"}],"model":"a"})");

  // A stream keeps its members in place; stream_options is changed where it stands.
  auto stream = build_upstream_call(
      Wire::openai,
      request_of(R"({"stream_options":{"other":1},"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})"),
      "m2", {});
  ASSERT_TRUE(stream.has_value());
  EXPECT_EQ(stream->body,
            R"({"stream_options":{"other":1,"include_usage":true},"model":"m2","stream":true,)"
            R"("messages":[{"role":"user","content":"hi"}]})");
}

TEST(OpenAiWire, ForcesIncludeUsageOnStreamsKeepingOtherStreamOptions) {
  const auto body = upstream_body(
      Wire::openai,
      R"({"model":"m","stream":true,"stream_options":{"include_usage":false,"other":1},"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(body.at("stream_options"), (json::object{{"include_usage", true}, {"other", 1}}));
  const auto bare = upstream_body(Wire::openai, R"({"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(bare.at("stream_options"), (json::object{{"include_usage", true}}));
}

TEST(OpenAiWire, PassesTheAnswerThroughWithItsUsage) {
  constexpr std::string_view kAnswer =
      R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4.1-mini",)"
      R"("choices":[{"index":0,"message":{"role":"assistant","content":"Hi!"},"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}})";
  auto r = translate_response(Wire::openai, std::string(kAnswer), test_meta());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, kAnswer);
  EXPECT_TRUE(r->usage.reported);
  EXPECT_EQ(r->usage.input_tokens, 9u);
  EXPECT_EQ(r->usage.output_tokens, 3u);
}

TEST(OpenAiWire, RefusesAnAnswerThatIsNotAChatCompletion) {
  for (auto body : {"<html>oops</html>", "[]", R"({"object":"list"})"}) {
    auto r = translate_response(Wire::openai, std::string(body), test_meta());
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code, core::Errc::upstream_error);
  }
}

TEST(OpenAiWire, ReadsUsageOfAnOpenAiBody) {
  auto usage = usage_of_openai_body(R"({"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}})");
  ASSERT_TRUE(usage.has_value());
  EXPECT_EQ(usage->input_tokens, 5u);
  EXPECT_EQ(usage->output_tokens, 7u);
  EXPECT_TRUE(usage->reported);
  EXPECT_EQ(usage->cached_input_tokens, 0u);
  auto cached = usage_of_openai_body(
      R"({"usage":{"prompt_tokens":2006,"completion_tokens":300,"prompt_tokens_details":{"cached_tokens":1920}}})");
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(cached->input_tokens, 2006u) << "cached_tokens is part of prompt_tokens, not added to it";
  EXPECT_EQ(cached->cached_input_tokens, 1920u);
  EXPECT_FALSE(usage_of_openai_body(R"({"usage":null})").has_value());
  EXPECT_FALSE(usage_of_openai_body(R"({"choices":[]})").has_value());
  EXPECT_FALSE(usage_of_openai_body("not json").has_value());
}

// PROVIDERS.md 3.3, verbatim.
constexpr std::string_view kStream =
    R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4.1-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null})"
    "\n\n"
    R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4.1-mini","choices":[{"index":0,"delta":{"content":"Hi!"},"finish_reason":null}],"usage":null})"
    "\n\n"
    R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4.1-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null})"
    "\n\n"
    R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4.1-mini","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}})"
    "\n\n"
    "data: [DONE]\n\n";

const ChatRequest& streaming(bool include_usage) {
  static const ChatRequest with = request_of(
      R"({"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]})");
  static const ChatRequest without = request_of(R"({"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  return include_usage ? with : without;
}

TEST(OpenAiWireStream, PassesEventsThroughUnchangedWhenTheClientAskedForUsage) {
  const auto run = run_stream(Wire::openai, streaming(true), kStream, 0);
  ASSERT_TRUE(run.fed);
  ASSERT_TRUE(run.finished);
  EXPECT_EQ(run.out, kStream);
  expect_stream_frame(run.out, true);
  EXPECT_EQ(run.usage.input_tokens, 9u);
  EXPECT_EQ(run.usage.output_tokens, 3u);
}

TEST(OpenAiWireStream, MetersCachedPromptTokensAndNamesTheModel) {
  std::string upstream(kStream);
  const std::string usage = R"("usage":{"prompt_tokens":9,)";
  upstream.replace(upstream.find(usage), usage.size(),
                   R"("usage":{"prompt_tokens_details":{"cached_tokens":4},"prompt_tokens":9,)");
  const auto run = run_stream(Wire::openai, streaming(false), upstream, 1);
  ASSERT_TRUE(run.finished);
  EXPECT_EQ(run.usage.input_tokens, 9u);
  EXPECT_EQ(run.usage.cached_input_tokens, 4u);
  EXPECT_EQ(run.model, "gpt-4.1-mini");
  EXPECT_EQ(run.out.find("cached_tokens"), std::string::npos) << "the forced usage chunk is still dropped";
}

TEST(OpenAiWireStream, DropsTheUsageChunkTheClientDidNotAskForButStillMetersIt) {
  const auto run = run_stream(Wire::openai, streaming(false), kStream, 0);
  ASSERT_TRUE(run.finished);
  expect_stream_frame(run.out, false);
  EXPECT_EQ(data_of_events(run.out).size(), 4u);
  EXPECT_TRUE(run.usage.reported);
  EXPECT_EQ(run.usage.input_tokens + run.usage.output_tokens, 12u);
}

TEST(OpenAiWireStream, GivesTheSameOutputFedByteByByteAsInOnePiece) {
  for (bool include_usage : {true, false}) {
    const auto whole = run_stream(Wire::openai, streaming(include_usage), kStream, 0);
    const auto bytes = run_stream(Wire::openai, streaming(include_usage), kStream, 1);
    ASSERT_TRUE(bytes.finished);
    EXPECT_EQ(bytes.out, whole.out);
  }
}

TEST(OpenAiWireStream, EmitsDoneOnlyOnceAndIgnoresWhatFollowsIt) {
  const std::string upstream = joined({kStream, "data: [DONE]\n\ndata: {\"choices\":[]}\n\n"});
  const auto run = run_stream(Wire::openai, streaming(true), upstream, 0);
  ASSERT_TRUE(run.finished);
  EXPECT_EQ(run.out, kStream);
}

TEST(OpenAiWireStream, ReportsAnErrorEventWithTheProvidersMessage) {
  const std::string upstream =
      joined({kStream.substr(0, kStream.find("\n\n") + 2),
              R"(data: {"error":{"message":"The server had an error","type":"server_error"}})" "\n\n"});
  const auto run = run_stream(Wire::openai, streaming(false), upstream, 0);
  ASSERT_FALSE(run.fed);
  EXPECT_EQ(run.fed.error().code, core::Errc::upstream_error);
  EXPECT_EQ(run.fed.error().message, "The server had an error");
  EXPECT_EQ(data_of_events(run.out).size(), 1u) << "what came before the error may still be sent";
}

TEST(OpenAiWireStream, ReportsDataThatIsNotJson) {
  const auto run = run_stream(Wire::openai, streaming(false), "data: {oops\n\n", 0);
  ASSERT_FALSE(run.fed);
  EXPECT_EQ(run.fed.error().code, core::Errc::upstream_error);
}

TEST(OpenAiWireStream, ATruncatedStreamFailsAtFinishAndAppendsNothingMore) {
  const std::string_view cut = kStream.substr(0, kStream.find("data: [DONE]"));
  auto translator = make_stream_translator(Wire::openai, streaming(true), test_meta());
  std::string out;
  ASSERT_TRUE(translator->feed(cut, out));
  const std::string before = out;
  auto finished = translator->finish(out);
  ASSERT_FALSE(finished);
  EXPECT_EQ(finished.error().code, core::Errc::upstream_error);
  EXPECT_EQ(out, before);
}

TEST(OpenAiWireStream, AcceptsDoneWithoutTheFinalBlankLine) {
  const auto run = run_stream(Wire::openai, streaming(true), kStream.substr(0, kStream.size() - 2), 1);
  ASSERT_TRUE(run.finished);
  EXPECT_EQ(run.out, kStream);
}

}  // namespace
}  // namespace keyrelay::gateway
