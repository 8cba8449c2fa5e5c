#include "gateway/wire/openai_shapes.h"

#include <boost/json/serialize.hpp>

#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {

json::object usage_json(const TokenUsage& usage) {
  json::object o{{"prompt_tokens", usage.input_tokens},
                 {"completion_tokens", usage.output_tokens},
                 {"total_tokens", usage.input_tokens + usage.output_tokens}};
  // OpenAI's own place for cache hits, so a client sees them whichever provider answered.
  if (usage.cached_input_tokens > 0) o["prompt_tokens_details"] = json::object{{"cached_tokens", usage.cached_input_tokens}};
  return o;
}

json::object tool_call_json(std::string_view id, std::string_view name, std::string arguments) {
  return json::object{{"id", id},
                      {"type", "function"},
                      {"function", json::object{{"name", name}, {"arguments", std::move(arguments)}}}};
}

std::string completion_body(const ResponseMeta& meta, const Completion& c) {
  json::array choices;
  for (std::size_t i = 0; i < c.choices.size(); ++i) {
    const Choice& choice = c.choices[i];
    json::object message{{"role", "assistant"}};
    if (choice.text.empty()) message["content"] = nullptr;
    else message["content"] = choice.text;
    if (!choice.tool_calls.empty()) message["tool_calls"] = choice.tool_calls;
    choices.push_back(json::object{
        {"index", i}, {"message", std::move(message)}, {"logprobs", nullptr}, {"finish_reason", choice.finish_reason}});
  }
  json::object body{
      {"id", meta.id},
      {"object", "chat.completion"},
      {"created", meta.created},
      {"model", c.model.empty() ? meta.model : c.model},
      {"choices", std::move(choices)},
  };
  if (c.usage.reported) body["usage"] = usage_json(c.usage);
  return json::serialize(body);
}

json::object ChunkWriter::chunk() const {
  return json::object{{"id", meta_.id}, {"object", "chat.completion.chunk"}, {"created", meta_.created},
                      {"model", meta_.model}};
}

void ChunkWriter::delta(json::object delta, std::string& out, std::size_t choice) const {
  json::object c = chunk();
  c["choices"] = json::array{json::object{{"index", choice}, {"delta", std::move(delta)}, {"finish_reason", nullptr}}};
  out.append(data_event(c));
}

void ChunkWriter::role(std::string& out, std::size_t choice) const {
  delta(json::object{{"role", "assistant"}, {"content", ""}}, out, choice);
}

void ChunkWriter::content(std::string_view text, std::string& out, std::size_t choice) const {
  delta(json::object{{"content", text}}, out, choice);
}

void ChunkWriter::tool_call_start(std::size_t index, std::string_view id, std::string_view name,
                                  std::string_view arguments, std::string& out, std::size_t choice) const {
  json::object call{{"index", index},
                    {"id", id},
                    {"type", "function"},
                    {"function", json::object{{"name", name}, {"arguments", arguments}}}};
  delta(json::object{{"tool_calls", json::array{std::move(call)}}}, out, choice);
}

void ChunkWriter::tool_call_arguments(std::size_t index, std::string_view fragment, std::string& out,
                                      std::size_t choice) const {
  json::object call{{"index", index}, {"function", json::object{{"arguments", fragment}}}};
  delta(json::object{{"tool_calls", json::array{std::move(call)}}}, out, choice);
}

void ChunkWriter::finish(std::string_view finish_reason, std::string& out, std::size_t choice) const {
  json::object c = chunk();
  c["choices"] = json::array{json::object{{"index", choice}, {"delta", json::object{}}, {"finish_reason", finish_reason}}};
  out.append(data_event(c));
}

void ChunkWriter::usage(const TokenUsage& usage, std::string& out) const {
  json::object c = chunk();
  c["choices"] = json::array{};
  c["usage"] = usage_json(usage);
  out.append(data_event(c));
}

}  // namespace keyrelay::gateway::wire
