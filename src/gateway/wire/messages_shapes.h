#pragma once
// The Anthropic shapes the translations into /v1/messages answers share: the stop reason of an
// OpenAI finish reason, the usage object, and the event framing, written in one place so that the
// plain answer and the stream say them alike.

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "gateway/wire/chat_wire.h"

namespace keyrelay::gateway::wire {

// OpenAI finish_reason → Anthropic stop_reason: length → max_tokens, tool_calls → tool_use,
// content_filter → refusal, anything else → end_turn. OpenAI's "stop" does not say whether a stop
// sequence or the model ended the turn, so a translated answer never says stop_sequence.
std::string_view stop_reason_of_finish(std::string_view finish_reason) noexcept;

// {"input_tokens","output_tokens","cache_creation_input_tokens","cache_read_input_tokens"} in
// Anthropic's meaning: input_tokens leaves out the cached and cache-written tokens, which
// TokenUsage counts within input_tokens.
boost::json::object anthropic_usage_json(const TokenUsage& usage);

// "event: <type>\ndata: <json>\n\n" for an event whose "type" is <type>.
std::string anthropic_event(const boost::json::object& data);

}  // namespace keyrelay::gateway::wire
