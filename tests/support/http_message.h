#pragma once
// What the raw test client sends and receives: header lists and a parsed HTTP/1.1 response.
// Plain values, no I/O.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyrelay::test {

// Orders header names ignoring ASCII case, as HTTP field names compare.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

bool iequals(std::string_view a, std::string_view b);

// Request headers in the order they are sent; duplicates allowed on purpose.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Response headers by name, case-insensitive; repeated fields are joined with ", ".
using HeaderMap = std::map<std::string, std::string, CaseInsensitiveLess>;

struct HttpResponse {
  std::string version;  // "HTTP/1.1"
  int status = 0;
  std::string reason;
  HeaderMap headers;
  std::string body;  // de-chunked when the server used chunked encoding

  // The value of `name`, or nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
  bool has_header(std::string_view name) const { return header(name).has_value(); }
  // True when a `Connection` header lists `close`.
  bool says_connection_close() const;
};

// The status line and headers, for failure messages.
std::string describe(const HttpResponse& response);

// Formats a request: request line, the given headers, then `Host` and `Content-Length` when the
// caller did not set them (Content-Length only for a non-empty body or a method that carries one).
std::string format_request(std::string_view method, std::string_view target,
                           const HeaderList& headers, std::string_view body);

}  // namespace keyrelay::test
