// Gemini GenerateContentResponse → OpenAI chat.completion (PROVIDERS.md 3.2).

#include <boost/json/serialize.hpp>

#include "gateway/wire/finish_reasons.h"
#include "gateway/wire/gemini_wire.h"
#include "gateway/wire/openai_shapes.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {

TokenUsage gemini_usage(const json::object& m) {
  TokenUsage tokens{count_field(m, "promptTokenCount") + count_field(m, "toolUsePromptTokenCount"),
                    count_field(m, "candidatesTokenCount") + count_field(m, "thoughtsTokenCount")};
  // cachedContentTokenCount is part of promptTokenCount (UsageMetadata: "Number of tokens in the
  // cached part of the prompt").
  tokens.cached_input_tokens = count_field(m, "cachedContentTokenCount");
  tokens.reported = true;
  return tokens;
}

std::string gemini_call_id(const json::object& function_call, std::size_t ordinal) {
  const std::string_view id = string_field(function_call, "id");
  return id.empty() ? "call_" + std::to_string(ordinal) : std::string(id);
}

std::string gemini_call_arguments(const json::object& function_call) {
  const json::value* args = field(function_call, "args");
  return args != nullptr ? json::serialize(*args) : std::string("{}");
}

// Every candidate becomes a choice (there is more than one only when the client asked n > 1).
// A prompt blocked before any candidate gives one choice with null content and "content_filter".
// The id and created are the gateway's (meta), as for Anthropic.
core::Result<ChatResponse> translate_gemini_response(std::string_view body, const ResponseMeta& meta) {
  const auto doc = parse_json(body);
  const json::object* answer = doc ? doc->if_object() : nullptr;
  if (answer == nullptr) return core::Error::upstream_error("the provider's answer is not a Gemini response");

  Completion c;
  c.model = std::string(string_field(*answer, "modelVersion"));
  if (const json::object* usage = object_field(*answer, "usageMetadata")) c.usage = gemini_usage(*usage);
  const json::array* candidates = array_field(*answer, "candidates");
  if (candidates == nullptr || candidates->empty()) {
    const json::object* feedback = object_field(*answer, "promptFeedback");
    if (feedback == nullptr || string_field(*feedback, "blockReason").empty())
      return core::Error::upstream_error("the provider's answer has no candidates and no block reason");
    c.choices.push_back(Choice{{}, {}, "content_filter"});
    return ChatResponse{completion_body(meta, c), c.usage, c.model};
  }
  for (const auto& value : *candidates) {
    const json::object* candidate = value.if_object();
    if (candidate == nullptr) return core::Error::upstream_error("the provider's answer has a malformed candidate");
    Choice& choice = c.choices.emplace_back();
    for_each_gemini_part(
        *candidate, [&](std::string_view text) { choice.text.append(text); },
        [&](const json::object& call) {
          choice.tool_calls.push_back(tool_call_json(gemini_call_id(call, choice.tool_calls.size()),
                                                     string_field(call, "name"), gemini_call_arguments(call)));
        });
    choice.finish_reason = finish_reason_of_gemini(string_field(*candidate, "finishReason"), !choice.tool_calls.empty());
  }
  return ChatResponse{completion_body(meta, c), c.usage, c.model};
}

}  // namespace keyrelay::gateway::wire
