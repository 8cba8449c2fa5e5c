#include "api/gateway/chat_routes.h"

#include <chrono>
#include <functional>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/gateway/chat_event_stream.h"
#include "api/gateway/gateway_places.h"
#include "api/gateway/gateway_answer.h"
#include "api/gateway/openai_errors.h"
#include "api/guard.h"
#include "core/ids.h"
#include "gateway/use_tokens.h"
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

// One gateway request as its handler sees it: the authenticated caller, its place among its
// requests in flight (a streamed answer takes it over), and the time it waited for providers.
struct GatewayCall {
  const auth::Principal& principal;
  monitor::Permit& place;
  std::chrono::nanoseconds upstream_time{0};
};

gateway::ProviderCall chat_call(const catalog::Provider& provider, gateway::UpstreamCall&& call,
                                const std::string& model, bool stream) {
  gateway::ProviderCall out;
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
  out.read = stream ? gateway::ProviderCall::Read::start : gateway::ProviderCall::Read::whole;
  return out;
}

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
  core::Result<gateway::ChatResponse> translated = gateway::translate_response(wire, answer.body_start, meta);
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
  std::vector<std::string> names = request->models;
  if (auto fallback = req.headers.get("X-Keyrelay-Fallback"))
    for (auto& name : split_list(*fallback)) names.push_back(std::move(name));
  auto chain = gateway.resolver.resolve_chain(names);
  if (!chain) co_return chain.error();

  std::vector<gateway::Route> routes;
  routes.reserve(chain->size());
  for (const auto& target : *chain) routes.push_back({target.provider, target.requested});
  const auto build = [&](std::size_t i) -> core::Result<gateway::ProviderCall> {
    const auto& target = (*chain)[i];
    auto upstream_call = gateway::build_upstream_call(*target.provider->wire, *request, target.model, gateway.settings.wire);
    if (!upstream_call) return upstream_call.error();
    return chat_call(*target.provider, std::move(*upstream_call), target.model, request->stream);
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
using GatewayHandler =
    std::function<net::awaitable<core::Result<http::Response>>(http::Request&, http::RequestContext&, GatewayCall&)>;

// guarded() for the gateway (its errors take the OpenAI shape registered for /v1/): the gateway rate
// limit and the per-user cap on requests in flight; a large body is read only once its head passed
// the same authentication. Every answer, an error too, gets its Server-Timing.
http::Handler gateway_guarded(GatewayServices& gateway, GatewayHandler handler) {
  auto serve = [&gateway, handler = std::move(handler)](
                   http::Request& req, http::RequestContext& ctx,
                   std::chrono::nanoseconds& upstream) -> net::awaitable<core::Result<http::Response>> {
    auto principal = co_await gateway_caller(gateway, req, ctx);
    if (!principal) co_return principal.error();
    if (auto limited = co_await charge_gateway(gateway.services, *principal, ctx)) co_return *limited;
    auto place = take_gateway_place(gateway, *principal, ctx);
    if (!place) co_return place.error();
    GatewayCall call{*principal, *place};
    auto answer = co_await handler(req, ctx, call);
    upstream = call.upstream_time;
    co_return answer;
  };
  auto respond = [&gateway, serve = std::move(serve)](
                     http::Request& req, http::RequestContext& ctx) -> net::awaitable<core::Result<http::Response>> {
    std::chrono::nanoseconds upstream{0};
    auto answer = co_await serve(req, ctx, upstream);
    set_server_timing(gateway, ctx, upstream);
    co_return answer;
  };
  auto check_head = [&gateway](const http::Request& head, http::RequestContext& ctx) -> net::awaitable<core::Result<void>> {
    auto principal = co_await gateway_caller(gateway, head, ctx);
    if (!principal) co_return principal.error();
    co_return core::ok();
  };
  return http::Handler(std::move(respond), std::move(check_head));
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
