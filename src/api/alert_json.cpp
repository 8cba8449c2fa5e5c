#include "api/alert_json.h"

#include "api/key_json.h"
#include "core/time_format.h"

namespace keyrelay::api {

boost::json::object alert_json(const store::AlertRecord& a) {
  namespace json = boost::json;
  auto opt = [](const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); };
  return json::object{{"id", a.id},
                      {"rule", a.rule},
                      {"severity", store::alert_severity_name(a.severity)},
                      {"status", store::alert_status_name(a.status)},
                      {"user_id", a.user_id},
                      {"key_id", opt(a.key_id)},
                      {"provider", opt(a.provider)},
                      {"message", a.message},
                      {"first_seen", core::format_rfc3339(a.first_seen)},
                      {"last_seen", core::format_rfc3339(a.last_seen)},
                      {"count", a.count},
                      {"resolved_at", time_or_null(a.resolved_at)}};
}

}  // namespace keyrelay::api
