#include "api/gateway/gateway_places.h"

namespace keyrelay::api {

core::Result<monitor::Permit> take_gateway_place(GatewayServices& gateway, const auth::Principal& principal,
                                                 http::RequestContext& ctx) {
  if (gateway.concurrency == nullptr) return monitor::Permit();
  auto place = gateway.concurrency->try_acquire(principal.user_id);
  if (place) return std::move(*place);
  const std::uint32_t limit = gateway.concurrency->limit();
  ctx.response_headers.set("RateLimit-Limit", std::to_string(limit));
  ctx.response_headers.set("RateLimit-Remaining", "0");
  ctx.response_headers.set("RateLimit-Reset", "1");
  return core::Error::rate_limited("too many requests in flight for this user; " + std::to_string(limit) +
                                       " may run at once",
                                   std::chrono::seconds(1));
}

}  // namespace keyrelay::api
