#include "http/error_response.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace keyrelay::http {
namespace {

using core::Errc;
using core::Error;

TEST(ErrorResponse, EveryCodeMapsToItsStatus) {
  const std::pair<Errc, int> expected[] = {
      {Errc::invalid_request, 400}, {Errc::unauthenticated, 401}, {Errc::forbidden, 403},
      {Errc::spend_cap_exceeded, 402}, {Errc::not_found, 404}, {Errc::method_not_allowed, 405}, {Errc::conflict, 409},
      {Errc::payload_too_large, 413}, {Errc::unsupported_media_type, 415}, {Errc::no_usable_key, 424},
      {Errc::rate_limited, 429}, {Errc::headers_too_large, 431}, {Errc::internal, 500},
      {Errc::upstream_error, 502}, {Errc::unavailable, 503}, {Errc::upstream_timeout, 504}};
  for (const auto& [code, status] : expected) EXPECT_EQ(http_status(code), status) << core::errc_name(code);
}

TEST(ErrorResponse, BodyHasCodeMessageAndRequestId) {
  auto r = error_response(Error::invalid_request("provider 'foo' is not supported"), "req-1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  const auto body = boost::json::parse(r.body).as_object().at("error").as_object();
  EXPECT_EQ(body.at("code").as_string(), "invalid_request");
  EXPECT_EQ(body.at("message").as_string(), "provider 'foo' is not supported");
  EXPECT_EQ(body.at("request_id").as_string(), "req-1");
}

// Found by fuzzing (tests/fuzz/corpus/http_request/finding-404-latin1-target and
// api_json/finding-query-key-ff): messages quote client text (a request target, a decoded query
// parameter) that need not be UTF-8, and the JSON body must stay UTF-8 for every client to parse it.
// Bytes that are not well-formed UTF-8 become U+FFFD.
TEST(ErrorResponse, BodyIsUtf8WhateverBytesTheMessageQuotes) {
  for (const std::string& message : {std::string("no route for GET /assets\xcb-c/app.js"),
                                    std::string("unknown query parameter '\xff'"),
                                    std::string("cut \xe2\x82"), std::string("overlong \xc0\xaf")}) {
    const auto r = error_response(Error::invalid_request(message), "req-1");
    boost::system::error_code ec;
    const auto doc = boost::json::parse(r.body, ec);
    ASSERT_FALSE(ec) << message;
    EXPECT_NE(std::string_view(doc.at("error").at("message").as_string()).find("\xef\xbf\xbd"), std::string_view::npos);
  }
  const auto r = error_response(Error::invalid_request("unknown query parameter '\xff' (caf\xc3\xa9)"), "req-1");
  EXPECT_EQ(boost::json::parse(r.body).at("error").at("message").as_string(),
            "unknown query parameter '\xef\xbf\xbd' (caf\xc3\xa9)");
}

TEST(ErrorResponse, InternalErrorsHideTheirDetails) {
  auto r = error_response(Error::internal("sqlite: disk I/O error at /var/lib/x"), "req-2");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("sqlite"), std::string::npos);
  EXPECT_NE(r.body.find("internal error"), std::string::npos);
}

TEST(ErrorResponse, RateLimitedSetsRetryAfter) {
  auto r = error_response(Error::rate_limited("too many", std::chrono::seconds(17)), "req-3");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.get("Retry-After"), "17");
}

TEST(ErrorResponse, SpendCapExceededIs402WithRetryAfterUntilTheReset) {
  auto r = error_response(Error::spend_cap_exceeded("the key's daily cap of $5.00 is reached", std::chrono::seconds(3600)),
                          "req-4");
  EXPECT_EQ(r.status, 402);
  EXPECT_EQ(r.headers.get("Retry-After"), "3600");
  EXPECT_NE(r.body.find("\"code\":\"spend_cap_exceeded\""), std::string::npos) << r.body;
}

TEST(ErrorResponse, UnavailableTellsTheClientToRetryShortly) {
  // A database that is down or busy, a full pool: API.md wants every 503 to carry Retry-After.
  auto r = error_response(Error::unavailable("the database is unreachable; try again"), "req-1");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.headers.get("Retry-After"), "1");
}

TEST(ErrorResponse, ALimitsRefusalCarriesItsRateLimitFigures) {
  auto refusal = Error::rate_limited("too many failed authentications", std::chrono::seconds(900));
  refusal.rate_limit = core::RateLimitFigures{20, 0, std::chrono::seconds(900)};
  auto r = error_response(refusal, "req-1");
  EXPECT_EQ(r.headers.get("Retry-After"), "900");
  EXPECT_EQ(r.headers.get("RateLimit-Limit"), "20");
  EXPECT_EQ(r.headers.get("RateLimit-Remaining"), "0");
  EXPECT_EQ(r.headers.get("RateLimit-Reset"), "900");
  // Without figures (an upstream's 429 passed on) there is nothing to report.
  auto plain = error_response(Error::rate_limited("slow down", std::chrono::seconds(3)), "req-2");
  EXPECT_FALSE(plain.headers.get("RateLimit-Limit"));
}

TEST(ErrorResponse, UnauthenticatedAsksForABearerToken) {
  auto r = error_response(Error::unauthenticated("missing token"), "req-4");
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), "Bearer");
}

}  // namespace
}  // namespace keyrelay::http
