#pragma once
// What the mock answers: one table entry per catalog provider (where its key goes, which call
// validates it) and the answer each behaviour keyword produces in that provider's own shape.
// Pure functions over plain values: no sockets here, the server in main.cpp does the I/O.
//
// The behaviour is the text after the last '-' of the key (the whole key when it has none):
//   valid     2xx with a small plausible body (also every keyword not listed here)
//   invalid   the provider's definite "bad key" answer (also when the key is missing)
//   limited   rate limited: 429 with Retry-After: 7 (Google Maps: 200 OVER_QUERY_LIMIT)
//   quota     out of credit (OpenAI-style 429 insufficient_quota, Kimi 403, Firecrawl and
//             Anthropic 402, Google Maps 200 OVER_DAILY_LIMIT)
//   error     500 in the provider's error shape
//   slow      the valid answer after 3 s
//   reset     the connection is closed without an answer
//   echo      200 with JSON describing the request as it arrived

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

struct Answer {
  int status = 200;
  HeaderFields headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // wait this long before answering
  bool reset = false;                  // close the connection instead of answering
};

// The first value of header `name` (ASCII case-insensitive).
std::optional<std::string_view> find_header(const HeaderFields& headers, std::string_view name);

// Percent-decodes a query component ('+' is a space).
std::string percent_decode(std::string_view text);

// The decoded value of query parameter `name`.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

// The behaviour keyword of `key`: the text after its last '-', or the whole key.
std::string_view behaviour_of(std::string_view key);

// JSON describing `in`: method, target, path, query (raw and decoded), headers (names lower-case,
// repeated fields joined with ", ") and body. Used by `echo` and by GET /_mock/requests.
std::string describe_request(const Incoming& in);

// The answer to a request for a provider path: `in.path` starts with "/<provider id>/".
// Unknown provider or path: 404 JSON; known path with another method: 405.
Answer answer_provider_request(const Incoming& in);

}  // namespace keyrelay::mock
