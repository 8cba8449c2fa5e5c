#pragma once
// GET /api/v1/openapi.json (no token needed): the OpenAPI 3.1 document of every route, kept as a
// source file (src/api/openapi.json) and compiled into the binary like the provider catalog.
//
// The document and the router must agree: compare_routes() names every registered route the
// document does not describe and every documented operation no route serves. add_openapi_route()
// registers the route last, after every other, and logs that comparison once at start
// ("openapi document" with the counts and both lists), which the integration tests read: a route
// added without its description (or a description left behind) fails them.

#include <string>
#include <string_view>
#include <vector>

#include "http/router.h"

namespace keyrelay::api {

// The embedded src/api/openapi.json.
std::string_view openapi_document() noexcept;

struct RouteCoverage {
  std::size_t served = 0;                  // (method, pattern) pairs on the router
  std::vector<std::string> undocumented;   // "GET /api/v1/x": served, not in the document
  std::vector<std::string> unserved;       // "GET /api/v1/y": in the document, served by no route
  bool complete() const noexcept { return undocumented.empty() && unserved.empty(); }
};

// Compares the router's routes with the document's paths and operations. A router pattern's tail
// "{name...}" is the document's "{name}". A document that is not valid JSON, or has no "paths"
// object, leaves every route undocumented.
RouteCoverage compare_routes(const http::Router& router, std::string_view document);

// Registers GET /api/v1/openapi.json and logs compare_routes() for the router as it is now: call
// it after every other route is added.
void add_openapi_route(http::Router& router);

}  // namespace keyrelay::api
