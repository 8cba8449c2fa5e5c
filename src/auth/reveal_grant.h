#pragma once
// Which providers' keys a token with the "keys:reveal" scope may reveal (POST /api/v1/keys/{id}/reveal),
// and whether a token is a short-lived session token (POST /api/v1/sessions).
//
// A token record stores its scopes as a list of names; the grant is stored in the same list, one
// entry per provider: "keys:reveal:openai". So a token's permissions stay in one place (no schema
// change, and a backup or store copy carries them as they are), and a server that does not know
// the grant refuses such a token as having an unknown scope rather than letting it do more.
// A session token carries the marker entry "kind:session" the same way.
// Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "auth/scopes.h"
#include "core/result.h"

namespace keyrelay::auth {

// A token's stored permission list, read: its scopes and the providers it may reveal.
struct TokenGrants {
  ScopeSet scopes;
  std::vector<std::string> reveal_providers;  // sorted, no duplicates; empty without keys:reveal
  bool session = false;                       // minted by POST /api/v1/sessions for a host app's page
};

// The stored entry that marks a session token.
inline constexpr std::string_view kSessionMarker = "kind:session";

// "keys:reveal:<provider>".
std::string reveal_grant_entry(std::string_view provider);

// Reads a stored list. Errc::invalid_request for an unknown scope, a malformed provider entry, or a
// keys:reveal scope without providers (and providers without the scope).
core::Result<TokenGrants> parse_token_grants(const std::vector<std::string>& stored);

// The list to store: the scope names, then one entry per reveal provider. Errc::invalid_request
// when keys:reveal and the providers do not come together, or a provider name is not
// [a-z0-9_-]{1,64}.
core::Result<std::vector<std::string>> store_token_grants(ScopeSet scopes, std::vector<std::string> reveal_providers);

}  // namespace keyrelay::auth
