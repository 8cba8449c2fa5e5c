#pragma once
// The external id that ties a user to an identity provider's subject (API.md: "external_id (iss +
// sub)"). Pure functions, thread-safe.

#include <string>
#include <string_view>

namespace keyrelay::auth {

// The external id of the JWT subject `subject` of the issuer `issuer`.
std::string jwt_external_id(std::string_view issuer, std::string_view subject);

}  // namespace keyrelay::auth
