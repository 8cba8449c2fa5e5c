#include "gateway/wire/openai_wire.h"

#include <boost/json/serialize.hpp>

#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway {
namespace wire {

core::Result<UpstreamCall> build_openai_call(const ChatRequest& request, std::string_view model) {
  json::object body = request.body;
  body["model"] = model;
  if (request.stream) {
    // Forced so that every stream is metered; the usage-only chunk is dropped again on the way back
    // when the client did not ask for it.
    json::value& options = body["stream_options"];
    if (!options.is_object()) options = json::object{};
    options.get_object()["include_usage"] = true;
  }
  return UpstreamCall{"/chat/completions", json::serialize(body)};
}

std::optional<TokenUsage> usage_of_openai(const json::object& doc) {
  const json::object* usage = object_field(doc, "usage");
  if (usage == nullptr) return std::nullopt;
  // prompt_tokens_details.cached_tokens is part of prompt_tokens (OpenAI, "Prompt caching").
  const json::object* details = object_field(*usage, "prompt_tokens_details");
  TokenUsage tokens{count_field(*usage, "prompt_tokens"), count_field(*usage, "completion_tokens")};
  tokens.cached_input_tokens = details != nullptr ? count_field(*details, "cached_tokens") : 0;
  tokens.reported = true;
  return tokens;
}

core::Result<ChatResponse> translate_openai_response(std::string_view body) {
  const auto doc = parse_json(body);
  if (!doc || !doc->is_object() || array_field(doc->get_object(), "choices") == nullptr)
    return core::Error::upstream_error("the provider's answer is not a chat completion");
  ChatResponse response{std::string(body), {}, std::string(string_field(doc->get_object(), "model"))};
  if (auto usage = usage_of_openai(doc->get_object())) response.usage = *usage;
  return response;
}

}  // namespace wire

std::optional<TokenUsage> usage_of_openai_body(std::string_view body) {
  const auto doc = wire::parse_json(body);
  if (!doc || !doc->is_object()) return std::nullopt;
  return wire::usage_of_openai(doc->get_object());
}

}  // namespace keyrelay::gateway
