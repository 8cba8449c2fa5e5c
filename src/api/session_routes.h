#pragma once
// POST /api/v1/sessions (API.md, round 2): a host app's backend — an admin token, or a service
// token with act_as — mints a short-lived session token for one of its users, for the settings
// page embedded in the host's own page. Body {"user_id", "ttl"?} (ttl in seconds, default and
// maximum 900) → 201 {"id","token","expires_at","scopes"}. The rules live in
// accounts::SessionIssuer (accounts/session_tokens.h).

#include "accounts/session_tokens.h"
#include "api/services.h"
#include "http/router.h"

namespace keyrelay::api {

// `issuer` must outlive the router.
void add_session_routes(http::Router& router, Services& services, accounts::SessionIssuer& issuer);

}  // namespace keyrelay::api
