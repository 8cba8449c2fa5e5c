#pragma once
// What a provider's answer says about the key that made the call. One classifier serves validation
// and (later) the router (API.md "Provider answers"): only a definite "this key is not valid"
// marks a key invalid; out-of-credit, rate limits and server errors leave the key alone.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "http/headers.h"

namespace keyrelay::gateway {

enum class Verdict {
  valid,          // the provider accepted the key
  invalid,        // definitely rejected (401, OpenAI/Anthropic 403 auth error, Gemini API_KEY_INVALID, Maps REQUEST_DENIED)
  out_of_credit,  // the key works but its account cannot pay (OpenAI insufficient_quota, Kimi balance, Firecrawl 402)
  rate_limited,   // the key works but is throttled now
  error,          // we could not tell (5xx, other 4xx, an answer we do not understand)
};

std::string_view verdict_name(Verdict v) noexcept;

struct Classification {
  Verdict verdict = Verdict::error;
  std::string message;                          // short, for people; provider text is redacted by the caller
  std::optional<std::chrono::seconds> retry_after;
};

Classification classify(const catalog::Provider& provider, int status, const http::Headers& headers,
                        std::string_view body);

// Provider text that may echo the key: every occurrence of `secret` (raw and percent-encoded) becomes
// "[redacted]", control characters become spaces, and the result is cut to 256 characters.
std::string redact(std::string_view text, std::string_view secret);

// Replaces every occurrence of `secret` (raw and percent-encoded) in `text` by "[redacted]", nothing
// else: for provider bodies that are passed on whole.
void scrub_secret(std::string& text, std::string_view secret);

}  // namespace keyrelay::gateway
