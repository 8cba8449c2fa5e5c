#include "openai_chat.h"

#include <set>
#include <string>
#include <vector>

#include "failure_answers.h"
#include "json_util.h"

namespace keyrelay::mock {
namespace {

namespace json = boost::json;

constexpr std::string_view kId = "chatcmpl-mock0001";
constexpr std::int64_t kCreated = 1700000000;
constexpr std::string_view kToolCallId = "call_mock0001";

// What is wrong with a request: OpenAI's message and the "param" it names.
struct Problem {
  std::string message;
  std::string param;
};

Problem missing(const std::string& param) { return {"Missing required parameter: '" + param + "'.", param}; }

Problem wrong_type(const std::string& param, std::string_view expected, const json::value& got) {
  return {"Invalid type for '" + param + "': expected " + std::string(expected) + ", but got " +
              std::string(json_type_name(got)) + " instead.",
          param};
}

// The text parts of a message content (a string, null or an array of typed parts), joined by ' '.
std::optional<Problem> read_content(const json::value& content, const std::string& param, std::string& text) {
  text.clear();
  if (content.is_null()) return std::nullopt;
  if (content.is_string()) {
    text = content.as_string();
    return std::nullopt;
  }
  if (!content.is_array()) return wrong_type(param, "one of a string or array of objects", content);
  static const std::set<std::string, std::less<>> kPartTypes = {"text", "image_url", "input_audio", "file", "refusal"};
  const auto& parts = content.as_array();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string where = param + "[" + std::to_string(i) + "]";
    if (!parts[i].is_object()) return wrong_type(where, "an object", parts[i]);
    const auto& part = parts[i].as_object();
    const auto type = string_at(part, "type");
    if (!type) return missing(where + ".type");
    if (!kPartTypes.contains(*type))
      return Problem{"Invalid value: '" + *type + "'. Supported values are: 'text', 'image_url', 'input_audio', "
                     "'refusal', and 'file'.",
                     where + ".type"};
    if (*type != "text") continue;
    const auto part_text = string_at(part, "text");
    if (!part_text) return missing(where + ".text");
    if (!text.empty()) text += ' ';
    text += *part_text;
  }
  return std::nullopt;
}

// Checks an assistant message's tool_calls and adds their ids to `pending`.
std::optional<Problem> read_tool_calls(const json::value& calls, const std::string& param,
                                       std::set<std::string>& pending) {
  if (!calls.is_array()) return wrong_type(param, "an array of objects", calls);
  if (calls.as_array().empty())
    return Problem{"Invalid '" + param + "': empty array. Expected an array with minimum length 1, but got an "
                   "empty array instead.",
                   param};
  for (std::size_t i = 0; i < calls.as_array().size(); ++i) {
    const auto& entry = calls.as_array()[i];
    const std::string where = param + "[" + std::to_string(i) + "]";
    if (!entry.is_object()) return wrong_type(where, "an object", entry);
    const auto& call = entry.as_object();
    const auto id = string_at(call, "id");
    if (!id) return missing(where + ".id");
    if (string_at(call, "type").value_or("") != "function") return missing(where + ".type");
    const auto* function = call.if_contains("function");
    if (function == nullptr) return missing(where + ".function");
    if (!function->is_object()) return wrong_type(where + ".function", "an object", *function);
    if (!string_at(function->as_object(), "name")) return missing(where + ".function.name");
    const auto* arguments = function->as_object().if_contains("arguments");
    if (arguments == nullptr) return missing(where + ".function.arguments");
    if (!arguments->is_string()) return wrong_type(where + ".function.arguments", "a string", *arguments);
    pending.insert(*id);
  }
  return std::nullopt;
}

std::string joined(const std::set<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

Problem unanswered_tool_calls(std::size_t assistant_index, const std::set<std::string>& pending) {
  return {"An assistant message with 'tool_calls' must be followed by tool messages responding to each "
          "'tool_call_id'. The following tool_call_ids did not have response messages: " + joined(pending),
          "messages.[" + std::to_string(assistant_index) + "].role"};
}

std::optional<Problem> read_messages(const json::value& value, ChatCall& call) {
  if (!value.is_array()) return wrong_type("messages", "an array of objects", value);
  const auto& messages = value.as_array();
  if (messages.empty())
    return Problem{"Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty "
                   "array instead.",
                   "messages"};
  static const std::set<std::string, std::less<>> kRoles = {"system",    "developer", "user",
                                                            "assistant", "tool",      "function"};
  std::set<std::string> pending;          // tool_call_ids of the last assistant message not yet answered
  std::size_t pending_from = 0;           // index of that assistant message
  bool after_tool_calls = false;          // the messages since it are all tool messages
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!messages[i].is_object()) return wrong_type(where, "an object", messages[i]);
    const auto& message = messages[i].as_object();
    const auto role = string_at(message, "role");
    if (!role) return missing(where + ".role");
    if (!kRoles.contains(*role))
      return Problem{"Invalid value: '" + *role + "'. Supported values are: 'system', 'assistant', 'user', "
                     "'function', 'tool', and 'developer'.",
                     where + ".role"};
    if (*role != "tool" && !pending.empty()) return unanswered_tool_calls(pending_from, pending);
    if (*role != "tool") after_tool_calls = false;

    const auto* content = message.if_contains("content");
    const bool has_tool_calls = *role == "assistant" && message.contains("tool_calls") &&
                                !message.at("tool_calls").is_null();
    if ((content == nullptr || content->is_null()) && !has_tool_calls && *role != "assistant")
      return missing(where + ".content");
    std::string text;
    if (content != nullptr)
      if (auto problem = read_content(*content, where + ".content", text)) return problem;
    call.input_words += count_words(text);
    if (*role == "system" || *role == "developer") call.system_words += count_words(text);
    ++call.messages;

    if (has_tool_calls) {
      if (auto problem = read_tool_calls(message.at("tool_calls"), where + ".tool_calls", pending)) return problem;
      pending_from = i;
      after_tool_calls = true;
    }
    if (*role == "tool") {
      const auto id = string_at(message, "tool_call_id");
      if (!id) return missing(where + ".tool_call_id");
      if (!after_tool_calls || pending.erase(*id) == 0)
        return Problem{"Invalid parameter: messages with role 'tool' must be a response to a preceeding message "
                       "with 'tool_calls'.",
                       where + ".role"};
    }
    if (*role == "user") call.last_user_text = text;
    call.tool_result = *role == "tool" ? std::optional<std::string>(text) : std::nullopt;
  }
  if (!pending.empty()) return unanswered_tool_calls(pending_from, pending);
  return std::nullopt;
}

std::optional<Problem> read_tools(const json::object& body, ChatCall& call) {
  const auto* tools = body.if_contains("tools");
  if (tools == nullptr || tools->is_null()) return std::nullopt;
  if (!tools->is_array()) return wrong_type("tools", "an array of objects", *tools);
  if (tools->as_array().empty())
    return Problem{"Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array "
                   "instead.",
                   "tools"};
  for (std::size_t i = 0; i < tools->as_array().size(); ++i) {
    const auto& entry = tools->as_array()[i];
    const std::string where = "tools[" + std::to_string(i) + "]";
    if (!entry.is_object()) return wrong_type(where, "an object", entry);
    if (string_at(entry.as_object(), "type").value_or("") != "function") return missing(where + ".type");
    const auto* function = entry.as_object().if_contains("function");
    if (function == nullptr) return missing(where + ".function");
    if (!function->is_object()) return wrong_type(where + ".function", "an object", *function);
    const auto name = string_at(function->as_object(), "name");
    if (!name || name->empty()) return missing(where + ".function.name");
    if (i == 0) call.first_tool = *name;
  }
  const auto* choice = body.if_contains("tool_choice");
  if (choice != nullptr && choice->is_string() && choice->as_string() == "none") call.first_tool.reset();
  return std::nullopt;
}

std::optional<Problem> read_body(const json::object& body, ChatCall& call) {
  const auto model = string_at(body, "model");
  if (!model || model->empty()) return Problem{"you must provide a model parameter", ""};
  call.model = *model;
  const auto* messages = body.if_contains("messages");
  if (messages == nullptr) return missing("messages");
  if (auto problem = read_messages(*messages, call)) return problem;

  if (const auto* stream = body.if_contains("stream"); stream != nullptr && !stream->is_null()) {
    if (!stream->is_bool()) return wrong_type("stream", "a boolean", *stream);
    call.stream = stream->as_bool();
  }
  if (const auto* options = body.if_contains("stream_options"); options != nullptr && !options->is_null()) {
    if (!call.stream)
      return Problem{"The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options"};
    if (!options->is_object()) return wrong_type("stream_options", "an object", *options);
    if (const auto* usage = options->as_object().if_contains("include_usage")) {
      if (!usage->is_bool()) return wrong_type("stream_options.include_usage", "a boolean", *usage);
      call.include_usage = usage->as_bool();
    }
  }
  for (std::string_view field : {"max_tokens", "max_completion_tokens", "n"}) {
    const auto* v = body.if_contains(field);
    if (v != nullptr && !v->is_null() && !is_integer_at_least(*v, 1))
      return Problem{"Invalid '" + std::string(field) + "': expected an integer of at least 1.", std::string(field)};
  }
  if (const auto* t = body.if_contains("temperature"); t != nullptr && !t->is_null()) {
    const auto value = number_of(*t);
    if (!value || *value < 0 || *value > 2)
      return Problem{"Invalid 'temperature': expected a number between 0 and 2.", "temperature"};
  }
  return read_tools(body, call);
}

// ---- writing --------------------------------------------------------------------------------

json::object usage_of(const ChatReply& reply) {
  return {{"prompt_tokens", reply.input_tokens},
          {"completion_tokens", reply.output_tokens},
          {"total_tokens", reply.input_tokens + reply.output_tokens},
          {"prompt_tokens_details", {{"cached_tokens", reply.cached_tokens}}},
          {"completion_tokens_details", {{"reasoning_tokens", 0}}}};
}

std::string_view finish_reason_of(const ChatReply& reply) { return reply.tool_call ? "tool_calls" : "stop"; }

json::object plain_body(const Provider& p, const ChatCall& call, const ChatReply& reply) {
  json::object message{{"role", "assistant"}, {"content", nullptr}, {"refusal", nullptr}};
  if (reply.tool_call) {
    message["tool_calls"] = json::array{{{"id", kToolCallId},
                                         {"type", "function"},
                                         {"function", {{"name", reply.tool_call->name},
                                                       {"arguments", reply.tool_call->arguments_json}}}}};
  } else {
    message["content"] = reply.text;
  }
  json::object body{{"id", kId},
                    {"object", "chat.completion"},
                    {"created", kCreated},
                    {"model", call.model},
                    {"choices", json::array{{{"index", 0},
                                             {"message", std::move(message)},
                                             {"logprobs", nullptr},
                                             {"finish_reason", finish_reason_of(reply)}}}},
                    {"usage", usage_of(reply)},
                    {"system_fingerprint", "fp_mock"}};
  if (p.style == Style::perplexity) body["citations"] = json::array{};
  return body;
}

// One chat.completion.chunk with `delta` and `finish_reason` (null when empty).
std::string chunk(const ChatCall& call, json::object delta, std::string_view finish_reason) {
  json::object c{{"id", kId},
                 {"object", "chat.completion.chunk"},
                 {"created", kCreated},
                 {"model", call.model},
                 {"system_fingerprint", "fp_mock"},
                 {"choices", json::array{{{"index", 0},
                                          {"delta", std::move(delta)},
                                          {"logprobs", nullptr},
                                          {"finish_reason", finish_reason.empty() ? json::value(nullptr)
                                                                                  : json::value(finish_reason)}}}}};
  if (call.include_usage) c["usage"] = nullptr;
  return sse_event("", c);
}

std::vector<std::string> stream_events(const ChatCall& call, const ChatReply& reply) {
  std::vector<std::string> events;
  if (reply.tool_call) {
    events.push_back(chunk(call, {{"role", "assistant"}, {"content", nullptr}}, ""));
    events.push_back(chunk(call,
                           {{"tool_calls", json::array{{{"index", 0},
                                                        {"id", kToolCallId},
                                                        {"type", "function"},
                                                        {"function", {{"name", reply.tool_call->name},
                                                                      {"arguments", ""}}}}}}},
                           ""));
    for (const auto& fragment : json_fragments(reply.tool_call->arguments_json))
      events.push_back(
          chunk(call, {{"tool_calls", json::array{{{"index", 0}, {"function", {{"arguments", fragment}}}}}}}, ""));
  } else {
    events.push_back(chunk(call, {{"role", "assistant"}, {"content", ""}}, ""));
    for (const auto& piece : word_pieces(reply.text)) events.push_back(chunk(call, {{"content", piece}}, ""));
  }
  events.push_back(chunk(call, {}, finish_reason_of(reply)));
  if (call.include_usage) {
    events.push_back(sse_event("", json::object{{"id", kId},
                                                {"object", "chat.completion.chunk"},
                                                {"created", kCreated},
                                                {"model", call.model},
                                                {"system_fingerprint", "fp_mock"},
                                                {"choices", json::array{}},
                                                {"usage", usage_of(reply)}}));
  }
  events.emplace_back("data: [DONE]\n\n");
  return events;
}

}  // namespace

std::variant<ChatCall, Answer> read_openai_chat(const Provider& p, const Incoming& in) {
  const auto body = parse_object(in.body);
  if (!body)
    return bad_request_answer(p, "We could not parse the JSON body of your request. (HINT: This likely means you "
                                 "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)");
  ChatCall call;
  if (auto problem = read_body(*body, call)) return bad_request_answer(p, problem->message, problem->param);
  return call;
}

Answer openai_chat_answer(const Provider& p, const ChatCall& call, const ChatReply& reply) {
  const HeaderFields request_id = {{"x-request-id", "req_mock0001"}};
  if (!call.stream) return json_answer(200, plain_body(p, call, reply), request_id);
  Answer a;
  a.headers = sse_headers();
  a.headers.insert(a.headers.end(), request_id.begin(), request_id.end());
  a.events = stream_events(call, reply);
  return a;
}

}  // namespace keyrelay::mock
