#include "http/error_response.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/utf8.h"

namespace keyrelay::http {

int http_status(core::Errc code) noexcept {
  using core::Errc;
  switch (code) {  // no default: the compiler points out a code without a mapping
    case Errc::invalid_request: return 400;
    case Errc::unauthenticated: return 401;
    case Errc::forbidden: return 403;
    case Errc::spend_cap_exceeded: return 402;
    case Errc::not_found: return 404;
    case Errc::method_not_allowed: return 405;
    case Errc::conflict: return 409;
    case Errc::payload_too_large: return 413;
    case Errc::unsupported_media_type: return 415;
    case Errc::no_usable_key: return 424;
    case Errc::rate_limited: return 429;
    case Errc::headers_too_large: return 431;
    case Errc::internal: return 500;
    case Errc::upstream_error: return 502;
    case Errc::unavailable: return 503;
    case Errc::upstream_timeout: return 504;
  }
  return 500;
}

Response error_response(const core::Error& error, std::string_view request_id) {
  const bool internal = error.code == core::Errc::internal;
  boost::json::object body{
      {"error",
       {{"code", core::errc_name(error.code)},
        // Messages may quote client bytes (a target, a query parameter); the body stays UTF-8.
        {"message", internal ? std::string("internal error") : core::to_valid_utf8(error.message)},
        {"request_id", request_id}}}};
  Response r = Response::json(http_status(error.code), boost::json::serialize(body));
  if (error.code == core::Errc::unauthenticated) r.headers.set("WWW-Authenticate", "Bearer");
  if (error.code == core::Errc::unavailable) {
    // A busy or unreachable database, a full pool, a draining server: worth retrying shortly.
    const auto secs = error.retry_after ? error.retry_after->count() : 1;
    r.headers.set("Retry-After", std::to_string(secs < 1 ? 1 : secs));
  }
  if (error.code == core::Errc::spend_cap_exceeded) {
    // Until the cap that refused resets.
    const auto secs = error.retry_after ? error.retry_after->count() : 1;
    r.headers.set("Retry-After", std::to_string(secs < 1 ? 1 : secs));
  }
  if (error.code == core::Errc::rate_limited) {
    const auto secs = error.retry_after ? error.retry_after->count() : 1;
    r.headers.set("Retry-After", std::to_string(secs < 1 ? 1 : secs));
    if (const auto& figures = error.rate_limit) {
      r.headers.set("RateLimit-Limit", std::to_string(figures->limit));
      r.headers.set("RateLimit-Remaining", std::to_string(figures->remaining));
      r.headers.set("RateLimit-Reset", std::to_string(figures->reset.count()));
    }
  }
  return r;
}

}  // namespace keyrelay::http
