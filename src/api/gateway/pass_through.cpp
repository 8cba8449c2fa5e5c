#include "api/gateway/pass_through.h"

#include "api/gateway/gateway_answer.h"
#include "api/gateway/gateway_places.h"
#include "api/gateway/proxy_body_stream.h"
#include "api/guard.h"
#include "gateway/proxy_rules.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;

// The provider's answer as it came, but for hop-by-hop headers, the operator's account headers
// and a final 4xx's body, which the dispatcher read whole, decoded and scrubbed of the key.
http::Response relay_answer(GatewayServices& gateway, gateway::Dispatched& dispatched, monitor::Permit& place) {
  gateway::ProviderAnswer& answer = *dispatched.answer;
  gateway::KeyUse& use = answer.use;  // handed to the usage sink last: the headers name its key
  use.http_status = answer.stream.status();
  http::Response r;
  r.status = answer.stream.status();
  r.headers = answer.stream.headers();
  gateway::filter_response_headers(r.headers);
  // The operator's account (openai-organization …) is none of the client's business.
  if (answer.credential == gateway::Credential::operator_default)
    gateway::drop_account_response_headers(r.headers, *answer.provider);
  set_key_headers(r, answer, dispatched.attempts);
  if (r.status < 200 || r.status >= 300) {
    r.headers.remove("Content-Encoding");
    use.error = r.status >= 400;
    gateway.usage.record(std::move(use));
    r.body = std::move(answer.error_body);
    return r;
  }
  if (answer.stream.done() && answer.body_start.empty()) {
    gateway.usage.record(std::move(use));  // a body-less answer (204, HEAD): nothing to stream
    return r;
  }
  r.stream = std::make_shared<ProxyBodyStream>(std::move(answer.stream), std::move(answer.body_start),
                                               answer.provider->wire, gateway.usage, std::move(use), std::move(place));
  return r;
}

}  // namespace

net::awaitable<core::Result<auth::Principal>> gateway_caller(GatewayServices& gateway,
                                                             std::optional<std::string_view> authorization,
                                                             const http::Request& req, const http::RequestContext& ctx) {
  auto principal = co_await authenticate(gateway.services, authorization, req, ctx);
  if (!principal) co_return principal.error();
  if (!principal->has(auth::Scope::gateway)) co_return core::Error::forbidden("this credential lacks the 'gateway' scope");
  co_return std::move(*principal);
}

// Limit → place → call → dispatch → relay.
net::awaitable<core::Result<http::Response>> pass_through(GatewayServices& gateway, const catalog::Provider& provider,
                                                          const auth::Principal& principal,
                                                          const MakeProviderCall& make_call, http::Request& req,
                                                          http::RequestContext& ctx, std::chrono::nanoseconds& upstream) {
  if (auto limited = co_await charge_gateway(gateway.services, principal, ctx)) co_return *limited;
  auto place = take_gateway_place(gateway, principal, ctx);
  if (!place) co_return place.error();
  auto call = make_call();
  if (!call) co_return call.error();

  const gateway::Actor caller = caller_of(principal, req, ctx);
  const std::vector<gateway::Route> routes{gateway::Route{&provider, {}}};
  auto dispatched = co_await gateway.dispatcher.dispatch(
      caller, routes, [&call](std::size_t) -> core::Result<gateway::ProviderCall> { return std::move(*call); });
  upstream = dispatched.upstream_time;
  if (!dispatched.answer) {
    ctx.response_headers.set("X-Keyrelay-Attempts", std::to_string(dispatched.attempts));
    co_return dispatched.error;
  }
  co_return relay_answer(gateway, dispatched, *place);
}

}  // namespace keyrelay::api
