// OpenAI chat.completion.chunk events → Anthropic Messages events (PROVIDERS.md 3.3, read right to
// left), and the chain that puts it behind a wire's chat stream translator: Gemini or OpenAI-wire
// bytes → OpenAI chunks (chat_wire.h) → Anthropic events.

#include <map>

#include "gateway/wire/event_stream.h"
#include "gateway/wire/messages_shapes.h"
#include "gateway/wire/messages_stream.h"
#include "gateway/wire/openai_wire.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {
namespace {

using core::Error;

class ChunksToMessages final : public EventStream {
 public:
  explicit ChunksToMessages(ResponseMeta meta) : meta_(std::move(meta)) {}

  TokenUsage usage() const override { return usage_; }
  std::string model() const override { return meta_.model; }

 protected:
  core::Result<void> on_event(const SseEvent& event, std::string& out) override {
    if (done_) return core::ok();
    if (event.data == "[DONE]") {
      start(out);
      end(out);
      return core::ok();
    }
    const auto doc = parse_json(event.data);
    if (!doc || !doc->is_object()) return Error::upstream_error("the provider's stream sent data that is not JSON");
    const json::object& chunk = doc->get_object();
    if (chunk.contains("error")) {
      const std::string_view message = error_message_of(chunk);
      return Error::upstream_error(message.empty() ? "the provider's stream reported an error" : std::string(message));
    }
    if (!started_)
      if (const std::string_view model = string_field(chunk, "model"); !model.empty()) meta_.model = std::string(model);
    start(out);
    if (auto usage = usage_of_openai(chunk)) usage_ = *usage;
    if (const json::array* choices = array_field(chunk, "choices"))
      for (const auto& value : *choices)
        if (const json::object* choice = value.if_object(); choice != nullptr && count_field(*choice, "index") == 0)
          on_choice(*choice, out);
    return core::ok();
  }

  core::Result<void> on_end(std::string&) override {
    if (!done_) return Error::upstream_error("the provider's stream ended before it was complete");
    return core::ok();
  }

 private:
  enum class Block { none, text, tool };

  void start(std::string& out) {
    if (started_) return;
    started_ = true;
    out.append(anthropic_event(json::object{
        {"type", "message_start"},
        {"message", json::object{{"id", meta_.id},
                                 {"type", "message"},
                                 {"role", "assistant"},
                                 {"model", meta_.model},
                                 {"content", json::array{}},
                                 {"stop_reason", nullptr},
                                 {"stop_sequence", nullptr},
                                 // Counted by the provider only at the end: message_delta carries them.
                                 {"usage", json::object{{"input_tokens", 0}, {"output_tokens", 0}}}}}}));
    out.append(anthropic_event(json::object{{"type", "ping"}}));
  }

  void on_choice(const json::object& choice, std::string& out) {
    if (const json::object* delta = object_field(choice, "delta")) {
      if (const std::string_view text = string_field(*delta, "content"); !text.empty()) on_text(text, out);
      if (const json::array* calls = array_field(*delta, "tool_calls"))
        for (const auto& call : *calls)
          if (const json::object* c = call.if_object()) on_tool_call(*c, out);
    }
    if (const std::string_view finish = string_field(choice, "finish_reason"); !finish.empty()) finish_ = finish;
  }

  void on_text(std::string_view text, std::string& out) {
    if (open_ != Block::text) open_block(Block::text, json::object{{"type", "text"}, {"text", ""}}, out);
    delta(json::object{{"type", "text_delta"}, {"text", text}}, out);
  }

  // A delta naming an id starts a call (a tool_use block); later ones carry argument fragments.
  void on_tool_call(const json::object& call, std::string& out) {
    const std::uint64_t index = count_field(call, "index");
    const json::object* function = object_field(call, "function");
    if (const std::string_view id = string_field(call, "id"); !id.empty()) {
      const std::string_view name = function != nullptr ? string_field(*function, "name") : "";
      open_block(Block::tool, json::object{{"type", "tool_use"}, {"id", id}, {"name", name}, {"input", json::object{}}}, out);
      tool_blocks_[index] = block_index_;
    }
    const std::string_view fragment = function != nullptr ? string_field(*function, "arguments") : "";
    const auto block = tool_blocks_.find(index);
    // Fragments of a call whose block is closed already (calls interleaved) cannot be placed.
    if (fragment.empty() || block == tool_blocks_.end() || block->second != block_index_ || open_ != Block::tool) return;
    delta(json::object{{"type", "input_json_delta"}, {"partial_json", fragment}}, out);
  }

  void open_block(Block kind, json::object block, std::string& out) {
    close_block(out);
    ++block_index_;
    open_ = kind;
    out.append(anthropic_event(
        json::object{{"type", "content_block_start"}, {"index", block_index_}, {"content_block", std::move(block)}}));
  }

  void close_block(std::string& out) {
    if (open_ == Block::none) return;
    out.append(anthropic_event(json::object{{"type", "content_block_stop"}, {"index", block_index_}}));
    open_ = Block::none;
  }

  void delta(json::object delta, std::string& out) {
    out.append(anthropic_event(
        json::object{{"type", "content_block_delta"}, {"index", block_index_}, {"delta", std::move(delta)}}));
  }

  void end(std::string& out) {
    done_ = true;
    close_block(out);
    out.append(anthropic_event(json::object{
        {"type", "message_delta"},
        {"delta", json::object{{"stop_reason", stop_reason_of_finish(finish_)}, {"stop_sequence", nullptr}}},
        {"usage", anthropic_usage_json(usage_)}}));
    out.append(anthropic_event(json::object{{"type", "message_stop"}}));
  }

  ResponseMeta meta_;
  bool started_ = false;
  bool done_ = false;
  Block open_ = Block::none;
  std::int64_t block_index_ = -1;                    // of the block opened last
  std::map<std::uint64_t, std::int64_t> tool_blocks_;  // OpenAI tool call index → content block index
  std::string finish_;
  TokenUsage usage_;
};

// `first` turns the provider's bytes into OpenAI chunks, `second` those chunks into Anthropic events.
class ChainedStream final : public StreamTranslator {
 public:
  ChainedStream(std::unique_ptr<StreamTranslator> first, std::unique_ptr<StreamTranslator> second)
      : first_(std::move(first)), second_(std::move(second)) {}

  core::Result<void> feed(std::string_view bytes, std::string& out) override {
    std::string chunks;
    auto fed = first_->feed(bytes, chunks);
    // What came before a failing event is valid and goes on before the error.
    if (!chunks.empty())
      if (auto passed = second_->feed(chunks, out); !passed) return passed;
    return fed;
  }

  core::Result<void> finish(std::string& out) override {
    std::string chunks;
    if (auto finished = first_->finish(chunks); !finished) return finished;
    std::string events;
    if (auto passed = second_->feed(chunks, events); !passed) return passed;
    if (auto finished = second_->finish(events); !finished) return finished;
    out.append(events);
    return core::ok();
  }

  // The provider's own count, as the first translator read it.
  TokenUsage usage() const override { return first_->usage(); }
  std::string model() const override { return first_->model(); }

 private:
  std::unique_ptr<StreamTranslator> first_;
  std::unique_ptr<StreamTranslator> second_;
};

}  // namespace

std::unique_ptr<StreamTranslator> make_chunks_to_messages(ResponseMeta meta) {
  return std::make_unique<ChunksToMessages>(std::move(meta));
}

std::unique_ptr<StreamTranslator> chain_streams(std::unique_ptr<StreamTranslator> first,
                                                std::unique_ptr<StreamTranslator> second) {
  return std::make_unique<ChainedStream>(std::move(first), std::move(second));
}

}  // namespace keyrelay::gateway::wire
