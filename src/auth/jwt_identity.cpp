#include "auth/jwt_identity.h"

namespace keyrelay::auth {

std::string jwt_external_id(std::string_view issuer, std::string_view subject) {
  return std::to_string(issuer.size()) + ":" + std::string(issuer) + " " + std::string(subject);
}

std::string legacy_jwt_external_id(std::string_view issuer, std::string_view subject) {
  return std::string(issuer) + " " + std::string(subject);
}

}  // namespace keyrelay::auth
