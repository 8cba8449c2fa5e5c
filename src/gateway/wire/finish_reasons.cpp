#include "gateway/wire/finish_reasons.h"

#include <algorithm>
#include <array>

namespace keyrelay::gateway::wire {

// pause_turn (a server tool paused a long turn) and model_context_window_exceeded are our own rows
// (LiteLLM lists neither). A reason this table does not know (one Anthropic adds later, or none at
// all) reads as "stop": the turn did end, and "stop" promises the least to the client.
std::string_view finish_reason_of_anthropic(std::string_view stop_reason) noexcept {
  if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") return "length";
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "refusal") return "content_filter";
  return "stop";  // end_turn, stop_sequence, pause_turn, unknown
}

// STOP with a functionCall part is "tool_calls" (only STOP: a turn cut by MAX_TOKENS or a filter
// keeps that reason even if a call came before). The safety family and OTHER are "content_filter"
// (LiteLLM); MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, TOO_MANY_TOOL_CALLS,
// FINISH_REASON_UNSPECIFIED and reasons this table does not know are "stop".
std::string_view finish_reason_of_gemini(std::string_view finish_reason, bool has_function_call) noexcept {
  static constexpr std::array<std::string_view, 12> kFiltered = {
      "SAFETY", "RECITATION", "LANGUAGE", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
      "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "IMAGE_OTHER", "NO_IMAGE", "OTHER"};
  if (finish_reason == "STOP") return has_function_call ? "tool_calls" : "stop";
  if (finish_reason == "MAX_TOKENS") return "length";
  if (std::find(kFiltered.begin(), kFiltered.end(), finish_reason) != kFiltered.end()) return "content_filter";
  return "stop";
}

}  // namespace keyrelay::gateway::wire
