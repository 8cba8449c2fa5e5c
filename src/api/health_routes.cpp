#include "api/health_routes.h"

#include "http/error_response.h"

namespace keyrelay::api {

void add_health_routes(http::Router& router, std::vector<ReadinessCheck> checks) {
  router.add(http::Method::get, "/healthz",
             [](http::Request&, http::RequestContext&) -> boost::asio::awaitable<http::Response> {
               co_return http::Response::json(200, R"({"status":"ok"})");
             });
  router.add(http::Method::get, "/readyz",
             [checks = std::move(checks)](http::Request&,
                                          http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
               for (const auto& c : checks) {
                 if (auto r = c.check(); !r)
                   co_return http::error_response(core::Error::unavailable("not ready: " + c.name + ": " + r.error().message),
                                                  ctx.request_id);
               }
               co_return http::Response::json(200, R"({"status":"ready"})");
             });
}

}  // namespace keyrelay::api
