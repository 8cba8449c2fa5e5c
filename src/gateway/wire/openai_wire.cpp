#include "gateway/wire/openai_wire.h"

#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>

#include "gateway/wire/openai_answer_scan.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway {
namespace wire {

namespace {

// What `serializer` was reset to, appended to `out`.
void append_serialized(std::string& out, json::serializer& serializer) {
  char chunk[1024];
  while (!serializer.done()) out.append(serializer.read(chunk));
}

void append_member(std::string& out, json::serializer& serializer, std::string_view key, const json::value& value) {
  serializer.reset(key);
  append_serialized(out, serializer);
  out += ':';
  serializer.reset(&value);
  append_serialized(out, serializer);
}

void append_string_member(std::string& out, json::serializer& serializer, std::string_view key,
                          std::string_view text) {
  serializer.reset(key);
  append_serialized(out, serializer);
  out += ':';
  serializer.reset(text);
  append_serialized(out, serializer);
}

}  // namespace

core::Result<UpstreamCall> build_openai_call(const ChatRequest& request, std::string_view model) {
  // The client's document written member by member with "model" replaced, rather than copied and
  // changed: the copy cost an allocation per string, array and object of the messages on every
  // attempt. Same text as serializing the changed copy (same order; a missing member goes last).
  std::string body;
  body.reserve(256);
  json::serializer serializer;
  bool first = true, wrote_model = false, wrote_options = false;
  auto next_member = [&] {
    body += first ? '{' : ',';
    first = false;
  };
  // Forced on streams so that every stream is metered; the usage-only chunk is dropped again on the
  // way back when the client did not ask for it. Other stream_options are kept.
  auto stream_options_of = [](const json::value* given) {
    json::object options = given != nullptr && given->is_object() ? given->get_object() : json::object{};
    options["include_usage"] = true;
    return json::value(std::move(options));
  };
  for (const auto& member : request.body) {
    next_member();
    if (member.key() == "model") {
      append_string_member(body, serializer, "model", model);
      wrote_model = true;
    } else if (request.stream && member.key() == "stream_options") {
      append_member(body, serializer, "stream_options", stream_options_of(&member.value()));
      wrote_options = true;
    } else {
      append_member(body, serializer, member.key(), member.value());
    }
  }
  if (!wrote_model) {
    next_member();
    append_string_member(body, serializer, "model", model);
  }
  if (request.stream && !wrote_options) {
    next_member();
    append_member(body, serializer, "stream_options", stream_options_of(nullptr));
  }
  body += first ? "{}" : "}";
  return UpstreamCall{"/chat/completions", std::move(body)};
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

core::Result<ChatResponse> translate_openai_response(std::string body) {
  auto facts = scan_openai_answer(body);
  if (!facts || !facts->has_choices) return core::Error::upstream_error("the provider's answer is not a chat completion");
  ChatResponse response{{}, facts->usage.value_or(TokenUsage{}), std::move(facts->model)};
  response.body = std::move(body);
  return response;
}

}  // namespace wire

std::optional<TokenUsage> usage_of_openai_body(std::string_view body) {
  const auto doc = wire::parse_json(body);
  if (!doc || !doc->is_object()) return std::nullopt;
  return wire::usage_of_openai(doc->get_object());
}

}  // namespace keyrelay::gateway
