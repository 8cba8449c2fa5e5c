// parse_messages_request: the client's /v1/messages body, checked once before any provider is
// tried, so that the native forward and the translation to the chat wires can rely on its shapes.
// The checks follow Anthropic's own (a request Anthropic refuses is refused here, with the field).

#include "gateway/wire/message_parts.h"
#include "gateway/wire/messages_wire.h"
#include "gateway/wire/request_models.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway {
namespace {

using core::Error;
using wire::field;
using wire::indexed;
using wire::string_field;
namespace json = boost::json;

core::Result<void> check_range(const json::object& body, std::string_view key, double lo, double hi) {
  const json::value* v = field(body, key);
  if (v == nullptr) return core::ok();
  const auto n = wire::number_of(*v);
  if (!n || *n < lo || *n > hi)
    return Error::invalid_request(std::string(key) + ": must be a number from " + std::to_string(static_cast<int>(lo)) +
                                  " to " + std::to_string(static_cast<int>(hi)));
  return core::ok();
}

core::Result<void> check_integer(const json::object& body, std::string_view key, std::int64_t lo, bool required) {
  const json::value* v = field(body, key);
  if (v == nullptr) {
    if (!required) return core::ok();
    return Error::invalid_request(std::string(key) + ": required (an integer of at least " + std::to_string(lo) + ")");
  }
  const auto n = wire::integer_of(*v);
  if (!n || *n < lo)
    return Error::invalid_request(std::string(key) + ": must be an integer of at least " + std::to_string(lo));
  return core::ok();
}

// Text blocks only: the system prompt, and the content of a tool result besides images.
core::Result<void> check_text_block(const json::object& block, const std::string& where) {
  const json::value* text = field(block, "text");
  if (text == nullptr || !text->is_string())
    return Error::invalid_request(where + ".text: must be a string");
  return core::ok();
}

core::Result<void> check_block(const json::value& value, const std::string& where, bool is_user) {
  const json::object* block = value.if_object();
  if (block == nullptr || string_field(*block, "type").empty())
    return Error::invalid_request(where + ": must be an object with a \"type\"");
  const std::string_view type = string_field(*block, "type");
  if (type == "text") return check_text_block(*block, where);
  if (type == "image") {
    if (wire::object_field(*block, "source") == nullptr) return Error::invalid_request(where + ".source: must be an object");
  } else if (type == "tool_use") {
    if (is_user) return Error::invalid_request(where + ": tool_use blocks belong in assistant messages");
    if (string_field(*block, "id").empty() || string_field(*block, "name").empty())
      return Error::invalid_request(where + ": a tool_use block needs an id and a name");
    if (wire::object_field(*block, "input") == nullptr) return Error::invalid_request(where + ".input: must be an object");
  } else if (type == "tool_result") {
    if (!is_user) return Error::invalid_request(where + ": tool_result blocks belong in user messages");
    if (string_field(*block, "tool_use_id").empty())
      return Error::invalid_request(where + ".tool_use_id: missing or empty");
    const json::value* content = field(*block, "content");
    if (content != nullptr && !content->is_string() && !content->is_array())
      return Error::invalid_request(where + ".content: must be a string or an array of blocks");
  }
  // Other block types (document, thinking, …) are Anthropic's to judge; the chat wires refuse them.
  return core::ok();
}

core::Result<void> check_message(const json::value& value, std::size_t i) {
  const std::string where = indexed("messages", i);
  const json::object* message = value.if_object();
  if (message == nullptr) return Error::invalid_request(where + ": must be an object");
  const std::string_view role = string_field(*message, "role");
  if (role != "user" && role != "assistant")
    return Error::invalid_request(where + ".role: must be \"user\" or \"assistant\" (the system prompt is the "
                                          "top-level \"system\")");
  const json::value* content = field(*message, "content");
  if (content == nullptr) return Error::invalid_request(where + ".content: missing (a string or an array of blocks)");
  if (content->is_string()) return core::ok();
  if (!content->is_array()) return Error::invalid_request(where + ".content: must be a string or an array of blocks");
  const auto& blocks = content->get_array();
  for (std::size_t j = 0; j < blocks.size(); ++j)
    if (auto r = check_block(blocks[j], indexed(where + ".content", j), role == "user"); !r) return r;
  return core::ok();
}

core::Result<void> check_system(const json::object& body) {
  const json::value* system = field(body, "system");
  if (system == nullptr || system->is_string()) return core::ok();
  if (!system->is_array()) return Error::invalid_request("system: must be a string or an array of text blocks");
  const auto& blocks = system->get_array();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const json::object* block = blocks[i].if_object();
    if (block == nullptr || string_field(*block, "type") != "text")
      return Error::invalid_request(indexed("system", i) + ": must be a text block");
    if (auto r = check_text_block(*block, indexed("system", i)); !r) return r;
  }
  return core::ok();
}

core::Result<void> check_tools(const json::object& body) {
  const json::value* tools = field(body, "tools");
  if (tools == nullptr) return core::ok();
  if (!tools->is_array()) return Error::invalid_request("tools: must be an array");
  const auto& list = tools->get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = indexed("tools", i);
    const json::object* tool = list[i].if_object();
    if (tool == nullptr || string_field(*tool, "name").empty())
      return Error::invalid_request(where + ": must be an object with a \"name\"");
    const std::string_view type = string_field(*tool, "type");
    const bool custom = type.empty() || type == "custom";
    if (custom && wire::object_field(*tool, "input_schema") == nullptr)
      return Error::invalid_request(where + ".input_schema: must be a JSON schema object");
  }
  return core::ok();
}

core::Result<void> check_tool_choice(const json::object& body) {
  const json::value* choice = field(body, "tool_choice");
  if (choice == nullptr) return core::ok();
  const json::object* obj = choice->if_object();
  const std::string_view type = obj != nullptr ? string_field(*obj, "type") : "";
  if (type == "auto" || type == "any" || type == "none") return core::ok();
  if (type == "tool" && !string_field(*obj, "name").empty()) return core::ok();
  return Error::invalid_request(
      "tool_choice: must be {\"type\":\"auto\"}, {\"type\":\"any\"}, {\"type\":\"none\"} or "
      "{\"type\":\"tool\",\"name\":…}");
}

core::Result<void> check_stop_sequences(const json::object& body) {
  const json::value* stop = field(body, "stop_sequences");
  if (stop == nullptr) return core::ok();
  if (stop->is_array())
    for (const auto& s : stop->get_array())
      if (!s.is_string()) return Error::invalid_request("stop_sequences: must be an array of strings");
  if (!stop->is_array()) return Error::invalid_request("stop_sequences: must be an array of strings");
  return core::ok();
}

core::Result<void> check_fields(const json::object& body) {
  for (auto r : {check_integer(body, "max_tokens", 1, true), check_range(body, "temperature", 0, 1),
                 check_range(body, "top_p", 0, 1), check_integer(body, "top_k", 0, false), check_system(body),
                 check_stop_sequences(body), check_tools(body), check_tool_choice(body)})
    if (!r) return r;
  if (const json::value* metadata = field(body, "metadata"); metadata != nullptr && !metadata->is_object())
    return Error::invalid_request("metadata: must be an object");
  return core::ok();
}

}  // namespace

core::Result<MessagesRequest> parse_messages_request(std::string_view text) {
  auto doc = wire::parse_json(text);
  if (!doc || !doc->is_object()) return Error::invalid_request("the request body must be a JSON object");
  if (auto path = wire::non_finite_number_path(*doc)) return Error::invalid_request(*path + ": number out of range");
  MessagesRequest request;
  request.body = std::move(doc->get_object());
  auto models = wire::take_models(request.body);
  if (!models) return models.error();
  request.models = std::move(*models);

  const json::array* messages = wire::array_field(request.body, "messages");
  if (messages == nullptr || messages->empty())
    return Error::invalid_request("messages: must be a non-empty array of messages");
  for (std::size_t i = 0; i < messages->size(); ++i)
    if (auto r = check_message((*messages)[i], i); !r) return r.error();
  if (const json::value* stream = field(request.body, "stream")) {
    if (!stream->is_bool()) return Error::invalid_request("stream: must be true or false");
    request.stream = stream->get_bool();
  }
  if (auto r = check_fields(request.body); !r) return r.error();
  return request;
}

}  // namespace keyrelay::gateway
