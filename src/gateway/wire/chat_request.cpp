// parse_chat_request: the client's /v1/chat/completions body, checked once before any provider is
// tried, so that every wire's translator can rely on the shapes checked here.

#include <algorithm>
#include <limits>
#include <string>

#include "gateway/wire/chat_wire.h"
#include "gateway/wire/request_models.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway {
namespace {

using core::Error;
using wire::field;
namespace json = boost::json;

std::string at(std::string_view base, std::size_t i) { return std::string(base) + "[" + std::to_string(i) + "]"; }

// A number field within [lo, hi]; absent or null is fine.
core::Result<void> check_number(const json::object& body, std::string_view key, int lo, int hi) {
  const json::value* v = field(body, key);
  if (v == nullptr) return core::ok();
  const auto n = wire::number_of(*v);
  if (!n || *n < lo || *n > hi)
    return Error::invalid_request(std::string(key) + ": must be a number from " + std::to_string(lo) + " to " +
                                  std::to_string(hi));
  return core::ok();
}

// An integer field of at least `lo` (and at most `hi`); absent or null is fine.
core::Result<void> check_integer(const json::object& body, std::string_view key, std::int64_t lo, std::int64_t hi) {
  const json::value* v = field(body, key);
  if (v == nullptr) return core::ok();
  const auto n = wire::integer_of(*v);
  if (!n || *n < lo || *n > hi)
    return Error::invalid_request(std::string(key) + ": must be an integer from " + std::to_string(lo) + " to " +
                                  std::to_string(hi));
  return core::ok();
}

core::Result<void> check_numbers(const json::object& body) {
  constexpr std::int64_t kMaxInt = std::numeric_limits<std::int64_t>::max();
  for (auto r : {check_number(body, "temperature", 0, 2), check_number(body, "top_p", 0, 1),
                 check_number(body, "presence_penalty", -2, 2), check_number(body, "frequency_penalty", -2, 2),
                 check_integer(body, "n", 1, 128), check_integer(body, "max_tokens", 1, kMaxInt),
                 check_integer(body, "max_completion_tokens", 1, kMaxInt),
                 check_integer(body, "seed", std::numeric_limits<std::int64_t>::min(), kMaxInt),
                 check_integer(body, "top_logprobs", 0, 20)})
    if (!r) return r;
  return core::ok();
}

// Content is a string or an array of typed parts; `optional` allows it to be absent (assistant).
core::Result<void> check_content(const json::object& msg, const std::string& where, bool optional) {
  const json::value* content = field(msg, "content");
  if (content == nullptr) {
    if (optional) return core::ok();
    return Error::invalid_request(where + ".content: missing (a string or an array of content parts)");
  }
  if (content->is_string()) return core::ok();
  if (!content->is_array())
    return Error::invalid_request(where + ".content: must be a string or an array of content parts");
  const auto& parts = content->get_array();
  for (std::size_t j = 0; j < parts.size(); ++j) {
    if (!parts[j].is_object() || wire::string_field(parts[j].get_object(), "type").empty())
      return Error::invalid_request(at(where + ".content", j) + ": must be an object with a \"type\"");
  }
  return core::ok();
}

core::Result<void> check_tool_calls(const json::object& msg, const std::string& where) {
  const json::value* calls = field(msg, "tool_calls");
  if (calls == nullptr) return core::ok();
  if (!calls->is_array()) return Error::invalid_request(where + ".tool_calls: must be an array");
  const auto& list = calls->get_array();
  for (std::size_t k = 0; k < list.size(); ++k) {
    const std::string call = at(where + ".tool_calls", k);
    const json::object* obj = list[k].if_object();
    if (obj == nullptr) return Error::invalid_request(call + ": must be an object");
    if (wire::string_field(*obj, "id").empty()) return Error::invalid_request(call + ".id: missing or empty");
    const json::object* fn = wire::object_field(*obj, "function");
    if (fn == nullptr) return Error::invalid_request(call + ".function: missing");
    if (wire::string_field(*fn, "name").empty())
      return Error::invalid_request(call + ".function.name: missing or empty");
    const json::value* args = field(*fn, "arguments");
    if (args != nullptr && !args->is_string())
      return Error::invalid_request(call + ".function.arguments: must be a string of JSON");
  }
  return core::ok();
}

core::Result<void> check_message(const json::value& value, std::size_t i) {
  const std::string where = at("messages", i);
  const json::object* msg = value.if_object();
  if (msg == nullptr) return Error::invalid_request(where + ": must be an object");
  const json::value* role_value = field(*msg, "role");
  if (role_value == nullptr || !role_value->is_string())
    return Error::invalid_request(where + ".role: missing (system, developer, user, assistant or tool)");
  const std::string_view role = role_value->get_string();
  if (role == "system" || role == "developer" || role == "user") return check_content(*msg, where, false);
  if (role == "assistant") {
    if (auto r = check_content(*msg, where, true); !r) return r;
    return check_tool_calls(*msg, where);
  }
  if (role == "tool") {
    if (wire::string_field(*msg, "tool_call_id").empty())
      return Error::invalid_request(where + ".tool_call_id: a tool message must name the tool call it answers");
    return check_content(*msg, where, false);
  }
  if (role == "function")
    return Error::invalid_request(where + ".role: \"function\" is deprecated and not supported; send the result "
                                          "as a \"tool\" message with tool_call_id");
  return Error::invalid_request(where + ".role: unknown role \"" + std::string(role) +
                                "\" (system, developer, user, assistant or tool)");
}

core::Result<void> check_tools(const json::object& body) {
  const json::value* tools = field(body, "tools");
  if (tools == nullptr) return core::ok();
  if (!tools->is_array()) return Error::invalid_request("tools: must be an array");
  const auto& list = tools->get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = at("tools", i);
    const json::object* tool = list[i].if_object();
    if (tool == nullptr) return Error::invalid_request(where + ": must be an object");
    const json::object* fn = wire::object_field(*tool, "function");
    if (fn == nullptr || wire::string_field(*fn, "name").empty())
      return Error::invalid_request(where + ".function.name: missing or empty");
    const json::value* params = field(*fn, "parameters");
    if (params != nullptr && !params->is_object())
      return Error::invalid_request(where + ".function.parameters: must be a JSON schema object");
  }
  return core::ok();
}

core::Result<void> check_stop(const json::object& body) {
  const json::value* stop = field(body, "stop");
  if (stop == nullptr || stop->is_string()) return core::ok();
  if (stop->is_array() && std::all_of(stop->get_array().begin(), stop->get_array().end(),
                                      [](const json::value& s) { return s.is_string(); }))
    return core::ok();
  return Error::invalid_request("stop: must be a string or an array of strings");
}

}  // namespace

core::Result<ChatRequest> parse_chat_request(std::string_view text) {
  auto doc = wire::parse_json(text);
  if (!doc || !doc->is_object()) return Error::invalid_request("the request body must be a JSON object");
  if (auto path = wire::non_finite_number_path(*doc)) return Error::invalid_request(*path + ": number out of range");
  // Move-constructed: the body keeps the parse's arena (assigning it to a default-storage object
  // would copy every string, array and object of the messages out of the arena).
  ChatRequest request{std::move(doc->get_object())};
  json::object& body = request.body;

  auto models = wire::take_models(body);
  if (!models) return models.error();
  request.models = std::move(*models);

  const json::array* messages = wire::array_field(body, "messages");
  if (messages == nullptr || messages->empty())
    return Error::invalid_request("messages: must be a non-empty array of messages");
  for (std::size_t i = 0; i < messages->size(); ++i)
    if (auto r = check_message((*messages)[i], i); !r) return r.error();

  if (const json::value* stream = field(body, "stream")) {
    if (!stream->is_bool()) return Error::invalid_request("stream: must be true or false");
    request.stream = stream->get_bool();
  }
  if (const json::value* options = field(body, "stream_options")) {
    if (!options->is_object()) return Error::invalid_request("stream_options: must be an object");
    if (const json::value* usage = field(options->get_object(), "include_usage")) {
      if (!usage->is_bool()) return Error::invalid_request("stream_options.include_usage: must be true or false");
      request.include_usage = usage->get_bool();
    }
  }
  for (auto r : {check_numbers(body), check_stop(body), check_tools(body)})
    if (!r) return r.error();
  return request;
}

}  // namespace keyrelay::gateway
