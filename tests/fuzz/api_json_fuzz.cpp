// The request bodies and query strings of the management and gateway routes: the parsers of
// src/api/json_input (json_object_body, the typed field readers, Query, page_request) driven the way
// each route's handler drives them, plus the value rules the service applies next (key name,
// secret, metadata, role, scopes, chat request).
// The handlers parse inline inside coroutines that need the services, so each entry below mirrors
// the parsing steps of one handler (file named) with the same field lists and readers.
// Input: <route byte> <query string> "\n" <Content-Type> "\n" <body>.
// Checks: a refusal is 400 or 415 with a JSON answer (UTF-8 valid) that never contains the secret
// the body carried; nothing else escapes (no exception, no crash).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json_input.h"
#include "auth/scopes.h"
#include "caps/usd_amount.h"
#include "catalog/catalog.h"
#include "core/secret.h"
#include "core/time_format.h"
#include "fuzz_input.h"
#include "gateway/wire/chat_wire.h"
#include "http/error_response.h"
#include "http/request.h"
#include "store/records.h"
#include "vault/key_rules.h"

namespace {

using namespace keyrelay;
using api::Query;
using core::Error;
using core::Result;
namespace json = boost::json;

Result<void> first_error(std::initializer_list<const Error*> errors) {
  for (const Error* e : errors)
    if (e != nullptr) return *e;
  return core::ok();
}

template <class T>
const Error* error_of(const Result<T>& r) {
  return r ? nullptr : &r.error();
}

// key_routes.cpp take_secret(): the secret must be a string.
Result<core::Secret> take_secret(json::object& body) {
  auto* v = body.if_contains("secret");
  if (v == nullptr || !v->is_string()) return Error::invalid_request("field 'secret' is required and must be a string");
  return core::Secret(std::string_view(v->get_string()));
}

// key_routes.cpp KeyRoutes::create, then KeyService::create's input rules.
Result<void> create_key(http::Request& req) {
  auto body = api::json_object_body(
      req, {"provider", "name", "secret", "expires_at", "priority", "always_use", "metadata", "validate"});
  if (!body) return body.error();
  auto secret = take_secret(*body);
  if (!secret) return secret.error();
  auto provider = api::string_field(*body, "provider");
  if (!provider) return provider.error();
  if (!*provider) return Error::invalid_request("field 'provider' is required");
  auto name = api::string_field(*body, "name");
  auto expires = api::time_field(*body, "expires_at");
  auto priority = api::int_field(*body, "priority", -1'000'000, 1'000'000);
  auto always_use = api::bool_field(*body, "always_use");
  auto metadata = api::object_field(*body, "metadata");
  auto validate = api::bool_field(*body, "validate");
  if (auto r = first_error({error_of(name), error_of(expires), error_of(priority), error_of(always_use),
                            error_of(metadata), error_of(validate)});
      !r)
    return r;
  if (auto r = vault::check_key_name(name->value_or(std::string(vault::kDefaultKeyName))); !r) return r;
  if (auto r = vault::check_secret(*secret); !r) return r;
  if (*metadata) {
    if (auto m = vault::normalize_metadata(**metadata); !m) return m.error();
  }
  (void)vault::secret_hint(*secret);
  return core::ok();
}

// key_routes.cpp KeyRoutes::patch, then KeyService::update's input rules.
Result<void> patch_key(http::Request& req) {
  auto body = api::json_object_body(req, {"name", "expires_at", "priority", "always_use", "enabled", "metadata"});
  if (!body) return body.error();
  auto name = api::string_field(*body, "name");
  auto expires = api::time_field(*body, "expires_at");
  auto priority = api::int_field(*body, "priority", -1'000'000, 1'000'000);
  auto always_use = api::bool_field(*body, "always_use");
  auto enabled = api::bool_field(*body, "enabled");
  auto metadata = api::object_field(*body, "metadata");
  if (auto r = first_error({error_of(name), error_of(expires), error_of(priority), error_of(always_use),
                            error_of(enabled), error_of(metadata)});
      !r)
    return r;
  if (*name) {
    if (auto r = vault::check_key_name(**name); !r) return r;
  }
  if (*metadata) {
    if (auto m = vault::normalize_metadata(**metadata); !m) return m.error();
  }
  return core::ok();
}

// key_routes.cpp KeyRoutes::rotate.
Result<void> rotate_key(http::Request& req) {
  auto body = api::json_object_body(req, {"secret", "validate"});
  if (!body) return body.error();
  auto secret = take_secret(*body);
  if (!secret) return secret.error();
  if (auto validate = api::bool_field(*body, "validate"); !validate) return validate.error();
  return vault::check_secret(*secret);
}

// validate_routes.cpp validate_unstored.
Result<void> validate_unstored(http::Request& req) {
  auto body = api::json_object_body(req, {"provider", "secret"});
  if (!body) return body.error();
  auto provider = api::string_field(*body, "provider");
  if (!provider) return provider.error();
  if (!*provider) return Error::invalid_request("field 'provider' is required");
  auto secret = take_secret(*body);
  if (!secret) return secret.error();
  return vault::check_secret(*secret);
}

// validate_routes.cpp validate_stored: an optional empty object.
Result<void> validate_stored(http::Request& req) {
  if (req.body.empty()) return core::ok();
  auto body = api::json_object_body(req, {});
  if (!body) return body.error();
  return core::ok();
}

// account_routes.cpp POST /api/v1/users.
Result<void> create_user(http::Request& req) {
  auto body = api::json_object_body(req, {"name", "role"});
  if (!body) return body.error();
  auto name = api::string_field(*body, "name");
  auto role_text = api::string_field(*body, "role");
  if (!name) return name.error();
  if (!role_text) return role_text.error();
  if (!*name) return Error::invalid_request("field 'name' is required");
  if (*role_text) {
    auto role = store::parse_role(**role_text);
    if (!role || *role == store::Role::system) return Error::invalid_request("role must be user or admin");
  }
  return core::ok();
}

// account_routes.cpp POST /api/v1/tokens.
Result<void> issue_token(http::Request& req) {
  auto body = api::json_object_body(req, {"user_id", "name", "scopes", "expires_at"});
  if (!body) return body.error();
  auto user_id = api::string_field(*body, "user_id");
  auto name = api::string_field(*body, "name");
  auto expires = api::time_field(*body, "expires_at");
  if (auto r = first_error({error_of(user_id), error_of(name), error_of(expires)}); !r) return r;
  if (!*user_id) return Error::invalid_request("field 'user_id' is required");
  if (const auto* scopes = body->if_contains("scopes"); scopes != nullptr && !scopes->is_null()) {
    if (!scopes->is_array()) return Error::invalid_request("field 'scopes' must be an array of strings");
    std::vector<std::string> names;
    for (const auto& v : scopes->get_array()) {
      if (!v.is_string()) return Error::invalid_request("field 'scopes' must be an array of strings");
      names.emplace_back(v.get_string());
    }
    if (auto set = auth::ScopeSet::from_strings(names); !set) return set.error();
  }
  return core::ok();
}

// chat_routes.cpp chat_completions.
Result<void> chat(http::Request& req) {
  auto request = gateway::parse_chat_request(req.body);
  if (!request) return request.error();
  return core::ok();
}

// The list routes: key_routes.cpp list/expiring, account_routes.cpp users/tokens, audit_routes.cpp
// (time_param), insight_routes.cpp usage (parse_day, group_by) and alerts.
Result<void> list_keys(http::Request& req) {
  auto query = Query::parse(req.query());
  if (!query) return query.error();
  if (auto r = query->only({"provider", "status", "limit", "cursor"}); !r) return r;
  if (auto page = api::page_request(*query); !page) return page.error();
  if (auto status = query->get("status"); status && !store::parse_key_status(*status))
    return Error::invalid_request("status must be one of active, disabled, expired, invalid");
  static const auto builtin = *catalog::Catalog::builtin();
  if (auto provider = query->get("provider"); provider && builtin.find(*provider) == nullptr)
    return Error::invalid_request("provider '" + *provider + "' is not supported");
  return core::ok();
}

Result<void> list_tokens(http::Request& req) {
  auto query = Query::parse(req.query());
  if (!query) return query.error();
  if (auto r = query->only({"limit", "cursor", "user_id"}); !r) return r;
  if (auto page = api::page_request(*query); !page) return page.error();
  return core::ok();
}

Result<std::optional<store::TimePoint>> time_param(const Query& q, std::string_view name, bool end_of_day) {
  auto text = q.get(name);
  if (!text) return std::optional<store::TimePoint>{};
  if (auto t = core::parse_rfc3339(*text)) return std::optional<store::TimePoint>(*t);
  if (text->size() == 10) {
    if (auto t = core::parse_rfc3339(*text + "T00:00:00Z")) {
      // The end of the day, or of time: the last day the clock holds (2262-04-11) ends past its range.
      constexpr auto kRestOfDay = std::chrono::hours(24) - std::chrono::milliseconds(1);
      if (end_of_day) *t = *t <= store::TimePoint::max() - kRestOfDay ? *t + kRestOfDay : store::TimePoint::max();
      return std::optional<store::TimePoint>(*t);
    }
  }
  return Error::invalid_request(std::string(name) + " must be a date (YYYY-MM-DD) or an RFC 3339 time");
}

Result<void> list_audit(http::Request& req) {
  auto query = Query::parse(req.query());
  if (!query) return query.error();
  if (auto r = query->only({"action", "key_id", "from", "to", "limit", "cursor", "user_id"}); !r) return r;
  if (auto page = api::page_request(*query); !page) return page.error();
  auto from = time_param(*query, "from", false);
  auto to = time_param(*query, "to", true);
  if (!from) return from.error();
  if (!to) return to.error();
  return core::ok();
}

Result<void> usage(http::Request& req) {
  auto query = Query::parse(req.query());
  if (!query) return query.error();
  if (auto r = query->only({"from", "to", "group_by"}); !r) return r;
  store::TimePoint days[2];
  for (int i = 0; i < 2; ++i) {
    const char* name = i == 0 ? "from" : "to";
    const std::string text = query->get(name).value_or("2026-01-01");
    const auto t = text.size() == 10 ? core::parse_rfc3339(text + "T00:00:00Z") : std::nullopt;
    if (!t) return Error::invalid_request(std::string(name) + " must be a date YYYY-MM-DD");
    days[i] = *t;
  }
  if (days[0] > days[1]) return Error::invalid_request("from must not be after to");
  if (std::chrono::floor<std::chrono::days>(days[1]) - std::chrono::floor<std::chrono::days>(days[0]) >
      std::chrono::days(400))
    return Error::invalid_request("at most 400 days per request");
  if (auto group = query->get("group_by")) {
    std::string_view rest = *group;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view dim = rest.substr(0, comma);
      if (dim != "day" && dim != "provider" && dim != "key")
        return Error::invalid_request("group_by takes a comma list of day, provider, key");
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  return core::ok();
}

Result<void> list_alerts(http::Request& req) {
  auto query = Query::parse(req.query());
  if (!query) return query.error();
  if (auto r = query->only({"status", "limit", "cursor", "user_id"}); !r) return r;
  if (auto page = api::page_request(*query); !page) return page.error();
  if (auto status = query->get("status"); status && !store::parse_alert_status(*status))
    return Error::invalid_request("status must be open or resolved");
  return core::ok();
}

// cap_routes.cpp parse_limits(): {daily_usd, monthly_usd}, each a number of USD with at most 6
// decimals, or null.
Result<void> put_caps(http::Request& req) {
  auto body = api::json_object_body(req, {"daily_usd", "monthly_usd"});
  if (!body) return body.error();
  for (std::string_view name : {"daily_usd", "monthly_usd"}) {
    const auto* v = body->if_contains(name);
    if (v == nullptr || v->is_null()) continue;
    if (!v->is_number()) return Error::invalid_request("field '" + std::string(name) + "' must be a number of USD or null");
    if (auto micro = caps::micro_usd_from_usd(v->to_number<double>(), name); !micro) return micro.error();
  }
  return core::ok();
}

using RouteParser = Result<void> (*)(http::Request&);
constexpr RouteParser kRoutes[] = {create_key, patch_key,  rotate_key, validate_unstored, validate_stored,
                                   create_user, issue_token, chat,      list_keys,         list_tokens,
                                   list_audit,  usage,       list_alerts,       put_caps};

// `body` with the characters of every "secret" string value moved to the next one of their class
// (a→b, z→a, 9→0, …; other bytes kept): the same length, the same validity, other characters.
// Values holding an escape are left as they are.
std::string with_other_secrets(const std::string& body) {
  std::string out = body;
  for (std::size_t at = out.find("\"secret\""); at != std::string::npos; at = out.find("\"secret\"", at + 1)) {
    std::size_t i = at + 8;
    while (i < out.size() && (out[i] == ' ' || out[i] == '\t' || out[i] == '\n' || out[i] == '\r')) ++i;
    if (i >= out.size() || out[i] != ':') continue;
    ++i;
    while (i < out.size() && (out[i] == ' ' || out[i] == '\t' || out[i] == '\n' || out[i] == '\r')) ++i;
    if (i >= out.size() || out[i] != '"') continue;
    const std::size_t end = out.find('"', i + 1);
    if (end == std::string::npos || out.substr(i + 1, end - i - 1).find('\\') != std::string::npos) continue;
    for (std::size_t k = i + 1; k < end; ++k) {
      char& c = out[k];
      if (c >= 'a' && c <= 'z') c = c == 'z' ? 'a' : static_cast<char>(c + 1);
      else if (c >= 'A' && c <= 'Z') c = c == 'Z' ? 'A' : static_cast<char>(c + 1);
      else if (c >= '0' && c <= '9') c = c == '9' ? '0' : static_cast<char>(c + 1);
    }
  }
  return out;
}

Result<void> parse_route(RouteParser parse, std::string_view target, std::string_view type, std::string body) {
  http::Request request;
  request.method = http::Method::post;
  request.target = std::string(target);
  if (!type.empty()) request.headers.add("Content-Type", std::string(type));
  request.body = std::move(body);
  return parse(request);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const RouteParser parse = kRoutes[input.byte() % std::size(kRoutes)];
  std::string target = "/route";
  if (const std::string_view query = input.until("\n"); !query.empty()) target += "?" + std::string(query);
  const std::string_view type = input.until("\n");
  const std::string body(input.rest());

  const Result<void> parsed = parse_route(parse, target, type, body);
  if (parsed) return 0;
  const Error& error = parsed.error();
  FUZZ_CHECK(error.code == core::Errc::invalid_request || error.code == core::Errc::unsupported_media_type);
  FUZZ_CHECK(fuzz::is_json(http::error_response(error, "req-fuzz").body));

  // The answer never depends on the secret's characters: the same body with other characters in
  // the secret gets the very same refusal (so no part of the secret is quoted).
  const std::string other = with_other_secrets(body);
  if (other != body) {
    const Result<void> again = parse_route(parse, target, type, other);
    FUZZ_CHECK(!again.has_value());
    FUZZ_CHECK(again.error().code == error.code && again.error().message == error.message);
  }
  return 0;
}
