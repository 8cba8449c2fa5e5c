#pragma once
// The signature on webhook deliveries: `X-Keyrelay-Signature: t=<unix seconds>,v1=<hex>` where
// v1 = HMAC-SHA256(secret, "<t>.<body>"). The timestamp is signed with the body, so a receiver that
// rejects old timestamps (verify_webhook_signature's tolerance) cannot be fed a replayed delivery;
// "v1" leaves room for another scheme beside it during a change.

#include <chrono>
#include <string>
#include <string_view>

#include "core/secret.h"

namespace keyrelay::monitor {

std::string sign_webhook(const core::Secret& secret, std::chrono::system_clock::time_point at, std::string_view body);

// What a receiver does: true when `header` carries a v1 signature of `body` under `secret` whose
// timestamp is within `tolerance` of `now`. Compares in constant time.
bool verify_webhook_signature(const core::Secret& secret, std::string_view header, std::string_view body,
                              std::chrono::system_clock::time_point now, std::chrono::seconds tolerance);

}  // namespace keyrelay::monitor
