#pragma once
// The OpenAI wire (OpenAI and every OpenAI-compatible provider): the client's request forwarded
// almost as is, and the answer passed back almost as is. See chat_wire.h for the contracts.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/wire/chat_wire.h"

namespace keyrelay::gateway::wire {

// POST /chat/completions with the client's body, "model" replaced by `model`; when streaming,
// stream_options.include_usage is forced on (other stream_options kept) so usage is always metered.
core::Result<UpstreamCall> build_openai_call(const ChatRequest& request, std::string_view model);

// The body unchanged (the provider's own id, created and model) with its usage; upstream_error when
// it is not a JSON object with a "choices" array.
core::Result<ChatResponse> translate_openai_response(std::string body);

// Passes each upstream event through as "data: <data>\n\n"; see make_stream_translator().
std::unique_ptr<StreamTranslator> make_openai_stream(const ChatRequest& request);

// The "usage" object of an OpenAI answer or chunk; nullopt when absent or null.
std::optional<TokenUsage> usage_of_openai(const boost::json::object& doc);

}  // namespace keyrelay::gateway::wire
