#include "gateway/wire/event_stream.h"

#include <vector>

namespace keyrelay::gateway::wire {

core::Result<void> EventStream::fail(core::Error error) {
  failure_ = error;
  return error;
}

core::Result<void> EventStream::feed(std::string_view bytes, std::string& out) {
  if (failure_) return *failure_;
  if (ended_) return core::ok();
  std::vector<SseEvent> events;
  const bool parsed = parser_.feed(bytes, events);
  for (const auto& event : events)
    if (auto r = on_event(event, out); !r) return fail(std::move(r).error());
  if (!parsed) return fail(core::Error::upstream_error("the provider's stream sent an oversized event"));
  return core::ok();
}

core::Result<void> EventStream::finish(std::string& out) {
  if (failure_) return *failure_;
  if (ended_) return core::ok();
  ended_ = true;
  std::vector<SseEvent> events;
  parser_.finish(events);
  std::string due;
  for (const auto& event : events)
    if (auto r = on_event(event, due); !r) return fail(std::move(r).error());
  if (auto r = on_end(due); !r) return fail(std::move(r).error());
  out.append(due);
  return core::ok();
}

}  // namespace keyrelay::gateway::wire
