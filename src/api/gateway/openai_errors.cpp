#include "api/gateway/openai_errors.h"

#include "gateway/wire/chat_wire.h"
#include "http/error_response.h"

namespace keyrelay::api {

std::string_view openai_error_type(core::Errc code) noexcept {
  using core::Errc;
  switch (code) {  // no default: a new code needs a type
    case Errc::invalid_request:
    case Errc::method_not_allowed:
    case Errc::payload_too_large:
    case Errc::headers_too_large:
    case Errc::unsupported_media_type:
    case Errc::not_found: return "invalid_request_error";
    case Errc::unauthenticated: return "authentication_error";
    case Errc::forbidden: return "permission_error";
    case Errc::rate_limited: return "rate_limit_error";
    case Errc::spend_cap_exceeded: return "insufficient_quota";
    case Errc::no_usable_key: return "no_usable_key";
    case Errc::conflict: return "invalid_request_error";
    case Errc::upstream_error:
    case Errc::upstream_timeout:
    case Errc::unavailable:
    case Errc::internal: return "api_error";
  }
  return "api_error";
}

http::Response openai_error_response(const core::Error& error, std::string_view request_id) {
  // Same status and headers as the API shape; only the body differs.
  http::Response r = http::error_response(error, request_id);
  const bool internal = error.code == core::Errc::internal;
  r.body = gateway::openai_error_body(internal ? std::string_view("internal error") : std::string_view(error.message),
                                      openai_error_type(error.code), core::errc_name(error.code), request_id);
  return r;
}

}  // namespace keyrelay::api
