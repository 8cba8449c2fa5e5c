// Gemini streamGenerateContent?alt=sse → OpenAI chat.completion.chunk events (PROVIDERS.md 3.3).
// Gemini sends whole GenerateContentResponse objects with incremental parts and no end marker: the
// stream is complete once every candidate gave a finishReason, and the usage chunk and [DONE] are
// written when the upstream body ends (usage may still arrive after the finishReason).

#include <algorithm>
#include <map>

#include "gateway/wire/event_stream.h"
#include "gateway/wire/finish_reasons.h"
#include "gateway/wire/gemini_wire.h"
#include "gateway/wire/openai_shapes.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {
namespace {

using core::Error;

class GeminiStream final : public EventStream {
 public:
  GeminiStream(bool include_usage, ResponseMeta meta) : include_usage_(include_usage), writer_(std::move(meta)) {}

  TokenUsage usage() const override { return usage_; }
  std::string model() const override { return model_; }

 protected:
  core::Result<void> on_event(const SseEvent& event, std::string& out) override {
    const auto doc = parse_json(event.data);
    if (!doc || !doc->is_object()) return Error::upstream_error("the provider's stream sent data that is not JSON");
    const json::object& answer = doc->get_object();
    if (answer.contains("error")) {
      const std::string_view message = error_message_of(answer);
      return Error::upstream_error(message.empty() ? "the provider's stream reported an error" : std::string(message));
    }
    if (const json::object* usage = object_field(answer, "usageMetadata")) usage_ = gemini_usage(*usage);  // the last one is complete
    if (candidates_.empty()) {
      if (const std::string_view model = string_field(answer, "modelVersion"); !model.empty()) {
        writer_.set_model(std::string(model));
        model_ = std::string(model);
      }
      candidates_[0];
      writer_.role(out);
    }
    if (is_complete()) return core::ok();

    const json::array* candidates = array_field(answer, "candidates");
    if (candidates == nullptr || candidates->empty()) {
      const json::object* feedback = object_field(answer, "promptFeedback");
      if (feedback != nullptr && !string_field(*feedback, "blockReason").empty()) {
        blocked_ = true;
        writer_.finish("content_filter", out);
      }
      return core::ok();
    }
    for (const auto& value : *candidates)
      if (const json::object* candidate = value.if_object()) on_candidate(*candidate, out);
    return core::ok();
  }

  core::Result<void> on_end(std::string& out) override {
    if (!is_complete()) return Error::upstream_error("the provider's stream ended before a finish reason");
    if (include_usage_) writer_.usage(usage_, out);
    out.append(kDoneEvent);
    return core::ok();
  }

 private:
  struct Candidate {
    std::size_t tool_calls = 0;  // function calls so far: the next one's OpenAI index
    bool finished = false;
  };

  bool is_complete() const {
    return blocked_ || (!candidates_.empty() && std::all_of(candidates_.begin(), candidates_.end(),
                                                            [](const auto& c) { return c.second.finished; }));
  }

  void on_candidate(const json::object& candidate, std::string& out) {
    const std::size_t index = count_field(candidate, "index");
    const bool first_sight = !candidates_.contains(index);
    Candidate& state = candidates_[index];
    if (first_sight) writer_.role(out, index);
    if (state.finished) return;
    for_each_gemini_part(
        candidate,
        [&](std::string_view text) {
          if (!text.empty()) writer_.content(text, out, index);
        },
        // Gemini sends each call whole: one delta with id, name and all the arguments.
        [&](const json::object& call) {
          const std::size_t ordinal = state.tool_calls++;
          writer_.tool_call_start(ordinal, gemini_call_id(call, ordinal), string_field(call, "name"),
                                  gemini_call_arguments(call), out, index);
        });
    if (const std::string_view reason = string_field(candidate, "finishReason"); !reason.empty()) {
      state.finished = true;
      writer_.finish(finish_reason_of_gemini(reason, state.tool_calls > 0), out, index);
    }
  }

  bool include_usage_;
  ChunkWriter writer_;
  std::map<std::size_t, Candidate> candidates_;  // by candidate index; [0] exists once the stream started
  bool blocked_ = false;                         // the prompt was blocked: no candidate will come
  TokenUsage usage_;
  std::string model_;
};

}  // namespace

std::unique_ptr<StreamTranslator> make_gemini_stream(const ChatRequest& request, ResponseMeta meta) {
  return std::make_unique<GeminiStream>(request.include_usage, std::move(meta));
}

}  // namespace keyrelay::gateway::wire
