// A request head as the server meets it, without a socket: the server's RequestParser fed the bytes
// under the server's limits, then what Session::serve_one does with the head — request id, client
// address behind trusted proxies, method, target check, routing against the real route table
// (generated from src/api's router.add calls), the route's body limit, the body, and the error
// answers that quote the target; then the first steps every handler takes (query string, and for
// /proxy the path rules).
// Input: the bytes a client sends.
// Checks: every answer keyrelay would write is JSON (UTF-8 valid); routing is consistent (a route
// or the allowed methods, never both; parameters never empty; single parameters never span '/');
// the request id is safe; the client address is the peer or an address the peer vouched for.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http.hpp>

#include "api/json_input.h"
#include "catalog/catalog.h"
#include "core/error.h"
#include "fuzz_input.h"
#include "gateway/proxy_rules.h"
#include "http/error_response.h"
#include "http/method.h"
#include "http/request.h"
#include "http/request_id.h"
#include "http/request_parser.h"
#include "http/router.h"
#include "http/trusted_proxies.h"

namespace {

using namespace keyrelay;
namespace bhttp = boost::beast::http;

struct RouteEntry {
  http::Method method;
  std::string_view pattern;
};
constexpr RouteEntry kRoutes[] = {
#include "route_table.inc"
};

// The server's defaults (config.h HttpLimits) and the /proxy route's own limit.
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxBodyBytes = 1024 * 1024;
constexpr std::string_view kPeer = "10.1.2.3";

struct World {
  http::Router router;
  http::TrustedProxies proxies;
  catalog::Catalog catalog;
};

const World& world() {
  static World* w = [] {
    static_assert(std::size(kRoutes) > 40, "the generated route table looks truncated");
    auto* out = new World{http::Router(), *http::TrustedProxies::parse("10.0.0.0/8, 127.0.0.1, ::1, fd00::/8"),
                          *catalog::Catalog::builtin()};
    for (const auto& r : kRoutes)
      out->router.add(r.method, std::string(r.pattern),
                      [](http::Request&, http::RequestContext&) -> boost::asio::awaitable<core::Result<http::Response>> {
                        co_return http::Response::empty(204);
                      });
    return out;
  }();
  return *w;
}

void check_answer(const core::Error& error, std::string_view request_id) {
  const http::Response r = http::error_response(error, request_id);
  FUZZ_CHECK(r.status >= 400 && r.status <= 599);
  FUZZ_CHECK(fuzz::is_json(r.body));
}

void check_match(const http::RouteMatch& match, std::string_view path) {
  FUZZ_CHECK(!(match.route != nullptr && !match.allowed.empty()));
  if (match.route == nullptr) return;
  const std::string_view pattern = match.route->pattern;
  for (const auto& [name, value] : match.params) {
    FUZZ_CHECK(!name.empty() && !value.empty());
    const bool tail = pattern.find("{" + name + "...}") != std::string_view::npos;
    FUZZ_CHECK(tail || pattern.find("{" + name + "}") != std::string_view::npos);
    if (!tail) FUZZ_CHECK(value.find('/') == std::string::npos);
    FUZZ_CHECK(path.find(value) != std::string_view::npos);
  }
}

void check_client_ip(const std::string& client, std::string_view forwarded_for) {
  if (client == kPeer) return;
  FUZZ_CHECK(forwarded_for.find(client) != std::string_view::npos);
  boost::system::error_code ec;
  boost::asio::ip::make_address(client, ec);
  FUZZ_CHECK(!ec);
}

// What /proxy does with its path before it looks at keys.
void proxy_steps(const http::Request& request, const std::string& request_id) {
  const auto provider_id = request.param("provider");
  const catalog::Provider* provider = provider_id ? world().catalog.find(*provider_id) : nullptr;
  if (provider == nullptr) return;
  const std::string prefix = "/proxy/" + provider->id + "/";
  if (!request.path().starts_with(prefix)) return;
  auto url = gateway::proxy_url(*provider, request.path().substr(prefix.size()), request.query());
  if (url) FUZZ_CHECK(url->starts_with(provider->base_url + "/"));
  else check_answer(url.error(), request_id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const World& w = world();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // The head, under the header limit (the body limit depends on the route).
  http::RequestParser parser;
  parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
  parser.body_limit(boost::none);
  boost::beast::error_code ec;
  while (!parser.is_header_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec == bhttp::error::need_more) return 0;  // a real client would send more (or time out)
    if (ec) {
      check_answer(ec == bhttp::error::header_limit ? core::Error::headers_too_large("request headers are too large")
                                                    : core::Error::invalid_request("malformed HTTP request"),
                   http::choose_request_id({}));
      return 0;
    }
    bytes.remove_prefix(used);
  }

  const http::Headers& head = parser.headers();
  const std::string request_id = http::choose_request_id(head.get("X-Request-Id").value_or(std::string_view{}));
  FUZZ_CHECK(http::is_valid_request_id(request_id));
  const std::string_view forwarded_for = head.get("X-Forwarded-For").value_or(std::string_view{});
  check_client_ip(w.proxies.client_ip(kPeer, forwarded_for), forwarded_for);

  const std::string_view method_text = parser.method_text();
  const std::string_view target = parser.target();
  const auto method = http::parse_method(method_text);
  if (target.empty() || target.front() != '/') {
    check_answer(core::Error::invalid_request("request target must be an absolute path"), request_id);
    return 0;
  }
  if (!method) {
    check_answer(core::Error::method_not_allowed("method " + std::string(method_text) + " is not supported"),
                 request_id);
    return 0;
  }
  const std::string_view path = target.substr(0, target.find('?'));
  const http::RouteMatch match = w.router.match(*method, path);
  check_match(match, path);
  if (!match.route) {
    if (match.allowed.empty())
      check_answer(core::Error::not_found("no route for " + std::string(method_text) + " " + std::string(path)),
                   request_id);
    else
      FUZZ_CHECK(!http::allow_header(match.allowed).empty());
    return 0;
  }

  const std::size_t body_limit = match.route->options.max_body_bytes.value_or(kMaxBodyBytes);
  if (const auto length = parser.content_length(); length && *length > body_limit) {
    check_answer(core::Error::payload_too_large("request body is larger than " + std::to_string(body_limit) + " bytes"),
                 request_id);
    return 0;
  }
  (void)parser.keep_alive();
  (void)bhttp::token_list(head.get("Expect").value_or(std::string_view{})).exists("100-continue");

  http::Request request;
  request.method = *method;
  request.target = std::string(target);
  request.headers = std::move(parser.headers());
  request.params = match.params;
  FUZZ_CHECK(request.path() == path);

  // The body, whole, under the route's limit.
  if (!parser.is_done()) {
    parser.body_limit(body_limit);
    parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec && ec != bhttp::error::need_more) {
      check_answer(ec == bhttp::error::body_limit ? core::Error::payload_too_large("request body is too large")
                                                  : core::Error::invalid_request("malformed HTTP request"),
                   request_id);
      return 0;
    }
  }
  request.body = parser.take_body();

  if (auto query = api::Query::parse(request.query())) {
    if (auto page = api::page_request(*query); !page) check_answer(page.error(), request_id);
    if (auto only = query->only({"limit", "cursor"}); !only) check_answer(only.error(), request_id);
  } else {
    check_answer(query.error(), request_id);
  }
  if (match.route->pattern.starts_with("/proxy/")) proxy_steps(request, request_id);
  return 0;
}
