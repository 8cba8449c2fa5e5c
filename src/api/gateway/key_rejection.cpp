#include "api/gateway/key_rejection.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "logging/log.h"

namespace keyrelay::api {

void record_rejection(Services& services, const audit::Actor& caller, const catalog::Provider& provider,
                      const store::KeyRecord& key, int http_status, const std::string& message, std::string_view source) {
  const std::string details = boost::json::serialize(
      boost::json::object{{"verdict", "invalid"}, {"http_status", http_status}, {"source", source}});
  auto marked = services.keys.record_validation(caller, key.owner_id, key.id, key.version,
                                                store::ValidationState::invalid, message, details);
  if (!marked) {
    logging::error("could not mark a rejected key invalid", {{"key_id", key.id}, {"error", marked.error().message}});
    return;
  }
  if (marked->stale) {  // rotated since: the new secret is not the one the provider rejected
    logging::info("a rejected key got a new secret meanwhile; it stays in service", {{"key_id", key.id}});
    return;
  }
  if (services.alerts == nullptr) return;
  monitor::AlertSpec alert;
  alert.rule = "key.invalid";
  alert.severity = store::AlertSeverity::warning;
  alert.user_id = key.owner_id;
  alert.key_id = key.id;
  alert.provider = provider.id;
  alert.message = provider.name + " rejected the key '" + key.name + "' (HTTP " + std::to_string(http_status) +
                  "); it is marked invalid until it is rotated or validates again";
  if (auto raised = services.alerts->raise(alert, &caller); !raised)
    logging::error("could not raise an alert", {{"key_id", key.id}, {"error", raised.error().message}});
}

}  // namespace keyrelay::api
