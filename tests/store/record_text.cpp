#include "record_text.h"

#include <sstream>

#include "core/encoding.h"
#include "core/time_format.h"

namespace keyrelay::store::test {
namespace {

std::string t(TimePoint time) { return core::format_rfc3339(time); }
std::string t(const std::optional<TimePoint>& time) { return time ? t(*time) : "-"; }
std::string s(const std::optional<std::string>& value) { return value ? "'" + *value + "'" : "-"; }
std::string b(const core::Bytes& bytes) { return core::hex_encode(bytes); }

}  // namespace

std::string text(const UserRecord& u) {
  std::ostringstream out;
  out << "user id=" << u.id << " name=" << u.name << " role=" << role_name(u.role) << " external=" << s(u.external_id)
      << " salt=" << b(u.salt) << " created=" << t(u.created_at);
  return out.str();
}

std::string text(const TokenRecord& k) {
  std::ostringstream out;
  out << "token id=" << k.id << " user=" << k.user_id << " name=" << k.name << " hash=" << b(k.hash) << " scopes=[";
  for (const auto& scope : k.scopes) out << scope << ";";
  out << "] created=" << t(k.created_at) << " expires=" << t(k.expires_at) << " used=" << t(k.last_used_at)
      << " revoked=" << t(k.revoked_at);
  return out.str();
}

std::string text(const KeyRecord& k) {
  std::ostringstream out;
  out << "key id=" << k.id << " owner=" << k.owner_id << " provider=" << k.provider << " name=" << k.name
      << " hint=" << k.hint << " fp=" << b(k.fingerprint) << " dek=" << b(k.wrapped_data_key)
      << " sealed=" << b(k.sealed_secret) << " master=" << k.master_version << " version=" << k.version
      << " enabled=" << k.enabled << " validation=" << validation_state_name(k.validation.state) << "@"
      << t(k.validation.checked_at) << ":" << s(k.validation.message) << " priority=" << k.priority
      << " always=" << k.always_use << " expires=" << t(k.expires_at) << " created=" << t(k.created_at)
      << " updated=" << t(k.updated_at) << " used=" << t(k.last_used_at) << " usage=" << k.usage.requests << "/"
      << k.usage.input_tokens << "/" << k.usage.output_tokens << "/" << k.usage.errors
      << " metadata=" << k.metadata_json;
  return out.str();
}

std::string text(const AuditEvent& e) {
  std::ostringstream out;
  out << "event id=" << e.id << " chain=" << e.chain << " seq=" << e.seq << " time=" << t(e.time)
      << " action=" << e.action << " outcome=" << outcome_name(e.outcome) << " actor=" << s(e.actor_user_id) << "/"
      << s(e.actor_token_id) << "/" << actor_kind_name(e.actor_kind) << " obo=" << s(e.on_behalf_of)
      << " key=" << s(e.key_id) << " owner=" << s(e.key_owner_id) << " provider=" << s(e.provider)
      << " ip=" << s(e.ip) << " ua=" << s(e.user_agent) << " req=" << s(e.request_id)
      << " details=" << e.details_json << " master=" << e.master_version << " hash=" << b(e.hash);
  return out.str();
}

std::string text(const AlertRecord& a) {
  std::ostringstream out;
  out << "alert id=" << a.id << " rule=" << a.rule << " severity=" << alert_severity_name(a.severity)
      << " status=" << alert_status_name(a.status) << " user=" << a.user_id << " key=" << s(a.key_id)
      << " provider=" << s(a.provider) << " message=" << a.message << " first=" << t(a.first_seen)
      << " last=" << t(a.last_seen) << " count=" << a.count << " resolved=" << t(a.resolved_at);
  return out.str();
}

std::string text(const UsageRow& r) {
  std::ostringstream out;
  out << "usage day=" << s(r.day) << " provider=" << s(r.provider) << " key=" << s(r.key_id) << " " << r.requests
      << "/" << r.input_tokens << "/" << r.output_tokens << "/" << r.errors << " model=" << s(r.model)
      << " cost=" << r.cost_micro_usd << " unpriced=" << r.unpriced_requests;
  return out.str();
}

}  // namespace keyrelay::store::test
