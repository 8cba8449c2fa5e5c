#pragma once
// The external id that ties a user to an identity provider's subject (API.md: "external_id (iss +
// sub)"). Pure functions, thread-safe.

#include <string>
#include <string_view>

namespace keyrelay::auth {

// "<bytes of issuer>:<issuer> <subject>", e.g. "24:https://id.example.test/ alice". The length says
// where the issuer ends, so no two (issuer, subject) pairs share an id — "iss sub" made
// ("https://a/ x", "y") and ("https://a/", "x y") the same user — and it still reads as iss + sub.
std::string jwt_external_id(std::string_view issuer, std::string_view subject);

// "<issuer> <subject>": the ambiguous form of users created before issue 12, looked up once and
// rewritten (Authenticator).
std::string legacy_jwt_external_id(std::string_view issuer, std::string_view subject);

}  // namespace keyrelay::auth
