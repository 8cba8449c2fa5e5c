#pragma once
// A request to the mock as it arrived and the answer main.cpp sends back, plus the small helpers
// every answer function uses (headers, query, JSON and SSE formatting). Plain values, no sockets.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace keyrelay::mock {

using HeaderFields = std::vector<std::pair<std::string, std::string>>;

// A request as it arrived, header names as sent.
struct Incoming {
  std::string method;
  std::string target;  // path plus "?query"
  std::string path;
  std::string query;   // without '?'
  HeaderFields headers;
  std::string body;
};

// What main.cpp sends. A plain answer is status, headers and body. A streamed answer (`events` not
// empty) sends the head with chunked transfer encoding, then each event as its own chunk, written
// and flushed one at a time, then the last chunk.
struct Answer {
  int status = 200;
  HeaderFields headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // wait this long before the first byte
  bool reset = false;                  // close the connection (RST) instead of answering
  bool break_body = false;             // plain: send the head and half the body, then reset

  std::vector<std::string> events;               // SSE events, each complete ("data: …\n\n")
  std::chrono::milliseconds event_gap{0};        // pause before every event but the first
  std::optional<std::size_t> reset_after_events; // send this many events, then reset (no last chunk)

  bool is_streamed() const { return !events.empty(); }
};

// The first value of header `name` (ASCII case-insensitive).
std::optional<std::string_view> find_header(const HeaderFields& headers, std::string_view name);

// Percent-decodes a query component ('+' is a space).
std::string percent_decode(std::string_view text);

// The decoded value of query parameter `name`.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

// JSON describing `in`: method, target, path, query (raw and decoded), headers (names lower-case,
// repeated fields joined with ", ") and body. Used by `echo` and by GET /_mock/requests.
std::string describe_request(const Incoming& in);

// `body` serialized with Content-Type: application/json, then `extra` headers.
Answer json_answer(int status, const boost::json::value& body, HeaderFields extra = {});

// One SSE event: "event: <name>\n" (only when `name` is not empty), "data: <json>\n\n".
std::string sse_event(std::string_view name, const boost::json::value& data);

// The headers every streamed answer carries (text/event-stream, no caching).
HeaderFields sse_headers();

}  // namespace keyrelay::mock
