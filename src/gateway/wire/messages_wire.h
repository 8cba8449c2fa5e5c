#pragma once
// Anthropic Messages in, Anthropic Messages out (POST /v1/messages), whatever wire answers. To the
// Anthropic wire the client's body goes as it came, only "model" replaced (unknown fields kept), and
// the answer comes back as it came. To the OpenAI and Gemini wires the request is said as an OpenAI
// chat request (messages_to_chat.cpp) and handed to the chat translators of chat_wire.h, whose
// OpenAI-shaped answers are then said in Anthropic's shapes (messages_response.cpp,
// messages_stream.cpp): the OpenAI shape is the pivot, so every wire's translation is written once.
//
// Pure functions and small state machines over Boost.JSON, like chat_wire.h. Reference:
// ../shared/providers/PROVIDERS.md section 3.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "catalog/catalog.h"
#include "core/result.h"
#include "gateway/wire/chat_wire.h"

namespace keyrelay::gateway {

// A client's /v1/messages request, checked once before any provider is tried.
struct MessagesRequest {
  boost::json::object body;         // as the client sent it (Anthropic shape), "models" removed
  std::vector<std::string> models;  // "model" first, then the "models" fallbacks, no duplicates
  bool stream = false;
};

// invalid_request naming the field for: not a JSON object; no model; "max_tokens" missing or not an
// integer ≥ 1; "messages" not a non-empty array of {role: user|assistant, content: string or typed
// blocks}; "system" neither a string nor text blocks; "stream" not a boolean; temperature or top_p
// outside 0..1; top_k not an integer ≥ 0; stop_sequences not strings; tools without a name (or a
// custom tool without an object input_schema); tool_choice not {type: auto|any|tool|none} (tool with
// a name); a number beyond a double's range. Unknown fields are kept (for Anthropic).
core::Result<MessagesRequest> parse_messages_request(std::string_view body);

// The request as an OpenAI chat request (for the OpenAI and Gemini wires): system → a system
// message; text and image blocks → content parts; tool_use → assistant tool_calls; tool_result →
// tool messages (before the rest of their user turn); tools, tool_choice
// (disable_parallel_tool_use → parallel_tool_calls false), stop_sequences → stop, max_tokens,
// temperature, top_p, metadata.user_id → user; a stream asks for usage. Fields with no counterpart
// (top_k, thinking, service_tier, cache_control …) are not sent; what cannot be said on those wires
// (document blocks, server tools, an image in a tool result) is invalid_request naming it.
core::Result<ChatRequest> chat_request_of_messages(const MessagesRequest& request);

// What goes upstream for one attempt to `provider` (its own name `model`): the body as it came to
// the Anthropic wire, else the chat request of chat_request_of_messages() through
// build_upstream_call(). To OpenAI itself the limit is sent as max_completion_tokens (its newer
// models refuse max_tokens); to other OpenAI-compatible providers as max_tokens, which they know.
core::Result<UpstreamCall> build_messages_call(const catalog::Provider& provider, const MessagesRequest& request,
                                               std::string_view model, const WireOptions& options);

// A provider's 2xx answer as an Anthropic "message": Anthropic's own unchanged; the others'
// translated (text block, tool_use blocks with their input objects, stop_reason end_turn /
// max_tokens / tool_use / refusal, usage with input_tokens excluding cache reads as Anthropic
// counts). upstream_error when the body is not what the wire promises. `meta.id` is the message id
// used for translated answers ("msg_…").
struct MessagesResponse {
  std::string body;
  TokenUsage usage;
  std::string model;
};
core::Result<MessagesResponse> translate_messages_response(catalog::Wire wire, std::string_view upstream_body,
                                                           const ResponseMeta& meta);

// A provider's 2xx event stream as Anthropic's: Anthropic's events passed through (re-framed, usage
// read on the way); the others' translated into message_start, ping, content_block_start / _delta
// (text_delta, input_json_delta) / _stop, message_delta (stop_reason, usage) and message_stop.
// StreamTranslator's contract, with Anthropic events instead of OpenAI chunks.
std::unique_ptr<StreamTranslator> make_messages_stream(catalog::Wire wire, const MessagesRequest& request,
                                                       ResponseMeta meta);

// Anthropic's error vocabulary (PROVIDERS.md 1.2): the type Anthropic gives an HTTP status
// (400 invalid_request_error, 401 authentication_error, 402 billing_error, 403 permission_error,
// 404 not_found_error, 413 request_too_large, 429 rate_limit_error, 504 timeout_error, 529
// overloaded_error, other 5xx api_error, other 4xx invalid_request_error).
std::string_view anthropic_error_type(int status) noexcept;

// {"type":"error","error":{"type","message"[,"code"]},"request_id"}: Anthropic's shape with
// keyrelay's error code (no_usable_key, spend_cap_exceeded, …) as "code" when there is one.
std::string anthropic_error_body(std::string_view type, std::string_view message, std::string_view code,
                                 std::string_view request_id);

// "event: error\ndata: <anthropic_error_body>\n\n": how a stream that fails after its first byte ends.
std::string anthropic_stream_error_event(std::string_view message, std::string_view request_id);

// A provider's non-2xx answer in Anthropic's shape: the status and message of translate_error(),
// and the provider's own type when it answered in Anthropic's shape, else the type of the status.
struct MessagesError {
  int status = 502;
  std::string type;
  std::string message;  // provider text, NOT yet redacted
};
MessagesError translate_messages_error(catalog::Wire wire, int status, std::string_view body);

}  // namespace keyrelay::gateway
