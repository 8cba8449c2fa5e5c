#include "gateway/proxy_rules.h"

#include <array>
#include <cctype>

#include "gateway/upstream_wire.h"

namespace keyrelay::gateway {
namespace {

bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && http::iequals(text.substr(0, prefix.size()), prefix);
}

bool has_encoded_trick(std::string_view text) {
  static constexpr std::array<std::string_view, 4> kTricks = {"%2e", "%2f", "%5c", "%00"};
  for (std::size_t i = 0; i + 3 <= text.size(); ++i)
    if (text[i] == '%')
      for (auto trick : kTricks)
        if (http::iequals(text.substr(i, 3), trick)) return true;
  return false;
}

bool has_control_or_backslash(std::string_view text) {
  for (const char c : text)
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

core::Result<std::string> proxy_url(const catalog::Provider& provider, std::string_view rest, std::string_view query) {
  if (has_control_or_backslash(rest) || has_control_or_backslash(query))
    return core::Error::invalid_request("the proxied path must not contain backslashes or control characters");
  if (has_encoded_trick(rest))
    return core::Error::invalid_request("the proxied path must not contain encoded '.', '/', '\\' or NUL");
  std::string_view segments = rest;
  while (true) {
    const auto slash = segments.find('/');
    const std::string_view segment = segments.substr(0, slash);
    if (segment.empty() && slash != std::string_view::npos)
      return core::Error::invalid_request("the proxied path must not contain empty segments ('//')");
    if (segment == "." || segment == "..")
      return core::Error::invalid_request("the proxied path must not contain '.' or '..' segments");
    if (slash == std::string_view::npos) break;
    segments.remove_prefix(slash + 1);
  }
  if (provider.auth.in == catalog::AuthPlacement::query) {
    std::string_view q = query;
    while (!q.empty()) {
      const auto amp = q.find('&');
      const std::string_view part = q.substr(0, amp);
      if (part.substr(0, part.find('=')) == provider.auth.name)
        return core::Error::invalid_request("the query must not carry '" + provider.auth.name +
                                            "': keyrelay adds the stored key");
      if (amp == std::string_view::npos) break;
      q.remove_prefix(amp + 1);
    }
  }
  std::string url = provider.base_url;
  url += '/';
  url += rest;
  if (!query.empty()) {
    url += '?';
    url += query;
  }
  return url;
}

http::Headers forward_request_headers(const http::Headers& in, const catalog::Provider& provider) {
  http::Headers out;
  for (const auto& [name, value] : in.fields()) {
    if (http::iequals(name, "Authorization") || http::iequals(name, "Proxy-Authorization") ||
        http::iequals(name, "Cookie") || http::iequals(name, "Host") || http::iequals(name, "Forwarded") ||
        http::iequals(name, "X-Real-IP") || http::iequals(name, "Content-Length") ||
        istarts_with(name, "X-Keyrelay-") || istarts_with(name, "X-Forwarded-") || is_hop_by_hop(name) ||
        (provider.auth.in == catalog::AuthPlacement::header && http::iequals(name, provider.auth.name)))
      continue;
    out.add(name, value);
  }
  // Fields the client's Connection header names are hop-by-hop too.
  http::Headers connection_named = in;
  strip_hop_by_hop(connection_named);
  http::Headers filtered;
  for (const auto& [name, value] : out.fields())
    if (connection_named.contains(name)) filtered.add(name, value);
  return filtered;
}

void filter_response_headers(http::Headers& headers) {
  strip_hop_by_hop(headers);
  headers.remove("Set-Cookie");
  headers.remove("Set-Cookie2");
  headers.remove("Content-Length");
}

std::optional<std::string> proxy_authorization(const http::Headers& headers, const catalog::Provider& provider) {
  if (auto auth = headers.get("Authorization")) return std::string(*auth);
  if (provider.auth.in == catalog::AuthPlacement::header && !http::iequals(provider.auth.name, "Authorization"))
    if (auto token = headers.get(provider.auth.name)) return "Bearer " + std::string(*token);
  return std::nullopt;
}

}  // namespace keyrelay::gateway
