#pragma once
// The OpenAI shapes the Anthropic and Gemini translators produce: the usage object, a
// chat.completion, and the chat.completion.chunk events of a stream, written in one place so that
// both wires answer byte-for-byte alike.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "gateway/wire/chat_wire.h"

namespace keyrelay::gateway::wire {

// {"prompt_tokens","completion_tokens","total_tokens"}
boost::json::object usage_json(const TokenUsage& usage);

// One choice of a translated answer: the assistant message and how it ended.
struct Choice {
  std::string text;               // the text parts concatenated; content is null when it is empty
  boost::json::array tool_calls;  // OpenAI tool_calls entries
  std::string_view finish_reason;
};

// A translated answer.
struct Completion {
  std::string model;  // as the provider named it, else meta.model
  std::vector<Choice> choices;
  TokenUsage usage;
};

// The chat.completion JSON of `c` with meta's id and created.
std::string completion_body(const ResponseMeta& meta, const Completion& c);

// {"type":"function","id","function":{"name","arguments"}} as OpenAI lists a tool call.
boost::json::object tool_call_json(std::string_view id, std::string_view name, std::string arguments);

// Writes the chat.completion.chunk events of one translated stream, each as "data: {...}\n\n".
// Every chunk carries meta's id and created and the model fixed by set_model() (meta.model until then).
// `choice` is the index of the choice the delta belongs to (0 unless the client asked n > 1).
class ChunkWriter {
 public:
  explicit ChunkWriter(ResponseMeta meta) : meta_(std::move(meta)) {}

  void set_model(std::string model) { meta_.model = std::move(model); }

  // {"role":"assistant","content":""}: the first chunk of every stream.
  void role(std::string& out, std::size_t choice = 0) const;
  void content(std::string_view text, std::string& out, std::size_t choice = 0) const;
  // The first delta of tool call `index` (the ordinal of the call in this choice, from 0).
  void tool_call_start(std::size_t index, std::string_view id, std::string_view name, std::string_view arguments,
                       std::string& out, std::size_t choice = 0) const;
  void tool_call_arguments(std::size_t index, std::string_view fragment, std::string& out, std::size_t choice = 0) const;
  // Empty delta with the finish_reason.
  void finish(std::string_view finish_reason, std::string& out, std::size_t choice = 0) const;
  // {"choices":[],"usage":{...}}
  void usage(const TokenUsage& usage, std::string& out) const;

 private:
  boost::json::object chunk() const;
  void delta(boost::json::object delta, std::string& out, std::size_t choice) const;

  ResponseMeta meta_;
};

}  // namespace keyrelay::gateway::wire
