#pragma once
// What a chat answer depends on, whatever the wire: each wire's reader (openai_chat.h,
// anthropic_chat.h, gemini_chat.h) turns a checked request into a ChatCall, reply_to() decides the
// deterministic reply, and the wire's writer renders it plain or as that wire's SSE stream.
// The rules (also in providers.h):
//   text       "Hello from <provider id> (<model>): <last user text>"
//   tool call  when the request declares tools (and does not forbid them) and its last turn is not
//              a tool result: a call of the first declared tool with arguments
//              {"query":"<last user text>"}
//   tool said  when the last turn is a tool result: "Tool said: <its content text>"
//   usage      input = whitespace-separated words of every text of the request (system prompt,
//              every message's text parts, tool-result texts; not tool-call arguments);
//              output = words of the reply text, or 5 for a tool call
//   cache      the words of the system prompt count as the prompt's cached prefix, each wire in
//              its own way: OpenAI prompt_tokens_details.cached_tokens and Gemini
//              cachedContentTokenCount (both part of the prompt count); Anthropic reports them
//              apart from input_tokens, as cache_creation_input_tokens when the request has one
//              message (the first turn writes the cache) and as cache_read_input_tokens otherwise

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyrelay::mock {

struct ChatCall {
  std::string model;
  bool stream = false;
  bool include_usage = false;              // OpenAI: stream_options.include_usage was true
  std::size_t input_words = 0;             // words of every text of the request
  std::size_t system_words = 0;            // of input_words: the system prompt's
  std::size_t messages = 0;                // messages (contents) of the request, the system prompt aside
  std::string last_user_text;              // text parts of the last user turn that has any, joined by ' '
  std::optional<std::string> tool_result;  // the last turn is a tool result: its content text
  std::optional<std::string> first_tool;   // name of the first declared tool, unless tools are turned off
};

struct ToolCall {
  std::string name;
  std::string arguments_json;  // {"query":"<last user text>"}
  std::string query;           // the same value, for wires that send an object
};

struct ChatReply {
  std::string text;                  // when there is no tool call
  std::optional<ToolCall> tool_call;
  std::size_t input_tokens = 0;
  std::size_t output_tokens = 0;
  std::size_t cached_tokens = 0;  // of input_tokens: the cached prefix (the system prompt's words)
};

// The reply of provider `provider_id` to `call`, by the rules above.
ChatReply reply_to(std::string_view provider_id, const ChatCall& call);

// Whitespace-separated words in `text` (ASCII whitespace).
std::size_t count_words(std::string_view text);

// `text` cut into one piece per word, each with the whitespace before it (trailing whitespace goes
// with the last piece), so the pieces concatenate to exactly `text`. A text without words is one
// piece (or none when empty).
std::vector<std::string> word_pieces(std::string_view text);

// `json` cut into three pieces (at least two for any object text) that concatenate to it, never
// inside a multi-byte character: for streaming tool arguments as fragments.
std::vector<std::string> json_fragments(std::string_view json);

}  // namespace keyrelay::mock
