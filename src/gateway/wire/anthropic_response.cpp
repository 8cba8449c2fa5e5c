// Anthropic message → OpenAI chat.completion (PROVIDERS.md 3.2).

#include <boost/json/serialize.hpp>

#include "gateway/wire/anthropic_wire.h"
#include "gateway/wire/finish_reasons.h"
#include "gateway/wire/openai_shapes.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {

// OpenAI's prompt_tokens counts every input token; Anthropic's input_tokens leaves out the tokens
// written to and read from the prompt cache, which are billed too.
TokenUsage anthropic_usage(const json::object& usage) {
  TokenUsage tokens;
  tokens.cached_input_tokens = count_field(usage, "cache_read_input_tokens");
  tokens.cache_write_tokens = count_field(usage, "cache_creation_input_tokens");
  tokens.input_tokens = count_field(usage, "input_tokens") + tokens.cached_input_tokens + tokens.cache_write_tokens;
  tokens.output_tokens = count_field(usage, "output_tokens");
  tokens.reported = true;
  return tokens;
}

void update_anthropic_usage(TokenUsage& tokens, const json::object& usage) {
  if (usage.contains("output_tokens")) tokens.output_tokens = count_field(usage, "output_tokens");
  const std::uint64_t plain_input = tokens.input_tokens - tokens.cached_input_tokens - tokens.cache_write_tokens;
  const auto counter = [&usage](std::string_view name, std::uint64_t before) {
    return field(usage, name) != nullptr ? count_field(usage, name) : before;
  };
  tokens.cached_input_tokens = counter("cache_read_input_tokens", tokens.cached_input_tokens);
  tokens.cache_write_tokens = counter("cache_creation_input_tokens", tokens.cache_write_tokens);
  tokens.input_tokens = counter("input_tokens", plain_input) + tokens.cached_input_tokens + tokens.cache_write_tokens;
  tokens.reported = true;
}

// The id and created of the answer are the gateway's (meta), as on the stream, so that a client
// sees one id format whichever provider answered. Thinking and server-tool blocks are not part of
// an OpenAI message and are left out.
core::Result<ChatResponse> translate_anthropic_response(std::string_view body, const ResponseMeta& meta) {
  const auto doc = parse_json(body);
  const json::object* message = doc ? doc->if_object() : nullptr;
  const json::array* content = message != nullptr ? array_field(*message, "content") : nullptr;
  if (content == nullptr) return core::Error::upstream_error("the provider's answer is not an Anthropic message");

  Completion c;
  c.model = std::string(string_field(*message, "model"));
  Choice& choice = c.choices.emplace_back();
  for (const auto& block_value : *content) {
    const json::object* block = block_value.if_object();
    if (block == nullptr) continue;
    const std::string_view type = string_field(*block, "type");
    if (type == "text") {
      choice.text.append(string_field(*block, "text"));
    } else if (type == "tool_use") {
      const json::value* input = field(*block, "input");
      choice.tool_calls.push_back(tool_call_json(string_field(*block, "id"), string_field(*block, "name"),
                                            input != nullptr ? json::serialize(*input) : std::string("{}")));
    }
  }
  choice.finish_reason = finish_reason_of_anthropic(string_field(*message, "stop_reason"));
  if (const json::object* usage = object_field(*message, "usage")) c.usage = anthropic_usage(*usage);
  return ChatResponse{completion_body(meta, c), c.usage, c.model};
}

}  // namespace keyrelay::gateway::wire
