#include "api/session_routes.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/guard.h"
#include "api/json_input.h"
#include "api/offload.h"
#include "core/time_format.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;
using core::Error;
using core::Result;

std::string session_json(const accounts::IssuedToken& issued) {
  boost::json::array scopes;
  for (const auto& s : auth::default_user_scopes().to_strings()) scopes.emplace_back(s);
  return boost::json::serialize(boost::json::object{{"id", issued.record.id},
                                                    {"token", issued.text.reveal_text()},
                                                    {"expires_at", core::format_rfc3339(*issued.record.expires_at)},
                                                    {"scopes", std::move(scopes)}});
}

net::awaitable<Result<http::Response>> create_session(Services& s, accounts::SessionIssuer& issuer, http::Request& req,
                                                      http::RequestContext& ctx, const auth::Principal& p) {
  auto body = json_object_body(req, {"user_id", "ttl"});
  if (!body) co_return body.error();
  auto user_id = string_field(*body, "user_id");
  if (!user_id) co_return user_id.error();
  if (!*user_id || (*user_id)->empty()) co_return Error::invalid_request("field 'user_id' is required");
  const auto max_ttl = accounts::kMaxSessionTtl.count();
  auto ttl = int_field(*body, "ttl", 1, max_ttl);
  if (!ttl) co_return ttl.error();
  accounts::SessionRequest request{**user_id, std::chrono::seconds(ttl->value_or(max_ttl))};
  const auto host = caller_of(p, req, ctx);
  auto issued = co_await offload(s.blocking, [&] { return issuer.issue(host, request); });
  if (!issued) co_return issued.error();
  co_return http::Response::json(201, session_json(*issued));
}

}  // namespace

void add_session_routes(http::Router& router, Services& s, accounts::SessionIssuer& issuer) {
  // A host mints one for each of its users' page views: that is traffic, like the gateway's, not a
  // management change of the backend's own user (10 a minute by default).
  router.add(http::Method::post, "/api/v1/sessions",
             guarded(
                 s, auth::Scope::act_as,
                 [&s, &issuer](http::Request& req, http::RequestContext& ctx, const auth::Principal& p) {
                   return create_session(s, issuer, req, ctx, p);
                 },
                 Needs::host, RateBucket::gateway));
}

}  // namespace keyrelay::api
