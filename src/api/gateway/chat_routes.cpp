#include "api/gateway/chat_routes.h"

#include <chrono>
#include <functional>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/gateway/chat_event_stream.h"
#include "api/gateway/gateway_places.h"
#include "api/gateway/key_attempts.h"
#include "api/gateway/openai_errors.h"
#include "api/guard.h"
#include "core/ids.h"
#include "gateway/answer_classifier.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;
namespace json = boost::json;

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

void set_gateway_headers(http::Response& r, const catalog::Provider& provider, const ProviderAnswer& answer,
                         int attempts) {
  r.headers.set("X-Keyrelay-Provider", provider.id);
  r.headers.set("X-Keyrelay-Key-Id", answer.key->id);
  r.headers.set("X-Keyrelay-Credential", std::string(gateway::credential_name(answer.credential)));
  r.headers.set("X-Keyrelay-Attempts", std::to_string(attempts));
}

ProviderCall chat_call(const catalog::Provider& provider, gateway::UpstreamCall&& call, const std::string& model,
                       bool stream) {
  ProviderCall out;
  out.method = "POST";
  out.url = provider.base_url + call.path;
  out.headers.add("Content-Type", "application/json");
  out.headers.add("Accept", stream ? "text/event-stream" : "application/json");
  out.headers.add("User-Agent", "keyrelay/" KEYRELAY_VERSION);
  // The catalog's headers replace keyrelay's defaults of the same name rather than doubling them.
  for (const auto& [name, value] : provider.extra_headers) out.headers.set(name, value);
  out.body = std::move(call.body);
  out.route = "chat";
  out.model = model;
  out.read = stream ? ProviderCall::Read::start : ProviderCall::Read::whole;
  return out;
}

// The provider's answer (a 2xx, or a 4xx about the request) relayed in OpenAI's shapes.
net::awaitable<http::Response> relay_answer(GatewayServices& gateway, KeyAttempts& attempts,
                                            const catalog::Provider& provider, const ProviderCall& call,
                                            ProviderAnswer answer, const gateway::ChatRequest& request,
                                            const http::RequestContext& ctx, monitor::Permit& place) {
  const catalog::Wire wire = *provider.wire;
  gateway::KeyUse use = attempts.use_of(provider, call, answer);
  const int status = answer.stream.status();
  use.http_status = status;

  if (status < 200 || status >= 300) {
    const auto error = gateway::translate_error(wire, status, answer.error_body);
    use.error = true;
    gateway.usage.record(std::move(use));
    auto r = http::Response::json(error.status, gateway::openai_error_body(gateway::redact(error.message, {}),
                                                                           error.type, error.code, ctx.request_id));
    set_gateway_headers(r, provider, answer, attempts.tally().attempts);
    co_return r;
  }

  gateway::ResponseMeta meta;
  meta.id = "chatcmpl-" + core::uuid_v4();
  meta.created = std::chrono::duration_cast<std::chrono::seconds>(gateway.services.clock.now().time_since_epoch()).count();
  meta.model = call.model;

  if (request.stream) {
    http::Response r;
    r.status = 200;
    r.headers.set("Content-Type", "text/event-stream");
    r.headers.set("Cache-Control", "no-cache");
    r.headers.set("X-Accel-Buffering", "no");
    set_gateway_headers(r, provider, answer, attempts.tally().attempts);
    r.stream = std::make_shared<ChatEventStream>(std::move(answer.stream), std::move(answer.body_start),
                                                 gateway::make_stream_translator(wire, request, std::move(meta)),
                                                 gateway.usage, std::move(use), ctx.request_id, std::move(place));
    co_return r;
  }

  // The loop read the whole answer (ProviderCall::Read::whole): a break in it failed over.
  core::Result<gateway::ChatResponse> translated = gateway::translate_response(wire, answer.body_start, meta);
  if (!translated) {
    use.error = true;
    gateway.usage.record(std::move(use));
    co_return openai_error_response(core::Error::upstream_error(provider.id + ": " + translated.error().message),
                                    ctx.request_id);
  }
  use.input_tokens = translated->usage.input_tokens;
  use.output_tokens = translated->usage.output_tokens;
  gateway.usage.record(std::move(use));
  auto r = http::Response::json(200, std::move(translated->body));
  set_gateway_headers(r, provider, answer, attempts.tally().attempts);
  co_return r;
}

net::awaitable<http::Response> chat_completions(GatewayServices& gateway, http::Request& req,
                                                http::RequestContext& ctx, const auth::Principal& principal,
                                                monitor::Permit& place) {
  auto request = gateway::parse_chat_request(req.body);
  if (!request) co_return openai_error_response(request.error(), ctx.request_id);
  std::vector<std::string> names = request->models;
  if (auto fallback = req.headers.get("X-Keyrelay-Fallback"))
    for (auto& name : split_list(*fallback)) names.push_back(std::move(name));
  auto chain = gateway.resolver.resolve_chain(names);
  if (!chain) co_return openai_error_response(chain.error(), ctx.request_id);

  const audit::Actor caller = caller_of(principal, req, ctx);
  auto user_keys = co_await key_snapshot(gateway, caller.user_id);
  if (!user_keys) co_return openai_error_response(user_keys.error(), ctx.request_id);
  vault::KeyCache::Snapshot default_keys;
  if (gateway.settings.default_key_fallback) {
    auto defaults = co_await key_snapshot(gateway, gateway.services.system_user_id);
    if (!defaults) co_return openai_error_response(defaults.error(), ctx.request_id);
    default_keys = std::move(*defaults);
  }

  const auto now = gateway.services.clock.now();
  KeyAttempts attempts(gateway, caller);
  std::vector<std::string> unusable;
  std::optional<core::Error> untranslatable;
  for (const auto& target : *chain) {
    const catalog::Provider& provider = *target.provider;
    const auto choices = gateway::choose_keys(**user_keys, default_keys.get(), provider.id, now);
    if (choices.empty()) {
      unusable.push_back(target.requested + ": " + gateway::why_no_usable_key(**user_keys, provider.id, now));
      continue;
    }
    auto upstream_call = gateway::build_upstream_call(*provider.wire, *request, target.model, gateway.settings.wire);
    if (!upstream_call) {
      if (!untranslatable) untranslatable = upstream_call.error();
      unusable.push_back(target.requested + ": " + upstream_call.error().message);
      continue;
    }
    const ProviderCall call = chat_call(provider, std::move(*upstream_call), target.model, request->stream);
    auto answer = co_await attempts.run(provider, call, choices);
    if (answer)
      co_return co_await relay_answer(gateway, attempts, provider, call, std::move(*answer), *request, ctx, place);
  }

  const AttemptTally& tally = attempts.tally();
  if (tally.attempts == 0 && tally.skipped.empty()) {
    if (untranslatable && unusable.size() == 1) co_return openai_error_response(*untranslatable, ctx.request_id);
    alert_no_usable_key(gateway.services, caller, chain->front().provider->id, join(unusable, "; "));
    co_return openai_error_response(core::Error::no_usable_key("no usable key: " + join(unusable, "; ")),
                                    ctx.request_id);
  }
  core::Error error = tally.final_error();
  if (!unusable.empty()) error.message += "; " + join(unusable, "; ");
  auto r = openai_error_response(error, ctx.request_id);
  r.headers.set("X-Keyrelay-Attempts", std::to_string(tally.attempts));
  co_return r;
}

// The model ids one provider offers through `key`: from the cache, or the provider's list call.
net::awaitable<std::vector<std::string>> models_of(GatewayServices& gateway, const audit::Actor& caller,
                                                   const catalog::Provider& provider,
                                                   const std::vector<gateway::KeyChoice>& choices) {
  for (const auto& choice : choices)
    if (auto cached = gateway.model_lists.get(choice.key->id)) co_return std::move(*cached);
  ProviderCall call;
  call.method = "GET";
  call.url = provider.base_url + std::string(gateway::list_models_path(*provider.wire));
  call.headers.add("Accept", "application/json");
  call.headers.add("User-Agent", "keyrelay/" KEYRELAY_VERSION);
  for (const auto& [name, value] : provider.extra_headers) call.headers.set(name, value);
  call.route = "models";
  call.read = ProviderCall::Read::whole;
  KeyAttempts attempts(gateway, caller);
  auto answer = co_await attempts.run(provider, call, choices);
  if (!answer || answer->stream.status() != 200) co_return std::vector<std::string>{};
  auto models = gateway::models_of_list(*provider.wire, answer->body_start);
  if (!models) co_return std::vector<std::string>{};
  gateway.model_lists.put(answer->key->id, *models);
  co_return std::move(*models);
}

net::awaitable<http::Response> list_models(GatewayServices& gateway, http::Request& req, http::RequestContext& ctx,
                                           const auth::Principal& principal, monitor::Permit&) {
  const audit::Actor caller = caller_of(principal, req, ctx);
  auto user_keys = co_await key_snapshot(gateway, caller.user_id);
  if (!user_keys) co_return openai_error_response(user_keys.error(), ctx.request_id);
  vault::KeyCache::Snapshot default_keys;
  if (gateway.settings.default_key_fallback) {
    auto defaults = co_await key_snapshot(gateway, gateway.services.system_user_id);
    if (!defaults) co_return openai_error_response(defaults.error(), ctx.request_id);
    default_keys = std::move(*defaults);
  }
  const auto now = gateway.services.clock.now();
  json::array data;
  for (const auto& provider : gateway.resolver.catalog().providers()) {
    if (!provider.wire) continue;
    const auto choices = gateway::choose_keys(**user_keys, default_keys.get(), provider.id, now);
    if (choices.empty()) continue;
    for (const auto& model : co_await models_of(gateway, caller, provider, choices))
      data.push_back(json::object{{"id", provider.id + "/" + model},
                                  {"object", "model"},
                                  {"created", 0},
                                  {"owned_by", provider.id}});
  }
  co_return http::Response::json(200, json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}}));
}

// A caller of /v1: authenticated, with the gateway scope.
net::awaitable<core::Result<auth::Principal>> gateway_caller(GatewayServices& gateway, const http::Request& req,
                                                            const http::RequestContext& ctx) {
  auto principal = co_await authenticate(gateway.services, req.headers.get("Authorization"), req, ctx);
  if (!principal) co_return principal.error();
  if (!principal->has(auth::Scope::gateway)) co_return core::Error::forbidden("this credential lacks the 'gateway' scope");
  co_return principal;
}

// A gateway handler: the caller authenticated, and its place among its requests in flight, which
// a streamed answer takes over until the stream ends.
using GatewayHandler = std::function<net::awaitable<http::Response>(http::Request&, http::RequestContext&,
                                                                    const auth::Principal&, monitor::Permit&)>;

// guarded() with OpenAI-shaped errors, the gateway rate limit and the per-user cap on requests in
// flight; a large body is read only once its head passed the same authentication.
http::Handler gateway_guarded(GatewayServices& gateway, GatewayHandler handler) {
  auto respond = [&gateway, handler = std::move(handler)](http::Request& req,
                                                          http::RequestContext& ctx) -> net::awaitable<http::Response> {
    auto principal = co_await gateway_caller(gateway, req, ctx);
    if (!principal) co_return openai_error_response(principal.error(), ctx.request_id);
    if (auto limited = co_await charge_gateway(gateway.services, *principal, ctx))
      co_return openai_error_response(*limited, ctx.request_id);
    auto place = take_gateway_place(gateway, *principal, ctx);
    if (!place) co_return openai_error_response(place.error(), ctx.request_id);
    co_return co_await handler(req, ctx, *principal, *place);
  };
  auto check_head = [&gateway](const http::Request& head,
                               http::RequestContext& ctx) -> net::awaitable<std::optional<http::Response>> {
    auto principal = co_await gateway_caller(gateway, head, ctx);
    if (!principal) co_return openai_error_response(principal.error(), ctx.request_id);
    co_return std::nullopt;
  };
  return http::Handler(std::move(respond), std::move(check_head));
}

}  // namespace

void add_chat_routes(http::Router& router, GatewayServices& gateway) {
  router.add(http::Method::post, "/v1/chat/completions",
             gateway_guarded(gateway,
                             [&gateway](http::Request& req, http::RequestContext& ctx, const auth::Principal& p,
                                        monitor::Permit& place) { return chat_completions(gateway, req, ctx, p, place); }),
             {.max_body_bytes = gateway.settings.max_request_body_bytes});
  router.add(http::Method::get, "/v1/models",
             gateway_guarded(gateway, [&gateway](http::Request& req, http::RequestContext& ctx, const auth::Principal& p,
                                                 monitor::Permit& place) { return list_models(gateway, req, ctx, p, place); }));
}

}  // namespace keyrelay::api
