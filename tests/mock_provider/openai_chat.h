#pragma once
// The OpenAI Chat Completions wire (POST <base>/chat/completions), spoken by every catalog
// provider whose wire is "openai". Pure functions.

#include <variant>

#include "chat.h"
#include "provider_table.h"
#include "request.h"

namespace keyrelay::mock {

// Reads a request strictly, the way OpenAI checks it: a JSON object with a non-empty string
// "model" and a non-empty "messages" array; roles system/developer/user/assistant/tool/function;
// content a string, null or an array of typed parts; assistant tool_calls with string
// "arguments"; each tool message answering a tool_call_id of the assistant message before it (and
// every such id answered); "stream" a boolean; "stream_options" only with stream true; "tools"
// function tools with names. Otherwise the 400 in `p`'s error shape naming what is wrong.
std::variant<ChatCall, Answer> read_openai_chat(const Provider& p, const Incoming& in);

// chat.completion, or when call.stream the SSE stream of PROVIDERS.md §3.3: a role chunk, one
// content chunk per word (tool call: a chunk naming the call, then its arguments in 2+ fragments),
// a finish chunk, the usage chunk ("choices":[]) only when include_usage, then "data: [DONE]".
Answer openai_chat_answer(const Provider& p, const ChatCall& call, const ChatReply& reply);

}  // namespace keyrelay::mock
