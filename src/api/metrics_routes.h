#pragma once
// GET /metrics: every metric in the Prometheus text format. Open by default, as scrapers expect;
// with KEYRELAY_METRICS_TOKEN set, only `Authorization: Bearer <that token>` gets it.

#include <optional>

#include "api/services.h"
#include "core/secret.h"
#include "http/router.h"
#include "monitor/keyrelay_metrics.h"

namespace keyrelay::api {

void add_metrics_route(http::Router& router, Services& services, monitor::Metrics& metrics,
                       std::optional<core::Secret> token);

}  // namespace keyrelay::api
