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

  bool operator==(const SseEvent&) const = default;
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
  // Handles one complete line (without its terminator); a blank line dispatches the pending event.
  void take_line(std::string_view line, std::vector<SseEvent>& out);
  void dispatch(std::vector<SseEvent>& out);
  // The data of the pending event beyond the limit, or a line longer than any line of such an event.
  bool too_big() const noexcept {
    return pending_.data.size() > max_event_bytes_ || line_.size() > max_event_bytes_ + kFieldBytes;
  }

  static constexpr std::size_t kFieldBytes = 64;  // room for "data: " and the like before a value

  std::size_t max_event_bytes_;
  std::string line_;         // the current line so far (its terminator not yet seen)
  SseEvent pending_;         // fields of the event being read
  bool has_data_ = false;    // a data line was seen for `pending_` (its data may still be empty)
  bool after_cr_ = false;    // the last byte was '\r': a '\n' right after it ends no second line
  bool failed_ = false;
};

}  // namespace keyrelay::gateway
