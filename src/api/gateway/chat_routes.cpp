#include "api/gateway/chat_routes.h"

#include <chrono>
#include <functional>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/gateway/chat_event_stream.h"
#include "api/gateway/gateway_answer.h"
#include "api/gateway/gateway_route.h"
#include "api/gateway/openai_errors.h"
#include "api/guard.h"
#include "core/ids.h"
#include "gateway/use_tokens.h"
#include "gateway/answer_classifier.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;
namespace json = boost::json;

// The provider's answer (a 2xx, or a 4xx about the request) relayed in OpenAI's shapes.
core::Result<http::Response> relay_answer(GatewayServices& gateway, gateway::Dispatched& dispatched,
                                          const gateway::ChatRequest& request, const http::RequestContext& ctx,
                                          monitor::Permit& place) {
  gateway::ProviderAnswer& answer = *dispatched.answer;
  const catalog::Provider& provider = *answer.provider;
  const catalog::Wire wire = *provider.wire;
  gateway::KeyUse& use = answer.use;  // handed to the usage sink last: the headers name its key
  const int status = answer.stream.status();
  use.http_status = status;

  if (status < 200 || status >= 300) {
    const auto error = gateway::translate_error(wire, status, answer.error_body);
    auto r = http::Response::json(error.status, gateway::openai_error_body(gateway::redact(error.message, {}),
                                                                           error.type, error.code, ctx.request_id));
    set_key_headers(r, answer, dispatched.attempts);
    use.error = true;
    gateway.usage.record(std::move(use));
    return r;
  }

  gateway::ResponseMeta meta;
  meta.id = "chatcmpl-" + core::uuid_v4();
  meta.created = std::chrono::duration_cast<std::chrono::seconds>(gateway.services.clock.now().time_since_epoch()).count();
  meta.model = use.model;

  if (request.stream) {
    http::Response r;
    r.status = 200;
    r.headers.set("Content-Type", "text/event-stream");
    r.headers.set("Cache-Control", "no-cache");
    r.headers.set("X-Accel-Buffering", "no");
    set_key_headers(r, answer, dispatched.attempts);
    r.stream = std::make_shared<ChatEventStream>(std::move(answer.stream), std::move(answer.body_start),
                                                 gateway::make_stream_translator(wire, request, std::move(meta)),
                                                 gateway.usage, std::move(use), ctx.request_id, std::move(place));
    return r;
  }

  // The dispatcher read the whole answer (ProviderCall::Read::whole): a break in it failed over.
  core::Result<gateway::ChatResponse> translated = gateway::translate_response(wire, std::move(answer.body_start), meta);
  if (!translated) {
    use.error = true;
    gateway.usage.record(std::move(use));
    return core::Error::upstream_error(provider.id + ": " + translated.error().message);
  }
  auto r = http::Response::json(200, std::move(translated->body));
  set_key_headers(r, answer, dispatched.attempts);
  gateway::record_tokens(use, translated->usage);
  gateway.usage.record(std::move(use));
  return r;
}

// Parse → dispatch → write.
net::awaitable<core::Result<http::Response>> chat_completions(GatewayServices& gateway, http::Request& req,
                                                              http::RequestContext& ctx, GatewayCall& call) {
  auto request = gateway::parse_chat_request(req.body);
  if (!request) co_return request.error();
  auto chain = gateway.resolver.resolve_chain(with_fallback_header(request->models, req));
  if (!chain) co_return chain.error();

  std::vector<gateway::Route> routes;
  routes.reserve(chain->size());
  for (const auto& target : *chain) routes.push_back({target.provider, target.requested});
  const auto build = [&](std::size_t i) -> core::Result<gateway::ProviderCall> {
    const auto& target = (*chain)[i];
    auto upstream_call = gateway::build_upstream_call(*target.provider->wire, *request, target.model, gateway.settings.wire);
    if (!upstream_call) return upstream_call.error();
    return json_provider_call(*target.provider, std::move(upstream_call->path), std::move(upstream_call->body),
                              target.model, request->stream, "chat");
  };
  const gateway::Actor caller = caller_of(call.principal, req, ctx);
  auto dispatched = co_await gateway.dispatcher.dispatch(caller, routes, build);
  call.upstream_time = dispatched.upstream_time;
  if (!dispatched.answer) {
    ctx.response_headers.set("X-Keyrelay-Attempts", std::to_string(dispatched.attempts));
    co_return dispatched.error;
  }
  co_return relay_answer(gateway, dispatched, *request, ctx, call.place);
}

// The model ids one provider offers through its keys: from the cache, or the provider's list call.
net::awaitable<std::vector<std::string>> models_of(GatewayServices& gateway, const gateway::Actor& caller,
                                                   const catalog::Provider& provider,
                                                   const std::vector<gateway::KeyChoice>& choices) {
  for (const auto& choice : choices)
    if (auto cached = gateway.model_lists.get(choice.key->id)) co_return std::move(*cached);
  gateway::ProviderCall call;
  call.method = "GET";
  call.url = provider.base_url + std::string(gateway::list_models_path(*provider.wire));
  call.headers.add("Accept", "application/json");
  call.headers.add("User-Agent", "keyrelay/" KEYRELAY_VERSION);
  for (const auto& [name, value] : provider.extra_headers) call.headers.set(name, value);
  call.route = "models";
  call.read = gateway::ProviderCall::Read::whole;
  auto dispatched = co_await gateway.dispatcher.try_keys(caller, provider, call, choices);
  if (!dispatched.answer || dispatched.answer->stream.status() != 200) co_return std::vector<std::string>{};
  auto models = gateway::models_of_list(*provider.wire, dispatched.answer->body_start);
  if (!models) co_return std::vector<std::string>{};
  gateway.model_lists.put(dispatched.answer->use.key_id, *models);
  co_return std::move(*models);
}

net::awaitable<core::Result<http::Response>> list_models(GatewayServices& gateway, http::Request& req,
                                                         http::RequestContext& ctx, GatewayCall& call) {
  const gateway::Actor caller = caller_of(call.principal, req, ctx);
  auto keys = co_await gateway.dispatcher.key_sets(caller);
  if (!keys) co_return keys.error();
  json::array data;
  for (const auto& provider : gateway.resolver.catalog().providers()) {
    if (!provider.wire) continue;
    const auto choices = gateway.dispatcher.choices(*keys, provider.id);
    if (choices.empty()) continue;
    const auto started = std::chrono::steady_clock::now();
    for (const auto& model : co_await models_of(gateway, caller, provider, choices))
      data.push_back(json::object{{"id", provider.id + "/" + model},
                                  {"object", "model"},
                                  {"created", 0},
                                  {"owned_by", provider.id}});
    call.upstream_time += std::chrono::steady_clock::now() - started;
  }
  co_return http::Response::json(200, json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}}));
}

}  // namespace

void add_chat_routes(http::Router& router, GatewayServices& gateway) {
  // Every error on /v1/* in OpenAI's shape (API.md "Gateway error shape"), also the server's own.
  router.set_error_shape("/v1/", &openai_error_response);
  router.add(http::Method::post, "/v1/chat/completions",
             gateway_guarded(gateway,
                             [&gateway](http::Request& req, http::RequestContext& ctx, GatewayCall& call) {
                               return chat_completions(gateway, req, ctx, call);
                             }),
             {.max_body_bytes = gateway.settings.max_request_body_bytes});
  router.add(http::Method::get, "/v1/models",
             gateway_guarded(gateway, [&gateway](http::Request& req, http::RequestContext& ctx, GatewayCall& call) {
               return list_models(gateway, req, ctx, call);
             }));
}

}  // namespace keyrelay::api
