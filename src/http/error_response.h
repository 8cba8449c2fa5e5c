#pragma once
// The one place where a core::Error becomes an HTTP response (API.md "Errors").

#include <string_view>

#include "core/error.h"
#include "http/response.h"

namespace keyrelay::http {

// The status code of `code` (invalid_request → 400, ...).
int http_status(core::Errc code) noexcept;

// {"error":{"code","message","request_id"}} with the matching status; `internal` errors carry a
// generic message (details belong in the log); rate_limited adds Retry-After, and RateLimit-* when
// the error carries the limit's figures.
Response error_response(const core::Error& error, std::string_view request_id);

}  // namespace keyrelay::http
