// Anthropic Messages event stream → OpenAI chat.completion.chunk events (PROVIDERS.md 3.3).

#include <map>

#include "gateway/wire/anthropic_wire.h"
#include "gateway/wire/event_stream.h"
#include "gateway/wire/finish_reasons.h"
#include "gateway/wire/openai_shapes.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {
namespace {

using core::Error;

class AnthropicStream final : public EventStream {
 public:
  AnthropicStream(bool include_usage, ResponseMeta meta) : include_usage_(include_usage), writer_(std::move(meta)) {}

  TokenUsage usage() const override { return usage_; }
  std::string model() const override { return model_; }

 protected:
  core::Result<void> on_event(const SseEvent& event, std::string& out) override {
    if (complete_) return core::ok();
    const auto doc = parse_json(event.data);
    if (!doc || !doc->is_object()) return Error::upstream_error("the provider's stream sent data that is not JSON");
    const json::object& data = doc->get_object();
    std::string_view type = string_field(data, "type");
    if (type.empty()) type = event.event;

    if (type == "ping") return core::ok();
    if (type == "error") {
      const std::string_view message = error_message_of(data);
      return Error::upstream_error(message.empty() ? "the provider's stream reported an error" : std::string(message));
    }
    if (type == "message_start") {
      if (const json::object* message = object_field(data, "message")) {
        if (const std::string_view model = string_field(*message, "model"); !model.empty() && !started_) {
          writer_.set_model(std::string(model));
          model_ = std::string(model);
        }
        if (const json::object* usage = object_field(*message, "usage")) usage_ = anthropic_usage(*usage);
      }
      start(out);
    } else if (type == "content_block_start") {
      start(out);
      on_block_start(data, out);
    } else if (type == "content_block_delta") {
      start(out);
      on_block_delta(data, out);
    } else if (type == "message_delta") {
      start(out);
      on_message_delta(data, out);
    } else if (type == "message_stop") {
      start(out);
      end(out);
    }
    // content_block_stop, and event types added later, carry nothing a chunk needs.
    return core::ok();
  }

  core::Result<void> on_end(std::string&) override {
    if (!complete_) return Error::upstream_error("the provider's stream ended before message_stop");
    return core::ok();
  }

 private:
  void start(std::string& out) {
    if (started_) return;
    started_ = true;
    writer_.role(out);
  }

  void on_block_start(const json::object& data, std::string& out) {
    const json::object* block = object_field(data, "content_block");
    if (block == nullptr) return;
    const std::string_view type = string_field(*block, "type");
    if (type == "text") {
      if (const std::string_view text = string_field(*block, "text"); !text.empty()) writer_.content(text, out);
    } else if (type == "tool_use") {
      // OpenAI numbers tool calls from 0 within the answer; Anthropic numbers every content block.
      const std::size_t ordinal = tool_ordinal_.size();
      tool_ordinal_[count_field(data, "index")] = ordinal;
      writer_.tool_call_start(ordinal, string_field(*block, "id"), string_field(*block, "name"), "", out);
    }
    // thinking and server-tool blocks have no place in an OpenAI chunk.
  }

  void on_block_delta(const json::object& data, std::string& out) {
    const json::object* delta = object_field(data, "delta");
    if (delta == nullptr) return;
    const std::string_view type = string_field(*delta, "type");
    if (type == "text_delta") {
      if (const std::string_view text = string_field(*delta, "text"); !text.empty()) writer_.content(text, out);
    } else if (type == "input_json_delta") {
      const auto it = tool_ordinal_.find(count_field(data, "index"));
      const std::string_view fragment = string_field(*delta, "partial_json");
      if (it != tool_ordinal_.end() && !fragment.empty()) writer_.tool_call_arguments(it->second, fragment, out);
    }
  }

  void on_message_delta(const json::object& data, std::string& out) {
    if (const json::object* usage = object_field(data, "usage")) update_anthropic_usage(usage_, *usage);
    const json::object* delta = object_field(data, "delta");
    const std::string_view stop_reason = delta != nullptr ? string_field(*delta, "stop_reason") : std::string_view();
    if (!stop_reason.empty() && !finish_sent_) {
      finish_sent_ = true;
      writer_.finish(finish_reason_of_anthropic(stop_reason), out);
    }
  }

  // message_stop: the usage is final now, so the usage chunk and [DONE] follow at once.
  void end(std::string& out) {
    complete_ = true;
    if (!finish_sent_) {
      finish_sent_ = true;
      writer_.finish("stop", out);
    }
    if (include_usage_) writer_.usage(usage_, out);
    out.append(kDoneEvent);
  }

  bool include_usage_;
  ChunkWriter writer_;
  bool started_ = false;
  bool finish_sent_ = false;
  bool complete_ = false;
  std::map<std::uint64_t, std::size_t> tool_ordinal_;  // content block index → tool call ordinal
  TokenUsage usage_;
  std::string model_;
};

}  // namespace

std::unique_ptr<StreamTranslator> make_anthropic_stream(const ChatRequest& request, ResponseMeta meta) {
  return std::make_unique<AnthropicStream>(request.include_usage, std::move(meta));
}

}  // namespace keyrelay::gateway::wire
