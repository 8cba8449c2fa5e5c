// A handler returns a core::Error and the server answers it once, in the error shape its route
// family registered (Router::set_error_shape) and with the request's id; routes without a family,
// and errors the server answers itself outside every family, keep the API shape of error_response.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "http/error_response.h"
#include "in_process_server.h"

namespace keyrelay::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;

// A family's own spelling of an error: status from the API mapping, a body that says whose it is.
Response family_shape(const core::Error& error, std::string_view request_id) {
  Response r = error_response(error, request_id);  // same status and headers
  r.body = json::serialize(json::object{{"family", "test"}, {"code", core::errc_name(error.code)},
                                        {"message", error.message}, {"request_id", request_id}});
  return r;
}

// A second family under the first one's prefix (like /v1/messages under /v1/).
Response inner_shape(const core::Error& error, std::string_view request_id) {
  Response r = family_shape(error, request_id);
  r.body = json::serialize(json::object{{"family", "inner"}, {"request_id", request_id}});
  return r;
}

net::awaitable<core::Result<Response>> refuse(Request&, RequestContext& ctx) {
  ctx.response_headers.set("X-Keyrelay-Attempts", "3");
  co_return core::Error::no_usable_key("no usable key: openai: none stored");
}

net::awaitable<core::Result<Response>> not_found(Request&, RequestContext&) {
  co_return core::Error::not_found("key k-1 not found");
}

net::awaitable<core::Result<Response>> answer(Request&, RequestContext&) {
  co_return Response::json(200, R"({"ok":true})");
}

net::awaitable<core::Result<Response>> throws(Request&, RequestContext&) {
  throw std::runtime_error("handler bug");
  co_return Response::empty(200);
}

net::awaitable<core::Result<void>> refuse_head(const Request&, RequestContext&) {
  co_return core::Error::unauthenticated("missing bearer token");
}

class ErrorShapeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.set_error_shape("/family/", &family_shape);
    router_.set_error_shape("/family/inner/", &inner_shape);
    router_.add(Method::get, "/family/refuse", refuse);
    router_.add(Method::get, "/family/answer", answer);
    router_.add(Method::get, "/family/throws", throws);
    router_.add(Method::get, "/family/inner/refuse", refuse);
    router_.add(Method::post, "/family/upload", Handler(answer, refuse_head), {.max_body_bytes = 1 << 20});
    router_.add(Method::get, "/plain/missing", not_found);
    server_.start();
  }

  bhttp::response<bhttp::string_body> get(std::string_view target, std::string_view request_id = "req-0001") {
    auto s = server_.connect();
    testing::InProcessServer::send(s, "GET " + std::string(target) + " HTTP/1.1\r\nHost: x\r\nX-Request-Id: " +
                                          std::string(request_id) + "\r\n\r\n");
    beast::flat_buffer buf;
    return testing::InProcessServer::read_response(s, buf);
  }

  Router router_;
  testing::InProcessServer server_{router_};
};

TEST_F(ErrorShapeTest, HandlerErrorIsAnsweredInItsFamilysShapeWithTheRequestId) {
  auto res = get("/family/refuse", "req-shape-1");
  EXPECT_EQ(res.result_int(), 424);
  EXPECT_EQ(res["Content-Type"], "application/json");
  EXPECT_EQ(res["X-Request-Id"], "req-shape-1");
  EXPECT_EQ(json::parse(res.body()), json::parse(R"({"family":"test","code":"no_usable_key",
      "message":"no usable key: openai: none stored","request_id":"req-shape-1"})"));
}

TEST_F(ErrorShapeTest, HeadersTheHandlerAddsReachTheErrorAnswer) {
  EXPECT_EQ(get("/family/refuse")["X-Keyrelay-Attempts"], "3");
}

TEST_F(ErrorShapeTest, LongestPrefixChoosesTheFamily) {
  auto res = get("/family/inner/refuse", "req-inner");
  EXPECT_EQ(res.result_int(), 424);
  EXPECT_EQ(json::parse(res.body()), json::parse(R"({"family":"inner","request_id":"req-inner"})"));
}

TEST_F(ErrorShapeTest, RouteWithoutFamilyAnswersExactlyAsErrorResponse) {
  auto res = get("/plain/missing", "req-plain");
  const Response expected = error_response(core::Error::not_found("key k-1 not found"), "req-plain");
  EXPECT_EQ(res.result_int(), expected.status);
  EXPECT_EQ(res.body(), expected.body);
  EXPECT_EQ(res["Content-Type"], "application/json");
}

TEST_F(ErrorShapeTest, UnroutedRequestOutsideEveryFamilyMapsAsBefore) {
  auto res = get("/nowhere", "req-404");
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(res.body(), error_response(core::Error::not_found("no route for GET /nowhere"), "req-404").body);
}

TEST_F(ErrorShapeTest, ServerAnsweredErrorsInsideAFamilyUseItsShape) {
  auto missing = get("/family/nowhere", "req-fam-404");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_EQ(json::parse(missing.body()).at("family"), "test");
  EXPECT_EQ(json::parse(missing.body()).at("request_id"), "req-fam-404");

  auto s = server_.connect();
  testing::InProcessServer::send(s, "DELETE /family/answer HTTP/1.1\r\nHost: x\r\n\r\n");
  beast::flat_buffer buf;
  auto wrong_method = testing::InProcessServer::read_response(s, buf);
  EXPECT_EQ(wrong_method.result_int(), 405);
  EXPECT_EQ(wrong_method["Allow"], "GET");
  EXPECT_EQ(json::parse(wrong_method.body()).at("code"), "method_not_allowed");
}

TEST_F(ErrorShapeTest, ThrownHandlerIsAnInternalErrorInItsFamilysShape) {
  auto res = get("/family/throws", "req-bug");
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(json::parse(res.body()).at("code"), "internal");
  EXPECT_EQ(json::parse(res.body()).at("request_id"), "req-bug");
}

TEST_F(ErrorShapeTest, HeadCheckErrorIsAnsweredInItsFamilysShape) {
  auto s = server_.connect();
  // Over head_check_above (64 KiB by default), so the head check runs before the body is read.
  testing::InProcessServer::send(s, "POST /family/upload HTTP/1.1\r\nHost: x\r\nX-Request-Id: req-head\r\n"
                                    "Content-Length: 200000\r\n\r\n");
  beast::flat_buffer buf;
  auto res = testing::InProcessServer::read_response(s, buf);
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res["WWW-Authenticate"], "Bearer");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(json::parse(res.body()), json::parse(R"({"family":"test","code":"unauthenticated",
      "message":"missing bearer token","request_id":"req-head"})"));
}

TEST(RouterErrorShape, TwoFamiliesCannotClaimOnePrefix) {
  Router router;
  router.set_error_shape("/v1/", &family_shape);
  EXPECT_THROW(router.set_error_shape("/v1/", &inner_shape), std::invalid_argument);
}

TEST(RouterErrorShape, DefaultIsTheApiShape) {
  Router router;
  EXPECT_EQ(router.error_shape("/api/v1/keys"), &error_response);
  router.set_error_shape("/v1/", &family_shape);
  EXPECT_EQ(router.error_shape("/v1/chat/completions"), &family_shape);
  EXPECT_EQ(router.error_shape("/v1"), &error_response);
  EXPECT_EQ(router.error_shape("/proxy/openai/v1/models"), &error_response);
}

}  // namespace
}  // namespace keyrelay::http
