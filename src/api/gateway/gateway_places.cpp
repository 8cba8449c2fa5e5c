#include "api/gateway/gateway_places.h"

namespace keyrelay::api {

core::Result<monitor::Permit> take_gateway_place(GatewayServices& gateway, const auth::Principal& principal,
                                                 http::RequestContext&) {
  if (gateway.concurrency == nullptr) return monitor::Permit();
  auto place = gateway.concurrency->try_acquire(principal.user_id);
  if (place) return std::move(*place);
  const std::uint32_t limit = gateway.concurrency->limit();
  auto refused = core::Error::rate_limited(
      "too many requests in flight for this user; " + std::to_string(limit) + " may run at once", std::chrono::seconds(1));
  refused.rate_limit = core::RateLimitFigures{limit, 0, std::chrono::seconds(1)};
  return refused;
}

}  // namespace keyrelay::api
