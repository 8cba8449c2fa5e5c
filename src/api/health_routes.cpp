#include "api/health_routes.h"

namespace keyrelay::api {

namespace {

// Alive: the process answers.
boost::asio::awaitable<core::Result<http::Response>> healthz(http::Request&, http::RequestContext&) {
  co_return http::Response::json(200, R"({"status":"ok"})");
}

// Ready: every check passes; the first that fails is named.
boost::asio::awaitable<core::Result<http::Response>> readyz(const std::vector<ReadinessCheck>& checks) {
  for (const auto& c : checks) {
    if (auto r = c.check(); !r) co_return core::Error::unavailable("not ready: " + c.name + ": " + r.error().message);
  }
  co_return http::Response::json(200, R"({"status":"ready"})");
}

}  // namespace

void add_health_routes(http::Router& router, std::vector<ReadinessCheck> checks) {
  router.add(http::Method::get, "/healthz", healthz);
  router.add(http::Method::get, "/readyz",
             [checks = std::move(checks)](http::Request&, http::RequestContext&) { return readyz(checks); });
}

}  // namespace keyrelay::api
