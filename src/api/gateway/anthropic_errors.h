#pragma once
// keyrelay's own errors on /v1/messages in Anthropic's error shape, so the Anthropic SDK reads
// them: {"type":"error","error":{"type","message","code"},"request_id"} with Anthropic's type for
// the status (402 billing_error, 429 rate_limit_error …), keyrelay's error code as "code"
// (spend_cap_exceeded, no_usable_key …), and the same status and headers (Retry-After,
// WWW-Authenticate, RateLimit-*) as the API shape.

#include <string_view>

#include "core/error.h"
#include "http/response.h"

namespace keyrelay::api {

http::Response anthropic_error_response(const core::Error& error, std::string_view request_id);

}  // namespace keyrelay::api
