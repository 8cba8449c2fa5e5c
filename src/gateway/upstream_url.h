#pragma once
// Splitting an upstream URL into the origin a connection is pooled under and the request target.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace keyrelay::gateway {

struct UpstreamOrigin {
  bool tls = false;           // https
  std::string host;           // name or address to connect to and verify; IPv6 without brackets
  std::uint16_t port = 0;     // explicit or the scheme's default
  std::string host_header;    // Host field: host[:port], port only when not the default

  // The pool key, e.g. "https://api.openai.com:443". Holds no path or query.
  std::string key() const;
  bool operator==(const UpstreamOrigin&) const = default;
};

struct UpstreamTarget {
  UpstreamOrigin origin;
  std::string target;  // path + query exactly as given ("/" when the path is empty); may hold a secret
};

// Parses an absolute http(s) URL. Errc::invalid_request when it is not one (other scheme, no host,
// user info, bad port). The message never repeats the URL, which may carry a key in its query.
core::Result<UpstreamTarget> parse_upstream_url(std::string_view url);

}  // namespace keyrelay::gateway
