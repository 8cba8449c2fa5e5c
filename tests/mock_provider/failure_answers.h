#pragma once
// The answers that are not success, each in the provider's own shape (PROVIDERS.md sections 1, 2
// and 3.4): a rejected or missing key, rate limits, out of credit, server errors, overload and a
// malformed request. Pure functions.

#include <string_view>

#include <boost/json/object.hpp>

#include "provider_table.h"
#include "request.h"

namespace keyrelay::mock {

// The provider's definite "bad key" answer; `key` empty = the key was missing. 401 for most
// providers, Gemini 400 API_KEY_INVALID, Perplexity an HTML 401, Google Maps 200 REQUEST_DENIED.
Answer invalid_answer(const Provider& p, std::string_view key);

// Rate limited: 429 with Retry-After (Google Maps: 200 OVER_QUERY_LIMIT); the provider's own
// retry hints (x-ratelimit-reset-requests, Gemini RetryInfo.retryDelay, …) say the same seconds.
Answer limited_answer(const Provider& p, int retry_after_seconds);

// Out of credit: OpenAI-style 429 insufficient_quota, Anthropic and Firecrawl 402, Kimi 403,
// Gemini 429 QuotaFailure, Google Maps 200 OVER_DAILY_LIMIT.
Answer quota_answer(const Provider& p);

// 500 in the provider's error shape.
Answer error_answer(const Provider& p);

// Overloaded: Anthropic 529 overloaded_error, every other provider 503 in its shape.
Answer overloaded_answer(const Provider& p);

// The body of Anthropic's overloaded error (also the data of a stream's `event: error`).
boost::json::object anthropic_overloaded_error();

// 400 naming what is wrong, in the provider's shape; `param` fills OpenAI's "param" (null if empty).
Answer bad_request_answer(const Provider& p, std::string_view message, std::string_view param = {});

// The mock's own 404 (no such route) and 405 (with Allow: `allow`).
Answer not_found_answer(const Incoming& in);
Answer method_not_allowed_answer(const Incoming& in, std::string_view allow);

}  // namespace keyrelay::mock
