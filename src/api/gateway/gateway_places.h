#pragma once
// How many gateway requests one user may have in flight at once
// (KEYRELAY_GATEWAY_MAX_CONCURRENT_PER_USER): one user's long streams cannot hold a provider's
// whole connection pool. Counted per effective user (an act_as service acting for alice counts
// as alice), from authentication until the answer — a stream included — has ended.

#include "api/gateway/gateway_services.h"
#include "auth/principal.h"
#include "core/result.h"
#include "http/request_context.h"
#include "monitor/concurrency_limiter.h"

namespace keyrelay::api {

// The caller's place, to be held until its answer ends (an empty Permit when no cap is set).
// rate_limited with Retry-After 1 s when the user has none left, carrying its RateLimit-* figures
// (limit = the cap, remaining 0, reset 1 s).
core::Result<monitor::Permit> take_gateway_place(GatewayServices& gateway, const auth::Principal& principal,
                                                 http::RequestContext& ctx);

}  // namespace keyrelay::api
