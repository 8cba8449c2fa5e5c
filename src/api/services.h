#pragma once
// What the route handlers use, borrowed from the composition root (cli/serve.cpp), which owns them
// and keeps them alive longer than the server.

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "api/protection.h"
#include "auth/authenticator.h"
#include "catalog/catalog.h"
#include "gateway/key_validator.h"
#include "core/clock.h"
#include "monitor/alert_service.h"
#include "monitor/keyrelay_metrics.h"
#include "store/alert_store.h"
#include "store/cap_store.h"
#include "store/audit_query_store.h"
#include "store/key_inventory_store.h"
#include "store/key_store.h"
#include "store/usage_store.h"
#include "vault/key_service.h"

namespace keyrelay::api {

struct Services {
  boost::asio::thread_pool& blocking;  // store and service calls run here
  // The store areas the routes read directly; changes go through the services below.
  store::KeyStore& key_store;                // the caller's keys (health summary)
  store::KeyInventoryStore& key_inventory;   // every owner's keys (an admin's health summary)
  store::UsageStore& usage_store;
  store::AlertStore& alert_store;
  store::AuditQueryStore& audit_log;
  auth::Authenticator& authenticator;
  vault::KeyService& keys;
  std::shared_ptr<const catalog::Catalog> catalog;
  const core::Clock& clock;
  std::string audit_chain;     // this writer's mgmt chain
  std::string system_user_id;  // owner of the operator's default keys
  gateway::KeyValidator* validator = nullptr;  // provider calls; null where no gateway is wired
  monitor::AlertService* alerts = nullptr;     // null: alerts are not raised (tools, tests)
  Protection* protection = nullptr;            // null: no rate limits
  // The limits and windows are in Redis: every Protection call is a network round trip (up to
  // KEYRELAY_REDIS_TIMEOUT), so guard.h runs them on `blocking`, never on an I/O thread.
  bool protection_waits_on_network = false;
  monitor::Metrics* metrics = nullptr;         // null: nothing is counted
  store::CapStore* cap_store = nullptr;        // null: no caps routes (tools, tests)
  std::function<void()> on_caps_changed;       // after a cap changed here (the gateway reloads its copy)
};

// Raises `spec` on the worker pool and returns at once (the request does not wait for the store).
// `caller`, when given, is the alert.raised event's actor. A failure is logged.
void raise_alert_later(Services& services, monitor::AlertSpec spec, std::optional<audit::Actor> caller = std::nullopt);

}  // namespace keyrelay::api
