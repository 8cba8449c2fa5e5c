#pragma once
// What the gateway routes (/v1/*, /proxy/*) use besides the management services, owned by the
// composition root (cli/serve.cpp) and alive longer than the server.

#include <cstddef>

#include "api/services.h"
#include "gateway/dispatcher.h"
#include "gateway/model_list_cache.h"
#include "gateway/model_resolver.h"
#include "gateway/wire/chat_wire.h"
#include "monitor/concurrency_limiter.h"

namespace keyrelay::api {

struct GatewaySettings {
  gateway::WireOptions wire;                               // anthropic default max_tokens
  std::size_t max_request_body_bytes = 32 * 1024 * 1024;  // /v1/chat/completions and /proxy bodies
};

struct GatewayServices {
  Services& services;
  gateway::Dispatcher& dispatcher;
  const gateway::ModelResolver& resolver;
  gateway::UsageSink& usage;
  gateway::ModelListCache& model_lists;
  monitor::ConcurrencyLimiter* concurrency = nullptr;  // null: no per-user cap on requests in flight
  GatewaySettings settings;
};

}  // namespace keyrelay::api
