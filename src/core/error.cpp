#include "core/error.h"

namespace keyrelay::core {

std::string_view errc_name(Errc code) noexcept {
  switch (code) {  // no default: a new code must be named here
    case Errc::invalid_request: return "invalid_request";
    case Errc::unauthenticated: return "unauthenticated";
    case Errc::forbidden: return "forbidden";
    case Errc::not_found: return "not_found";
    case Errc::method_not_allowed: return "method_not_allowed";
    case Errc::conflict: return "conflict";
    case Errc::payload_too_large: return "payload_too_large";
    case Errc::headers_too_large: return "headers_too_large";
    case Errc::unsupported_media_type: return "unsupported_media_type";
    case Errc::rate_limited: return "rate_limited";
    case Errc::spend_cap_exceeded: return "spend_cap_exceeded";
    case Errc::no_usable_key: return "no_usable_key";
    case Errc::upstream_error: return "upstream_error";
    case Errc::upstream_timeout: return "upstream_timeout";
    case Errc::unavailable: return "unavailable";
    case Errc::internal: return "internal";
  }
  return "internal";
}

}  // namespace keyrelay::core
