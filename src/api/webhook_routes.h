#pragma once
// GET /api/v1/alerts/deliveries (admin): the recent webhook deliveries of raised alerts and their
// state (pending with the next attempt's time, delivered, or given up), newest first.

#include "api/alert_webhooks.h"
#include "api/services.h"
#include "http/router.h"

namespace keyrelay::api {

// `webhooks` may be null (no receivers configured): the list is then empty.
void add_webhook_routes(http::Router& router, Services& services, const AlertWebhooks* webhooks);

}  // namespace keyrelay::api
