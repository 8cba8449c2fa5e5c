#include "api/gateway/gateway_ports.h"

#include "api/gateway/key_rejection.h"
#include "api/offload.h"

namespace keyrelay::api {

boost::asio::awaitable<core::Result<gateway::KeySet>> VaultKeys::keys_of(const std::string& owner_id) {
  if (auto cached = cache_.cached(owner_id)) co_return cached;
  co_return co_await offload(services_.blocking, [this, &owner_id]() -> core::Result<gateway::KeySet> {
    auto snapshot = cache_.keys_of(owner_id);
    if (!snapshot) return snapshot.error();
    if (auto prepared = services_.keys.prepare_owner(owner_id); !prepared) return prepared.error();
    return snapshot;
  });
}

// Decrypting never blocks the I/O thread: what would (a keyring reload, recording a tampered key)
// runs on the worker pool.
boost::asio::awaitable<core::Result<core::Secret>> VaultKeys::open(const gateway::Actor& actor,
                                                                   const store::KeyRecord& key) {
  auto opening = services_.keys.open_secret_now(actor, key);
  if (opening.pending == vault::SlowStep::none) co_return std::move(opening.secret);
  co_return co_await offload(services_.blocking, [this, &actor, &key, step = opening.pending] {
    return services_.keys.finish_open(actor, key, step);
  });
}

void GatewayAlerts::no_usable_key(const gateway::Actor& actor, std::string_view provider, const std::string& why) {
  monitor::AlertSpec alert;
  alert.rule = "gateway.no_usable_key";
  alert.severity = store::AlertSeverity::info;
  alert.user_id = actor.user_id;
  alert.provider = std::string(provider);
  alert.message = "A request could not be served: " + why.substr(0, 200);
  raise_alert_later(services_, std::move(alert), actor);
}

// Rare (a key just stopped working), so awaiting the store here is fine: the key is marked invalid
// and the owner alerted before the next request could pick it again.
boost::asio::awaitable<void> GatewayAlerts::key_rejected(const gateway::Actor& actor, const catalog::Provider& provider,
                                                         const store::KeyRecord& key, int http_status,
                                                         const std::string& message) {
  co_await offload(services_.blocking, [this, &actor, &provider, &key, http_status, &message] {
    record_rejection(services_, actor, provider, key, http_status, message, "gateway");
  });
}

void GatewayAlerts::key_suspected(const gateway::Actor& actor, const catalog::Provider& provider,
                                  const store::KeyRecord& key, const boost::asio::any_io_executor& executor) {
  if (recheck_ != nullptr) recheck_->suspect(provider, key, actor.request_id.value_or(""), executor);
}

}  // namespace keyrelay::api
