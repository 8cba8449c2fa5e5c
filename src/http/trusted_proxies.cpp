#include "http/trusted_proxies.h"

#include <charconv>

#include <boost/asio/ip/address.hpp>

namespace keyrelay::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The bytes of an address; IPv4-mapped IPv6 addresses count as IPv4.
std::optional<std::vector<unsigned char>> address_bytes(std::string_view text) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(trim(text)), ec);
  if (ec) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  if (address.is_v4()) {
    const auto b = address.to_v4().to_bytes();
    return std::vector<unsigned char>(b.begin(), b.end());
  }
  const auto b = address.to_v6().to_bytes();
  return std::vector<unsigned char>(b.begin(), b.end());
}

bool matches(const std::vector<unsigned char>& address, const std::vector<unsigned char>& prefix, unsigned bits) {
  if (address.size() != prefix.size()) return false;
  for (unsigned i = 0; i < bits; ++i) {
    const unsigned byte = i / 8, shift = 7 - i % 8;
    if (((address[byte] >> shift) & 1u) != ((prefix[byte] >> shift) & 1u)) return false;
  }
  return true;
}

}  // namespace

core::Result<TrustedProxies> TrustedProxies::parse(std::string_view list) {
  TrustedProxies out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view entry = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (entry.empty()) continue;
    const auto slash = entry.find('/');
    auto bytes = address_bytes(entry.substr(0, slash));
    if (!bytes) return core::Error::invalid_request("trusted proxy '" + std::string(entry) + "' is not an address or CIDR");
    unsigned bits = static_cast<unsigned>(bytes->size() * 8);
    if (slash != std::string_view::npos) {
      const std::string_view suffix = entry.substr(slash + 1);
      unsigned n = 0;
      const auto [end, ec] = std::from_chars(suffix.data(), suffix.data() + suffix.size(), n);
      if (ec != std::errc{} || end != suffix.data() + suffix.size() || n > bits)
        return core::Error::invalid_request("trusted proxy '" + std::string(entry) + "' has a bad prefix length");
      bits = n;
    }
    out.networks_.push_back({std::move(*bytes), bits});
  }
  return out;
}

bool TrustedProxies::contains(std::string_view address) const {
  if (networks_.empty()) return false;
  const auto bytes = address_bytes(address);
  if (!bytes) return false;
  for (const auto& n : networks_)
    if (matches(*bytes, n.prefix, n.bits)) return true;
  return false;
}

std::string TrustedProxies::client_ip(std::string_view peer, std::string_view forwarded_for) const {
  if (forwarded_for.empty() || !contains(peer)) return std::string(peer);
  std::string client(peer);
  // Right to left: each hop was added by the proxy in front of the previous one.
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const std::string_view hop = trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    if (!address_bytes(hop)) break;  // garbage: stop at the last address we could trust
    client = std::string(hop);
    if (!contains(hop)) break;
  }
  return client;
}

}  // namespace keyrelay::http
