#pragma once
// What a user reads about their keys besides the keys themselves (API.md): usage rows
// (GET /api/v1/usage), alerts (GET /api/v1/alerts, POST /api/v1/alerts/{id}/resolve) and the key
// health summary (GET /api/v1/metrics), plus the /api/keys/metrics and /api/keys/alerts aliases.

#include "api/services.h"
#include "http/router.h"

namespace keyrelay::api {

void add_insight_routes(http::Router& router, Services& services);

}  // namespace keyrelay::api
