// Anthropic Messages request → OpenAI chat request (PROVIDERS.md 3.1, read right to left): the
// reverse of anthropic_request.cpp, so that the OpenAI and Gemini translators serve /v1/messages.

#include <boost/json/serialize.hpp>

#include "gateway/wire/message_parts.h"
#include "gateway/wire/messages_wire.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway {
namespace {

using core::Error;
using wire::field;
using wire::indexed;
using wire::object_field;
using wire::string_field;
namespace json = boost::json;

core::Result<json::object> image_part(const json::object& block, const std::string& where) {
  const json::object& source = *object_field(block, "source");  // parse_messages_request checked it
  const std::string_view type = string_field(source, "type");
  std::string url;
  if (type == "base64" && !string_field(source, "media_type").empty() && !string_field(source, "data").empty()) {
    url = "data:" + std::string(string_field(source, "media_type")) + ";base64," + std::string(string_field(source, "data"));
  } else if (type == "url" && !string_field(source, "url").empty()) {
    url = string_field(source, "url");
  } else {
    return Error::invalid_request(where + ".source: only base64 images (with media_type and data) and url images "
                                          "can be sent to this model");
  }
  return json::object{{"type", "image_url"}, {"image_url", json::object{{"url", std::move(url)}}}};
}

// A tool result's content as the text of a tool message: a string, or its text blocks joined with
// '\n'. A tool message carries text only, so an image in a result is refused rather than dropped.
core::Result<std::string> tool_result_text(const json::object& block, const std::string& where) {
  const json::value* content = field(block, "content");
  if (content == nullptr) return std::string();
  if (content->is_string()) return std::string(content->get_string());
  std::string text;
  const auto& blocks = content->get_array();
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    const json::object* inner = blocks[k].if_object();
    if (inner == nullptr || string_field(*inner, "type") != "text")
      return Error::invalid_request(indexed(where + ".content", k) + ": a tool result sent to this model may hold only text");
    if (!text.empty()) text.push_back('\n');
    text.append(string_field(*inner, "text"));
  }
  return text;
}

// A user turn: its tool results first, as tool messages (OpenAI wants them right after the
// assistant's tool calls), then its text and images as one user message.
core::Result<void> user_messages(const json::object& message, const std::string& where, json::array& out) {
  const json::value& content = message.at("content");
  if (content.is_string()) {
    out.push_back(json::object{{"role", "user"}, {"content", content}});
    return core::ok();
  }
  json::array parts;
  const auto& blocks = content.get_array();
  for (std::size_t j = 0; j < blocks.size(); ++j) {
    const json::object& block = blocks[j].get_object();
    const std::string block_at = indexed(where + ".content", j);
    const std::string_view type = string_field(block, "type");
    if (type == "text") {
      parts.push_back(json::object{{"type", "text"}, {"text", block.at("text")}});
    } else if (type == "image") {
      auto part = image_part(block, block_at);
      if (!part) return part.error();
      parts.push_back(std::move(*part));
    } else if (type == "tool_result") {
      auto text = tool_result_text(block, block_at);
      if (!text) return text.error();
      out.push_back(json::object{
          {"role", "tool"}, {"tool_call_id", string_field(block, "tool_use_id")}, {"content", std::move(*text)}});
    } else {
      return Error::invalid_request(block_at + ".type: \"" + std::string(type) +
                                    "\" blocks cannot be sent to this model (text, image and tool_result can)");
    }
  }
  if (!parts.empty()) out.push_back(json::object{{"role", "user"}, {"content", std::move(parts)}});
  return core::ok();
}

// An assistant turn: its text blocks as the content, its tool_use blocks as tool_calls. Earlier
// thinking blocks are the model's own notes and are not sent back to another model.
core::Result<void> assistant_message(const json::object& message, const std::string& where, json::array& out) {
  const json::value& content = message.at("content");
  if (content.is_string()) {
    out.push_back(json::object{{"role", "assistant"}, {"content", content}});
    return core::ok();
  }
  std::string text;
  json::array calls;
  const auto& blocks = content.get_array();
  for (std::size_t j = 0; j < blocks.size(); ++j) {
    const json::object& block = blocks[j].get_object();
    const std::string_view type = string_field(block, "type");
    if (type == "text") {
      text.append(block.at("text").get_string());
    } else if (type == "tool_use") {
      calls.push_back(json::object{
          {"id", string_field(block, "id")},
          {"type", "function"},
          {"function", json::object{{"name", string_field(block, "name")}, {"arguments", json::serialize(block.at("input"))}}}});
    } else if (type != "thinking" && type != "redacted_thinking") {
      return Error::invalid_request(indexed(where + ".content", j) + ".type: \"" + std::string(type) +
                                    "\" blocks cannot be sent to this model (text and tool_use can)");
    }
  }
  if (text.empty() && calls.empty()) return core::ok();
  json::object out_message{{"role", "assistant"}};
  out_message["content"] = text.empty() ? json::value(nullptr) : json::value(text);
  if (!calls.empty()) out_message["tool_calls"] = std::move(calls);
  out.push_back(std::move(out_message));
  return core::ok();
}

std::string system_prompt(const json::object& body) {
  const json::value* system = field(body, "system");
  if (system == nullptr) return {};
  if (system->is_string()) return std::string(system->get_string());
  std::string text;
  for (const auto& block : system->get_array()) {
    if (!text.empty()) text.push_back('\n');
    text.append(block.get_object().at("text").get_string());
  }
  return text;
}

core::Result<json::array> chat_messages(const json::object& body) {
  json::array out;
  if (const std::string system = system_prompt(body); !system.empty())
    out.push_back(json::object{{"role", "system"}, {"content", system}});
  const auto& messages = body.at("messages").get_array();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const json::object& message = messages[i].get_object();
    const std::string where = indexed("messages", i);
    auto added = string_field(message, "role") == "user" ? user_messages(message, where, out)
                                                          : assistant_message(message, where, out);
    if (!added) return added.error();
  }
  return out;
}

core::Result<json::array> chat_tools(const json::array& tools) {
  json::array out;
  for (std::size_t i = 0; i < tools.size(); ++i) {
    const json::object& tool = tools[i].get_object();
    const std::string_view type = string_field(tool, "type");
    if (!type.empty() && type != "custom")
      return Error::invalid_request(indexed("tools", i) + ".type: \"" + std::string(type) +
                                    "\" is one of Anthropic's server tools; this model takes only custom tools");
    json::object function{{"name", string_field(tool, "name")}, {"parameters", tool.at("input_schema")}};
    if (const json::value* description = field(tool, "description")) function["description"] = *description;
    out.push_back(json::object{{"type", "function"}, {"function", std::move(function)}});
  }
  return out;
}

void translate_tool_choice(const json::object& choice, json::object& out) {
  const std::string_view type = string_field(choice, "type");
  if (type == "any") out["tool_choice"] = "required";
  else if (type == "tool") out["tool_choice"] = json::object{{"type", "function"}, {"function", {{"name", string_field(choice, "name")}}}};
  else out["tool_choice"] = type;  // auto, none
  const json::value* serial = field(choice, "disable_parallel_tool_use");
  if (serial != nullptr && serial->is_bool() && serial->get_bool() && type != "none") out["parallel_tool_calls"] = false;
}

void translate_sampling(const json::object& in, json::object& out) {
  out["max_tokens"] = wire::integral(in.at("max_tokens"));
  if (const json::value* t = field(in, "temperature")) out["temperature"] = *t;
  if (const json::value* p = field(in, "top_p")) out["top_p"] = *p;
  if (const json::array* stop = wire::array_field(in, "stop_sequences"); stop != nullptr && !stop->empty())
    out["stop"] = *stop;
  if (const json::object* metadata = object_field(in, "metadata"))
    if (const json::value* user = field(*metadata, "user_id"); user != nullptr && user->is_string()) out["user"] = *user;
}

}  // namespace

core::Result<ChatRequest> chat_request_of_messages(const MessagesRequest& request) {
  const json::object& in = request.body;
  auto messages = chat_messages(in);
  if (!messages) return messages.error();
  if (messages->empty()) return Error::invalid_request("messages: there is nothing to send to this model");
  json::object out{{"model", request.models.front()}, {"messages", std::move(*messages)}};
  translate_sampling(in, out);
  if (const json::array* tools = wire::array_field(in, "tools"); tools != nullptr && !tools->empty()) {
    auto translated = chat_tools(*tools);
    if (!translated) return translated.error();
    out["tools"] = std::move(*translated);
    if (const json::object* choice = object_field(in, "tool_choice")) translate_tool_choice(*choice, out);
  }
  if (request.stream) {
    out["stream"] = true;
    out["stream_options"] = json::object{{"include_usage", true}};
  }
  // Through the chat parser, whose checks every chat translator relies on.
  return parse_chat_request(json::serialize(out));
}

}  // namespace keyrelay::gateway
