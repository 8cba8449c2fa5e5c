#pragma once
// Session tokens for the settings page inside a host app (POST /api/v1/sessions): the host's backend
// (an admin, or a service token with act_as) mints a short-lived access token for one of its users,
// which the host hands to the embedded page. The token has exactly the scopes a user holds by
// default (keys:read, keys:write, gateway, audit:read: never admin, act_as or keys:reveal), carries
// the session marker (auth/reveal_grant.h) so listings can tell it apart, and expires after at most
// kMaxSessionTtl. Issued with a session.created event (actor: the host's token, on behalf of the
// user) in the same transaction.
//
// Thread-safe; blocking (store calls). The stores and `clock` must outlive the issuer.

#include <chrono>
#include <string>

#include "accounts/account_service.h"
#include "audit/actor.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/token_store.h"
#include "store/user_store.h"

namespace keyrelay::accounts {

inline constexpr std::chrono::seconds kMaxSessionTtl{15 * 60};

struct SessionRequest {
  std::string user_id;
  std::chrono::seconds ttl = kMaxSessionTtl;  // 1 s .. kMaxSessionTtl
};

class SessionIssuer {
 public:
  SessionIssuer(store::UserStore& users, store::TokenStore& tokens, const core::Clock& clock, std::string audit_chain);

  // `host` is the authenticated caller; it must be an admin or hold act_as (the route checks).
  // invalid_request for a ttl out of bounds; not_found for an unknown user; forbidden for the
  // operator's system user, and for an admin user unless `host` is an admin itself (act_as acts
  // only for plain users).
  core::Result<IssuedToken> issue(const audit::Actor& host, const SessionRequest& request);

 private:
  store::UserStore& users_;
  store::TokenStore& tokens_;
  const core::Clock& clock_;
  std::string audit_chain_;
};

}  // namespace keyrelay::accounts
