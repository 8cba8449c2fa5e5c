#pragma once
// What the gateway routes (/v1/*, /proxy/*) use besides the management services, owned by the
// composition root (cli/serve.cpp) and alive longer than the server.

#include <cstddef>

#include "api/services.h"
#include "gateway/circuit_breaker.h"
#include "gateway/model_list_cache.h"
#include "gateway/model_resolver.h"
#include "gateway/upstream_client.h"
#include "gateway/usage_recorder.h"
#include "gateway/wire/chat_wire.h"
#include "monitor/concurrency_limiter.h"
#include "vault/key_cache.h"

namespace keyrelay::api {

class KeyRecheck;

struct GatewaySettings {
  bool default_key_fallback = false;   // KEYRELAY_DEFAULT_KEY_FALLBACK
  gateway::WireOptions wire;           // anthropic default max_tokens
  std::size_t max_response_bytes = 16 * 1024 * 1024;  // a plain (non-streamed) chat answer
  std::size_t max_error_body_bytes = 64 * 1024;        // a provider's error answer we read
  std::size_t max_request_body_bytes = 32 * 1024 * 1024;  // /v1/chat/completions and /proxy bodies
  // A 2xx answer whose announced length is at most this is read whole before anything is relayed
  // (a break anywhere in it fails over); a stream's first event is held back at most this long.
  std::size_t max_buffered_answer_bytes = 1024 * 1024;
};

struct GatewayServices {
  Services& services;
  gateway::UpstreamClient& upstream;
  const gateway::ModelResolver& resolver;
  gateway::CircuitBreaker& breaker;
  gateway::UsageRecorder& usage;
  vault::KeyCache& cache;
  gateway::ModelListCache& model_lists;
  KeyRecheck* recheck = nullptr;                  // null: refused keys are not re-validated (tests)
  monitor::ConcurrencyLimiter* concurrency = nullptr;  // null: no per-user cap on requests in flight
  GatewaySettings settings;
};

}  // namespace keyrelay::api
