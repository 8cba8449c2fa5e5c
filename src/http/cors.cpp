#include "http/cors.h"

#include <algorithm>
#include <map>
#include <memory>

namespace keyrelay::http {
namespace {

// Headers a page may send and read beyond the CORS-safelisted ones.
constexpr std::string_view kAllowedHeaders = "Authorization, Content-Type";
constexpr std::string_view kExposedHeaders = "X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset";

bool listed(const CorsPolicy& policy, std::string_view origin) {
  return std::find(policy.origins.begin(), policy.origins.end(), origin) != policy.origins.end();
}

// Vary always (a shared cache must not hand one origin's answer to another); the rest only for a
// listed origin.
void add_origin_headers(const CorsPolicy& policy, const Request& request, Headers& out) {
  out.set("Vary", "Origin");
  const auto origin = request.headers.get("Origin");
  if (!origin || !listed(policy, *origin)) return;
  out.set("Access-Control-Allow-Origin", *origin);
  out.set("Access-Control-Expose-Headers", kExposedHeaders);
}

// The route's handler, with the CORS headers put into the request's context first (the session adds
// them to whatever the handler or its head check answers, errors too).
Handler with_cors(Handler inner, std::shared_ptr<const CorsPolicy> policy) {
  auto respond = [inner, policy](Request& request, RequestContext& ctx) {
    add_origin_headers(*policy, request, ctx.response_headers);
    return inner(request, ctx);
  };
  if (!inner.check_head()) return Handler(std::move(respond), HeadCheck{});
  HeadCheck check = [check = inner.check_head(), policy](const Request& head, RequestContext& ctx) {
    add_origin_headers(*policy, head, ctx.response_headers);
    return check(head, ctx);
  };
  return Handler(std::move(respond), std::move(check));
}

// The preflight answer: 204, and for a listed origin the methods of this path, the headers a page
// may send and how long the answer may be cached.
Handler preflight(std::string methods, std::shared_ptr<const CorsPolicy> policy) {
  return [methods = std::move(methods), policy](Request& request,
                                                RequestContext&) -> boost::asio::awaitable<core::Result<Response>> {
    Response r = Response::empty(204);
    add_origin_headers(*policy, request, r.headers);
    if (r.headers.contains("Access-Control-Allow-Origin")) {
      r.headers.set("Access-Control-Allow-Methods", methods);
      r.headers.set("Access-Control-Allow-Headers", kAllowedHeaders);
      r.headers.set("Access-Control-Max-Age", std::to_string(policy->max_age.count()));
    }
    co_return r;
  };
}

}  // namespace

void enable_cors(Router& router, std::string_view prefix, const CorsPolicy& policy) {
  if (policy.origins.empty()) return;
  auto shared = std::make_shared<const CorsPolicy>(policy);
  std::map<std::string, std::vector<Method>> methods_by_pattern;
  for (Route* route : router.routes_under(prefix)) {
    route->handler = with_cors(std::move(route->handler), shared);
    methods_by_pattern[route->pattern].push_back(route->method);
  }
  for (auto& [pattern, methods] : methods_by_pattern) {
    if (std::find(methods.begin(), methods.end(), Method::options) != methods.end()) continue;
    router.add(Method::options, pattern, preflight(allow_header(methods), shared));
  }
}

}  // namespace keyrelay::http
