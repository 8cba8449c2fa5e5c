#pragma once
// POST /api/v1/keys/{id}/validate (a stored key), POST /api/v1/keys/validate ({provider, secret},
// nothing stored), the default-keys variant (admin) and the aliases /api/api-keys/{id}/validate and
// /api/keys/validate. Answer: {"valid","state","http_status","message","latency_ms"}.

#include "api/services.h"
#include "http/router.h"

namespace keyrelay::api {

void add_validate_routes(http::Router& router, Services& services);

}  // namespace keyrelay::api
