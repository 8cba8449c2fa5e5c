#include "anthropic_chat.h"

#include <set>
#include <string>
#include <vector>

#include "failure_answers.h"
#include "json_util.h"

namespace keyrelay::mock {
namespace {

namespace json = boost::json;

constexpr std::string_view kMessageId = "msg_mock0001";
constexpr std::string_view kToolUseId = "toolu_mock0001";

using Problem = std::string;  // Anthropic's message: "<field path>: <what is wrong>"

const std::set<std::string, std::less<>> kTopLevel = {
    "model",       "messages", "max_tokens", "system",  "metadata",     "stop_sequences", "stream",
    "temperature", "top_p",    "top_k",      "tools",   "tool_choice",  "thinking",       "service_tier",
    "container",   "mcp_servers", "context_management"};

const std::set<std::string, std::less<>> kBlockTypes = {
    "text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking",
    "server_tool_use", "web_search_tool_result", "search_result", "container_upload"};

// The text of a tool_result's content: a string, or its text blocks joined by ' '.
std::optional<Problem> tool_result_text(const json::object& block, const std::string& where, std::string& text) {
  text.clear();
  const auto* content = block.if_contains("content");
  if (content == nullptr || content->is_null()) return std::nullopt;
  if (content->is_string()) {
    text = content->as_string();
    return std::nullopt;
  }
  if (!content->is_array()) return where + ".content: Input should be a valid string or list";
  for (const auto& inner : content->as_array()) {
    if (!inner.is_object()) return where + ".content: Input should be a valid dictionary";
    if (string_at(inner.as_object(), "type").value_or("") != "text") continue;
    if (!text.empty()) text += ' ';
    text += string_at(inner.as_object(), "text").value_or("");
  }
  return std::nullopt;
}

struct Turn {
  std::string text;                // text blocks joined by ' '
  std::set<std::string> tool_uses; // ids of its tool_use blocks
  std::set<std::string> tool_results;
  std::optional<std::string> last_tool_result;
};

std::optional<Problem> read_block(const json::value& value, const std::string& where, bool is_user, Turn& turn,
                                  std::size_t& words) {
  if (!value.is_object()) return where + ": Input should be a valid dictionary";
  const auto& block = value.as_object();
  const auto type = string_at(block, "type");
  if (!type) return where + ".type: Field required";
  if (!kBlockTypes.contains(*type))
    return where + ": Input tag '" + *type + "' found using 'type' does not match any of the expected tags";
  if (*type == "text") {
    const auto text = string_at(block, "text");
    if (!text) return where + ".text: Field required";
    if (text->empty()) return std::string("messages: text content blocks must be non-empty");
    if (!turn.text.empty()) turn.text += ' ';
    turn.text += *text;
    words += count_words(*text);
  } else if (*type == "tool_use") {
    if (is_user) return where + ": tool_use blocks are only allowed in assistant messages";
    const auto id = string_at(block, "id");
    if (!id) return where + ".id: Field required";
    if (!string_at(block, "name")) return where + ".name: Field required";
    const auto* input = block.if_contains("input");
    if (input == nullptr) return where + ".input: Field required";
    if (!input->is_object()) return where + ".input: Input should be a valid dictionary";
    turn.tool_uses.insert(*id);
  } else if (*type == "tool_result") {
    if (!is_user) return where + ": tool_result blocks are only allowed in user messages";
    const auto id = string_at(block, "tool_use_id");
    if (!id) return where + ".tool_use_id: Field required";
    std::string text;
    if (auto problem = tool_result_text(block, where, text)) return problem;
    words += count_words(text);
    turn.tool_results.insert(*id);
    turn.last_tool_result = text;
  }
  return std::nullopt;
}

std::optional<Problem> read_messages(const json::value& value, ChatCall& call) {
  if (!value.is_array()) return std::string("messages: Input should be a valid list");
  const auto& messages = value.as_array();
  if (messages.empty()) return std::string("messages: at least one message is required");
  call.messages = messages.size();
  Turn previous;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string where = "messages." + std::to_string(i);
    if (!messages[i].is_object()) return where + ": Input should be a valid dictionary";
    const auto& message = messages[i].as_object();
    const auto role = string_at(message, "role");
    if (!role) return where + ".role: Field required";
    if (*role == "system")
      return std::string("messages: Unexpected role \"system\". The Messages API accepts a top-level `system` "
                         "parameter, not \"system\" as an input message role.");
    if (*role != "user" && *role != "assistant") return where + ".role: Input should be 'user' or 'assistant'";
    const bool is_user = *role == "user";
    const auto* content = message.if_contains("content");
    if (content == nullptr) return where + ".content: Field required";

    Turn turn;
    const bool is_final_assistant = !is_user && i + 1 == messages.size();
    if (content->is_string()) {
      turn.text = content->as_string();
      if (turn.text.empty() && !is_final_assistant)
        return where + ": all messages must have non-empty content except for the optional final assistant message";
      call.input_words += count_words(turn.text);
    } else if (content->is_array()) {
      if (content->as_array().empty() && !is_final_assistant)
        return where + ": all messages must have non-empty content except for the optional final assistant message";
      for (std::size_t j = 0; j < content->as_array().size(); ++j) {
        if (auto problem = read_block(content->as_array()[j], where + ".content." + std::to_string(j), is_user, turn,
                                      call.input_words))
          return problem;
      }
    } else {
      return where + ".content: Input should be a valid string or list";
    }

    // Every tool_use is answered in the very next message, and only those are answered there.
    for (const auto& id : turn.tool_results) {
      if (!previous.tool_uses.contains(id))
        return where + ".content: unexpected `tool_use_id` found in `tool_result` blocks: " + id +
               ". Each `tool_result` block must have a corresponding `tool_use` block in the previous message.";
    }
    for (const auto& id : previous.tool_uses) {
      if (!turn.tool_results.contains(id))
        return "messages." + std::to_string(i - 1) + ": `tool_use` ids were found without `tool_result` blocks "
               "immediately after: " + id + ". Each `tool_use` block must have a corresponding `tool_result` "
               "block in the next message.";
    }
    if (is_user && !turn.text.empty()) call.last_user_text = turn.text;
    call.tool_result = is_user ? turn.last_tool_result : std::nullopt;
    previous = std::move(turn);
  }
  if (!previous.tool_uses.empty())
    return "messages." + std::to_string(messages.size() - 1) + ": `tool_use` ids were found without `tool_result` "
           "blocks immediately after: " + *previous.tool_uses.begin() + ". Each `tool_use` block must have a "
           "corresponding `tool_result` block in the next message.";
  return std::nullopt;
}

std::optional<Problem> read_system(const json::value& system, ChatCall& call) {
  if (system.is_string()) {
    call.input_words += count_words(system.as_string());
    call.system_words += count_words(system.as_string());
    return std::nullopt;
  }
  if (!system.is_array()) return std::string("system: Input should be a valid string or list");
  for (std::size_t i = 0; i < system.as_array().size(); ++i) {
    const auto& block = system.as_array()[i];
    const std::string where = "system." + std::to_string(i);
    if (!block.is_object() || string_at(block.as_object(), "type").value_or("") != "text")
      return where + ": Input should be a text block";
    const auto text = string_at(block.as_object(), "text");
    if (!text) return where + ".text: Field required";
    call.input_words += count_words(*text);
    call.system_words += count_words(*text);
  }
  return std::nullopt;
}

std::optional<Problem> read_tools(const json::object& body, ChatCall& call) {
  if (const auto* tools = body.if_contains("tools")) {
    if (!tools->is_array()) return std::string("tools: Input should be a valid list");
    static const std::set<std::string, std::less<>> kToolFields = {"name", "description", "input_schema", "type",
                                                                    "cache_control"};
    for (std::size_t i = 0; i < tools->as_array().size(); ++i) {
      const auto& entry = tools->as_array()[i];
      const std::string where = "tools." + std::to_string(i);
      if (!entry.is_object()) return where + ": Input should be a valid dictionary";
      const auto& tool = entry.as_object();
      const auto type = string_at(tool, "type").value_or("custom");
      if (type != "custom")
        return where + ": Input tag '" + type + "' found using 'type' does not match any of the expected tags";
      for (const auto& field : tool)
        if (!kToolFields.contains(field.key())) return where + ".custom." + std::string(field.key()) +
                                                       ": Extra inputs are not permitted";
      const auto name = string_at(tool, "name");
      if (!name || name->empty()) return where + ".custom.name: Field required";
      const auto* schema = tool.if_contains("input_schema");
      if (schema == nullptr) return where + ".custom.input_schema: Field required";
      if (!schema->is_object() || string_at(schema->as_object(), "type").value_or("") != "object")
        return where + ".custom.input_schema.type: Input should be 'object'";
      if (i == 0) call.first_tool = *name;
    }
  }
  if (const auto* choice = body.if_contains("tool_choice")) {
    static const std::set<std::string, std::less<>> kChoices = {"auto", "any", "tool", "none"};
    if (!choice->is_object()) return std::string("tool_choice: Input should be a valid dictionary");
    const auto type = string_at(choice->as_object(), "type");
    if (!type || !kChoices.contains(*type))
      return std::string("tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', "
                         "'none'");
    if (*type == "tool" && !string_at(choice->as_object(), "name"))
      return std::string("tool_choice.tool.name: Field required");
    if (*type == "none") call.first_tool.reset();
  }
  return std::nullopt;
}

std::optional<Problem> read_body(const json::object& body, ChatCall& call) {
  for (const auto& field : body)
    if (!kTopLevel.contains(field.key())) return std::string(field.key()) + ": Extra inputs are not permitted";
  const auto model = string_at(body, "model");
  if (!model || model->empty()) return std::string("model: Field required");
  call.model = *model;
  const auto* max_tokens = body.if_contains("max_tokens");
  if (max_tokens == nullptr) return std::string("max_tokens: Field required");
  if (!is_integer_at_least(*max_tokens, 1)) return std::string("max_tokens: Input should be an integer of at least 1");
  const auto* messages = body.if_contains("messages");
  if (messages == nullptr) return std::string("messages: Field required");
  if (const auto* system = body.if_contains("system"))
    if (auto problem = read_system(*system, call)) return problem;
  if (auto problem = read_messages(*messages, call)) return problem;
  if (const auto* stream = body.if_contains("stream")) {
    if (!stream->is_bool()) return std::string("stream: Input should be a valid boolean");
    call.stream = stream->as_bool();
  }
  if (const auto* t = body.if_contains("temperature")) {
    const auto value = number_of(*t);
    if (!value || *value < 0 || *value > 1) return std::string("temperature: range: 0..1");
  }
  if (const auto* stops = body.if_contains("stop_sequences")) {
    if (!stops->is_array()) return std::string("stop_sequences: Input should be a valid list");
    for (const auto& s : stops->as_array())
      if (!s.is_string()) return std::string("stop_sequences: Input should be a list of strings");
  }
  if (const auto* metadata = body.if_contains("metadata")) {
    if (!metadata->is_object()) return std::string("metadata: Input should be a valid dictionary");
    for (const auto& field : metadata->as_object())
      if (field.key() != "user_id") return "metadata." + std::string(field.key()) + ": Extra inputs are not permitted";
  }
  return read_tools(body, call);
}

// ---- writing --------------------------------------------------------------------------------

// input_tokens leaves out the cached prefix, reported as written (first turn) or read (later ones).
json::object usage_of(const ChatCall& call, const ChatReply& reply, std::size_t output) {
  const bool first_turn = call.messages == 1;
  return {{"input_tokens", reply.input_tokens - reply.cached_tokens},
          {"output_tokens", output},
          {"cache_creation_input_tokens", first_turn ? reply.cached_tokens : 0},
          {"cache_read_input_tokens", first_turn ? 0 : reply.cached_tokens}};
}

std::string_view stop_reason_of(const ChatReply& reply) { return reply.tool_call ? "tool_use" : "end_turn"; }

json::object message_of(const ChatCall& call, json::array content, json::value stop_reason, json::object usage) {
  return {{"id", kMessageId},
          {"type", "message"},
          {"role", "assistant"},
          {"model", call.model},
          {"content", std::move(content)},
          {"stop_reason", std::move(stop_reason)},
          {"stop_sequence", nullptr},
          {"usage", std::move(usage)}};
}

std::vector<std::string> stream_events(const ChatCall& call, const ChatReply& reply) {
  std::vector<std::string> events;
  events.push_back(sse_event(
      "message_start", json::object{{"type", "message_start"},
                                    {"message", message_of(call, {}, nullptr, usage_of(call, reply, 1))}}));
  json::object block;
  if (reply.tool_call) {
    block = {{"type", "tool_use"}, {"id", kToolUseId}, {"name", reply.tool_call->name}, {"input", json::object{}}};
  } else {
    block = {{"type", "text"}, {"text", ""}};
  }
  events.push_back(sse_event("content_block_start",
                             json::object{{"type", "content_block_start"}, {"index", 0}, {"content_block", block}}));
  events.push_back(sse_event("ping", json::object{{"type", "ping"}}));
  auto delta = [&](json::object d) {
    events.push_back(sse_event("content_block_delta",
                               json::object{{"type", "content_block_delta"}, {"index", 0}, {"delta", std::move(d)}}));
  };
  if (reply.tool_call) {
    for (const auto& fragment : json_fragments(reply.tool_call->arguments_json))
      delta({{"type", "input_json_delta"}, {"partial_json", fragment}});
  } else {
    for (const auto& piece : word_pieces(reply.text)) delta({{"type", "text_delta"}, {"text", piece}});
  }
  events.push_back(sse_event("content_block_stop", json::object{{"type", "content_block_stop"}, {"index", 0}}));
  events.push_back(sse_event(
      "message_delta", json::object{{"type", "message_delta"},
                                    {"delta", {{"stop_reason", stop_reason_of(reply)}, {"stop_sequence", nullptr}}},
                                    {"usage", {{"output_tokens", reply.output_tokens}}}}));
  events.push_back(sse_event("message_stop", json::object{{"type", "message_stop"}}));
  return events;
}

}  // namespace

std::variant<ChatCall, Answer> read_anthropic_chat(const Provider& p, const Incoming& in) {
  const auto body = parse_object(in.body);
  if (!body) return bad_request_answer(p, "The request body is not valid JSON (a JSON object is expected).");
  ChatCall call;
  if (auto problem = read_body(*body, call)) return bad_request_answer(p, *problem);
  return call;
}

Answer anthropic_chat_answer(const ChatCall& call, const ChatReply& reply) {
  const HeaderFields request_id = {{"request-id", "req_mock0001"}};
  if (!call.stream) {
    json::array content;
    if (reply.tool_call) {
      content.push_back({{"type", "tool_use"},
                         {"id", kToolUseId},
                         {"name", reply.tool_call->name},
                         {"input", {{"query", reply.tool_call->query}}}});
    } else {
      content.push_back({{"type", "text"}, {"text", reply.text}});
    }
    return json_answer(200,
                       message_of(call, std::move(content), json::value(stop_reason_of(reply)),
                                  usage_of(call, reply, reply.output_tokens)),
                       request_id);
  }
  Answer a;
  a.headers = sse_headers();
  a.headers.insert(a.headers.end(), request_id.begin(), request_id.end());
  a.events = stream_events(call, reply);
  return a;
}

std::string anthropic_overloaded_event() { return sse_event("error", anthropic_overloaded_error()); }

}  // namespace keyrelay::mock
