#pragma once
// GET /healthz (the process is up) and GET /readyz (it can serve: not draining, and every readiness
// check passes — the store check joins when the store exists).

#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "http/router.h"

namespace keyrelay::api {

struct ReadinessCheck {
  std::string name;                          // shown in the 503 message ("store")
  std::function<core::Result<void>()> check;  // must be cheap and non-blocking
};

// `checks` are evaluated on every /readyz call; the vector is copied into the handler.
void add_health_routes(http::Router& router, std::vector<ReadinessCheck> checks);

}  // namespace keyrelay::api
