#include "api/metrics_routes.h"

#include <memory>

#include "api/offload.h"
#include "crypto/constant_time.h"
#include "http/error_response.h"

namespace keyrelay::api {

void add_metrics_route(http::Router& router, Services& services, monitor::Metrics& metrics,
                       std::optional<core::Secret> token) {
  auto required = std::make_shared<std::optional<core::Secret>>(std::move(token));
  router.add(http::Method::get, "/metrics",
             [&services, &metrics, required](http::Request& req,
                                             http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
               if (*required) {
                 const std::string_view given = req.headers.get("Authorization").value_or("");
                 const std::string_view bearer = given.starts_with("Bearer ") ? given.substr(7) : std::string_view{};
                 const auto expected = (*required)->reveal();
                 const bool ok = bearer.size() == expected.size() &&
                                 crypto::constant_time_equal(core::as_bytes(bearer), expected);
                 if (!ok) {
                   auto r = http::error_response(core::Error::unauthenticated("the metrics token is missing or wrong"),
                                                 ctx.request_id);
                   r.headers.set("WWW-Authenticate", "Bearer");
                   co_return r;
                 }
               }
               // Collectors read the store (key counts) and /proc: off the I/O thread.
               std::string text = co_await offload(services.blocking, [&metrics] { return metrics.registry().render(); });
               http::Response r;
               r.status = 200;
               r.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
               r.body = std::move(text);
               co_return r;
             });
}

}  // namespace keyrelay::api
