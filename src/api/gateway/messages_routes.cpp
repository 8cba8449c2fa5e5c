#include "api/gateway/messages_routes.h"

#include <chrono>

#include "api/gateway/anthropic_errors.h"
#include "api/gateway/chat_event_stream.h"
#include "api/gateway/gateway_answer.h"
#include "api/gateway/gateway_route.h"
#include "api/guard.h"
#include "core/ids.h"
#include "gateway/answer_classifier.h"
#include "gateway/use_tokens.h"
#include "gateway/wire/messages_wire.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;

// The provider's final non-2xx answer about the request, in Anthropic's shape with its own status.
http::Response relay_error(GatewayServices& gateway, gateway::Dispatched& dispatched, const http::RequestContext& ctx) {
  gateway::ProviderAnswer& answer = *dispatched.answer;
  const auto error = gateway::translate_messages_error(*answer.provider->wire, answer.stream.status(), answer.error_body);
  auto r = http::Response::json(error.status, gateway::anthropic_error_body(error.type, gateway::redact(error.message, {}),
                                                                            "", ctx.request_id));
  set_key_headers(r, answer, dispatched.attempts);
  answer.use.error = true;
  gateway.usage.record(std::move(answer.use));
  return r;
}

// The provider's answer relayed as an Anthropic message, or Anthropic's event stream.
core::Result<http::Response> relay_answer(GatewayServices& gateway, gateway::Dispatched& dispatched,
                                          const gateway::MessagesRequest& request, const http::RequestContext& ctx,
                                          monitor::Permit& place) {
  gateway::ProviderAnswer& answer = *dispatched.answer;
  const catalog::Provider& provider = *answer.provider;
  gateway::KeyUse& use = answer.use;  // handed to the usage sink last: the headers name its key
  const int status = answer.stream.status();
  use.http_status = status;
  if (status < 200 || status >= 300) return relay_error(gateway, dispatched, ctx);

  gateway::ResponseMeta meta;
  meta.id = "msg_" + core::uuid_v4();
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
                                                 gateway::make_messages_stream(*provider.wire, request, std::move(meta)),
                                                 gateway.usage, std::move(use), ctx.request_id, std::move(place),
                                                 &gateway::anthropic_stream_error_event);
    return r;
  }

  // The dispatcher read the whole answer (ProviderCall::Read::whole): a break in it failed over.
  auto translated = gateway::translate_messages_response(*provider.wire, answer.body_start, meta);
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

// To Anthropic natively, the API version and betas the client's SDK speaks go with its body (the
// catalog's anthropic-version stays when the client names none).
void keep_api_version(const http::Request& req, gateway::ProviderCall& call) {
  for (std::string_view name : {"anthropic-version", "anthropic-beta"})
    if (auto value = req.headers.get(name)) call.headers.set(name, *value);
}

// Parse → dispatch → write, through the same Dispatcher (routing, fallback, caps, usage, audit) as
// /v1/chat/completions.
net::awaitable<core::Result<http::Response>> messages(GatewayServices& gateway, http::Request& req,
                                                      http::RequestContext& ctx, GatewayCall& call) {
  auto request = gateway::parse_messages_request(req.body);
  if (!request) co_return request.error();
  auto chain = gateway.resolver.resolve_chain(with_fallback_header(request->models, req));
  if (!chain) co_return chain.error();

  std::vector<gateway::Route> routes;
  routes.reserve(chain->size());
  for (const auto& target : *chain) routes.push_back({target.provider, target.requested});
  const auto build = [&](std::size_t i) -> core::Result<gateway::ProviderCall> {
    const auto& target = (*chain)[i];
    auto upstream = gateway::build_messages_call(*target.provider, *request, target.model, gateway.settings.wire);
    if (!upstream) return upstream.error();
    auto provider_call = json_provider_call(*target.provider, std::move(upstream->path), std::move(upstream->body),
                                            target.model, request->stream, "chat");
    if (*target.provider->wire == catalog::Wire::anthropic) keep_api_version(req, provider_call);
    return provider_call;
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

}  // namespace

void add_messages_routes(http::Router& router, GatewayServices& gateway) {
  // Errors of /v1/messages in Anthropic's shape: the longest prefix wins over /v1/'s OpenAI shape.
  router.set_error_shape("/v1/messages", &anthropic_error_response);
  router.add(http::Method::post, "/v1/messages",
             gateway_guarded(
                 gateway,
                 [&gateway](http::Request& req, http::RequestContext& ctx, GatewayCall& call) {
                   return messages(gateway, req, ctx, call);
                 },
                 "x-api-key"),
             {.max_body_bytes = gateway.settings.max_request_body_bytes});
}

}  // namespace keyrelay::api
