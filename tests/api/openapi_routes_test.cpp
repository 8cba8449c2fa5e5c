// The OpenAPI document against the router: compare_routes() names a route the document misses and
// an operation no route serves, maps the router's tail parameter to the document's, and the
// embedded document is an OpenAPI 3.1 object whose every $ref resolves.

#include "api/openapi_routes.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <functional>

namespace keyrelay::api {
namespace {

namespace json = boost::json;

http::Handler no_content() {
  return [](http::Request&, http::RequestContext&) -> boost::asio::awaitable<core::Result<http::Response>> {
    co_return http::Response::empty(204);
  };
}

constexpr std::string_view kDocument = R"({"openapi":"3.1.0","paths":{
  "/api/v1/keys":{"get":{},"post":{},"parameters":[]},
  "/api/v1/keys/{id}":{"delete":{}},
  "/proxy/{provider}/{path}":{"get":{}},
  "/gone":{"get":{}}}})";

TEST(OpenApiCoverage, NamesServedRoutesTheDocumentMissesAndOperationsNoRouteServes) {
  http::Router router;
  router.add(http::Method::get, "/api/v1/keys", no_content());
  router.add(http::Method::post, "/api/v1/keys", no_content());
  router.add(http::Method::del, "/api/v1/keys/{id}", no_content());
  router.add(http::Method::patch, "/api/v1/keys/{id}", no_content());
  router.add(http::Method::get, "/proxy/{provider}/{path...}", no_content());
  const auto coverage = compare_routes(router, kDocument);
  EXPECT_EQ(coverage.served, 5u);
  EXPECT_EQ(coverage.undocumented, std::vector<std::string>{"PATCH /api/v1/keys/{id}"});
  EXPECT_EQ(coverage.unserved, std::vector<std::string>{"GET /gone"}) << "'parameters' is not an operation";
  EXPECT_FALSE(coverage.complete());
}

TEST(OpenApiCoverage, ADocumentThatDoesNotParseDocumentsNothing) {
  http::Router router;
  router.add(http::Method::get, "/healthz", no_content());
  const auto coverage = compare_routes(router, "{not json");
  EXPECT_EQ(coverage.undocumented, std::vector<std::string>{"GET /healthz"});
  EXPECT_TRUE(coverage.unserved.empty());
}

// Follows a "#/a/b" pointer from the document's root.
const json::value* resolve(const json::value& root, std::string_view pointer) {
  if (!pointer.starts_with("#/")) return nullptr;
  boost::system::error_code ec;
  const json::value* at = root.find_pointer(pointer.substr(1), ec);
  return ec ? nullptr : at;
}

void expect_refs_resolve(const json::value& root, const json::value& node, std::size_t& refs) {
  if (node.is_array())
    for (const auto& v : node.as_array()) expect_refs_resolve(root, v, refs);
  if (!node.is_object()) return;
  for (const auto& [name, v] : node.as_object()) {
    if (name == "$ref" && v.is_string()) {
      ++refs;
      EXPECT_NE(resolve(root, v.as_string()), nullptr) << "unresolved $ref " << v.as_string();
    }
    expect_refs_resolve(root, v, refs);
  }
}

TEST(OpenApiDocument, IsOpenApi31AndEveryRefResolves) {
  const json::value doc = json::parse(openapi_document());
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  EXPECT_GT(doc.at("paths").as_object().size(), 40u);
  std::size_t refs = 0;
  expect_refs_resolve(doc, doc, refs);
  EXPECT_GT(refs, 100u);
}

}  // namespace
}  // namespace keyrelay::api
