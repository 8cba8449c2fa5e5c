#include "api/gateway/anthropic_errors.h"

#include "gateway/wire/messages_wire.h"
#include "http/error_response.h"

namespace keyrelay::api {

http::Response anthropic_error_response(const core::Error& error, std::string_view request_id) {
  // Same status and headers as the API shape; only the body differs.
  http::Response r = http::error_response(error, request_id);
  const bool internal = error.code == core::Errc::internal;
  r.body = gateway::anthropic_error_body(gateway::anthropic_error_type(r.status),
                                         internal ? std::string_view("internal error") : std::string_view(error.message),
                                         core::errc_name(error.code), request_id);
  return r;
}

}  // namespace keyrelay::api
