#pragma once
// Provider stop/finish reasons in OpenAI's vocabulary ("stop", "length", "tool_calls",
// "content_filter"), per PROVIDERS.md 3.2.

#include <string_view>

namespace keyrelay::gateway::wire {

// Anthropic `stop_reason` → OpenAI finish_reason.
std::string_view finish_reason_of_anthropic(std::string_view stop_reason) noexcept;

// Gemini `finishReason` → OpenAI finish_reason. `has_function_call`: the candidate carried a
// functionCall part (Gemini has no finish reason of its own for tool calls).
std::string_view finish_reason_of_gemini(std::string_view finish_reason, bool has_function_call) noexcept;

}  // namespace keyrelay::gateway::wire
