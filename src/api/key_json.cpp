#include "api/key_json.h"

#include <boost/json/parse.hpp>

#include "core/time_format.h"

namespace keyrelay::api {

boost::json::value time_or_null(const std::optional<store::TimePoint>& t) {
  if (!t) return nullptr;
  return boost::json::string(core::format_rfc3339(*t));
}

boost::json::object key_json(const store::KeyRecord& key, KeyOwner owner, store::TimePoint now) {
  boost::system::error_code ec;
  boost::json::value metadata = boost::json::parse(key.metadata_json, ec);
  if (ec || !metadata.is_object()) metadata = boost::json::object{};
  boost::json::object validation{
      {"state", store::validation_state_name(key.validation.state)},
      {"checked_at", time_or_null(key.validation.checked_at)},
      {"message", key.validation.message ? boost::json::value(*key.validation.message) : boost::json::value(nullptr)}};
  boost::json::object usage{{"requests", key.usage.requests},
                            {"input_tokens", key.usage.input_tokens},
                            {"output_tokens", key.usage.output_tokens},
                            {"errors", key.usage.errors}};
  return boost::json::object{
      {"id", key.id},
      {"provider", key.provider},
      {"name", key.name},
      {"hint", key.hint},
      {"owner", owner == KeyOwner::user ? "user" : "default"},
      {"status", store::key_status_name(store::key_status(key, now))},
      {"enabled", key.enabled},
      {"priority", key.priority},
      {"always_use", key.always_use},
      {"validation", std::move(validation)},
      {"expires_at", time_or_null(key.expires_at)},
      {"created_at", core::format_rfc3339(key.created_at)},
      {"updated_at", core::format_rfc3339(key.updated_at)},
      {"last_used_at", time_or_null(key.last_used_at)},
      {"version", key.version},
      {"usage", std::move(usage)},
      {"metadata", std::move(metadata)},
  };
}

}  // namespace keyrelay::api
