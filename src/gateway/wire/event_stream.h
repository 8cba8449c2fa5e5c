#pragma once
// The frame every StreamTranslator shares: upstream bytes go through an SseParser, each complete
// event is handed to the wire's on_event(), the first error is latched (later calls repeat it), and
// finish() appends its output only when the whole stream turned out complete.

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "gateway/wire/chat_wire.h"
#include "gateway/wire/sse_parser.h"

namespace keyrelay::gateway::wire {

class EventStream : public StreamTranslator {
 public:
  // StreamTranslator. Output of the events before a failing one stays in `out`: it is valid and
  // may be flushed before the error event.
  core::Result<void> feed(std::string_view bytes, std::string& out) final;
  core::Result<void> finish(std::string& out) final;

 protected:
  // One complete upstream event: append its output to `out`; an error stops the stream.
  virtual core::Result<void> on_event(const SseEvent& event, std::string& out) = 0;
  // After the last event: append what is still due, or upstream_error when the stream is incomplete.
  virtual core::Result<void> on_end(std::string& out) = 0;

 private:
  core::Result<void> fail(core::Error error);

  SseParser parser_;
  std::optional<core::Error> failure_;
  bool ended_ = false;
};

}  // namespace keyrelay::gateway::wire
