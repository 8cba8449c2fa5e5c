#include "monitor/webhook_signature.h"

#include <charconv>

#include "core/encoding.h"
#include "crypto/constant_time.h"
#include "crypto/hmac.h"

namespace keyrelay::monitor {
namespace {

std::string mac_hex(const core::Secret& secret, std::string_view timestamp, std::string_view body) {
  std::string signed_text;
  signed_text.reserve(timestamp.size() + 1 + body.size());
  signed_text.append(timestamp).append(".").append(body);
  return core::hex_encode(crypto::hmac_sha256(secret.reveal(), core::as_bytes(signed_text)));
}

}  // namespace

std::string sign_webhook(const core::Secret& secret, std::chrono::system_clock::time_point at, std::string_view body) {
  const std::string t = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count());
  return "t=" + t + ",v1=" + mac_hex(secret, t, body);
}

bool verify_webhook_signature(const core::Secret& secret, std::string_view header, std::string_view body,
                              std::chrono::system_clock::time_point now, std::chrono::seconds tolerance) {
  std::string_view timestamp, v1;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (part.starts_with("t=")) timestamp = part.substr(2);
    else if (part.starts_with("v1=")) v1 = part.substr(3);
  }
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
  if (timestamp.empty() || ec != std::errc{} || end != timestamp.data() + timestamp.size()) return false;
  const auto signed_at = std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
  if (signed_at < now - tolerance || signed_at > now + tolerance) return false;
  const std::string expected = mac_hex(secret, timestamp, body);
  return v1.size() == expected.size() && crypto::constant_time_equal(core::as_bytes(v1), core::as_bytes(expected));
}

}  // namespace keyrelay::monitor
