#include "api/openapi_routes.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "logging/log.h"

namespace keyrelay::api {

extern const std::string_view kOpenApiJson;

namespace {

namespace json = boost::json;

// "{path...}" (the router's tail) → "{path}" (OpenAPI has no tail parameters).
std::string document_form(std::string pattern) {
  for (auto at = pattern.find("...}"); at != std::string::npos; at = pattern.find("...}")) pattern.erase(at, 3);
  return pattern;
}

std::set<std::string> documented_operations(std::string_view document) {
  std::set<std::string> out;
  boost::system::error_code ec;
  const json::value doc = json::parse(document, ec);
  const auto* paths = ec || !doc.is_object() ? nullptr : doc.as_object().if_contains("paths");
  if (paths == nullptr || !paths->is_object()) return out;
  for (const auto& [path, item] : paths->as_object()) {
    if (!item.is_object()) continue;
    for (const auto& [method, operation] : item.as_object()) {
      std::string name(method);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      if (http::parse_method(name) && operation.is_object()) out.insert(name + " " + std::string(path));
    }
  }
  return out;
}

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

}  // namespace

std::string_view openapi_document() noexcept { return kOpenApiJson; }

RouteCoverage compare_routes(const http::Router& router, std::string_view document) {
  auto documented = documented_operations(document);
  RouteCoverage coverage;
  std::set<std::string> served;
  for (const auto& [method, pattern] : router.routes()) {
    std::string operation = std::string(http::method_name(method)) + " " + document_form(pattern);
    if (!documented.contains(operation)) coverage.undocumented.push_back(operation);
    served.insert(std::move(operation));
  }
  coverage.served = served.size();
  for (const auto& operation : documented)
    if (!served.contains(operation)) coverage.unserved.push_back(operation);
  return coverage;
}

void add_openapi_route(http::Router& router) {
  router.add(http::Method::get, "/api/v1/openapi.json", [](http::Request&, http::RequestContext&) -> boost::asio::awaitable<core::Result<http::Response>> {
    co_return http::Response::json(200, std::string(openapi_document()));
  });
  const auto coverage = compare_routes(router, openapi_document());
  json::object fields{{"routes", coverage.served},
                      {"undocumented", strings(coverage.undocumented)},
                      {"unserved", strings(coverage.unserved)}};
  if (coverage.complete()) logging::info("openapi document", std::move(fields));
  else logging::error("openapi document", std::move(fields));  // a build whose document is out of date
}

}  // namespace keyrelay::api
