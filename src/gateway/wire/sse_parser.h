#pragma once
// Incremental parser for text/event-stream (the WHATWG "server-sent events" format) as providers
// send it: bytes arrive split anywhere (inside a line, inside "\r\n"), events end at a blank line.
// Lines are "field: value" (one optional space after the colon is dropped); several data lines are
// joined with '\n'; comment lines (":...") are ignored; "\r\n", "\r" and "\n" all end a line.
//
// Not thread-safe; one parser per upstream stream.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace keyrelay::gateway {

struct SseEvent {
  std::string event;  // the "event:" field; empty when the event had none
  std::string data;   // the "data:" lines joined with '\n'
};

class SseParser {
 public:
  // A single event whose data grows beyond this is an error (the stream is not SSE, or hostile).
  explicit SseParser(std::size_t max_event_bytes = 4 * 1024 * 1024) : max_event_bytes_(max_event_bytes) {}

  // Feeds the next bytes; appends each event completed by them to `out`. False when an event grew
  // beyond max_event_bytes (the parser is then unusable).
  bool feed(std::string_view bytes, std::vector<SseEvent>& out);

  // The stream ended: a final event not followed by a blank line is dispatched too (providers
  // sometimes omit the last blank line). Appends it to `out` if there is one.
  void finish(std::vector<SseEvent>& out);

 private:
  std::size_t max_event_bytes_;
  // implementation state (partial line, pending event, pending '\r') belongs here
};

}  // namespace keyrelay::gateway
