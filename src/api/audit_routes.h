#pragma once
// GET /api/v1/audit: a user's own events (as actor, acted for, or key owner); an admin's view of
// everyone's, optionally narrowed with user_id=. Newest first, cursor paginated. Also the alias
// /api/keys/audit.

#include "api/services.h"
#include "http/router.h"

namespace keyrelay::api {

void add_audit_routes(http::Router& router, Services& services);

}  // namespace keyrelay::api
