#include "monitor/redis/redis_endpoint.h"

#include <charconv>

namespace keyrelay::monitor {
namespace {

core::Result<unsigned> parse_number(std::string_view text, unsigned max, std::string_view what) {
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v > max)
    return core::Error::invalid_request("KEYRELAY_REDIS_URL: " + std::string(what) + " must be a number from 0 to " +
                                        std::to_string(max));
  return v;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of the user info (a password may hold '@' or ':' written as %40, %3A).
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace

std::string RedisEndpoint::display() const {
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "rediss://" : "redis://") + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) +
         "/" + std::to_string(db);
}

core::Result<RedisEndpoint> parse_redis_url(std::string_view url) {
  RedisEndpoint e;
  std::string_view rest;
  if (url.starts_with("redis://")) {
    rest = url.substr(8);
  } else if (url.starts_with("rediss://")) {
    rest = url.substr(9);
    e.tls = true;
  } else {
    return core::Error::invalid_request("KEYRELAY_REDIS_URL: expected redis[s]://[[user]:password@]host:port/db");
  }
  // Authority ends at the first '/', '?' or '#'; the user info at the last '@' inside it.
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = userinfo.find(':');
    const auto user = percent_decode(userinfo.substr(0, colon));
    if (!user) return core::Error::invalid_request("KEYRELAY_REDIS_URL: malformed percent-encoding in the user name");
    if (!user->empty()) e.user = *user;
    if (colon != std::string_view::npos) {
      auto password = percent_decode(userinfo.substr(colon + 1));
      if (!password) return core::Error::invalid_request("KEYRELAY_REDIS_URL: malformed percent-encoding in the password");
      if (!password->empty()) e.password.emplace(*password);
      core::wipe_memory(password->data(), password->size());
    }
    if (e.user && !e.password) return core::Error::invalid_request("KEYRELAY_REDIS_URL: a user needs a password");
  }
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return core::Error::invalid_request("KEYRELAY_REDIS_URL: unclosed [ in the host");
    e.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':'))
      return core::Error::invalid_request("KEYRELAY_REDIS_URL: expected :port after the host");
    if (!after.empty()) port_text = after.substr(1);
    else port_text = "6379";
  } else {
    const auto colon = authority.find(':');
    e.host = std::string(authority.substr(0, colon));
    port_text = colon == std::string_view::npos ? std::string_view("6379") : authority.substr(colon + 1);
  }
  if (e.host.empty()) return core::Error::invalid_request("KEYRELAY_REDIS_URL: the host is missing");
  auto port = parse_number(port_text, 65535, "the port");
  if (!port || *port == 0) return core::Error::invalid_request("KEYRELAY_REDIS_URL: the port must be from 1 to 65535");
  e.port = static_cast<std::uint16_t>(*port);
  if (tail.starts_with('?') || tail.starts_with('#'))
    return core::Error::invalid_request("KEYRELAY_REDIS_URL: no query or fragment is understood");
  if (tail.size() > 1) {
    auto db = parse_number(tail.substr(1), 1'000'000, "the database number");
    if (!db) return db.error();
    e.db = *db;
  }
  return e;
}

}  // namespace keyrelay::monitor
