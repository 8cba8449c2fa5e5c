// OpenAI chat request → Anthropic Messages request (PROVIDERS.md 3.1).

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "gateway/wire/anthropic_wire.h"
#include "gateway/wire/message_parts.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {
namespace {

using core::Error;

json::object image_block(const Image& image) {
  json::object source = image.is_inline()
                            ? json::object{{"type", "base64"}, {"media_type", image.media_type}, {"data", image.data}}
                            : json::object{{"type", "url"}, {"url", image.url}};
  return json::object{{"type", "image"}, {"source", std::move(source)}};
}

// The content of a message as Anthropic blocks. Empty text is left out (Anthropic refuses empty
// text blocks); an assistant's earlier "refusal" part goes back as the text it was.
core::Result<json::array> content_blocks(const json::object& message, const std::string& where) {
  json::array blocks;
  const json::value* content = field(message, "content");
  if (content == nullptr) return blocks;
  if (content->is_string()) {
    if (!content->get_string().empty()) blocks.push_back(json::object{{"type", "text"}, {"text", content->get_string()}});
    return blocks;
  }
  const auto& parts = content->get_array();  // parse_chat_request checked: objects with a "type"
  for (std::size_t j = 0; j < parts.size(); ++j) {
    const json::object& part = parts[j].get_object();
    const std::string_view type = string_field(part, "type");
    const std::string part_at = indexed(where + ".content", j);
    if (type == "text" || type == "refusal") {
      const std::string_view text = string_field(part, type == "text" ? "text" : "refusal");
      if (!text.empty()) blocks.push_back(json::object{{"type", "text"}, {"text", text}});
    } else if (type == "image_url") {
      auto image = image_of_part(part, part_at);
      if (!image) return image.error();
      blocks.push_back(image_block(*image));
    } else {
      return Error::invalid_request(part_at + ".type: \"" + std::string(type) +
                                    "\" parts cannot be sent to an Anthropic model (text and image_url can)");
    }
  }
  return blocks;
}

core::Result<json::array> assistant_blocks(const json::object& message, const std::string& where) {
  auto blocks = content_blocks(message, where);
  if (!blocks) return blocks;
  const json::array* calls = array_field(message, "tool_calls");
  if (calls == nullptr) return blocks;
  for (std::size_t k = 0; k < calls->size(); ++k) {
    const json::object& call = (*calls)[k].get_object();
    const json::object& function = call.at("function").get_object();
    auto input = arguments_of(function, indexed(where + ".tool_calls", k));
    if (!input) return input.error();
    blocks->push_back(json::object{{"type", "tool_use"},
                                   {"id", string_field(call, "id")},
                                   {"name", string_field(function, "name")},
                                   {"input", std::move(*input)}});
  }
  return blocks;
}

// A tool message becomes one tool_result block (it joins the user turn that follows the tool use).
core::Result<json::array> tool_result_blocks(const json::object& message, const std::string& where) {
  json::object result{{"type", "tool_result"}, {"tool_use_id", string_field(message, "tool_call_id")}};
  const json::value* content = field(message, "content");
  if (content != nullptr && content->is_string()) {
    if (!content->get_string().empty()) result["content"] = content->get_string();
  } else {
    auto blocks = content_blocks(message, where);
    if (!blocks) return blocks;
    if (!blocks->empty()) result["content"] = std::move(*blocks);
  }
  return json::array{std::move(result)};
}

// Appends a turn; Anthropic wants user and assistant to alternate, so a turn of the same role as
// the previous one is merged into it (this is also how consecutive tool results share one turn).
// A turn with no blocks left (e.g. content "") is dropped.
void push_turn(json::array& turns, std::string_view role, json::array blocks) {
  if (blocks.empty()) return;
  if (!turns.empty() && turns.back().get_object().at("role").get_string() == role) {
    json::array& content = turns.back().get_object().at("content").get_array();
    for (auto& b : blocks) content.push_back(std::move(b));
    return;
  }
  turns.push_back(json::object{{"role", role}, {"content", std::move(blocks)}});
}

// System and developer messages, wherever they stand, are hoisted into the top-level `system`
// string, joined with a blank line.
core::Result<void> translate_messages(const json::array& messages, json::object& body) {
  std::string system;
  json::array turns;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const json::object& message = messages[i].get_object();
    const std::string where = indexed("messages", i);
    const std::string_view role = string_field(message, "role");
    core::Result<json::array> blocks = json::array{};
    if (role == "system" || role == "developer") {
      auto text = system_text(message, where);
      if (!text) return text.error();
      if (!text->empty()) system.append(system.empty() ? "" : "\n\n").append(*text);
      continue;
    }
    if (role == "assistant") blocks = assistant_blocks(message, where);
    else if (role == "tool") blocks = tool_result_blocks(message, where);
    else blocks = content_blocks(message, where);
    if (!blocks) return blocks.error();
    push_turn(turns, role == "assistant" ? "assistant" : "user", std::move(*blocks));
  }
  if (turns.empty())
    return Error::invalid_request("messages: an Anthropic model needs at least one non-empty user or assistant message");
  if (!system.empty()) body["system"] = system;
  body["messages"] = std::move(turns);
  return core::ok();
}

json::array tools_of(const json::array& tools) {
  json::array out;
  for (const auto& t : tools) {
    const json::object& function = t.get_object().at("function").get_object();
    json::object tool{{"name", string_field(function, "name")}};
    if (const json::value* d = field(function, "description")) tool["description"] = *d;
    const json::object* params = object_field(function, "parameters");
    tool["input_schema"] =
        params != nullptr ? json::value(*params) : json::value(json::object{{"type", "object"}, {"properties", json::object{}}});
    out.push_back(std::move(tool));
  }
  return out;
}

core::Result<json::object> tool_choice_of(const json::value* choice) {
  if (choice == nullptr) return json::object{{"type", "auto"}};
  if (choice->is_string()) {
    const std::string_view s = choice->get_string();
    if (s == "none" || s == "auto") return json::object{{"type", s}};
    if (s == "required") return json::object{{"type", "any"}};
  } else if (const json::object* obj = choice->if_object()) {
    const json::object* function = object_field(*obj, "function");
    if (function != nullptr && !string_field(*function, "name").empty())
      return json::object{{"type", "tool"}, {"name", string_field(*function, "name")}};
  }
  return Error::invalid_request(
      "tool_choice: must be \"none\", \"auto\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":…}}");
}

// tools, tool_choice and parallel_tool_calls. Sent only with tools: Anthropic rejects a tool_choice
// without them, and without tools there is nothing to choose.
core::Result<void> translate_tools(const json::object& request, json::object& body) {
  const json::array* tools = array_field(request, "tools");
  if (tools == nullptr || tools->empty()) return core::ok();
  body["tools"] = tools_of(*tools);
  const json::value* choice = field(request, "tool_choice");
  auto tool_choice = tool_choice_of(choice);
  if (!tool_choice) return tool_choice.error();
  const json::value* parallel = field(request, "parallel_tool_calls");
  const bool serial = parallel != nullptr && parallel->is_bool() && !parallel->get_bool();
  if (serial && tool_choice->at("type").get_string() != "none") (*tool_choice)["disable_parallel_tool_use"] = true;
  if (choice != nullptr || serial) body["tool_choice"] = std::move(*tool_choice);
  return core::ok();
}

core::Result<void> refuse_inexpressible(const json::object& request) {
  if (const json::value* n = field(request, "n"); n != nullptr && integer_of(*n).value_or(1) > 1)
    return Error::invalid_request("n: Anthropic models give one choice per request; n must be 1");
  if (const json::value* format = field(request, "response_format")) {
    if (!format->is_object() || string_field(format->get_object(), "type") != "text")
      return Error::invalid_request(
          "response_format: Anthropic has no JSON mode here; only {\"type\":\"text\"} can be sent to an Anthropic model");
  }
  return core::ok();
}

json::value max_tokens_of(const json::object& request, const WireOptions& options) {
  for (std::string_view key : {"max_completion_tokens", "max_tokens"})
    if (const json::value* v = field(request, key)) return integral(*v);
  return options.anthropic_default_max_tokens;
}

}  // namespace

// Request fields without an Anthropic counterpart (presence_penalty, frequency_penalty, seed,
// logprobs, logit_bias, …) are not sent; those that cannot be honoured silently (n, response_format)
// are refused.
core::Result<UpstreamCall> build_anthropic_call(const ChatRequest& request, std::string_view model,
                                                const WireOptions& options) {
  const json::object& in = request.body;
  if (auto r = refuse_inexpressible(in); !r) return r.error();
  json::object body{{"model", model}};
  if (auto r = translate_messages(in.at("messages").get_array(), body); !r) return r.error();
  body["max_tokens"] = max_tokens_of(in, options);
  // OpenAI's 0–2 is clamped into Anthropic's 0–1, not rescaled: a client that sends 0.7 means 0.7 on
  // every provider, and only the values Anthropic cannot take are changed.
  if (const json::value* t = field(in, "temperature"))
    body["temperature"] = number_of(*t).value_or(1) > 1 ? json::value(1) : *t;
  if (const json::value* p = field(in, "top_p")) body["top_p"] = *p;
  if (const json::value* stop = field(in, "stop")) {
    json::array sequences = stop->is_string() ? json::array{*stop} : stop->get_array();
    if (!sequences.empty()) body["stop_sequences"] = std::move(sequences);
  }
  if (auto r = translate_tools(in, body); !r) return r.error();
  if (const json::value* user = field(in, "user"); user != nullptr && user->is_string())
    body["metadata"] = json::object{{"user_id", *user}};
  if (request.stream) body["stream"] = true;
  return UpstreamCall{"/v1/messages", json::serialize(body)};
}

}  // namespace keyrelay::gateway::wire
