#include "api/audit_json.h"

#include <boost/json/parse.hpp>

#include "core/time_format.h"

namespace keyrelay::api {
namespace {

namespace json = boost::json;

json::value optional_string(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

}  // namespace

json::object event_json(const store::AuditEvent& e) {
  boost::system::error_code ec;
  json::value details = json::parse(e.details_json, ec);
  if (ec) details = json::object{};
  return json::object{
      {"id", e.id},
      {"chain", e.chain},
      {"seq", e.seq},
      {"time", core::format_rfc3339(e.time)},
      {"action", e.action},
      {"outcome", store::outcome_name(e.outcome)},
      {"actor", json::object{{"user_id", optional_string(e.actor_user_id)},
                             {"token_id", optional_string(e.actor_token_id)},
                             {"kind", store::actor_kind_name(e.actor_kind)}}},
      {"on_behalf_of", optional_string(e.on_behalf_of)},
      {"key_id", optional_string(e.key_id)},
      {"provider", optional_string(e.provider)},
      {"ip", optional_string(e.ip)},
      {"user_agent", optional_string(e.user_agent)},
      {"request_id", optional_string(e.request_id)},
      {"details", std::move(details)},
  };
}

}  // namespace keyrelay::api
