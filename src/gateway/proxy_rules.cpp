#include "gateway/proxy_rules.h"

#include <array>
#include <cctype>

#include "gateway/content_decoding.h"
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

// A ';' raw or encoded: a path parameter, which some servers strip before they resolve the path.
bool has_path_parameter(std::string_view segment) {
  if (segment.find(';') != std::string_view::npos) return true;
  for (std::size_t i = 0; i + 3 <= segment.size(); ++i)
    if (segment[i] == '%' && http::iequals(segment.substr(i, 3), "%3b")) return true;
  return false;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A query parameter's name as a server reads it ("k%65y" is "key").
std::string decoded_name(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '%' && i + 2 < name.size()) {
      const int hi = hex_value(name[i + 1]);
      const int lo = hex_value(name[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += name[i] == '+' ? ' ' : name[i];
  }
  return out;
}

bool is_credential_param(const catalog::Provider& provider, std::string_view raw_name) {
  const std::string name = decoded_name(raw_name);
  if (provider.auth.in == catalog::AuthPlacement::query && http::iequals(name, provider.auth.name)) return true;
  for (const auto& place : provider.auth.also)
    if (place.in == catalog::AuthPlacement::query && http::iequals(name, place.name)) return true;
  return false;
}

bool is_credential_header(const catalog::Provider& provider, std::string_view name) {
  if (provider.auth.in == catalog::AuthPlacement::header && http::iequals(name, provider.auth.name)) return true;
  for (const auto& place : provider.auth.also)
    if (place.in == catalog::AuthPlacement::header && http::iequals(name, place.name)) return true;
  return false;
}

// `query` without the provider's credential parameters, order kept.
std::string query_without_credentials(const catalog::Provider& provider, std::string_view query) {
  std::string kept;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    if (!part.empty() && !is_credential_param(provider, part.substr(0, part.find('=')))) {
      if (!kept.empty()) kept += '&';
      kept += part;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return kept;
}

void drop_named(http::Headers& headers, const std::vector<std::string>& names) {
  for (const auto& name : names) headers.remove(name);
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
    if (segment == "." || segment.starts_with(".."))
      return core::Error::invalid_request("the proxied path must not contain '.' segments or segments that begin with '..'");
    if (has_path_parameter(segment))
      return core::Error::invalid_request("the proxied path must not contain ';' path parameters");
    if (slash == std::string_view::npos) break;
    segments.remove_prefix(slash + 1);
  }
  const std::string kept_query = query_without_credentials(provider, query);
  std::string url = provider.base_url;
  url += '/';
  url += rest;
  if (!kept_query.empty()) {
    url += '?';
    url += kept_query;
  }
  return url;
}

http::Headers forward_request_headers(const http::Headers& in, const catalog::Provider& provider) {
  // Fields the client's Connection header names are hop-by-hop too.
  http::Headers connection_named = in;
  strip_hop_by_hop(connection_named);
  http::Headers out;
  for (const auto& [name, value] : connection_named.fields()) {
    if (http::iequals(name, "Authorization") || http::iequals(name, "Proxy-Authorization") ||
        http::iequals(name, "Cookie") || http::iequals(name, "Host") || http::iequals(name, "Forwarded") ||
        http::iequals(name, "X-Real-IP") || http::iequals(name, "Content-Length") ||
        istarts_with(name, "X-Keyrelay-") || istarts_with(name, "X-Forwarded-") || is_hop_by_hop(name) ||
        is_credential_header(provider, name))
      continue;
    if (http::iequals(name, "Accept-Encoding")) {
      std::string decodable = decodable_accept_encoding(value);
      if (!decodable.empty()) out.add(name, std::move(decodable));
      continue;
    }
    out.add(name, value);
  }
  return out;
}

void drop_account_request_headers(http::Headers& headers, const catalog::Provider& provider) {
  drop_named(headers, provider.account_headers.request);
}

void drop_account_response_headers(http::Headers& headers, const catalog::Provider& provider) {
  drop_named(headers, provider.account_headers.response);
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
