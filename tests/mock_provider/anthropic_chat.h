#pragma once
// The Anthropic Messages wire (POST /v1/messages). Pure functions.

#include <variant>

#include "chat.h"
#include "provider_table.h"
#include "request.h"

namespace keyrelay::mock {

// Reads a request strictly, the way Anthropic checks it: only known top-level fields ("x: Extra
// inputs are not permitted"); "model" and "max_tokens" (integer ≥ 1) required; "messages" a
// non-empty array whose roles are only user and assistant (a "system" role is refused: the system
// prompt is the top-level "system"); content a non-empty string or typed blocks; tool_use only in
// assistant turns (with an object "input"), tool_result only in user turns, each tool_result
// answering a tool_use of the message before it and every tool_use answered in the next message;
// tools with an input_schema of type "object"; tool_choice an object; temperature in 0..1.
// Otherwise 400 invalid_request_error naming what is wrong.
std::variant<ChatCall, Answer> read_anthropic_chat(const Provider& p, const Incoming& in);

// The message object, or when call.stream the SSE stream of PROVIDERS.md §3.3: message_start,
// content_block_start, ping, one content_block_delta per word (tool_use: input_json_delta in 2+
// fragments), content_block_stop, message_delta (stop_reason, cumulative output_tokens),
// message_stop.
Answer anthropic_chat_answer(const ChatCall& call, const ChatReply& reply);

// The stream's `event: error` carrying overloaded_error (sent after the first event for the
// `overloaded` keyword).
std::string anthropic_overloaded_event();

}  // namespace keyrelay::mock
