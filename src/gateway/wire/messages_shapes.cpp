#include "gateway/wire/messages_shapes.h"

#include <boost/json/serialize.hpp>

#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {

std::string_view stop_reason_of_finish(std::string_view finish_reason) noexcept {
  if (finish_reason == "length") return "max_tokens";
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return "tool_use";
  if (finish_reason == "content_filter") return "refusal";
  return "end_turn";
}

json::object anthropic_usage_json(const TokenUsage& usage) {
  const std::uint64_t cached = usage.cached_input_tokens + usage.cache_write_tokens;
  const std::uint64_t plain = usage.input_tokens > cached ? usage.input_tokens - cached : 0;
  return json::object{{"input_tokens", plain},
                      {"output_tokens", usage.output_tokens},
                      {"cache_creation_input_tokens", usage.cache_write_tokens},
                      {"cache_read_input_tokens", usage.cached_input_tokens}};
}

std::string anthropic_event(const json::object& data) {
  std::string out = "event: ";
  out.append(string_field(data, "type"));
  out.append("\n");
  out.append(data_event(json::serialize(data)));
  return out;
}

}  // namespace keyrelay::gateway::wire
