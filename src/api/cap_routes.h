#pragma once
// Spend caps (API.md, round 2): GET/PUT /api/v1/caps (the caller's own caps, across their keys),
// GET/PUT /api/v1/keys/{id}/caps (one key's; its owner, or an admin for any key) and, for admins,
// GET/PUT /api/v1/users/{id}/default-key-allowance (a user's allowance on the operator's default
// keys). A cap is {"daily_usd","monthly_usd"} (null = no cap; a PUT replaces both, an absent field
// is null) and reads back with what was spent today and this month (UTC) and when it resets.
// Every change is audited as cap.updated with the old and new values.

#include "api/services.h"
#include "http/router.h"

namespace keyrelay::api {

void add_cap_routes(http::Router& router, Services& services);

}  // namespace keyrelay::api
