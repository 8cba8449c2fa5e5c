// OpenAI chat request → Gemini generateContent request (PROVIDERS.md 3.1).

#include <algorithm>
#include <map>

#include <boost/json/serialize.hpp>

#include "core/encoding.h"
#include "gateway/wire/gemini_wire.h"
#include "gateway/wire/message_parts.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {
namespace {

using core::Error;

// Text and inline images. Gemini fetches no image URLs for AI Studio keys (fileData wants files it
// hosts), so an http(s) image is refused rather than silently dropped.
core::Result<json::array> content_parts(const json::object& message, const std::string& where) {
  json::array parts;
  const json::value* content = field(message, "content");
  if (content == nullptr) return parts;
  if (content->is_string()) {
    if (!content->get_string().empty()) parts.push_back(json::object{{"text", content->get_string()}});
    return parts;
  }
  const auto& items = content->get_array();  // parse_chat_request checked: objects with a "type"
  for (std::size_t j = 0; j < items.size(); ++j) {
    const json::object& part = items[j].get_object();
    const std::string_view type = string_field(part, "type");
    const std::string part_at = indexed(where + ".content", j);
    if (type == "text" || type == "refusal") {
      const std::string_view text = string_field(part, type == "text" ? "text" : "refusal");
      if (!text.empty()) parts.push_back(json::object{{"text", text}});
    } else if (type == "image_url") {
      auto image = image_of_part(part, part_at);
      if (!image) return image.error();
      if (!image->is_inline())
        return Error::invalid_request(part_at + ".image_url.url: a Gemini model takes images only as data: URLs");
      parts.push_back(json::object{{"inlineData", json::object{{"mimeType", image->media_type}, {"data", image->data}}}});
    } else {
      return Error::invalid_request(part_at + ".type: \"" + std::string(type) +
                                    "\" parts cannot be sent to a Gemini model (text and image_url can)");
    }
  }
  return parts;
}

// Gemini answers a call by function name, OpenAI by call id: the names of earlier calls by id.
using CallNames = std::map<std::string, std::string, std::less<>>;

core::Result<json::array> model_parts(const json::object& message, const std::string& where, CallNames& names) {
  auto parts = content_parts(message, where);
  if (!parts) return parts;
  const json::array* calls = array_field(message, "tool_calls");
  if (calls == nullptr) return parts;
  for (std::size_t k = 0; k < calls->size(); ++k) {
    const json::object& call = (*calls)[k].get_object();
    const json::object& function = call.at("function").get_object();
    auto args = arguments_of(function, indexed(where + ".tool_calls", k));
    if (!args) return args.error();
    const std::string_view name = string_field(function, "name");
    names[std::string(string_field(call, "id"))] = std::string(name);
    parts->push_back(json::object{{"functionCall", json::object{{"name", name}, {"args", std::move(*args)}}}});
  }
  return parts;
}

// The tool's answer as Gemini's `response` object: the content itself when it is a JSON object,
// else {"content": <text>}.
core::Result<json::array> function_response_parts(const json::object& message, const std::string& where,
                                                  const CallNames& names) {
  const std::string_view id = string_field(message, "tool_call_id");
  const auto name = names.find(id);
  if (name == names.end())
    return Error::invalid_request(where + ".tool_call_id: \"" + std::string(id) +
                                  "\" answers no earlier assistant tool call (Gemini needs the function's name)");
  std::string text;
  const json::value* content = field(message, "content");
  if (content != nullptr && content->is_string()) {
    text = content->get_string();
  } else if (content != nullptr) {
    for (const auto& part : content->get_array()) text.append(string_field(part.get_object(), "text"));
  }
  auto parsed = parse_json(text);
  json::object response = parsed && parsed->is_object() ? std::move(parsed->get_object()) : json::object{{"content", text}};
  return json::array{
      json::object{{"functionResponse", json::object{{"name", name->second}, {"response", std::move(response)}}}}};
}

// Consecutive turns of one role are merged (parallel function responses belong in one turn);
// a turn with no parts left is dropped.
void push_turn(json::array& contents, std::string_view role, json::array parts) {
  if (parts.empty()) return;
  if (!contents.empty() && contents.back().get_object().at("role").get_string() == role) {
    json::array& existing = contents.back().get_object().at("parts").get_array();
    for (auto& p : parts) existing.push_back(std::move(p));
    return;
  }
  contents.push_back(json::object{{"role", role}, {"parts", std::move(parts)}});
}

// System and developer messages, wherever they stand, become the one systemInstruction text,
// joined with a blank line (as for Anthropic).
core::Result<void> translate_messages(const json::array& messages, json::object& body) {
  std::string system;
  json::array contents;
  CallNames names;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const json::object& message = messages[i].get_object();
    const std::string where = indexed("messages", i);
    const std::string_view role = string_field(message, "role");
    if (role == "system" || role == "developer") {
      auto text = system_text(message, where);
      if (!text) return text.error();
      if (!text->empty()) system.append(system.empty() ? "" : "\n\n").append(*text);
      continue;
    }
    core::Result<json::array> parts = json::array{};
    if (role == "assistant") parts = model_parts(message, where, names);
    else if (role == "tool") parts = function_response_parts(message, where, names);
    else parts = content_parts(message, where);
    if (!parts) return parts.error();
    push_turn(contents, role == "assistant" ? "model" : "user", std::move(*parts));
  }
  if (contents.empty())
    return Error::invalid_request("messages: a Gemini model needs at least one non-empty user or assistant message");
  body["contents"] = std::move(contents);
  if (!system.empty()) body["systemInstruction"] = json::object{{"parts", json::array{json::object{{"text", system}}}}};
  return core::ok();
}

core::Result<json::object> calling_config_of(const json::value& choice) {
  if (choice.is_string()) {
    const std::string_view s = choice.get_string();
    if (s == "none") return json::object{{"mode", "NONE"}};
    if (s == "auto") return json::object{{"mode", "AUTO"}};
    if (s == "required") return json::object{{"mode", "ANY"}};
  } else if (const json::object* obj = choice.if_object()) {
    const json::object* function = object_field(*obj, "function");
    if (function != nullptr && !string_field(*function, "name").empty())
      return json::object{{"mode", "ANY"}, {"allowedFunctionNames", json::array{string_field(*function, "name")}}};
  }
  return Error::invalid_request(
      "tool_choice: must be \"none\", \"auto\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":…}}");
}

// tools and tool_choice, sent only with tools (as for Anthropic). parallel_tool_calls has no Gemini
// counterpart and is not sent.
core::Result<void> translate_tools(const json::object& request, json::object& body) {
  const json::array* tools = array_field(request, "tools");
  if (tools == nullptr || tools->empty()) return core::ok();
  json::array declarations;
  for (const auto& t : *tools) {
    const json::object& function = t.get_object().at("function").get_object();
    json::object declaration{{"name", string_field(function, "name")}};
    if (const json::value* d = field(function, "description")) declaration["description"] = *d;
    if (const json::object* params = object_field(function, "parameters")) declaration["parameters"] = gemini_schema(*params);
    declarations.push_back(std::move(declaration));
  }
  body["tools"] = json::array{json::object{{"functionDeclarations", std::move(declarations)}}};
  if (const json::value* choice = field(request, "tool_choice")) {
    auto config = calling_config_of(*choice);
    if (!config) return config.error();
    body["toolConfig"] = json::object{{"functionCallingConfig", std::move(*config)}};
  }
  return core::ok();
}

core::Result<void> translate_response_format(const json::object& request, json::object& config) {
  const json::value* format = field(request, "response_format");
  if (format == nullptr) return core::ok();
  const std::string_view type = format->is_object() ? string_field(format->get_object(), "type") : "";
  if (type == "text") return core::ok();
  if (type == "json_object") {
    config["responseMimeType"] = "application/json";
    return core::ok();
  }
  if (type == "json_schema") {
    const json::object* spec = object_field(format->get_object(), "json_schema");
    const json::object* schema = spec != nullptr ? object_field(*spec, "schema") : nullptr;
    if (schema == nullptr) return Error::invalid_request("response_format.json_schema.schema: missing");
    config["responseMimeType"] = "application/json";
    config["responseSchema"] = gemini_schema(*schema);
    return core::ok();
  }
  return Error::invalid_request("response_format.type: must be \"text\", \"json_object\" or \"json_schema\"");
}

core::Result<json::object> generation_config_of(const json::object& request) {
  json::object config;
  if (const json::value* t = field(request, "temperature")) config["temperature"] = *t;
  if (const json::value* p = field(request, "top_p")) config["topP"] = *p;
  for (std::string_view key : {"max_completion_tokens", "max_tokens"}) {
    if (const json::value* v = field(request, key)) {
      config["maxOutputTokens"] = integral(*v);
      break;
    }
  }
  if (const json::value* stop = field(request, "stop")) {
    json::array sequences = stop->is_string() ? json::array{*stop} : stop->get_array();
    if (!sequences.empty()) config["stopSequences"] = std::move(sequences);
  }
  if (const json::value* n = field(request, "n")) config["candidateCount"] = integral(*n);
  if (auto r = translate_response_format(request, config); !r) return r.error();
  return config;
}

}  // namespace

bool is_gemini_model_name(std::string_view model) {
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (model.empty() || model.size() > 128 || !alnum(model.front())) return false;
  return std::all_of(model.begin(), model.end(), [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

// Request fields without a Gemini counterpart (user, parallel_tool_calls, logprobs, seed, the
// penalties, …) are not sent.
core::Result<UpstreamCall> build_gemini_call(const ChatRequest& request, std::string_view model) {
  if (!is_gemini_model_name(model))
    return Error::invalid_request("model: \"" + std::string(model.substr(0, 130)) +
                                  "\" is not a Gemini model name (letters, digits, '.', '_', '-'; at most 128)");
  const json::object& in = request.body;
  json::object body;
  if (auto r = translate_messages(in.at("messages").get_array(), body); !r) return r.error();
  if (auto r = translate_tools(in, body); !r) return r.error();
  auto config = generation_config_of(in);
  if (!config) return config.error();
  if (!config->empty()) body["generationConfig"] = std::move(*config);
  std::string path = "/v1beta/models/" + core::percent_encode(model);
  path += request.stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
  return UpstreamCall{std::move(path), json::serialize(body)};
}

}  // namespace keyrelay::gateway::wire
