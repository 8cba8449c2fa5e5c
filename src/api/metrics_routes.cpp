#include "api/metrics_routes.h"

#include <memory>

#include "api/offload.h"
#include "crypto/constant_time.h"

namespace keyrelay::api {

namespace {

// The Prometheus scrape; with a metrics token configured, only for a request that carries it.
boost::asio::awaitable<core::Result<http::Response>> scrape(Services& services, monitor::Metrics& metrics,
                                                            const std::optional<core::Secret>& token,
                                                            http::Request& req) {
  if (token) {
    const std::string_view given = req.headers.get("Authorization").value_or("");
    const std::string_view bearer = given.starts_with("Bearer ") ? given.substr(7) : std::string_view{};
    const auto expected = token->reveal();
    const bool ok = bearer.size() == expected.size() &&
                    crypto::constant_time_equal(core::as_bytes(bearer), expected);
    // error_response adds WWW-Authenticate: Bearer.
    if (!ok) co_return core::Error::unauthenticated("the metrics token is missing or wrong");
  }
  // Collectors read the store (key counts) and /proc: off the I/O thread.
  std::string text = co_await offload(services.blocking, [&metrics] { return metrics.registry().render(); });
  http::Response r;
  r.status = 200;
  r.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  r.body = std::move(text);
  co_return r;
}

}  // namespace

void add_metrics_route(http::Router& router, Services& services, monitor::Metrics& metrics,
                       std::optional<core::Secret> token) {
  auto required = std::make_shared<std::optional<core::Secret>>(std::move(token));
  router.add(http::Method::get, "/metrics", [&services, &metrics, required](http::Request& req, http::RequestContext&) {
    return scrape(services, metrics, *required, req);
  });
}

}  // namespace keyrelay::api
