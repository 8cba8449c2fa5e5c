// Chat translation and SSE parsing: the per-request and per-event work of /v1/chat/completions
// besides forwarding bytes (src/gateway/wire/). Inputs are the shapes of PROVIDERS.md section 3.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "gateway/wire/chat_wire.h"
#include "gateway/wire/sse_parser.h"

namespace {

using namespace keyrelay;
using gateway::ChatRequest;

// A typical chat turn: system prompt, a short history, sampling settings.
const std::string kChatBody = R"({"model":"anthropic/claude-3-5-haiku-latest",)"
                              R"("messages":[{"role":"system","content":"You are a concise travel assistant."},)"
                              R"({"role":"user","content":"Plan two days in Lisbon."},)"
                              R"({"role":"assistant","content":"Day 1: Alfama and Belem. Day 2: Sintra."},)"
                              R"({"role":"user","content":"Add a restaurant for each evening."}],)"
                              R"("temperature":0.7,"max_tokens":512,"user":"bench"})";

// An Anthropic stream of one text block in `deltas` pieces, as the provider sends it.
std::string anthropic_stream(int deltas) {
  std::string s =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\","
      "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-3-5-haiku-20241022\",\"stop_reason\":null,"
      "\"stop_sequence\":null,\"usage\":{\"input_tokens\":42,\"output_tokens\":1}}}\n\n"
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
      "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
      "event: ping\ndata: {\"type\": \"ping\"}\n\n";
  for (int i = 0; i < deltas; ++i) {
    s += "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
         "\"delta\":{\"type\":\"text_delta\",\"text\":\"word \"}}\n\n";
  }
  s += "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
       "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
       "\"stop_sequence\":null},\"usage\":{\"output_tokens\":64}}\n\n"
       "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  return s;
}

constexpr int kDeltas = 64;
constexpr int kStreamEvents = kDeltas + 6;
constexpr std::size_t kReadSize = 512;  // upstream bytes per read: events arrive split anywhere

ChatRequest parsed_request(bool stream) {
  auto request = gateway::parse_chat_request(kChatBody);
  if (!request) std::abort();
  request->stream = stream;
  return std::move(*request);
}

void BM_ParseChatRequest(benchmark::State& state) {
  for (auto _ : state) {
    auto request = gateway::parse_chat_request(kChatBody);
    if (!request) {
      state.SkipWithError(request.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(request->models.data());
  }
}
BENCHMARK(BM_ParseChatRequest);

// One attempt's upstream request from the parsed client request.
void BM_BuildUpstreamCall(benchmark::State& state, catalog::Wire wire, const char* model) {
  const ChatRequest request = parsed_request(false);
  const gateway::WireOptions options;
  for (auto _ : state) {
    auto call = gateway::build_upstream_call(wire, request, model, options);
    if (!call) {
      state.SkipWithError(call.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(call->body.data());
  }
}
BENCHMARK_CAPTURE(BM_BuildUpstreamCall, openai, catalog::Wire::openai, "gpt-4o-mini");
BENCHMARK_CAPTURE(BM_BuildUpstreamCall, anthropic, catalog::Wire::anthropic, "claude-3-5-haiku-latest");
BENCHMARK_CAPTURE(BM_BuildUpstreamCall, gemini, catalog::Wire::gemini, "gemini-2.0-flash");

// The whole request side of a translated call: parse + build (Anthropic).
void BM_TranslateRequestAnthropic(benchmark::State& state) {
  const gateway::WireOptions options;
  for (auto _ : state) {
    auto request = gateway::parse_chat_request(kChatBody);
    if (!request) {
      state.SkipWithError(request.error().message.c_str());
      break;
    }
    auto call = gateway::build_upstream_call(catalog::Wire::anthropic, *request, "claude-3-5-haiku-latest", options);
    if (!call) {
      state.SkipWithError(call.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(call->body.data());
  }
}
BENCHMARK(BM_TranslateRequestAnthropic);

// An OpenAI-wire provider's answer relayed as it came: what the relay reads of it (that it is a
// chat completion, its model and usage). The shape of OpenAI's own answers.
const std::string kOpenAiAnswer =
    R"({"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,)"
    R"("model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant",)"
    R"("content":"Day 1 evening: Taberna da Rua das Flores. Day 2 evening: Cervejaria Ramiro.",)"
    R"("refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":61,"completion_tokens":21,"total_tokens":82,)"
    R"("prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},)"
    R"("completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,)"
    R"("rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_06737a9306"})";

void BM_TranslateResponseOpenAi(benchmark::State& state) {
  const gateway::ResponseMeta meta;
  for (auto _ : state) {
    auto response = gateway::translate_response(catalog::Wire::openai, kOpenAiAnswer, meta);
    if (!response || response->usage.output_tokens != 21) {
      state.SkipWithError("answer not read");
      break;
    }
    benchmark::DoNotOptimize(response->body.data());
  }
}
BENCHMARK(BM_TranslateResponseOpenAi);

// SSE framing only: the stream fed in kReadSize pieces; items = events.
void BM_SseParse(benchmark::State& state) {
  const std::string stream = anthropic_stream(kDeltas);
  std::vector<gateway::SseEvent> events;
  events.reserve(kStreamEvents);
  for (auto _ : state) {
    gateway::SseParser parser;
    events.clear();
    for (std::size_t at = 0; at < stream.size(); at += kReadSize) {
      if (!parser.feed(std::string_view(stream).substr(at, kReadSize), events)) {
        state.SkipWithError("parser refused the stream");
        return;
      }
    }
    parser.finish(events);
    if (events.size() != kStreamEvents) {
      state.SkipWithError("wrong number of events");
      return;
    }
    benchmark::DoNotOptimize(events.data());
  }
  state.SetItemsProcessed(state.iterations() * kStreamEvents);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}
BENCHMARK(BM_SseParse);

// An Anthropic stream turned into OpenAI chunks (parse, JSON in, JSON out); items = upstream events.
void BM_AnthropicStreamTranslate(benchmark::State& state) {
  const std::string stream = anthropic_stream(kDeltas);
  ChatRequest request = parsed_request(true);
  request.include_usage = true;
  std::string out;
  for (auto _ : state) {
    auto translator = gateway::make_stream_translator(catalog::Wire::anthropic, request,
                                                      {"chatcmpl-bench", 1700000000, "claude-3-5-haiku-latest"});
    out.clear();
    for (std::size_t at = 0; at < stream.size(); at += kReadSize) {
      if (auto r = translator->feed(std::string_view(stream).substr(at, kReadSize), out); !r) {
        state.SkipWithError(r.error().message.c_str());
        return;
      }
    }
    if (auto r = translator->finish(out); !r) {
      state.SkipWithError(r.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kStreamEvents);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}
BENCHMARK(BM_AnthropicStreamTranslate);

}  // namespace
