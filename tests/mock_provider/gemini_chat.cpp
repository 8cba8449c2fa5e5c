#include "gemini_chat.h"

#include <set>
#include <vector>

#include "failure_answers.h"
#include "json_util.h"

namespace keyrelay::mock {
namespace {

namespace json = boost::json;

constexpr std::string_view kResponseId = "mock-response-0001";

using Problem = std::string;
using Names = std::set<std::string, std::less<>>;

// Field names as the API knows them (lowerCamelCase; snake_case is accepted as the same name).
const Names kRequestFields = {"contents", "systemInstruction", "tools", "toolConfig", "generationConfig",
                              "safetySettings", "cachedContent", "labels"};
const Names kContentFields = {"role", "parts"};
const Names kPartFields = {"text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode",
                           "codeExecutionResult", "thought", "thoughtSignature", "videoMetadata", "partMetadata"};
const Names kPartData = {"text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode",
                         "codeExecutionResult"};
const Names kGenerationFields = {"stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema",
                                 "responseModalities", "candidateCount", "maxOutputTokens", "temperature", "topP",
                                 "topK", "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs",
                                 "logprobs", "enableEnhancedCivicAnswers", "speechConfig", "thinkingConfig",
                                 "mediaResolution", "imageConfig"};
const Names kToolFields = {"functionDeclarations", "googleSearch", "googleSearchRetrieval", "codeExecution",
                           "urlContext", "retrieval", "computerUse", "fileSearch", "googleMaps"};
const Names kDeclarationFields = {"name", "description", "parameters", "parametersJsonSchema", "response",
                                  "responseJsonSchema", "behavior"};
// The OpenAPI subset of Schema: additionalProperties, $schema, $ref, … are not in it.
const Names kSchemaFields = {"type", "format", "title", "description", "nullable", "enum", "maxItems",
                             "minItems", "properties", "required", "minProperties", "maxProperties",
                             "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
                             "default", "items", "minimum", "maximum"};

// "function_declarations" → "functionDeclarations".
std::string camel(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '_' && i + 1 < name.size() && name[i + 1] >= 'a' && name[i + 1] <= 'z') {
      out += static_cast<char>(name[++i] - 'a' + 'A');
    } else {
      out += name[i];
    }
  }
  return out;
}

// "functionDeclarations" → "function_declarations" (how the API names paths in its messages).
std::string snake(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

Problem unknown_name(std::string_view name, std::string_view at) {
  std::string where = at.empty() ? "" : " at '" + std::string(at) + "'";
  return "Invalid JSON payload received. Unknown name \"" + std::string(name) + "\"" + where + ": Cannot find field.";
}

// Checks every field name of `o` against `known`.
std::optional<Problem> known_names(const json::object& o, const Names& known, std::string_view at) {
  for (const auto& field : o)
    if (!known.contains(camel(field.key()))) return unknown_name(field.key(), at);
  return std::nullopt;
}

// The field `name` of `o` under either spelling.
const json::value* field(const json::object& o, std::string_view name) {
  if (const auto* v = o.if_contains(name)) return v;
  return o.if_contains(snake(name));
}

std::optional<Problem> check_schema(const json::value& schema, const std::string& at) {
  if (!schema.is_object())
    return "Invalid value at '" + at + "' (type.googleapis.com/google.ai.generativelanguage.v1beta.Schema)";
  const auto& o = schema.as_object();
  if (auto problem = known_names(o, kSchemaFields, at)) return problem;
  if (const auto* properties = field(o, "properties")) {
    if (!properties->is_object()) return "Invalid value at '" + at + ".properties'";
    for (const auto& p : properties->as_object())
      if (auto problem = check_schema(p.value(), at + ".properties[" + std::string(p.key()) + "].value"))
        return problem;
  }
  if (const auto* items = field(o, "items"))
    if (auto problem = check_schema(*items, at + ".items")) return problem;
  if (const auto* any_of = field(o, "anyOf")) {
    if (!any_of->is_array()) return "Invalid value at '" + at + ".any_of'";
    for (std::size_t i = 0; i < any_of->as_array().size(); ++i)
      if (auto problem = check_schema(any_of->as_array()[i], at + ".any_of[" + std::to_string(i) + "]")) return problem;
  }
  return std::nullopt;
}

bool is_valid_function_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(name[0])) return false;
  for (char c : name)
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '.' && c != '-' && c != ':') return false;
  return true;
}

// The text a functionResponse gives back: response.content, .result or .output when it is a
// string, else the whole response as JSON.
std::string function_response_text(const json::object& response) {
  for (std::string_view key : {"content", "result", "output"})
    if (auto text = string_at(response, key)) return *text;
  return json::serialize(response);
}

struct Turn {
  std::string text;
  std::optional<std::string> tool_result;
};

std::optional<Problem> read_part(const json::value& value, const std::string& at, Turn& turn, std::size_t& words) {
  if (!value.is_object())
    return "Invalid value at '" + at + "' (type.googleapis.com/google.ai.generativelanguage.v1beta.Part)";
  const auto& part = value.as_object();
  if (auto problem = known_names(part, kPartFields, at)) return problem;
  std::size_t data_fields = 0;
  for (const auto& f : part) data_fields += kPartData.contains(camel(f.key())) ? 1 : 0;
  if (data_fields != 1)
    return "* GenerateContentRequest." + at + ".data: required oneof field 'data' must have one initialized field";
  if (const auto* text = field(part, "text")) {
    if (!text->is_string()) return "Invalid value at '" + at + ".text' (TYPE_STRING)";
    if (!turn.text.empty()) turn.text += ' ';
    turn.text += text->as_string();
    words += count_words(text->as_string());
  }
  if (const auto* call = field(part, "functionCall")) {
    if (!call->is_object() || !string_at(call->as_object(), "name"))
      return "* GenerateContentRequest." + at + ".function_call.name: Name cannot be empty.";
    const auto* args = call->as_object().if_contains("args");
    if (args != nullptr && !args->is_object())
      return "Invalid value at '" + at + ".function_call.args' (type.googleapis.com/google.protobuf.Struct)";
  }
  if (const auto* response = field(part, "functionResponse")) {
    if (!response->is_object() || string_at(response->as_object(), "name").value_or("").empty())
      return "* GenerateContentRequest." + at + ".function_response.name: Name cannot be empty.";
    const auto* body = response->as_object().if_contains("response");
    if (body == nullptr || !body->is_object())
      return "Invalid value at '" + at + ".function_response.response' (type.googleapis.com/google.protobuf.Struct)";
    const std::string text = function_response_text(body->as_object());
    words += count_words(text);
    turn.tool_result = text;
  }
  return std::nullopt;
}

// A Content (of "contents" or the system instruction) at `at`.
std::optional<Problem> read_content(const json::value& value, const std::string& at, bool system, Turn& turn,
                                    std::size_t& words) {
  if (!value.is_object())
    return "Invalid value at '" + at + "' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content)";
  const auto& content = value.as_object();
  if (auto problem = known_names(content, kContentFields, at)) return problem;
  if (!system) {
    const auto role = string_at(content, "role").value_or("user");
    if (role != "user" && role != "model") return std::string("Please use a valid role: user, model.");
  }
  const auto* parts = content.if_contains("parts");
  if (parts == nullptr || !parts->is_array() || parts->as_array().empty())
    return "* GenerateContentRequest." + at + ".parts: contents.parts must not be empty.";
  for (std::size_t i = 0; i < parts->as_array().size(); ++i)
    if (auto problem = read_part(parts->as_array()[i], at + ".parts[" + std::to_string(i) + "]", turn, words))
      return problem;
  return std::nullopt;
}

std::optional<Problem> read_tools(const json::object& body, ChatCall& call) {
  const auto* tools = field(body, "tools");
  if (tools == nullptr) return std::nullopt;
  if (!tools->is_array())
    return std::string("Invalid value at 'tools' (type.googleapis.com/google.ai.generativelanguage.v1beta.Tool)");
  for (std::size_t i = 0; i < tools->as_array().size(); ++i) {
    const std::string at = "tools[" + std::to_string(i) + "]";
    const auto& tool = tools->as_array()[i];
    if (!tool.is_object())
      return "Invalid value at '" + at + "' (type.googleapis.com/google.ai.generativelanguage.v1beta.Tool)";
    if (auto problem = known_names(tool.as_object(), kToolFields, at)) return problem;
    const auto* declarations = field(tool.as_object(), "functionDeclarations");
    if (declarations == nullptr) continue;
    if (!declarations->is_array()) return "Invalid value at '" + at + ".function_declarations'";
    for (std::size_t j = 0; j < declarations->as_array().size(); ++j) {
      const std::string decl_at = at + ".function_declarations[" + std::to_string(j) + "]";
      const auto& decl = declarations->as_array()[j];
      if (!decl.is_object()) return "Invalid value at '" + decl_at + "'";
      if (auto problem = known_names(decl.as_object(), kDeclarationFields, decl_at)) return problem;
      const auto name = string_at(decl.as_object(), "name").value_or("");
      if (name.empty()) return "* GenerateContentRequest." + decl_at + ".name: Name cannot be empty.";
      if (!is_valid_function_name(name))
        return "* GenerateContentRequest." + decl_at + ".name: Invalid function name. Must start with a letter or an "
               "underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:) or dashes (-), "
               "with a maximum length of 64.";
      if (const auto* parameters = decl.as_object().if_contains("parameters"))
        if (auto problem = check_schema(*parameters, decl_at + ".parameters")) return problem;
      if (!call.first_tool) call.first_tool = name;
    }
  }
  if (const auto* config = field(body, "toolConfig"); config != nullptr && config->is_object()) {
    if (const auto* calling = field(config->as_object(), "functionCallingConfig");
        calling != nullptr && calling->is_object()) {
      const auto mode = string_at(calling->as_object(), "mode").value_or("AUTO");
      static const Names kModes = {"MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"};
      if (!kModes.contains(mode))
        return "Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/"
               "google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), \"" + mode + "\"";
      if (mode == "NONE") call.first_tool.reset();
    }
  }
  return std::nullopt;
}

std::optional<Problem> read_generation_config(const json::object& body) {
  const auto* config = field(body, "generationConfig");
  if (config == nullptr) return std::nullopt;
  if (!config->is_object())
    return std::string(
        "Invalid value at 'generation_config' "
        "(type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig)");
  const auto& o = config->as_object();
  if (auto problem = known_names(o, kGenerationFields, "generation_config")) return problem;
  if (const auto* t = field(o, "temperature")) {
    const auto value = number_of(*t);
    if (!value || *value < 0 || *value > 2)
      return std::string("* GenerateContentRequest.generation_config.temperature: must be in [0.0, 2.0]");
  }
  for (std::string_view name : {"maxOutputTokens", "candidateCount"}) {
    const auto* v = field(o, name);
    if (v != nullptr && !is_integer_at_least(*v, 1))
      return "* GenerateContentRequest.generation_config." + snake(name) + ": must be a positive integer";
  }
  return std::nullopt;
}

std::optional<Problem> read_body(const json::object& body, ChatCall& call) {
  if (auto problem = known_names(body, kRequestFields, "")) return problem;
  if (const auto* system = field(body, "systemInstruction")) {
    Turn ignored;
    const std::size_t before = call.input_words;
    if (auto problem = read_content(*system, "system_instruction", true, ignored, call.input_words)) return problem;
    call.system_words = call.input_words - before;
  }
  const auto* contents = field(body, "contents");
  if (contents == nullptr || !contents->is_array() || contents->as_array().empty())
    return std::string("* GenerateContentRequest.contents: contents is not specified");
  for (std::size_t i = 0; i < contents->as_array().size(); ++i) {
    Turn turn;
    const auto& content = contents->as_array()[i];
    if (auto problem = read_content(content, "contents[" + std::to_string(i) + "]", false, turn, call.input_words))
      return problem;
    const bool is_user = string_at(content.as_object(), "role").value_or("user") == "user";
    if (is_user && !turn.text.empty()) call.last_user_text = turn.text;
    call.tool_result = turn.tool_result;
  }
  if (auto problem = read_generation_config(body)) return problem;
  return read_tools(body, call);
}

// ---- writing --------------------------------------------------------------------------------

// promptTokenCount includes cachedContentTokenCount.
json::object usage_of(const ChatReply& reply, bool complete) {
  json::object usage{{"promptTokenCount", reply.input_tokens}, {"totalTokenCount", reply.input_tokens}};
  if (reply.cached_tokens > 0) usage["cachedContentTokenCount"] = reply.cached_tokens;
  if (!complete) return usage;
  usage["candidatesTokenCount"] = reply.output_tokens;
  usage["totalTokenCount"] = reply.input_tokens + reply.output_tokens;
  return usage;
}

json::object response_of(const ChatCall& call, json::array parts, bool last, const ChatReply& reply) {
  json::object candidate{{"content", {{"parts", std::move(parts)}, {"role", "model"}}}, {"index", 0}};
  if (last) candidate["finishReason"] = "STOP";
  return {{"candidates", json::array{std::move(candidate)}},
          {"usageMetadata", usage_of(reply, last)},
          {"modelVersion", call.model},
          {"responseId", kResponseId}};
}

json::array parts_of(const ChatReply& reply) {
  if (reply.tool_call)
    return {json::object{
        {"functionCall", {{"name", reply.tool_call->name}, {"args", {{"query", reply.tool_call->query}}}}}}};
  return {json::object{{"text", reply.text}}};
}

}  // namespace

std::optional<GeminiTarget> gemini_chat_target(std::string_view rest) {
  // v1beta (keyrelay's translation) and v1 (the google-genai SDK's default) alike.
  std::string_view name;
  for (std::string_view prefix : {"/v1beta/models/", "/v1/models/"})
    if (rest.starts_with(prefix)) name = rest.substr(prefix.size());
  if (name.empty()) return std::nullopt;
  const auto colon = name.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const std::string_view action = name.substr(colon + 1);
  if (action != "generateContent" && action != "streamGenerateContent") return std::nullopt;
  std::string model;
  for (std::size_t i = 0; i < colon; ++i) {  // percent-decode; '+' stays (it is a path)
    if (name[i] == '%' && i + 2 < colon) {
      model += percent_decode(name.substr(i, 3));
      i += 2;
    } else {
      model += name[i];
    }
  }
  if (model.find('/') != std::string::npos) return std::nullopt;
  return GeminiTarget{model, action == "streamGenerateContent"};
}

std::variant<ChatCall, Answer> read_gemini_chat(const Provider& p, const Incoming& in, const GeminiTarget& target) {
  if (target.stream && query_param(in.query, "alt").value_or("") != "sse")
    return bad_request_answer(p, "mock provider: streamGenerateContent is served only with alt=sse");
  const auto body = parse_object(in.body);
  if (!body) return bad_request_answer(p, "Invalid JSON payload received. Expected a JSON object.");
  ChatCall call;
  call.model = target.model;
  call.stream = target.stream;
  if (auto problem = read_body(*body, call)) return bad_request_answer(p, *problem);
  return call;
}

Answer gemini_chat_answer(const ChatCall& call, const ChatReply& reply) {
  if (!call.stream) return json_answer(200, response_of(call, parts_of(reply), true, reply));
  Answer a;
  a.headers = sse_headers();
  if (reply.tool_call) {
    a.events.push_back(sse_event("", response_of(call, parts_of(reply), true, reply)));
    return a;
  }
  const auto pieces = word_pieces(reply.text);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const bool last = i + 1 == pieces.size();
    a.events.push_back(sse_event("", response_of(call, json::array{json::object{{"text", pieces[i]}}}, last, reply)));
  }
  return a;
}

}  // namespace keyrelay::mock
