#include "api/gateway/embeddings_routes.h"

#include "api/gateway/gateway_answer.h"
#include "api/gateway/gateway_route.h"
#include "api/guard.h"
#include "gateway/answer_classifier.h"
#include "gateway/use_tokens.h"
#include "gateway/wire/embeddings_wire.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;

// The provider's answer (a 2xx, or a 4xx about the request) relayed in OpenAI's shapes.
core::Result<http::Response> relay_answer(GatewayServices& gateway, gateway::Dispatched& dispatched,
                                          const gateway::EmbeddingsRequest& request, const http::RequestContext& ctx) {
  gateway::ProviderAnswer& answer = *dispatched.answer;
  const catalog::Provider& provider = *answer.provider;
  gateway::KeyUse& use = answer.use;  // handed to the usage sink last: the headers name its key
  const int status = answer.stream.status();
  use.http_status = status;
  if (status < 200 || status >= 300) {
    const auto error = gateway::translate_error(*provider.wire, status, answer.error_body);
    auto r = http::Response::json(error.status, gateway::openai_error_body(gateway::redact(error.message, {}),
                                                                           error.type, error.code, ctx.request_id));
    set_key_headers(r, answer, dispatched.attempts);
    use.error = true;
    gateway.usage.record(std::move(use));
    return r;
  }
  auto translated = gateway::translate_embeddings_response(*provider.wire, answer.body_start, request, use.model);
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

net::awaitable<core::Result<http::Response>> embeddings(GatewayServices& gateway, http::Request& req,
                                                        http::RequestContext& ctx, GatewayCall& call) {
  auto request = gateway::parse_embeddings_request(req.body);
  if (!request) co_return request.error();
  auto chain = gateway.resolver.resolve_chain(with_fallback_header(request->models, req));
  if (!chain) co_return chain.error();

  std::vector<gateway::Route> routes;
  routes.reserve(chain->size());
  for (const auto& target : *chain) routes.push_back({target.provider, target.requested});
  const auto build = [&](std::size_t i) -> core::Result<gateway::ProviderCall> {
    const auto& target = (*chain)[i];
    auto upstream = gateway::build_embeddings_call(*target.provider->wire, *request, target.model);
    if (!upstream) return upstream.error();
    return json_provider_call(*target.provider, std::move(upstream->path), std::move(upstream->body), target.model,
                              false, "embeddings");
  };
  const gateway::Actor caller = caller_of(call.principal, req, ctx);
  auto dispatched = co_await gateway.dispatcher.dispatch(caller, routes, build);
  call.upstream_time = dispatched.upstream_time;
  if (!dispatched.answer) {
    ctx.response_headers.set("X-Keyrelay-Attempts", std::to_string(dispatched.attempts));
    co_return dispatched.error;
  }
  co_return relay_answer(gateway, dispatched, *request, ctx);
}

}  // namespace

void add_embeddings_routes(http::Router& router, GatewayServices& gateway) {
  router.add(http::Method::post, "/v1/embeddings",
             gateway_guarded(gateway,
                             [&gateway](http::Request& req, http::RequestContext& ctx, GatewayCall& call) {
                               return embeddings(gateway, req, ctx, call);
                             }),
             {.max_body_bytes = gateway.settings.max_request_body_bytes});
}

}  // namespace keyrelay::api
