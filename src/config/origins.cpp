#include "config/origins.h"

#include <algorithm>

namespace keyrelay::config {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '[' || c == ']' || c == ':';
}

// What a browser puts in Origin: a lower-case scheme and host, a port only when not the default.
bool is_origin(std::string_view s) {
  std::string_view rest;
  if (s.starts_with("https://")) rest = s.substr(8);
  else if (s.starts_with("http://")) rest = s.substr(7);
  else return false;
  if (rest.empty() || rest.front() == ':' || rest.back() == ':') return false;
  return std::all_of(rest.begin(), rest.end(), is_host_char);
}

}  // namespace

core::Result<std::vector<std::string>> parse_origin_list(std::string_view text) {
  std::vector<std::string> origins;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = trimmed(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.empty()) continue;
    if (!is_origin(item))
      return core::Error::invalid_request("'" + std::string(item.substr(0, 100)) +
                                          "' is not an origin such as https://app.example.com (lower case, no path, no "
                                          "trailing slash, no wildcard)");
    if (std::find(origins.begin(), origins.end(), item) == origins.end()) origins.emplace_back(item);
  }
  return origins;
}

}  // namespace keyrelay::config
