#include "gateway/upstream_wire.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

namespace keyrelay::gateway {
namespace {

bool is_tchar(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return kExtra.find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

bool is_field_value(std::string_view s) noexcept {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

bool has_iprefix(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && http::iequals(s.substr(0, prefix.size()), prefix);
}

bool body_expected(std::string_view method) noexcept {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

}  // namespace

bool is_hop_by_hop(std::string_view name) noexcept {
  static constexpr std::array<std::string_view, 6> kNames = {"connection", "keep-alive",        "te",
                                                             "trailer",    "transfer-encoding", "upgrade"};
  for (auto n : kNames)
    if (http::iequals(name, n)) return true;
  return has_iprefix(name, "proxy-");
}

void strip_hop_by_hop(http::Headers& headers) {
  // Fields listed in Connection are hop-by-hop for this message only. (Names are short: a list of
  // them allocates nothing in the usual answer, which lists at most "keep-alive".)
  std::vector<std::string> listed;
  for (const auto& [name, value] : headers.fields()) {
    if (!http::iequals(name, "connection")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (!item.empty()) listed.emplace_back(item);
    }
  }
  headers.remove_if([&listed](std::string_view name, std::string_view) {
    if (is_hop_by_hop(name)) return true;
    return std::any_of(listed.begin(), listed.end(), [name](const std::string& l) { return http::iequals(name, l); });
  });
}

namespace {

core::Result<void> validate_head(std::string_view method, const http::Headers& headers) {
  if (!is_token(method)) return core::Error::invalid_request("upstream request method is not a valid token");
  for (const auto& [name, value] : headers.fields()) {
    if (!is_token(name)) return core::Error::invalid_request("upstream request has an invalid header name");
    if (!is_field_value(value))
      return core::Error::invalid_request("upstream request header " + std::string(name) + " has an invalid value");
  }
  return core::ok();
}

// The request line, Host and the end-to-end headers, without the framing headers or the blank line.
void append_head_fields(std::string_view method, std::string_view target, std::string_view host,
                        const http::Headers& headers, std::size_t body_size, std::string& out) {
  std::size_t size = method.size() + target.size() + host.size() + body_size + 64;
  for (const auto& [name, value] : headers.fields()) size += name.size() + value.size() + 4;
  out.reserve(out.size() + size);  // one allocation, so no copy of a key is left in a freed block

  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  out.append("Host: ").append(host).append("\r\n");
  for (const auto& [name, value] : headers.fields()) {
    if (is_hop_by_hop(name) || http::iequals(name, "host") || http::iequals(name, "content-length")) continue;
    out.append(name).append(": ").append(value).append("\r\n");
  }
}

}  // namespace

core::Result<void> serialize_request(std::string_view method, std::string_view target, std::string_view host,
                                     const http::Headers& headers, std::string_view body, std::string& out) {
  if (auto valid = validate_head(method, headers); !valid) return valid;
  append_head_fields(method, target, host, headers, body.size(), out);
  if (!body.empty() || body_expected(method))
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  out.append("\r\n").append(body);
  return core::ok();
}

core::Result<void> serialize_request_head(std::string_view method, std::string_view target, std::string_view host,
                                          const http::Headers& headers, std::optional<std::size_t> content_length,
                                          std::string& out) {
  if (auto valid = validate_head(method, headers); !valid) return valid;
  append_head_fields(method, target, host, headers, 0, out);
  if (content_length) out.append("Content-Length: ").append(std::to_string(*content_length)).append("\r\n");
  else out.append("Transfer-Encoding: chunked\r\n");
  out.append("\r\n");
  return core::ok();
}

void append_chunk(std::string_view data, std::string& out) {
  char size[2 * sizeof(std::size_t) + 1];
  const int n = std::snprintf(size, sizeof size, "%zx", data.size());
  // An empty `data` makes "0\r\n\r\n": the last chunk with no trailers, then the blank line.
  out.append(size, static_cast<std::size_t>(n)).append("\r\n").append(data).append("\r\n");
}

}  // namespace keyrelay::gateway
