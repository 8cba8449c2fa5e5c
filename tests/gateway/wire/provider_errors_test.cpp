#include "gateway/wire/chat_wire.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace keyrelay::gateway {
namespace {

using catalog::Wire;

TEST(WireErrors, KeepsAnOpenAiErrorAsItIs) {
  const auto e = translate_error(Wire::openai, 401,
                                 R"({"error":{"message":"Incorrect API key provided: sk-...abcd","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})");
  EXPECT_EQ(e.status, 401);
  EXPECT_EQ(e.type, "invalid_request_error");
  EXPECT_EQ(e.code, "invalid_api_key");
  EXPECT_EQ(e.message, "Incorrect API key provided: sk-...abcd");
}

TEST(WireErrors, FillsTheTypeOfACompatibleProvidersErrorFromTheStatus) {
  const auto e = translate_error(Wire::openai, 429, R"({"error":{"message":"slow down","code":1302}})");
  EXPECT_EQ(e.type, "rate_limit_error");
  EXPECT_EQ(e.code, "1302");
  EXPECT_EQ(e.message, "slow down");
  const auto kimi = translate_error(Wire::openai, 401, R"({"error":{"message":"Invalid Authentication","type":"invalid_authentication_error"}})");
  EXPECT_EQ(kimi.type, "invalid_authentication_error");
  EXPECT_EQ(kimi.code, "");
}

TEST(WireErrors, MapsAnthropicErrorTypes) {
  struct Row {
    int status;
    const char* anthropic_type;
    const char* type;
    const char* code;
  };
  const Row rows[] = {
      {400, "invalid_request_error", "invalid_request_error", ""},
      {401, "authentication_error", "authentication_error", ""},
      {402, "billing_error", "insufficient_quota", "insufficient_quota"},
      {403, "permission_error", "permission_error", ""},
      {404, "not_found_error", "not_found_error", ""},
      {413, "request_too_large", "invalid_request_error", "request_too_large"},
      {429, "rate_limit_error", "rate_limit_error", ""},
      {500, "api_error", "api_error", ""},
      {504, "timeout_error", "api_error", "timeout_error"},
      {529, "overloaded_error", "api_error", "overloaded_error"},
  };
  for (const auto& row : rows) {
    const auto e = translate_error(Wire::anthropic, row.status,
                                   std::string(R"({"type":"error","error":{"type":")") + row.anthropic_type +
                                       R"(","message":"msg"},"request_id":"req_1"})");
    EXPECT_EQ(e.status, row.status) << row.anthropic_type;
    EXPECT_EQ(e.type, row.type) << row.anthropic_type;
    EXPECT_EQ(e.code, row.code) << row.anthropic_type;
    EXPECT_EQ(e.message, "msg");
  }
}

TEST(WireErrors, TurnsGeminisBadKeyIntoOpenAisUnauthorized) {
  const auto e = translate_error(Wire::gemini, 400, R"({"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}})");
  EXPECT_EQ(e.status, 401);
  EXPECT_EQ(e.type, "authentication_error");
  EXPECT_EQ(e.code, "invalid_api_key");
  EXPECT_EQ(e.message, "API key not valid. Please pass a valid API key.");
}

TEST(WireErrors, MapsGoogleRpcStatuses) {
  const auto quota = translate_error(Wire::gemini, 429, R"({"error":{"code":429,"message":"You exceeded your current quota","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]}})");
  EXPECT_EQ(quota.status, 429);
  EXPECT_EQ(quota.type, "rate_limit_error");
  EXPECT_EQ(quota.code, "RESOURCE_EXHAUSTED");
  const auto denied = translate_error(Wire::gemini, 403, R"({"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}})");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.type, "permission_error");
  const auto missing = translate_error(Wire::gemini, 404, R"({"error":{"code":404,"message":"models/x is not found","status":"NOT_FOUND"}})");
  EXPECT_EQ(missing.type, "not_found_error");
  const auto bad = translate_error(Wire::gemini, 400, R"({"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.type, "invalid_request_error");
  EXPECT_EQ(bad.code, "INVALID_ARGUMENT");
  const auto down = translate_error(Wire::gemini, 503, R"({"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}})");
  EXPECT_EQ(down.type, "api_error");
}

TEST(WireErrors, GivesAGenericMessageNamingTheStatusForHtmlOrGarbage) {
  for (auto body : {"<html><body><h1>502 Bad Gateway</h1></body></html>", "", "{}", "null"}) {
    const auto e = translate_error(Wire::openai, 503, body);
    EXPECT_EQ(e.status, 503);
    EXPECT_EQ(e.type, "api_error");
    EXPECT_EQ(e.code, "");
    EXPECT_NE(e.message.find("503"), std::string::npos) << e.message;
  }
  EXPECT_EQ(translate_error(Wire::anthropic, 404, "<html>").type, "not_found_error");
  EXPECT_EQ(translate_error(Wire::anthropic, 302, "<html>").status, 502) << "only error statuses are passed on";
}

TEST(WireErrors, WritesOpenAisErrorBody) {
  EXPECT_EQ(openai_error_body("no key", "invalid_request_error", "no_usable_key", "req-1"),
            R"({"error":{"message":"no key","type":"invalid_request_error","param":null,"code":"no_usable_key","request_id":"req-1"}})");
  EXPECT_EQ(openai_error_body("say \"hi\"\n", "api_error", "", "req-2"),
            R"({"error":{"message":"say \"hi\"\n","type":"api_error","param":null,"code":null,"request_id":"req-2"}})");
}

TEST(WireErrors, WritesTheStreamErrorEvent) {
  EXPECT_EQ(stream_error_event("Overloaded", "api_error", "", "r"),
            "data: " + openai_error_body("Overloaded", "api_error", "", "r") + "\n\n");
}

// The gateway's error body stays UTF-8 whatever bytes the message quotes (see
// ErrorResponse.BodyIsUtf8WhateverBytesTheMessageQuotes): bytes that are not UTF-8 become U+FFFD.
TEST(OpenAiErrorBody, IsUtf8WhateverBytesTheMessageQuotes) {
  const std::string body = openai_error_body("model: \"gemini-\xc3\" is not a Gemini model name", "invalid_request_error",
                                             "", "req-1");
  boost::system::error_code ec;
  const auto doc = boost::json::parse(body, ec);
  ASSERT_FALSE(ec) << body;
  EXPECT_EQ(doc.at("error").at("message").as_string(), "model: \"gemini-\xef\xbf\xbd\" is not a Gemini model name");
}

}  // namespace
}  // namespace keyrelay::gateway
