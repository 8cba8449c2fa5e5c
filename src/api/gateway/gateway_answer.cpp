#include "api/gateway/gateway_answer.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace keyrelay::api {
namespace {

// Milliseconds with three decimals ("0.042"): Server-Timing's unit. Integer arithmetic, rounded to
// the nearest microsecond: printf's floating-point path was a visible cost of every answer.
void append_milliseconds(std::string& out, std::chrono::nanoseconds d) {
  const auto micros = static_cast<std::uint64_t>(std::max<std::int64_t>(0, (d.count() + 500) / 1000));
  char text[24];
  auto end = std::to_chars(text, text + sizeof text, micros / 1000).ptr;
  const auto fraction = static_cast<unsigned>(micros % 1000);
  *end++ = '.';
  *end++ = static_cast<char>('0' + fraction / 100);
  *end++ = static_cast<char>('0' + fraction / 10 % 10);
  *end++ = static_cast<char>('0' + fraction % 10);
  out.append(text, end);
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
  std::string timing = "keyrelay;dur=";
  timing.reserve(48);
  append_milliseconds(timing, own);
  timing += ", upstream;dur=";
  append_milliseconds(timing, upstream);
  ctx.response_headers.set("Server-Timing", timing);
  if (gateway.services.metrics != nullptr) gateway.services.metrics->gateway_overhead(own);
}

}  // namespace keyrelay::api
