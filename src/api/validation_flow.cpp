#include "api/validation_flow.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/offload.h"
#include "logging/log.h"

namespace keyrelay::api {

std::string validation_details(const gateway::ValidationResult& r) {
  return boost::json::serialize(boost::json::object{
      {"verdict", gateway::verdict_name(r.verdict)},
      {"http_status", r.http_status ? boost::json::value(*r.http_status) : boost::json::value(nullptr)},
      {"latency_ms", r.latency.count()}});
}

void note_validation_outcome(Services& s, const audit::Actor& caller, const gateway::ValidationResult& result,
                             std::string_view provider) {
  if (s.metrics != nullptr) s.metrics->validation(provider, store::validation_state_name(result.state()));
  if (result.state() != store::ValidationState::invalid || s.protection == nullptr) return;
  if (!s.protection->note_validation_failure(caller.user_id)) return;
  monitor::AlertSpec alert;
  alert.rule = "validation.failures";
  alert.severity = store::AlertSeverity::warning;
  alert.user_id = caller.user_id;
  alert.provider = std::string(provider);
  alert.message = "several keys failed validation in a short time (the last one for " + std::string(provider) +
                  "); someone may be trying keys that are not theirs";
  raise_alert_later(s, std::move(alert), caller);
}

boost::asio::awaitable<core::Result<std::pair<gateway::ValidationResult, store::KeyRecord>>> validate_stored_key(
    Services& s, audit::Actor caller, std::string owner_id, std::string key_id) {
  using Out = core::Result<std::pair<gateway::ValidationResult, store::KeyRecord>>;
  if (s.validator == nullptr) co_return Out(core::Error::unavailable("key validation is not available"));
  auto opened = co_await offload(s.blocking, [&] { return s.keys.open_for_validation(caller, owner_id, key_id); });
  if (!opened) co_return Out(opened.error());
  const catalog::Provider* provider = s.catalog->find(opened->first.provider);
  if (provider == nullptr) co_return Out(core::Error::invalid_request("provider '" + opened->first.provider + "' is no longer supported"));
  gateway::ValidationResult result = co_await s.validator->validate(*provider, opened->second);
  opened->second.wipe();  // the plaintext is not needed past the provider call
  // The verdict is about the secret that was opened: if the key was rotated meanwhile it is not stored.
  const std::uint32_t validated_version = opened->first.version;
  // The outcome is noted on the worker too: with Redis, the failure window is a network round trip.
  auto stored = co_await offload(s.blocking, [&] {
    auto recorded = s.keys.record_validation(caller, owner_id, key_id, validated_version, result.state(), result.message,
                                             validation_details(result));
    if (recorded) note_validation_outcome(s, caller, result, provider->id);
    return recorded;
  });
  if (!stored) co_return Out(stored.error());
  if (stored->stale)
    logging::info("validation verdict not stored: the key got a new secret meanwhile",
                  {{"key_id", key_id}, {"validated_version", validated_version}, {"version", stored->key.version}});
  co_return Out(std::pair<gateway::ValidationResult, store::KeyRecord>(std::move(result), std::move(stored->key)));
}

}  // namespace keyrelay::api
