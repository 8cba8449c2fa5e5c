#include "raw_requests.h"

#include <string>

namespace keyrelay::test {

std::optional<HttpResponse> send_and_read(HttpConnection& connection, std::string_view bytes) {
  (void)connection.send(bytes);  // a failed send is fine: the response may already be waiting
  return connection.read_response();
}

std::optional<HttpResponse> post_body_of_size(HttpConnection& connection, std::size_t size) {
  return send_and_read(connection, format_request("POST", "/anything", {}, std::string(size, 'x')));
}

std::optional<HttpResponse> get_with_header_of_size(HttpConnection& connection, std::size_t size) {
  return send_and_read(connection,
                       format_request("GET", "/healthz", {{"X-Padding", std::string(size, 'p')}}, ""));
}

}  // namespace keyrelay::test
