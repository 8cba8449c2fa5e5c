#include "vault/fernet_row.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <climits>

#include "core/encoding.h"
#include "core/time_format.h"
#include "crypto/pbkdf2.h"

namespace keyrelay::vault {
namespace {

namespace json = boost::json;
using core::Error;

constexpr std::array<std::string_view, 9> kFields{"user",       "provider",   "name",       "salt",      "token",
                                                   "data_key",   "created_at", "expires_at", "iterations"};

core::Result<std::optional<std::string>> optional_text(const json::object& row, std::string_view field) {
  const json::value* v = row.if_contains(field);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return Error::invalid_request(std::string(field) + " must be a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

core::Result<std::string> required_text(const json::object& row, std::string_view field) {
  auto text = optional_text(row, field);
  if (!text) return text.error();
  if (!*text || (*text)->empty()) return Error::invalid_request("missing field " + std::string(field));
  return std::move(**text);
}

core::Result<std::optional<store::TimePoint>> optional_time(const json::object& row, std::string_view field) {
  auto text = optional_text(row, field);
  if (!text) return text.error();
  if (!*text) return std::optional<store::TimePoint>();
  auto at = core::parse_rfc3339(**text);
  if (!at) return Error::invalid_request(std::string(field) + " is not an RFC 3339 time");
  return std::optional<store::TimePoint>(*at);
}

core::Result<std::uint32_t> iterations_of(const json::object& row, std::uint32_t fallback) {
  const json::value* v = row.if_contains("iterations");
  if (v == nullptr || v->is_null()) return fallback;
  // A uint64 is beyond int64, and so beyond the limit too.
  const std::int64_t n = v->is_int64() ? v->as_int64() : v->is_uint64() ? INT64_MAX : 0;
  if (n < 1 || n > std::int64_t{crypto::kPbkdf2MaxIterations})
    return Error::invalid_request("iterations must be an integer from 1 to " + std::to_string(crypto::kPbkdf2MaxIterations));
  return static_cast<std::uint32_t>(n);
}

core::Result<void> check_fields(const json::object& row) {
  for (const auto& [name, value] : row) {
    if (std::find(kFields.begin(), kFields.end(), std::string_view(name)) == kFields.end())
      return Error::invalid_request("unknown field " + std::string(name));
  }
  return core::ok();
}

core::Result<void> check_data_key(const FernetRow& row, FernetScheme scheme) {
  if (scheme == FernetScheme::envelope && !row.data_key) return Error::invalid_request("missing field data_key");
  if (scheme == FernetScheme::per_user_salt && row.data_key)
    return Error::invalid_request("data_key given, but the scheme is per-user-salt (use --scheme envelope)");
  return core::ok();
}

}  // namespace

std::optional<FernetScheme> parse_fernet_scheme(std::string_view text) noexcept {
  if (text == "per-user-salt") return FernetScheme::per_user_salt;
  if (text == "envelope") return FernetScheme::envelope;
  return std::nullopt;
}

core::Result<FernetRow> parse_fernet_row(std::string_view text, std::size_t line, FernetScheme scheme,
                                         std::uint32_t default_iterations) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return Error::invalid_request("not a JSON object");
  const json::object& object = parsed.as_object();
  if (auto checked = check_fields(object); !checked) return checked.error();
  FernetRow row;
  row.line = line;
  for (auto [field, target] : {std::pair{"user", &row.user}, std::pair{"provider", &row.provider},
                               std::pair{"name", &row.name}, std::pair{"token", &row.token}}) {
    auto value = required_text(object, field);
    if (!value) return value.error();
    *target = std::move(*value);
  }
  auto salt_text = required_text(object, "salt");
  if (!salt_text) return salt_text.error();
  auto salt = core::base64_decode(*salt_text);
  if (!salt || salt->empty()) return Error::invalid_request("salt is not standard base64");
  row.salt = std::move(*salt);
  auto data_key = optional_text(object, "data_key");
  if (!data_key) return data_key.error();
  row.data_key = std::move(*data_key);
  if (auto checked = check_data_key(row, scheme); !checked) return checked.error();
  auto created = optional_time(object, "created_at");
  if (!created) return created.error();
  auto expires = optional_time(object, "expires_at");
  if (!expires) return expires.error();
  row.created_at = *created;
  row.expires_at = *expires;
  auto iterations = iterations_of(object, default_iterations);
  if (!iterations) return iterations.error();
  row.iterations = *iterations;
  return row;
}

}  // namespace keyrelay::vault
