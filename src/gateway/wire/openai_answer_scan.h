#pragma once
// What the relay needs to know of an OpenAI-wire chat answer it passes on as sent: that it is a chat
// completion, the model that answered and the usage. Read in one pass over the text with no
// document built (the body is forwarded unchanged, so a tree of it was work thrown away on every
// call). Reads exactly what Boost.JSON's tree would give: a key given twice counts by its last value.

#include <optional>
#include <string>
#include <string_view>

#include "gateway/wire/chat_wire.h"

namespace keyrelay::gateway::wire {

struct OpenAiAnswerFacts {
  bool has_choices = false;         // "choices" is an array
  std::string model;                // "model" when it is a string, else ""
  std::optional<TokenUsage> usage;  // when "usage" is an object
};

// nullopt when `body` is not JSON or not a JSON object.
std::optional<OpenAiAnswerFacts> scan_openai_answer(std::string_view body);

}  // namespace keyrelay::gateway::wire
