#include "api/validate_routes.h"

#include "api/guard.h"
#include "api/json_input.h"
#include "api/offload.h"
#include "api/validation_flow.h"
#include "vault/key_rules.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;
using auth::Principal;
using core::Error;
using http::Request;
using http::RequestContext;
using http::Response;

enum class Owner { self, defaults };

http::Handler validate_stored(Services& s, Owner owner) {
  return guarded(
      s, owner == Owner::self ? auth::Scope::keys_write : auth::Scope::admin,
      [&s, owner](Request& req, RequestContext& ctx, const Principal& p) -> net::awaitable<core::Result<Response>> {
        if (!req.body.empty()) {
          auto body = json_object_body(req, {});
          if (!body) co_return body.error();
        }
        const std::string owner_id = owner == Owner::self ? p.user_id : s.system_user_id;
        auto outcome = co_await validate_stored_key(s, caller_of(p, req, ctx), owner_id, std::string(*req.param("id")));
        if (!outcome) co_return outcome.error();
        co_return Response::json(200, gateway::validation_json(outcome->first));
      },
      owner == Owner::self ? Needs::scope : Needs::admin, RateBucket::validation);
}

net::awaitable<core::Result<Response>> validate_unstored(Services& s, Request& req, RequestContext& ctx, const Principal& p) {
  auto body = json_object_body(req, {"provider", "secret"});
  core::Secret secret;
  if (body) {
    if (auto* v = body->if_contains("secret"); v != nullptr && v->is_string()) {
      auto& text = v->get_string();
      secret = core::Secret(std::string_view(text.data(), text.size()));
      core::wipe_memory(text.data(), text.size());
    }
  }
  core::wipe_memory(req.body.data(), req.body.size());
  if (!body) co_return body.error();
  auto provider_id = string_field(*body, "provider");
  if (!provider_id) co_return provider_id.error();
  if (!*provider_id) co_return Error::invalid_request("field 'provider' is required");
  const catalog::Provider* provider = s.catalog->find(**provider_id);
  if (provider == nullptr)
    co_return Error::invalid_request("provider '" + **provider_id + "' is not supported");
  if (secret.empty() && !(body->contains("secret") && body->at("secret").is_string()))
    co_return Error::invalid_request("field 'secret' is required and must be a string");
  if (auto r = vault::check_secret(secret); !r) co_return r.error();
  if (s.validator == nullptr)
    co_return Error::unavailable("key validation is not available");

  const gateway::ValidationResult result = co_await s.validator->validate(*provider, secret);
  secret.wipe();
  const audit::Actor caller = caller_of(p, req, ctx);
  // The outcome is noted on the worker too: with Redis, the failure window is a network round trip.
  auto audited = co_await offload(s.blocking, [&] {
    auto done = s.keys.audit_unstored_validation(caller, provider->id, result.valid(), validation_details(result));
    if (done) note_validation_outcome(s, caller, result, provider->id);
    return done;
  });
  if (!audited) co_return audited.error();
  co_return Response::json(200, gateway::validation_json(result));
}

}  // namespace

void add_validate_routes(http::Router& router, Services& s) {
  using http::Method;
  const http::RouteOptions secret_body{.max_body_bytes = 64 * 1024};
  auto own = validate_stored(s, Owner::self);
  auto unstored = guarded(
      s, auth::Scope::keys_write,
      [&s](Request& req, RequestContext& ctx, const Principal& p) { return validate_unstored(s, req, ctx, p); },
      Needs::scope, RateBucket::validation);
  router.add(Method::post, "/api/v1/keys/validate", unstored, secret_body);
  router.add(Method::post, "/api/v1/keys/{id}/validate", own);
  router.add(Method::post, "/api/v1/default-keys/{id}/validate", validate_stored(s, Owner::defaults));
  router.add(Method::post, "/api/api-keys/{id}/validate", own);
  router.add(Method::post, "/api/keys/validate", unstored, secret_body);
}

}  // namespace keyrelay::api
