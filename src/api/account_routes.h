#pragma once
// Users and tokens (API.md): admins create and list users and issue tokens; any authenticated
// caller may list and revoke its own user's tokens.

#include "accounts/account_service.h"
#include "api/services.h"
#include "http/router.h"

namespace keyrelay::api {

void add_account_routes(http::Router& router, Services& services, accounts::AccountService& accounts);

}  // namespace keyrelay::api
