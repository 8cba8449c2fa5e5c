#pragma once
// The provider-key endpoints of API.md: /api/v1/keys… for a user's own keys, /api/v1/default-keys…
// for the operator's default keys (admin), /api/v1/providers, and the compatibility aliases
// /api/api-keys/… and /api/keys/… that answer with exactly the same shapes.

#include "api/services.h"
#include "http/router.h"

namespace keyrelay::api {

void add_key_routes(http::Router& router, Services& services);

}  // namespace keyrelay::api
