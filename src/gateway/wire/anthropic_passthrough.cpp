// Anthropic's event stream relayed to a /v1/messages client as it came, event by event (so that
// each flush carries whole events), with the usage read on the way for metering.

#include "gateway/wire/anthropic_wire.h"
#include "gateway/wire/event_stream.h"
#include "gateway/wire/messages_stream.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {
namespace {

using core::Error;

class AnthropicPassthrough final : public EventStream {
 public:
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
    if (type == "error") {
      const std::string_view message = error_message_of(data);
      return Error::upstream_error(message.empty() ? "the provider's stream reported an error" : std::string(message));
    }
    if (type == "message_start") {
      if (const json::object* message = object_field(data, "message")) {
        model_ = string_field(*message, "model");
        if (const json::object* usage = object_field(*message, "usage")) usage_ = anthropic_usage(*usage);
      }
    } else if (type == "message_delta") {
      if (const json::object* usage = object_field(data, "usage")) update_anthropic_usage(usage_, *usage);
    } else if (type == "message_stop") {
      complete_ = true;
    }
    out.append("event: ").append(event.event.empty() ? type : std::string_view(event.event)).append("\n");
    out.append(data_event(std::string_view(event.data)));
    return core::ok();
  }

  core::Result<void> on_end(std::string&) override {
    if (!complete_) return Error::upstream_error("the provider's stream ended before message_stop");
    return core::ok();
  }

 private:
  bool complete_ = false;
  TokenUsage usage_;
  std::string model_;
};

}  // namespace

std::unique_ptr<StreamTranslator> make_anthropic_passthrough() { return std::make_unique<AnthropicPassthrough>(); }

}  // namespace keyrelay::gateway::wire
