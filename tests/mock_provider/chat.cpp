#include "chat.h"

#include <algorithm>

#include <boost/json.hpp>

namespace keyrelay::mock {
namespace {

namespace json = boost::json;

constexpr std::size_t kToolCallTokens = 5;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// True when `i` is the start of a UTF-8 character (not a continuation byte).
bool starts_character(std::string_view text, std::size_t i) {
  return i >= text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
}

}  // namespace

ChatReply reply_to(std::string_view provider_id, const ChatCall& call) {
  ChatReply reply;
  reply.input_tokens = call.input_words;
  reply.cached_tokens = call.system_words;
  if (call.tool_result) {
    reply.text = "Tool said: " + *call.tool_result;
  } else if (call.first_tool) {
    ToolCall tool;
    tool.name = *call.first_tool;
    tool.query = call.last_user_text;
    tool.arguments_json = json::serialize(json::object{{"query", call.last_user_text}});
    reply.tool_call = std::move(tool);
    reply.output_tokens = kToolCallTokens;
    return reply;
  } else {
    reply.text = "Hello from " + std::string(provider_id) + " (" + call.model + "): " + call.last_user_text;
  }
  reply.output_tokens = count_words(reply.text);
  return reply;
}

std::size_t count_words(std::string_view text) {
  std::size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    if (is_space(c)) {
      in_word = false;
    } else if (!in_word) {
      in_word = true;
      ++words;
    }
  }
  return words;
}

std::vector<std::string> word_pieces(std::string_view text) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;   // whitespace before the word
    while (i < text.size() && !is_space(text[i])) ++i;  // the word
    std::size_t end = i;
    std::size_t after = i;
    while (after < text.size() && is_space(text[after])) ++after;
    if (after == text.size()) end = after;  // trailing whitespace stays with the last word
    pieces.emplace_back(text.substr(start, end - start));
    start = end;
    i = end;
  }
  return pieces;
}

std::vector<std::string> json_fragments(std::string_view json) {
  if (json.size() < 2) return {std::string(json)};
  // Cut at a third and at two thirds, moved forward to a character boundary.
  std::size_t first = json.size() / 3;
  std::size_t second = 2 * json.size() / 3;
  while (first < json.size() && !starts_character(json, first)) ++first;
  if (second < first + 1) second = first + 1;
  while (second < json.size() && !starts_character(json, second)) ++second;
  first = std::max<std::size_t>(first, 1);
  std::vector<std::string> out{std::string(json.substr(0, first))};
  if (second < json.size()) {
    out.emplace_back(json.substr(first, second - first));
    out.emplace_back(json.substr(second));
  } else {
    out.emplace_back(json.substr(first));
  }
  return out;
}

}  // namespace keyrelay::mock
