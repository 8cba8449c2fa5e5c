#include "http/response_head.h"

#include <boost/beast/http/status.hpp>

#include <charconv>

namespace keyrelay::http {
namespace {

// The fields the session writes itself.
bool is_session_field(std::string_view name) noexcept {
  return iequals(name, "connection") || iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
         iequals(name, "x-request-id");
}

void append_number(std::size_t value, std::string& out) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

void append_field(std::string_view name, std::string_view value, std::string& out) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

bool response_has_body(int status) noexcept { return !((status >= 100 && status < 200) || status == 204 || status == 304); }

void write_response_head(int status, const Headers& headers, std::string_view request_id, bool keep_alive,
                         std::size_t body_size, std::string& out) {
  const std::string_view reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  std::size_t size = 160 + reason.size() + request_id.size();
  for (const auto& [name, value] : headers.fields()) size += name.size() + value.size() + 4;
  out.reserve(out.size() + size);

  out.append("HTTP/1.1 ");
  append_number(static_cast<std::size_t>(status), out);
  out.append(" ").append(reason).append("\r\n");
  for (const auto& [name, value] : headers.fields())
    if (!is_session_field(name)) append_field(name, value, out);
  append_field("X-Request-Id", request_id, out);
  if (!headers.contains("Cache-Control")) append_field("Cache-Control", "no-store", out);
  if (!headers.contains("X-Content-Type-Options")) append_field("X-Content-Type-Options", "nosniff", out);
  if (!keep_alive) append_field("Connection", "close", out);
  if (response_has_body(status)) {
    out.append("Content-Length: ");
    append_number(body_size, out);
    out.append("\r\n");
  }
  out.append("\r\n");
}

}  // namespace keyrelay::http
