#pragma once
// The Gemini generateContent wire (AI Studio keys): OpenAI chat requests translated into it, its
// answers and SSE streams (streamGenerateContent?alt=sse) translated back. See chat_wire.h for the
// contracts and PROVIDERS.md 3.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "gateway/wire/chat_wire.h"

namespace keyrelay::gateway::wire {

// ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ (API.md): the model goes into the URL path.
bool is_gemini_model_name(std::string_view model);

core::Result<UpstreamCall> build_gemini_call(const ChatRequest& request, std::string_view model);

core::Result<ChatResponse> translate_gemini_response(std::string_view body, const ResponseMeta& meta);

std::unique_ptr<StreamTranslator> make_gemini_stream(const ChatRequest& request, ResponseMeta meta);

// A Gemini "usageMetadata" in OpenAI's meaning: prompt = promptTokenCount + toolUsePromptTokenCount,
// completion = candidatesTokenCount + thoughtsTokenCount; cached = cachedContentTokenCount (a part
// of promptTokenCount).
TokenUsage gemini_usage(const boost::json::object& usage_metadata);

// Visits the parts of a candidate's content in order: on_text(std::string_view) for text,
// on_call(const boost::json::object& functionCall) for a function call. Thought summaries
// ("thought": true) are the model's reasoning, not its answer, and are skipped.
template <class OnText, class OnCall>
void for_each_gemini_part(const boost::json::object& candidate, OnText&& on_text, OnCall&& on_call) {
  const boost::json::value* content = candidate.if_contains("content");
  const boost::json::value* parts = content != nullptr && content->is_object() ? content->get_object().if_contains("parts")
                                                                                : nullptr;
  if (parts == nullptr || !parts->is_array()) return;
  for (const auto& p : parts->get_array()) {
    const boost::json::object* part = p.if_object();
    if (part == nullptr) continue;
    if (const auto* thought = part->if_contains("thought"); thought != nullptr && thought->is_bool() && thought->get_bool())
      continue;
    if (const auto* call = part->if_contains("functionCall"); call != nullptr && call->is_object())
      on_call(call->get_object());
    else if (const auto* text = part->if_contains("text"); text != nullptr && text->is_string())
      on_text(std::string_view(text->get_string()));
  }
}

// OpenAI's tool call id for a Gemini functionCall: its own "id" when it has one, else "call_<ordinal>".
std::string gemini_call_id(const boost::json::object& function_call, std::size_t ordinal);
// The functionCall's args serialized as OpenAI's arguments string ("{}" when absent).
std::string gemini_call_arguments(const boost::json::object& function_call);

// A JSON Schema (OpenAI tool parameters, json_schema response formats) cut down to the OpenAPI 3.0
// subset Gemini accepts: unknown keys ($schema, additionalProperties, strict, $defs, …) are dropped
// at every level, and a type list ["T","null"] becomes "type":"T","nullable":true.
boost::json::object gemini_schema(const boost::json::object& schema);

}  // namespace keyrelay::gateway::wire
