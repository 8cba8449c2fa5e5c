#include "api/gateway/gateway_answer.h"

#include <algorithm>
#include <cstdio>

namespace keyrelay::api {
namespace {

// Milliseconds with three decimals ("0.042"): Server-Timing's unit.
std::string milliseconds(std::chrono::nanoseconds d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(d.count()) / 1e6);
  return text;
}

}  // namespace

void set_key_headers(http::Response& r, const gateway::ProviderAnswer& answer, int attempts) {
  r.headers.set("X-Keyrelay-Provider", answer.provider->id);
  r.headers.set("X-Keyrelay-Key-Id", answer.use.key_id);
  r.headers.set("X-Keyrelay-Credential", std::string(gateway::credential_name(answer.credential)));
  r.headers.set("X-Keyrelay-Attempts", std::to_string(attempts));
}

void set_server_timing(GatewayServices& gateway, http::RequestContext& ctx, std::chrono::nanoseconds upstream) {
  const auto total = std::chrono::steady_clock::now() - ctx.started_at;
  const auto own = std::max(std::chrono::nanoseconds{0}, std::chrono::nanoseconds(total) - upstream);
  ctx.response_headers.set("Server-Timing", "keyrelay;dur=" + milliseconds(own) + ", upstream;dur=" + milliseconds(upstream));
  if (gateway.services.metrics != nullptr) gateway.services.metrics->gateway_overhead(own);
}

}  // namespace keyrelay::api
