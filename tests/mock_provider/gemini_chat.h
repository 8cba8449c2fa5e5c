#pragma once
// The Gemini generateContent wire: POST /v1beta/models/<model>:generateContent and
// :streamGenerateContent?alt=sse. Pure functions.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "chat.h"
#include "provider_table.h"
#include "request.h"

namespace keyrelay::mock {

struct GeminiTarget {
  std::string model;  // percent-decoded, without "models/"
  bool stream = false;
};

// The model and action of a chat path after "/gemini" ("/v1beta/models/<model>:generateContent" or
// ":streamGenerateContent"; "/v1/models/…" too); nullopt for any other path.
std::optional<GeminiTarget> gemini_chat_target(std::string_view rest);

// Reads a request strictly, the way the Generative Language API checks it: only known field names
// at every level ("Unknown name \"model\": Cannot find field." — the model belongs in the path);
// "contents" a non-empty array whose roles are user or model (missing = user); parts non-empty,
// each with one data field; functionResponse with a name and an object response; a system
// instruction that is a Content; tools whose function declarations have valid names and
// OpenAPI-subset parameters (no additionalProperties, $schema, …); generationConfig in range.
// Streaming without alt=sse is refused too (the mock speaks only SSE). Otherwise 400
// INVALID_ARGUMENT naming what is wrong.
std::variant<ChatCall, Answer> read_gemini_chat(const Provider& p, const Incoming& in, const GeminiTarget& target);

// The GenerateContentResponse, or when call.stream its SSE stream (PROVIDERS.md §3.3): one data
// line per word with the incremental text, the last with finishReason STOP and the complete
// usageMetadata (earlier ones carry only the prompt count); a tool call is one chunk with a whole
// functionCall part.
Answer gemini_chat_answer(const ChatCall& call, const ChatReply& reply);

}  // namespace keyrelay::mock
