#pragma once
// Users and tokens (API.md): admins create and list users and issue tokens; any authenticated
// caller may list and revoke its own user's tokens, and with keys:write issue its own (scopes it
// holds among keys:read, keys:write, gateway, audit:read; never for someone it acts for).

#include "accounts/account_service.h"
#include "api/services.h"
#include "http/router.h"

namespace keyrelay::api {

void add_account_routes(http::Router& router, Services& services, accounts::AccountService& accounts);

}  // namespace keyrelay::api
