#include "http/router.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace keyrelay::http {
namespace {

Handler noop() {
  return [](Request&, RequestContext&) -> boost::asio::awaitable<core::Result<Response>> { co_return Response::empty(204); };
}

std::string param(const RouteMatch& m, std::string_view name) {
  for (const auto& [k, v] : m.params)
    if (k == name) return v;
  return "<missing>";
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add(Method::get, "/healthz", noop());
    router_.add(Method::get, "/api/v1/keys", noop());
    router_.add(Method::post, "/api/v1/keys", noop(), {.max_body_bytes = 64 * 1024});
    router_.add(Method::get, "/api/v1/keys/expiring", noop());
    router_.add(Method::get, "/api/v1/keys/{id}", noop());
    router_.add(Method::patch, "/api/v1/keys/{id}", noop());
    router_.add(Method::del, "/api/v1/keys/{id}", noop());
    router_.add(Method::post, "/api/v1/keys/{id}/rotate", noop());
    router_.add(Method::post, "/proxy/{provider}/{path...}", noop());
  }
  Router router_;
};

TEST_F(RouterTest, MatchesLiteralRoutes) {
  auto m = router_.match(Method::get, "/healthz");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/healthz");
  EXPECT_TRUE(m.params.empty());
}

TEST_F(RouterTest, CapturesPathParameters) {
  auto m = router_.match(Method::post, "/api/v1/keys/abc-123/rotate");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/keys/{id}/rotate");
  EXPECT_EQ(param(m, "id"), "abc-123");
}

TEST_F(RouterTest, LiteralSegmentWinsOverParameter) {
  auto m = router_.match(Method::get, "/api/v1/keys/expiring");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/keys/expiring");
}

TEST_F(RouterTest, LiteralPathWithWrongMethodIsNotTakenByTheParameter) {
  auto m = router_.match(Method::del, "/api/v1/keys/expiring");
  EXPECT_EQ(m.route, nullptr);
  ASSERT_EQ(m.allowed.size(), 1u);
  EXPECT_EQ(m.allowed[0], Method::get);
}

TEST_F(RouterTest, WrongMethodReportsAllowedMethods) {
  auto m = router_.match(Method::put, "/api/v1/keys/k1");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_matched());
  EXPECT_EQ(allow_header(m.allowed), "GET, PATCH, DELETE");
}

TEST_F(RouterTest, UnknownPathMatchesNothing) {
  for (const char* path : {"/nope", "/api/v1/keys/a/b", "/api/v1/keys/", "/healthz/", "", "healthz", "/api/v1"}) {
    auto m = router_.match(Method::get, path);
    EXPECT_FALSE(m.path_matched()) << path;
  }
}

TEST_F(RouterTest, TailParameterTakesTheRestOfThePath) {
  auto m = router_.match(Method::post, "/proxy/openai/v1/chat/completions");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(param(m, "provider"), "openai");
  EXPECT_EQ(param(m, "path"), "v1/chat/completions");
  EXPECT_FALSE(router_.match(Method::post, "/proxy/openai").path_matched());
}

TEST_F(RouterTest, KeepsRouteOptions) {
  auto m = router_.match(Method::post, "/api/v1/keys");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->options.max_body_bytes, 64u * 1024);
}

TEST(Router, RejectsDuplicateAndConflictingRoutes) {
  Router r;
  r.add(Method::get, "/a/{id}", noop());
  EXPECT_THROW(r.add(Method::get, "/a/{id}", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(Method::post, "/a/{other}", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(Method::get, "no-slash", noop()), std::invalid_argument);
  EXPECT_THROW(r.add(Method::get, "/x/{rest...}/y", noop()), std::invalid_argument);
}

TEST(Method, ParsesAndNamesEveryMethod) {
  for (std::size_t i = 0; i < kMethodCount; ++i) {
    const auto m = static_cast<Method>(i);
    EXPECT_EQ(parse_method(method_name(m)), m);
  }
  EXPECT_FALSE(parse_method("get"));
  EXPECT_FALSE(parse_method("TRACE"));
}

}  // namespace
}  // namespace keyrelay::http
