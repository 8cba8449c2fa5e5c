// The OpenAI-wire stream: upstream chunks pass through unchanged (re-framed as "data: …\n\n"),
// except the usage-only chunk when the client did not ask for it, with exactly one [DONE] at the end.

#include "gateway/wire/event_stream.h"
#include "gateway/wire/openai_wire.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {
namespace {

class OpenAiStream final : public EventStream {
 public:
  explicit OpenAiStream(bool include_usage) : include_usage_(include_usage) {}

  TokenUsage usage() const override { return usage_; }
  std::string model() const override { return model_; }

 protected:
  core::Result<void> on_event(const SseEvent& event, std::string& out) override {
    if (done_) return core::ok();  // nothing follows [DONE]; a second one is not repeated
    if (event.data == "[DONE]") {
      done_ = true;
      out.append(kDoneEvent);
      return core::ok();
    }
    const auto doc = parse_json(event.data);
    if (!doc || !doc->is_object()) return core::Error::upstream_error("the provider's stream sent data that is not JSON");
    const json::object& chunk = doc->get_object();
    if (chunk.contains("error")) {
      const std::string_view message = error_message_of(chunk);
      return core::Error::upstream_error(message.empty() ? "the provider's stream reported an error"
                                                         : std::string(message));
    }
    if (model_.empty()) model_ = std::string(string_field(chunk, "model"));
    const auto usage = usage_of_openai(chunk);
    if (usage) usage_ = *usage;
    const json::array* choices = array_field(chunk, "choices");
    const bool usage_only = usage && choices != nullptr && choices->empty();
    if (usage_only && !include_usage_) return core::ok();  // we forced include_usage on, the client did not ask
    out.append(data_event(std::string_view(event.data)));
    return core::ok();
  }

  core::Result<void> on_end(std::string&) override {
    if (!done_) return core::Error::upstream_error("the provider's stream ended before [DONE]");
    return core::ok();
  }

 private:
  bool include_usage_;
  bool done_ = false;
  TokenUsage usage_;
  std::string model_;
};

}  // namespace

std::unique_ptr<StreamTranslator> make_openai_stream(const ChatRequest& request) {
  return std::make_unique<OpenAiStream>(request.include_usage);
}

}  // namespace keyrelay::gateway::wire
