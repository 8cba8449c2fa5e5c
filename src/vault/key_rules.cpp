#include "vault/key_rules.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace keyrelay::vault {

using core::Error;

core::Result<void> check_key_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength)
    return Error::invalid_request("name must be 1-64 characters of a-z, 0-9, '_' or '-'");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return Error::invalid_request("name must be 1-64 characters of a-z, 0-9, '_' or '-'");
  }
  return core::ok();
}

core::Result<void> check_secret(const core::Secret& secret) {
  if (secret.empty()) return Error::invalid_request("secret must not be empty");
  if (secret.size() > kMaxSecretBytes) return Error::invalid_request("secret must be at most 4096 bytes");
  for (std::uint8_t b : secret.reveal()) {
    if (b < 0x21 || b > 0x7e)
      return Error::invalid_request("secret must be printable ASCII without spaces or line breaks");
  }
  return core::ok();
}

std::string secret_hint(const core::Secret& secret) {
  static constexpr std::string_view kEllipsis = "\u2026";
  if (secret.size() < 16) return std::string(kEllipsis);
  return std::string(kEllipsis) + std::string(secret.reveal_text().substr(secret.size() - 4));
}

core::Result<std::string> normalize_metadata(std::string_view json_text) {
  if (json_text.size() > kMaxMetadataBytes) return Error::invalid_request("metadata must be at most 8 KiB");
  boost::system::error_code ec;
  const auto value = boost::json::parse(json_text, ec);
  if (ec || !value.is_object()) return Error::invalid_request("metadata must be a JSON object");
  return boost::json::serialize(value);
}

}  // namespace keyrelay::vault
