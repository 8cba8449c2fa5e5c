#include "api/key_routes.h"

#include <charconv>

#include <boost/json/object.hpp>

#include "api/guard.h"
#include "api/json_input.h"
#include "api/key_json.h"
#include "api/offload.h"
#include "api/responses.h"
#include "api/validation_flow.h"
#include "core/secret.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using auth::Principal;
using auth::Scope;
using core::Error;
using core::Result;
using http::Request;
using http::RequestContext;
using http::Response;

constexpr std::size_t kSecretBodyLimit = 64 * 1024;

// Whose keys a route works on: the caller's own, or the operator's default keys.
enum class Owner { self, defaults };

// Takes the secret out of the parsed body and wipes every other copy we hold (the JSON string and
// the raw request body), so the plaintext lives only in the returned Secret.
Result<core::Secret> take_secret(json::object& body, Request& request) {
  core::Secret secret;
  bool ok = false;
  if (auto* v = body.if_contains("secret"); v != nullptr && v->is_string()) {
    auto& s = v->get_string();
    secret = core::Secret(std::string_view(s.data(), s.size()));
    core::wipe_memory(s.data(), s.size());
    ok = true;
  }
  core::wipe_memory(request.body.data(), request.body.size());
  request.body.clear();
  if (!ok) return Error::invalid_request("field 'secret' is required and must be a string");
  return secret;
}

class KeyRoutes {
 public:
  KeyRoutes(Services& s, Owner owner) : s_(s), owner_(owner) {}

  std::string owner_id(const Principal& p) const { return owner_ == Owner::self ? p.user_id : s_.system_user_id; }
  KeyOwner render_owner() const { return owner_ == Owner::self ? KeyOwner::user : KeyOwner::default_key; }
  Response render(int status, const store::KeyRecord& key) const {
    return json_response(status, key_json(key, render_owner(), s_.clock.now()));
  }

  net::awaitable<core::Result<Response>> list(Request& req, RequestContext&, const Principal& p) {
    auto query = Query::parse(req.query());
    if (!query) co_return query.error();
    if (auto r = query->only({"provider", "status", "limit", "cursor"}); !r)
      co_return r.error();
    vault::KeyQuery q;
    auto page = page_request(*query);
    if (!page) co_return page.error();
    q.page = std::move(*page);
    if (auto provider = query->get("provider")) {
      if (s_.catalog->find(*provider) == nullptr)
        co_return Error::invalid_request("provider '" + *provider + "' is not supported");
      q.provider = std::move(*provider);
    }
    if (auto status = query->get("status")) {
      auto parsed = store::parse_key_status(*status);
      if (!parsed)
        co_return Error::invalid_request("status must be one of active, disabled, expired, invalid");
      q.status = *parsed;
    }
    const std::string owner = owner_id(p);
    auto keys = co_await offload(s_.blocking, [&] { return s_.keys.list(owner, q); });
    if (!keys) co_return keys.error();
    json::array data;
    const auto now = s_.clock.now();
    for (const auto& k : keys->items) data.push_back(key_json(k, render_owner(), now));
    co_return collection(std::move(data), keys->next_cursor);
  }

  net::awaitable<core::Result<Response>> create(Request& req, RequestContext& ctx, const Principal& p) {
    auto body = json_object_body(
        req, {"provider", "name", "secret", "expires_at", "priority", "always_use", "metadata", "validate"});
    if (!body) {
      core::wipe_memory(req.body.data(), req.body.size());
      co_return body.error();
    }
    auto secret = take_secret(*body, req);
    if (!secret) co_return secret.error();
    vault::NewKey input;
    input.secret = std::move(*secret);
    auto provider = string_field(*body, "provider");
    if (!provider) co_return provider.error();
    if (!*provider) co_return Error::invalid_request("field 'provider' is required");
    input.provider = std::move(**provider);
    auto name = string_field(*body, "name");
    auto expires = time_field(*body, "expires_at");
    auto priority = int_field(*body, "priority", -1'000'000, 1'000'000);
    auto always_use = bool_field(*body, "always_use");
    auto metadata = object_field(*body, "metadata");
    auto validate = bool_field(*body, "validate");
    for (const core::Error* e : {name ? nullptr : &name.error(), expires ? nullptr : &expires.error(),
                                 priority ? nullptr : &priority.error(), always_use ? nullptr : &always_use.error(),
                                 metadata ? nullptr : &metadata.error(), validate ? nullptr : &validate.error()})
      if (e != nullptr) co_return *e;
    input.name = std::move(*name);
    input.expires_at = expires->value;
    input.priority = static_cast<std::int32_t>(priority->value_or(0));
    input.always_use = always_use->value_or(false);
    if (*metadata) input.metadata_json = std::move(**metadata);
    // A validation costs a provider call whoever asks for it: refused whole, before anything is stored.
    if (validate->value_or(false))
      if (auto refused = co_await charge_validation(s_, p, ctx)) co_return *refused;

    const audit::Actor caller = caller_of(p, req, ctx);
    const std::string owner = owner_id(p);
    auto key = co_await offload(s_.blocking, [&] { return s_.keys.create(caller, owner, std::move(input)); });
    if (!key) co_return key.error();
    // The key is stored either way; with validate:true the answer carries the provider's verdict.
    if (validate->value_or(false)) {
      auto checked = co_await validate_stored_key(s_, caller, owner, key->id);
      if (checked) co_return render(201, checked->second);
    }
    co_return render(201, *key);
  }

  net::awaitable<core::Result<Response>> get(Request& req, RequestContext& ctx, const Principal& p) {
    const audit::Actor caller = caller_of(p, req, ctx);
    const std::string owner = owner_id(p);
    const std::string id(*req.param("id"));
    auto key = co_await offload(s_.blocking, [&] { return s_.keys.get(caller, owner, id); });
    if (!key) co_return key.error();
    co_return render(200, *key);
  }

  net::awaitable<core::Result<Response>> patch(Request& req, RequestContext& ctx, const Principal& p) {
    auto body = json_object_body(req, {"name", "expires_at", "priority", "always_use", "enabled", "metadata"});
    if (!body) co_return body.error();
    vault::KeyPatch patch;
    auto name = string_field(*body, "name");
    auto expires = time_field(*body, "expires_at");
    auto priority = int_field(*body, "priority", -1'000'000, 1'000'000);
    auto always_use = bool_field(*body, "always_use");
    auto enabled = bool_field(*body, "enabled");
    auto metadata = object_field(*body, "metadata");
    for (const core::Error* e : {name ? nullptr : &name.error(), expires ? nullptr : &expires.error(),
                                 priority ? nullptr : &priority.error(), always_use ? nullptr : &always_use.error(),
                                 enabled ? nullptr : &enabled.error(), metadata ? nullptr : &metadata.error()})
      if (e != nullptr) co_return *e;
    patch.name = std::move(*name);
    if (expires->present) patch.expires_at = expires->value;
    if (*priority) patch.priority = static_cast<std::int32_t>(**priority);
    patch.always_use = *always_use;
    patch.enabled = *enabled;
    patch.metadata_json = std::move(*metadata);

    const audit::Actor caller = caller_of(p, req, ctx);
    const std::string owner = owner_id(p);
    const std::string id(*req.param("id"));
    auto key = co_await offload(s_.blocking, [&] { return s_.keys.update(caller, owner, id, patch); });
    if (!key) co_return key.error();
    co_return render(200, *key);
  }

  net::awaitable<core::Result<Response>> rotate(Request& req, RequestContext& ctx, const Principal& p) {
    auto body = json_object_body(req, {"secret", "validate"});
    if (!body) {
      core::wipe_memory(req.body.data(), req.body.size());
      co_return body.error();
    }
    auto secret = take_secret(*body, req);
    if (!secret) co_return secret.error();
    auto validate = bool_field(*body, "validate");
    if (!validate) co_return validate.error();
    if (validate->value_or(false))
      if (auto refused = co_await charge_validation(s_, p, ctx)) co_return *refused;
    const audit::Actor caller = caller_of(p, req, ctx);
    const std::string owner = owner_id(p);
    const std::string id(*req.param("id"));
    auto key = co_await offload(s_.blocking, [&] { return s_.keys.rotate(caller, owner, id, std::move(*secret)); });
    if (!key) co_return key.error();
    if (validate->value_or(false)) {
      auto checked = co_await validate_stored_key(s_, caller, owner, key->id);
      if (checked) co_return render(200, checked->second);
    }
    co_return render(200, *key);
  }

  net::awaitable<core::Result<Response>> remove(Request& req, RequestContext& ctx, const Principal& p) {
    const audit::Actor caller = caller_of(p, req, ctx);
    const std::string owner = owner_id(p);
    const std::string id(*req.param("id"));
    auto r = co_await offload(s_.blocking, [&] { return s_.keys.remove(caller, owner, id); });
    if (!r) co_return r.error();
    co_return Response::empty(204);
  }

  net::awaitable<core::Result<Response>> expiring(Request& req, RequestContext&, const Principal& p) {
    auto query = Query::parse(req.query());
    if (!query) co_return query.error();
    if (auto r = query->only({"within_days"}); !r) co_return r.error();
    int days = 7;
    if (auto text = query->get("within_days")) {
      const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), days);
      if (ec != std::errc{} || end != text->data() + text->size() || days < 0 || days > 3650)
        co_return Error::invalid_request("within_days must be a whole number from 0 to 3650");
    }
    const std::string owner = owner_id(p);
    auto keys = co_await offload(s_.blocking, [&] { return s_.keys.expiring(owner, std::chrono::hours(24 * days)); });
    if (!keys) co_return keys.error();
    json::array data;
    const auto now = s_.clock.now();
    for (const auto& k : *keys) data.push_back(key_json(k, render_owner(), now));
    co_return collection(std::move(data), std::nullopt);
  }

 private:
  Services& s_;
  Owner owner_;
};

net::awaitable<core::Result<Response>> list_providers(Services& s) {
  json::array data;
  for (const auto& p : s.catalog->providers()) {
    json::array fields;
    for (const auto& f : p.fields) fields.emplace_back(f);
    data.push_back(json::object{{"id", p.id},
                                {"name", p.name},
                                {"kind", catalog::kind_name(p.kind)},
                                {"wire", p.wire ? json::value(catalog::wire_name(*p.wire)) : json::value(nullptr)},
                                {"key_prefix", p.key_prefix ? json::value(*p.key_prefix) : json::value(nullptr)},
                                {"signup_url", p.signup_url},
                                {"docs_url", p.docs_url},
                                {"fields", std::move(fields)}});
  }
  co_return collection(std::move(data), std::nullopt);
}

}  // namespace

void add_key_routes(http::Router& router, Services& s) {
  using http::Method;
  auto own = std::make_shared<KeyRoutes>(s, Owner::self);
  auto defaults = std::make_shared<KeyRoutes>(s, Owner::defaults);
  const http::RouteOptions secret_body{.max_body_bytes = kSecretBodyLimit};

  auto providers = guarded(s, Scope::keys_read, [&s](Request&, RequestContext&, const Principal&) {
    return list_providers(s);
  });
  auto list = guarded<&KeyRoutes::list>(s, own, Scope::keys_read);
  auto create = guarded<&KeyRoutes::create>(s, own, Scope::keys_write);
  auto get = guarded<&KeyRoutes::get>(s, own, Scope::keys_read);
  auto patch = guarded<&KeyRoutes::patch>(s, own, Scope::keys_write);
  auto remove = guarded<&KeyRoutes::remove>(s, own, Scope::keys_write);
  auto rotate = guarded<&KeyRoutes::rotate>(s, own, Scope::keys_write);
  auto expiring = guarded<&KeyRoutes::expiring>(s, own, Scope::keys_read);

  router.add(Method::get, "/api/v1/providers", providers);
  router.add(Method::get, "/api/v1/keys", list);
  router.add(Method::post, "/api/v1/keys", create, secret_body);
  router.add(Method::get, "/api/v1/keys/expiring", expiring);
  router.add(Method::get, "/api/v1/keys/{id}", get);
  router.add(Method::patch, "/api/v1/keys/{id}", patch);
  router.add(Method::del, "/api/v1/keys/{id}", remove);
  router.add(Method::post, "/api/v1/keys/{id}/rotate", rotate, secret_body);

  // The operator's default keys: same shapes, admin only.
  router.add(Method::get, "/api/v1/default-keys", guarded<&KeyRoutes::list>(s, defaults, Scope::admin, Needs::admin));
  router.add(Method::post, "/api/v1/default-keys", guarded<&KeyRoutes::create>(s, defaults, Scope::admin, Needs::admin),
             secret_body);
  router.add(Method::get, "/api/v1/default-keys/expiring",
             guarded<&KeyRoutes::expiring>(s, defaults, Scope::admin, Needs::admin));
  router.add(Method::get, "/api/v1/default-keys/{id}", guarded<&KeyRoutes::get>(s, defaults, Scope::admin, Needs::admin));
  router.add(Method::patch, "/api/v1/default-keys/{id}",
             guarded<&KeyRoutes::patch>(s, defaults, Scope::admin, Needs::admin));
  router.add(Method::del, "/api/v1/default-keys/{id}",
             guarded<&KeyRoutes::remove>(s, defaults, Scope::admin, Needs::admin));
  router.add(Method::post, "/api/v1/default-keys/{id}/rotate",
             guarded<&KeyRoutes::rotate>(s, defaults, Scope::admin, Needs::admin), secret_body);

  // Compatibility aliases for existing BYOK front ends (API.md): the same handlers and shapes.
  router.add(Method::get, "/api/api-keys/providers", providers);
  router.add(Method::get, "/api/api-keys", list);
  router.add(Method::post, "/api/api-keys", create, secret_body);
  router.add(Method::get, "/api/api-keys/{id}", get);
  router.add(Method::patch, "/api/api-keys/{id}", patch);
  router.add(Method::del, "/api/api-keys/{id}", remove);
  router.add(Method::get, "/api/keys", list);
  router.add(Method::post, "/api/keys", create, secret_body);
  router.add(Method::get, "/api/keys/expiring", expiring);
  router.add(Method::del, "/api/keys/{id}", remove);
  router.add(Method::post, "/api/keys/{id}/rotate", rotate, secret_body);
}

}  // namespace keyrelay::api
