#pragma once
// Authentication and authorization in front of a handler: resolves the Principal (on the worker
// pool), checks the scope the route needs, and hands both to the handler. 401 for missing or bad
// credentials (with WWW-Authenticate), 403 for a valid credential without the scope.

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "api/services.h"
#include "audit/actor.h"
#include "auth/principal.h"
#include "http/handler.h"

namespace keyrelay::api {

using AuthedHandler = std::function<boost::asio::awaitable<core::Result<http::Response>>(
    http::Request&, http::RequestContext&, const auth::Principal&)>;

// scope: the route's scope; admin: also the admin role; scope_or_admin: the scope, or an admin's
// credential whatever its other scopes (POST /api/v1/tokens: admins for anyone, users for
// themselves); host: an admin, or a token with act_as that is not acting for anyone (a host app's
// backend: POST /api/v1/sessions), whatever `scope` says.
enum class Needs { scope, admin, scope_or_admin, host };

// The Principal for `authorization` (and the request's X-Keyrelay-On-Behalf-Of): from the token
// cache without leaving the I/O thread when possible, otherwise on the worker pool. The credential
// is checked before the IP lockout, so a valid one is served whatever the address (API.md); a
// locked-out client gets rate_limited instead of unauthenticated for a missing or failing one, and
// a malformed one is refused without a store lookup. Failing credentials count toward the lockout.
boost::asio::awaitable<core::Result<auth::Principal>> authenticate(Services& services,
                                                                  std::optional<std::string_view> authorization,
                                                                  const http::Request& request,
                                                                  const http::RequestContext& ctx);

// The route requires `scope`; with Needs::admin it also requires the admin role and scope.
// The request is charged to the caller's `bucket`; without one, a change (POST, PUT, PATCH,
// DELETE) is charged to the mutation bucket and a read to none. A large body is read only once
// the caller passed authentication and the scope check (the handler's head check), so a bad
// token costs the server a request head, not megabytes.
http::Handler guarded(Services& services, auth::Scope scope, AuthedHandler handler, Needs needs = Needs::scope,
                      std::optional<RateBucket> bucket = std::nullopt);

// guarded() for a handler that is a member function of a route family's object (KeyRoutes::list …),
// which the family's routes share: `routes` lives as long as the router holds the handler.
template <auto Member, class Routes>
http::Handler guarded(Services& services, std::shared_ptr<Routes> routes, auth::Scope scope, Needs needs = Needs::scope,
                      std::optional<RateBucket> bucket = std::nullopt) {
  return guarded(
      services, scope,
      [routes = std::move(routes)](http::Request& req, http::RequestContext& ctx, const auth::Principal& p) {
        return ((*routes).*Member)(req, ctx, p);
      },
      needs, bucket);
}

// The head check of a guarded route: 401/403 from the request head alone, nothing charged.
http::HeadCheck authenticate_head(Services& services, auth::Scope scope, Needs needs = Needs::scope);

// Charges one provider validation to the caller's user (the validation bucket): for create and
// rotate with `validate: true`, whose validation the route itself cannot see before the body is read.
// Like every Protection call made here: on the worker pool when the limits are in Redis.
boost::asio::awaitable<std::optional<core::Error>> charge_validation(Services& services, const auth::Principal& principal,
                                                                     http::RequestContext& ctx);

// Charges a gateway request to the caller's token (the gateway bucket, when configured).
boost::asio::awaitable<std::optional<core::Error>> charge_gateway(Services& services, const auth::Principal& principal,
                                                                  http::RequestContext& ctx);

// The service-layer view of the caller, with the request facts for audit events.
audit::Actor caller_of(const auth::Principal& principal, const http::Request& request,
                        const http::RequestContext& ctx);

}  // namespace keyrelay::api
