#include "gateway/wire/sse_parser.h"

namespace keyrelay::gateway {

bool SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  if (failed_) return false;
  while (!bytes.empty()) {
    if (after_cr_) {
      after_cr_ = false;
      if (bytes.front() == '\n') {  // the second half of a "\r\n" split across two feeds
        bytes.remove_prefix(1);
        continue;
      }
    }
    const auto end = bytes.find_first_of("\r\n");
    if (end == std::string_view::npos) {
      line_.append(bytes);
      break;
    }
    line_.append(bytes.substr(0, end));
    after_cr_ = bytes[end] == '\r';
    bytes.remove_prefix(end + 1);
    if (too_big()) break;
    take_line(line_, out);
    line_.clear();
    if (too_big()) break;
  }
  // Checked after the whole chunk too: a stream that never sends a line end must not grow unbounded.
  if (too_big()) {
    failed_ = true;
    line_.clear();
    pending_ = {};
    return false;
  }
  return true;
}

void SseParser::finish(std::vector<SseEvent>& out) {
  if (failed_) return;
  if (!line_.empty()) take_line(line_, out);
  line_.clear();
  if (too_big()) {
    failed_ = true;
    pending_ = {};
    return;
  }
  dispatch(out);
}

void SseParser::take_line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {
    dispatch(out);
    return;
  }
  if (line.front() == ':') return;  // a comment (providers use them as keep-alives)
  std::string_view field = line;
  std::string_view value;
  if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) pending_.data.push_back('\n');
    pending_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    pending_.event.assign(value);
  }
  // "id", "retry" and unknown fields mean nothing to a one-shot provider stream.
}

// As in the WHATWG algorithm, an event without any data line is not dispatched (only its fields are
// reset): no provider sends meaningful data-less events, and it keeps stray "event:" lines harmless.
void SseParser::dispatch(std::vector<SseEvent>& out) {
  if (has_data_) out.push_back(std::move(pending_));
  pending_ = {};
  has_data_ = false;
}

}  // namespace keyrelay::gateway
