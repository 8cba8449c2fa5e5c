#include "vault_api.h"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <set>
#include <stdexcept>

#include "api_json.h"
#include "core/time_format.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

[[noreturn]] void unexpected(const HttpResponse& response, std::string_view what) {
  throw std::runtime_error(std::string(what) + ": unexpected answer\n" + describe(response));
}

bool is_string_or_null(const json::value* v) { return v != nullptr && (v->is_string() || v->is_null()); }
bool is_integer(const json::value* v) { return v != nullptr && (v->is_int64() || v->is_uint64()); }
bool is_time(const json::value* v) {
  return v != nullptr && v->is_string() && core::parse_rfc3339(v->get_string()).has_value();
}
bool is_time_or_null(const json::value* v) { return v != nullptr && (v->is_null() || is_time(v)); }
bool is_nonempty_string(const json::value* v) { return v != nullptr && v->is_string() && !v->get_string().empty(); }
bool is_one_of(const json::value* v, std::initializer_list<std::string_view> values) {
  if (v == nullptr || !v->is_string()) return false;
  for (auto s : values)
    if (v->get_string() == s) return true;
  return false;
}

// Compares the field names of `o` with `expected`; a failure names the extra and missing ones.
::testing::AssertionResult has_exactly_fields(const json::object& o, const std::set<std::string>& expected,
                                              std::string_view what) {
  std::string extra, missing;
  for (const auto& [k, v] : o)
    if (!expected.contains(std::string(k))) extra += " " + std::string(k);
  for (const auto& name : expected)
    if (!o.contains(name)) missing += " " + name;
  if (extra.empty() && missing.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << " fields differ from API.md; extra:[" << extra << " ] missing:["
                                       << missing << " ] in " << json::serialize(o);
}

}  // namespace

std::string body_of(const json::object& o) { return json::serialize(o); }

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string str(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

json::object create_key(VaultServer& vault, const Identity& who, std::string_view provider, std::string_view name,
                        std::string_view secret, const json::object& extra, std::string_view path) {
  json::object body = extra;
  body["provider"] = provider;
  body["name"] = name;
  body["secret"] = secret;
  auto response = vault.call(who, "POST", path, body_of(body));
  if (response.status != 201) unexpected(response, "create key " + std::string(name));
  return object_of(response);
}

json::object get_key(VaultServer& vault, const Identity& who, std::string_view target) {
  auto response = vault.call(who, "GET", target);
  if (response.status != 200) unexpected(response, "GET " + std::string(target));
  return object_of(response);
}

std::vector<json::object> list_page(VaultServer& vault, const Identity& who, std::string_view target) {
  auto response = vault.call(who, "GET", target);
  if (response.status != 200 || !is_collection(response)) unexpected(response, "GET " + std::string(target));
  const auto body = object_of(response);
  std::vector<json::object> items;
  for (const auto& v : body.at("data").as_array()) items.push_back(v.as_object());
  return items;
}

std::vector<json::object> list_all(VaultServer& vault, const Identity& who, std::string_view target,
                                   std::size_t max_pages) {
  const std::string base(target);
  const char joiner = base.find('?') == std::string::npos ? '?' : '&';
  std::vector<json::object> items;
  std::optional<std::string> cursor;
  for (std::size_t page = 0; page < max_pages; ++page) {
    std::string url = base;
    if (cursor) url += joiner + std::string("cursor=") + url_encode(*cursor);
    auto response = vault.call(who, "GET", url);
    if (response.status != 200) unexpected(response, "GET " + url);
    if (auto shape = is_collection(response); !shape) throw std::runtime_error(shape.message());
    auto body = object_of(response);
    for (auto& v : body.at("data").as_array()) items.push_back(v.as_object());
    const auto& next = body.at("next_cursor");
    if (next.is_null()) return items;
    cursor = std::string(next.get_string());
  }
  throw std::runtime_error("GET " + base + ": still a next_cursor after " + std::to_string(max_pages) + " pages");
}

std::vector<std::string> ids_of(const std::vector<json::object>& items) {
  std::vector<std::string> ids;
  for (const auto& o : items) ids.push_back(str(o, "id"));
  return ids;
}

bool contains_id(const std::vector<json::object>& items, std::string_view id) {
  for (const auto& o : items)
    if (str(o, "id") == id) return true;
  return false;
}

std::vector<json::object> audit_events(VaultServer& vault, const Identity& who, std::string_view query) {
  std::string target = "/api/v1/audit?limit=200";
  if (!query.empty()) target += "&" + std::string(query);
  return list_all(vault, who, target);
}

::testing::AssertionResult is_key_shape(const json::object& key) {
  // API.md's Key, plus `enabled` (an extension: "extend it freely").
  static const std::set<std::string> kFields = {"id",         "provider",   "name",         "hint",       "owner",
                                                "status",     "priority",   "always_use",   "validation", "expires_at",
                                                "created_at", "updated_at", "last_used_at", "version",    "usage",
                                                "metadata",   "enabled"};
  if (auto fields = has_exactly_fields(key, kFields, "Key"); !fields) return fields;
  auto fail = [&](std::string_view why) {
    return ::testing::AssertionFailure() << "Key " << why << " in " << json::serialize(key);
  };
  if (!is_nonempty_string(key.if_contains("id"))) return fail("id is not a non-empty string");
  if (!is_nonempty_string(key.if_contains("provider"))) return fail("provider is not a non-empty string");
  if (!is_nonempty_string(key.if_contains("name"))) return fail("name is not a non-empty string");
  if (!is_nonempty_string(key.if_contains("hint"))) return fail("hint is not a non-empty string");
  if (!is_one_of(key.if_contains("owner"), {"user", "default"})) return fail("owner is not user|default");
  if (!is_one_of(key.if_contains("status"), {"active", "disabled", "expired", "invalid"}))
    return fail("status is not active|disabled|expired|invalid");
  if (!is_integer(key.if_contains("priority"))) return fail("priority is not an integer");
  if (!key.at("always_use").is_bool()) return fail("always_use is not a boolean");
  if (!key.at("enabled").is_bool()) return fail("enabled is not a boolean");
  if (!key.at("validation").is_object()) return fail("validation is not an object");
  const auto& validation = key.at("validation").as_object();
  if (auto f = has_exactly_fields(validation, {"state", "checked_at", "message"}, "Key.validation"); !f) return f;
  if (!is_one_of(validation.if_contains("state"), {"unknown", "valid", "invalid", "error"}))
    return fail("validation.state is not unknown|valid|invalid|error");
  if (!is_time_or_null(validation.if_contains("checked_at")))
    return fail("validation.checked_at is not a time or null");
  if (!is_string_or_null(validation.if_contains("message"))) return fail("validation.message is not a string or null");
  if (!is_time_or_null(key.if_contains("expires_at"))) return fail("expires_at is not a time or null");
  if (!is_time(key.if_contains("created_at"))) return fail("created_at is not an RFC 3339 time");
  if (!is_time(key.if_contains("updated_at"))) return fail("updated_at is not an RFC 3339 time");
  if (!is_time_or_null(key.if_contains("last_used_at"))) return fail("last_used_at is not a time or null");
  if (!is_integer(key.if_contains("version")) || key.at("version").to_number<std::int64_t>() < 1)
    return fail("version is not an integer >= 1");
  if (!key.at("usage").is_object()) return fail("usage is not an object");
  const auto& usage = key.at("usage").as_object();
  if (auto f = has_exactly_fields(usage, {"requests", "input_tokens", "output_tokens", "errors"}, "Key.usage"); !f)
    return f;
  for (const auto& [k, v] : usage)
    if (!is_integer(&v)) return fail("usage." + std::string(k) + " is not an integer");
  if (!key.at("metadata").is_object()) return fail("metadata is not an object");
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult is_provider_shape(const json::object& provider) {
  if (auto f = has_exactly_fields(
          provider, {"id", "name", "kind", "wire", "key_prefix", "signup_url", "docs_url", "fields"}, "Provider");
      !f)
    return f;
  auto fail = [&](std::string_view why) {
    return ::testing::AssertionFailure() << "Provider " << why << " in " << json::serialize(provider);
  };
  for (auto name : {"id", "name", "kind", "signup_url", "docs_url"})
    if (!is_nonempty_string(provider.if_contains(name))) return fail(std::string(name) + " is not a non-empty string");
  if (!is_string_or_null(provider.if_contains("wire"))) return fail("wire is not a string or null");
  if (!is_string_or_null(provider.if_contains("key_prefix"))) return fail("key_prefix is not a string or null");
  const auto* fields = provider.if_contains("fields");
  if (fields == nullptr || !fields->is_array() || fields->as_array().empty())
    return fail("fields is not a non-empty array");
  for (const auto& f : fields->as_array())
    if (!f.is_string()) return fail("fields holds a non-string");
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult is_audit_event_shape(const json::object& event) {
  if (auto f = has_exactly_fields(event,
                                  {"id", "chain", "seq", "time", "action", "outcome", "actor", "on_behalf_of", "key_id",
                                   "provider", "ip", "user_agent", "request_id", "details"},
                                  "audit event");
      !f)
    return f;
  auto fail = [&](std::string_view why) {
    return ::testing::AssertionFailure() << "audit event " << why << " in " << json::serialize(event);
  };
  if (!is_nonempty_string(event.if_contains("id"))) return fail("id is not a non-empty string");
  if (!is_nonempty_string(event.if_contains("chain"))) return fail("chain is not a non-empty string");
  if (!is_integer(event.if_contains("seq"))) return fail("seq is not an integer");
  if (!is_time(event.if_contains("time"))) return fail("time is not an RFC 3339 time");
  if (!is_nonempty_string(event.if_contains("action"))) return fail("action is not a non-empty string");
  if (!is_one_of(event.if_contains("outcome"), {"success", "failure", "denied"}))
    return fail("outcome is not success|failure|denied");
  const auto* actor = event.if_contains("actor");
  if (actor == nullptr || !actor->is_object()) return fail("actor is not an object");
  if (auto f = has_exactly_fields(actor->as_object(), {"user_id", "token_id", "kind"}, "audit actor"); !f) return f;
  if (!is_string_or_null(actor->as_object().if_contains("user_id")))
    return fail("actor.user_id is not a string or null");
  if (!is_string_or_null(actor->as_object().if_contains("token_id")))
    return fail("actor.token_id is not a string or null");
  if (!is_one_of(actor->as_object().if_contains("kind"), {"token", "jwt", "cli", "system"}))
    return fail("actor.kind is not token|jwt|cli|system");
  for (auto name : {"on_behalf_of", "key_id", "provider", "ip", "user_agent", "request_id"})
    if (!is_string_or_null(event.if_contains(name))) return fail(std::string(name) + " is not a string or null");
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult is_collection(const HttpResponse& response) {
  auto body = parse_json_object(response.body);
  auto fail = [&](std::string_view why) {
    return ::testing::AssertionFailure() << "not a collection (" << why << "):\n" << describe(response);
  };
  if (!body) return fail("not a JSON object");
  if (!has_json_content_type(response)) return fail("Content-Type");
  if (auto f = has_exactly_fields(*body, {"data", "next_cursor"}, "collection"); !f) return f;
  const auto* data = body->if_contains("data");
  if (!data->is_array()) return fail("data is not an array");
  for (const auto& item : data->as_array())
    if (!item.is_object()) return fail("data holds a non-object");
  if (!is_string_or_null(body->if_contains("next_cursor"))) return fail("next_cursor is not a string or null");
  return ::testing::AssertionSuccess();
}

std::string rfc3339_in_days(int days) {
  return core::format_rfc3339(std::chrono::system_clock::now() + std::chrono::hours(24) * days);
}

}  // namespace keyrelay::test
