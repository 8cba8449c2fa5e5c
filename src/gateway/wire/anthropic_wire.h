#pragma once
// The Anthropic Messages wire (POST /v1/messages): OpenAI chat requests translated into it, its
// answers and event streams translated back. See chat_wire.h for the contracts and PROVIDERS.md 3.

#include <memory>
#include <string_view>

#include "gateway/wire/chat_wire.h"

namespace keyrelay::gateway::wire {

core::Result<UpstreamCall> build_anthropic_call(const ChatRequest& request, std::string_view model,
                                                const WireOptions& options);

core::Result<ChatResponse> translate_anthropic_response(std::string_view body, const ResponseMeta& meta);

std::unique_ptr<StreamTranslator> make_anthropic_stream(const ChatRequest& request, ResponseMeta meta);

// An Anthropic "usage" object in OpenAI's meaning (prompt tokens include the cached ones).
TokenUsage anthropic_usage(const boost::json::object& usage);

// A message_delta's "usage" applied to what message_start said: output_tokens is cumulative (the
// last one counts); newer API versions repeat the input and cache counters there too, also
// cumulative: each one given replaces the earlier one.
void update_anthropic_usage(TokenUsage& tokens, const boost::json::object& usage);

}  // namespace keyrelay::gateway::wire
