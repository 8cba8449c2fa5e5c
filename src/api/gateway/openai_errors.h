#pragma once
// keyrelay's own errors on /v1/* in OpenAI's error shape (API.md "Gateway error shape"), so SDKs
// read them: {"error":{"message","type","param":null,"code","request_id"}} with code = keyrelay's
// error code and the same status and headers (Retry-After, WWW-Authenticate) as the API shape.

#include <string_view>

#include "core/error.h"
#include "http/response.h"

namespace keyrelay::api {

// The OpenAI error type for a keyrelay error code ("invalid_request_error", "authentication_error", ...).
std::string_view openai_error_type(core::Errc code) noexcept;

http::Response openai_error_response(const core::Error& error, std::string_view request_id);

}  // namespace keyrelay::api
