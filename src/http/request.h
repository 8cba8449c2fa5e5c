#pragma once
// A parsed HTTP request as handlers see it. The session fills it from the wire (moving the body in,
// not copying it); handlers never touch Beast types.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/body_source.h"
#include "http/headers.h"
#include "http/method.h"

namespace keyrelay::http {

struct Request {
  Method method = Method::get;
  std::string target;  // as received: path plus optional "?query"
  std::string_view path() const noexcept { return std::string_view(target).substr(0, target.find('?')); }
  std::string_view query() const noexcept {
    const auto q = target.find('?');
    return q == std::string::npos ? std::string_view{} : std::string_view(target).substr(q + 1);
  }
  Headers headers;
  std::string body;
  // Instead of `body`, on a route with RouteOptions::stream_body_above when the body is larger or
  // chunked: the body, read as it arrives. Null otherwise.
  std::shared_ptr<BodySource> body_source;
  // Path parameters by pattern name ("id" for "/keys/{id}"), raw (not percent-decoded).
  std::vector<std::pair<std::string, std::string>> params;

  std::optional<std::string_view> param(std::string_view name) const noexcept {
    for (const auto& [k, v] : params)
      if (k == name) return std::string_view(v);
    return std::nullopt;
  }
};

}  // namespace keyrelay::http
