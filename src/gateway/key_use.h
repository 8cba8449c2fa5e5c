#pragma once
// One use of a stored key by the gateway, as the usage counts and the key.used audit event need it,
// and the sink the gateway hands uses to.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "audit/actor.h"
#include "gateway/spend_hold.h"

namespace keyrelay::gateway {

// Who acts through the gateway (the authenticated caller, on whose behalf, and the request facts).
using Actor = audit::Actor;

struct KeyUse {
  Actor caller;             // who used it (actor, on-behalf-of, ip, user agent, request id)
  std::string key_id;
  std::string key_owner_id;   // the user, or the system user for an operator default key
  std::string provider;
  std::string credential;     // "user" | "default"
  std::string route;          // "chat" | "proxy"
  std::string model;          // the provider's model name; for /proxy the one its answer names, if any
  std::optional<int> http_status;  // the provider's answer; absent when none came
  bool error = false;         // counted as an error of the key (transport failure, 4xx/5xx)
  // The provider's token counts (input includes the cached and cache-written tokens; see
  // TokenUsage), priced off the request path by the recorder.
  std::uint64_t input_tokens = 0, output_tokens = 0;
  std::uint64_t cached_input_tokens = 0, cache_write_tokens = 0;
  bool usage_reported = false;  // the answer carried usage: without it a successful call is unpriced
  // The call's reservation against spend caps (null: no cap applies): settled with the use's cost
  // when the use is recorded (SpendSettlingSink), released if the use is dropped unrecorded.
  std::shared_ptr<SpendHold> spend_hold;
};

class UsageSink {
 public:
  virtual ~UsageSink() = default;
  // Books one use of a key; returns at once, never touches a store on the caller's thread.
  virtual void record(KeyUse use) = 0;
};

}  // namespace keyrelay::gateway
