#include "api/webhook_routes.h"

#include <boost/json/array.hpp>

#include "api/guard.h"
#include "api/key_json.h"
#include "api/responses.h"
#include "core/time_format.h"

namespace keyrelay::api {
namespace {

namespace json = boost::json;

json::object delivery_json(const monitor::WebhookDelivery& d) {
  return json::object{{"id", d.id},
                      {"alert_id", d.alert_id},
                      {"event", d.event},
                      {"rule", d.rule},
                      {"receiver", url_origin(d.url)},
                      {"state", monitor::delivery_state_name(d.state)},
                      {"attempts", d.attempts},
                      {"last_status", d.last_status ? json::value(*d.last_status) : json::value(nullptr)},
                      {"last_error", d.last_error.empty() ? json::value(nullptr) : json::value(d.last_error)},
                      {"created_at", core::format_rfc3339(d.created_at)},
                      {"next_attempt_at", time_or_null(d.next_attempt_at)},
                      {"finished_at", time_or_null(d.finished_at)}};
}

// The latest deliveries of alert webhooks (at most 200), newest first.
boost::asio::awaitable<core::Result<http::Response>> list_deliveries(const AlertWebhooks* webhooks) {
  json::array data;
  if (webhooks != nullptr)
    for (const auto& d : webhooks->recent(200)) data.push_back(delivery_json(d));
  co_return json_response(200, json::object{{"data", std::move(data)}, {"next_cursor", nullptr}});
}

}  // namespace

void add_webhook_routes(http::Router& router, Services& services, const AlertWebhooks* webhooks) {
  router.add(http::Method::get, "/api/v1/alerts/deliveries",
             guarded(
                 services, auth::Scope::admin,
                 [webhooks](http::Request&, http::RequestContext&, const auth::Principal&) {
                   return list_deliveries(webhooks);
                 },
                 Needs::admin));
}

}  // namespace keyrelay::api
