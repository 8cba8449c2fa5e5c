#pragma once
// Unified chat: the OpenAI Chat Completions request a client sends to /v1/chat/completions, turned
// into each provider wire's request, and the provider's answer (plain JSON or SSE) turned back into
// OpenAI's shapes, with token usage extracted on the way. Pure functions and small state machines
// over Boost.JSON: no sockets, no keys (the caller injects the key into the upstream request).
//
// Reference: ../shared/providers/PROVIDERS.md section 3 (field mapping, finish reasons, streaming
// events, error shapes). Where it leaves a choice open, the choice is documented at the definition.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "catalog/catalog.h"
#include "core/result.h"

namespace keyrelay::gateway {

// Tokens of one call as the provider reported them (OpenAI meaning: input = prompt tokens including
// cached and cache-written ones, output = completion tokens including reasoning/thoughts). Each
// wire's own inclusion rule is undone where it is read: OpenAI's prompt_tokens and Gemini's
// promptTokenCount already include their cached tokens; Anthropic's input_tokens excludes cache
// reads and writes, which are added in.
struct TokenUsage {
  std::uint64_t input_tokens = 0;
  std::uint64_t output_tokens = 0;
  std::uint64_t cached_input_tokens = 0;  // of input_tokens: read from the prompt cache
  std::uint64_t cache_write_tokens = 0;   // of input_tokens: written to the prompt cache (Anthropic)
  bool reported = false;  // the provider said; false when the answer carried no usage
};

// A client's /v1/chat/completions request, checked once before any provider is tried.
struct ChatRequest {
  boost::json::object body;          // as the client sent it (OpenAI shape), "models" removed
  std::vector<std::string> models;   // "model" first, then the "models" fallbacks, in order, no duplicates
  bool stream = false;
  bool include_usage = false;        // stream_options.include_usage was true
};

// invalid_request naming the field for: not a JSON object, missing/empty "model" (unless "models"
// is given, then its first entry is the model), "messages" missing/not a non-empty array, a message
// without a known role, "stream" not a boolean, "models" not an array of non-empty strings,
// numbers out of type. Unknown fields are kept (passed on to OpenAI-wire providers).
core::Result<ChatRequest> parse_chat_request(std::string_view body);

// Knobs of the translation (config: [gateway] anthropic_max_tokens).
struct WireOptions {
  // Anthropic requires max_tokens: used when the client set neither max_completion_tokens nor max_tokens.
  std::uint32_t anthropic_default_max_tokens = 4096;
};

// What to send to the provider for one attempt. The caller prefixes the provider's base_url to
// `path`, adds the provider's auth and extra headers (anthropic-version, ...) and Content-Type.
struct UpstreamCall {
  std::string path;  // "/chat/completions", "/v1/messages",
                     // "/v1beta/models/<model>:generateContent" or ":streamGenerateContent?alt=sse"
  std::string body;  // JSON
};

// `model` is the provider's own model name (no "provider/" prefix). For the OpenAI wire the client's
// body is forwarded with "model" replaced and, when streaming, stream_options.include_usage forced
// on. For Gemini, `model` must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ (else invalid_request) and
// is path-encoded. invalid_request when the request cannot be expressed on that wire (e.g. n > 1 on
// Anthropic) — say what and why.
core::Result<UpstreamCall> build_upstream_call(catalog::Wire wire, const ChatRequest& request, std::string_view model,
                                               const WireOptions& options);

// Values the gateway puts into translated responses (the provider's own id/created are used when it
// has them, e.g. OpenAI wire).
struct ResponseMeta {
  std::string id;              // "chatcmpl-<uuid>"
  std::int64_t created = 0;    // unix seconds
  std::string model;           // the model name reported to the client when the provider names none
};

struct ChatResponse {
  std::string body;  // an OpenAI "chat.completion" object
  TokenUsage usage;
  std::string model;  // the model the provider says answered; "" when it named none
};

// A provider's 2xx answer → OpenAI chat.completion (choices[0].message with content and/or
// tool_calls, finish_reason mapped, usage). upstream_error when the body is not what the wire
// promises (not JSON, no candidates and no promptFeedback, ...).
// Takes the answer's text: the OpenAI wire passes it on as the body without a copy.
core::Result<ChatResponse> translate_response(catalog::Wire wire, std::string upstream_body,
                                              const ResponseMeta& meta);

// Turns a provider's 2xx SSE body into OpenAI chat.completion.chunk events. Feed it the upstream
// bytes as they arrive (split anywhere); it appends complete output events ("data: {...}\n\n") to
// `out` as soon as each upstream event is complete, so the caller can flush per event.
class StreamTranslator {
 public:
  virtual ~StreamTranslator() = default;

  // An error (upstream_error with a client-safe message) when the upstream sent an error event
  // (Anthropic "event: error", an OpenAI/Gemini {"error":...} data line) or data that is not JSON.
  // After an error the caller sends stream_error_event() and closes; no more feeding.
  virtual core::Result<void> feed(std::string_view bytes, std::string& out) = 0;

  // The upstream body ended. Appends whatever is still due — for OpenAI clients that asked
  // include_usage the usage chunk ("choices":[]), and "data: [DONE]\n\n". upstream_error when the
  // stream ended before it was complete (no finish reason / message_stop / [DONE] seen): then
  // nothing is appended and the caller sends stream_error_event() without [DONE].
  virtual core::Result<void> finish(std::string& out) = 0;

  // Usage seen so far (complete once finish() succeeded).
  virtual TokenUsage usage() const = 0;

  // The model the provider's events say answered ("" until one named it): /proxy prices by it.
  virtual std::string model() const = 0;
};

// For the OpenAI wire the chunks pass through unchanged, except that the usage-only chunk is dropped
// when the client did not ask for include_usage. For Anthropic and Gemini the events are translated
// (role in the first chunk, content deltas, tool_calls deltas with index/id/name/arguments
// fragments, a final chunk with finish_reason, then the usage chunk if asked, then [DONE]).
std::unique_ptr<StreamTranslator> make_stream_translator(catalog::Wire wire, const ChatRequest& request,
                                                         ResponseMeta meta);

// Token usage of an OpenAI-wire 2xx JSON body (also used for /proxy answers); nullopt when absent.
std::optional<TokenUsage> usage_of_openai_body(std::string_view body);

// The list-models call of a wire, relative to base_url: "/models" (OpenAI), "/v1/models"
// (Anthropic), "/v1beta/models?pageSize=1000" (Gemini).
std::string_view list_models_path(catalog::Wire wire) noexcept;

// Model ids from a provider's 2xx list-models answer (OpenAI/Anthropic "data[].id", Gemini
// "models[].name" without "models/"); upstream_error when the body is not such a list.
core::Result<std::vector<std::string>> models_of_list(catalog::Wire wire, std::string_view body);

// A provider's non-2xx answer in OpenAI's error vocabulary.
struct ProviderError {
  int status = 502;       // the HTTP status to give the client (the provider's own for 4xx/5xx)
  std::string type;       // OpenAI error type ("invalid_request_error", "authentication_error",
                          // "rate_limit_error", "api_error", ...)
  std::string code;       // provider code when there is one ("invalid_api_key", "API_KEY_INVALID"), else ""
  std::string message;    // provider text, NOT yet redacted: the caller redacts it with the key
};

// Reads the provider's error body (OpenAI, Anthropic or Google RPC shape; HTML or garbage gives a
// generic message naming the status).
ProviderError translate_error(catalog::Wire wire, int status, std::string_view body);

// {"error":{"message","type","param":null,"code","request_id"}} — code null when empty.
std::string openai_error_body(std::string_view message, std::string_view type, std::string_view code,
                              std::string_view request_id);

// "data: " + openai_error_body(...) + "\n\n": what a stream that fails after its first byte ends with.
std::string stream_error_event(std::string_view message, std::string_view type, std::string_view code,
                               std::string_view request_id);

}  // namespace keyrelay::gateway
