#pragma once
// One line of a `keyrelay import fernet` input (shared/import-fernet.md, normative): a JSON object
// naming the user, the provider and key name, the user's salt and the Fernet token of the secret
// (and, in the envelope scheme, the token of the row's data key). Parsing checks the shape only;
// FernetOpener decrypts. Pure functions; thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "store/records.h"

namespace keyrelay::vault {

// How the source system sealed a secret: with the user's master-derived Fernet key itself, or with a
// data key of the row that is itself sealed under the master-derived key.
enum class FernetScheme { per_user_salt, envelope };
std::optional<FernetScheme> parse_fernet_scheme(std::string_view text) noexcept;

inline constexpr std::uint32_t kDefaultFernetIterations = 100'000;

struct FernetRow {
  std::size_t line = 0;
  std::string user;
  std::string provider;
  std::string name;
  core::Bytes salt;
  std::string token;
  std::optional<std::string> data_key;  // envelope scheme only
  std::optional<store::TimePoint> created_at;
  std::optional<store::TimePoint> expires_at;
  std::uint32_t iterations = kDefaultFernetIterations;
};

// Parses `text`, line `line` of the input. invalid_request with a reason that names the field (never
// a token's text): not a JSON object, a missing or unknown field, a value of the wrong type, a salt
// that is not standard base64, a time that is not RFC 3339, iterations out of range, data_key
// missing in the envelope scheme or given in the per-user-salt scheme. `default_iterations` applies
// when the row names none.
core::Result<FernetRow> parse_fernet_row(std::string_view text, std::size_t line, FernetScheme scheme,
                                         std::uint32_t default_iterations);

}  // namespace keyrelay::vault
