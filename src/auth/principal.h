#pragma once
// The authenticated caller of one request: whose data it acts on, who really authenticated, and
// what it may do. Plain data; built by the Authenticator.

#include <optional>
#include <string>
#include <vector>

#include "auth/scopes.h"
#include "store/records.h"

namespace keyrelay::auth {

struct Principal {
  std::string user_id;        // effective user (the on-behalf-of target when acting for someone)
  std::string user_name;
  store::Role role = store::Role::user;  // of the effective user
  std::string actor_user_id;  // who authenticated
  std::optional<std::string> token_id;
  store::ActorKind kind = store::ActorKind::token;
  ScopeSet scopes;            // effective scopes
  std::vector<std::string> reveal_providers;  // with keys:reveal: whose keys it may reveal (sorted)

  bool on_behalf() const noexcept { return user_id != actor_user_id; }
  bool has(Scope s) const noexcept { return scopes.contains(s); }
  // Admin powers need both: the admin role and the admin scope on the credential.
  bool is_admin() const noexcept { return role == store::Role::admin && scopes.contains(Scope::admin); }
};

}  // namespace keyrelay::auth
