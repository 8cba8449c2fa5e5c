// A provider's 2xx answer → Anthropic message (PROVIDERS.md 3.2): Anthropic's own as it came, the
// others' through their chat.completion translation (chat_wire.h), said again as a message.

#include <boost/json/serialize.hpp>

#include "gateway/wire/anthropic_wire.h"
#include "gateway/wire/messages_shapes.h"
#include "gateway/wire/messages_wire.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway {
namespace {

using core::Error;
using wire::string_field;
namespace json = boost::json;

core::Result<MessagesResponse> anthropic_message(std::string_view body) {
  const auto doc = wire::parse_json(body);
  const json::object* message = doc ? doc->if_object() : nullptr;
  if (message == nullptr || wire::array_field(*message, "content") == nullptr)
    return Error::upstream_error("the provider's answer is not an Anthropic message");
  MessagesResponse out{std::string(body), {}, std::string(string_field(*message, "model"))};
  if (const json::object* usage = wire::object_field(*message, "usage")) out.usage = wire::anthropic_usage(*usage);
  return out;
}

// The assistant message of a chat.completion as Anthropic content blocks.
core::Result<json::array> content_of(const json::object& message) {
  json::array content;
  if (const std::string_view text = string_field(message, "content"); !text.empty())
    content.push_back(json::object{{"type", "text"}, {"text", text}});
  const json::array* calls = wire::array_field(message, "tool_calls");
  if (calls == nullptr) return content;
  for (const auto& value : *calls) {
    const json::object* call = value.if_object();
    const json::object* function = call != nullptr ? wire::object_field(*call, "function") : nullptr;
    if (function == nullptr) return Error::upstream_error("the provider's answer has a malformed tool call");
    const std::string_view arguments = string_field(*function, "arguments");
    auto input = arguments.find_first_not_of(" \t\r\n") == std::string_view::npos ? std::optional<json::value>(json::object{})
                                                                                  : wire::parse_json(arguments);
    if (!input || !input->is_object())
      return Error::upstream_error("the provider's tool call arguments are not a JSON object");
    content.push_back(json::object{{"type", "tool_use"},
                                   {"id", string_field(*call, "id")},
                                   {"name", string_field(*function, "name")},
                                   {"input", std::move(*input)}});
  }
  return content;
}

core::Result<MessagesResponse> message_of_completion(const ChatResponse& chat, const ResponseMeta& meta) {
  const auto doc = wire::parse_json(chat.body);
  const json::object* completion = doc ? doc->if_object() : nullptr;
  const json::array* choices = completion != nullptr ? wire::array_field(*completion, "choices") : nullptr;
  const json::object* choice = choices != nullptr && !choices->empty() ? (*choices)[0].if_object() : nullptr;
  const json::object* message = choice != nullptr ? wire::object_field(*choice, "message") : nullptr;
  if (message == nullptr) return Error::upstream_error("the provider's answer has no message");
  auto content = content_of(*message);
  if (!content) return content.error();
  const std::string model = chat.model.empty() ? meta.model : chat.model;
  json::object out{{"id", meta.id},
                   {"type", "message"},
                   {"role", "assistant"},
                   {"model", model},
                   {"content", std::move(*content)},
                   {"stop_reason", wire::stop_reason_of_finish(string_field(*choice, "finish_reason"))},
                   {"stop_sequence", nullptr},
                   {"usage", wire::anthropic_usage_json(chat.usage)}};
  return MessagesResponse{json::serialize(out), chat.usage, chat.model};
}

}  // namespace

core::Result<MessagesResponse> translate_messages_response(catalog::Wire wire, std::string_view upstream_body,
                                                           const ResponseMeta& meta) {
  if (wire == catalog::Wire::anthropic) return anthropic_message(upstream_body);
  auto chat = translate_response(wire, std::string(upstream_body), meta);
  if (!chat) return chat.error();
  return message_of_completion(*chat, meta);
}

}  // namespace keyrelay::gateway
