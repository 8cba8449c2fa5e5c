#include "gateway/upstream_url.h"

#include <charconv>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace keyrelay::gateway {

std::string UpstreamOrigin::key() const {
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

core::Result<UpstreamTarget> parse_upstream_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return core::Error::invalid_request("upstream URL is not a valid absolute URI");
  const boost::urls::url_view& u = *parsed;

  UpstreamTarget out;
  const auto scheme = u.scheme_id();
  if (scheme == boost::urls::scheme::https) out.origin.tls = true;
  else if (scheme != boost::urls::scheme::http) return core::Error::invalid_request("upstream URL must be http or https");
  if (!u.has_authority() || u.encoded_host().empty()) return core::Error::invalid_request("upstream URL has no host");
  if (u.has_userinfo()) return core::Error::invalid_request("upstream URL must not carry user info");
  if (u.host_type() == boost::urls::host_type::ipvfuture)
    return core::Error::invalid_request("upstream URL host is not supported");

  // Names are used as written (already encoded; a name with %-escapes would not resolve anyway).
  const auto host_address = u.encoded_host_address();
  out.origin.host.assign(host_address.data(), host_address.size());

  const std::uint16_t default_port = out.origin.tls ? 443 : 80;
  if (u.has_port() && !u.port().empty()) {
    const auto text = u.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535)
      return core::Error::invalid_request("upstream URL has an invalid port");
    out.origin.port = static_cast<std::uint16_t>(value);
  } else {
    out.origin.port = default_port;
  }
  const auto host = u.encoded_host_and_port();
  out.origin.host_header.assign(host.data(), host.size());
  if (out.origin.port == default_port) {
    const auto bare = u.encoded_host();
    out.origin.host_header.assign(bare.data(), bare.size());
  }

  const auto path = u.encoded_path();
  out.target = path.empty() ? "/" : std::string(path.data(), path.size());
  if (out.target.front() != '/') return core::Error::invalid_request("upstream URL path must be absolute");
  if (u.has_query()) {
    const auto query = u.encoded_query();
    out.target += '?';
    out.target.append(query.data(), query.size());
  }
  return out;
}

}  // namespace keyrelay::gateway
