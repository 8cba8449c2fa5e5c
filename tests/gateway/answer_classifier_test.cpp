#include "gateway/answer_classifier.h"

#include <gtest/gtest.h>

namespace keyrelay::gateway {
namespace {

class Classifier : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = catalog::Catalog::builtin();
    ASSERT_TRUE(c);
    catalog_ = std::make_unique<catalog::Catalog>(std::move(*c));
  }
  Classification of(std::string_view provider, int status, std::string_view body, http::Headers headers = {}) {
    const auto* p = catalog_->find(provider);
    EXPECT_NE(p, nullptr) << provider;
    return classify(*p, status, headers, body);
  }
  std::unique_ptr<catalog::Catalog> catalog_;
};

TEST_F(Classifier, TwoHundredMeansValid) {
  EXPECT_EQ(of("openai", 200, R"({"data":[]})").verdict, Verdict::valid);
  EXPECT_EQ(of("duffel", 204, "").verdict, Verdict::valid);
}

TEST_F(Classifier, A401IsAlwaysAnInvalidKeyAndKeepsTheProvidersWords) {
  auto c = of("openai", 401, R"({"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}})");
  EXPECT_EQ(c.verdict, Verdict::invalid);
  EXPECT_NE(c.message.find("Incorrect API key provided"), std::string::npos);
  EXPECT_EQ(of("perplexity", 401, "<html><title>401 Authorization Required</title></html>").verdict, Verdict::invalid);
  EXPECT_EQ(of("firecrawl", 401, R"({"success":false,"error":"Unauthorized: Invalid token"})").verdict, Verdict::invalid);
}

TEST_F(Classifier, GeminiSaysInvalidKeyWith400AndAReason) {
  auto invalid = of("gemini", 400, R"({"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT",
      "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}})");
  EXPECT_EQ(invalid.verdict, Verdict::invalid);
  EXPECT_EQ(of("gemini", 400, R"({"error":{"code":400,"message":"bad field"}})").verdict, Verdict::error)
      << "another 400 is not a verdict on the key";
}

TEST_F(Classifier, GoogleMapsPutsTheVerdictInTheBodyOfA200) {
  EXPECT_EQ(of("google-maps", 200, R"({"status":"REQUEST_DENIED","error_message":"The provided API key is invalid."})").verdict,
            Verdict::invalid);
  EXPECT_EQ(of("google-maps", 200, R"({"status":"OK","results":[]})").verdict, Verdict::valid);
  EXPECT_EQ(of("google-maps", 200, R"({"status":"ZERO_RESULTS","results":[]})").verdict, Verdict::valid);
  EXPECT_EQ(of("google-maps", 200, R"({"status":"OVER_QUERY_LIMIT"})").verdict, Verdict::rate_limited);
  EXPECT_EQ(of("google-maps", 200, "not json").verdict, Verdict::error);
}

TEST_F(Classifier, OutOfCreditIsNotInvalid) {
  http::Headers retry;
  retry.add("Retry-After", "30");
  auto quota = of("openai", 429, R"({"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}})", retry);
  EXPECT_EQ(quota.verdict, Verdict::out_of_credit);
  EXPECT_EQ(of("kimi", 403, R"({"error":{"message":"insufficient balance","type":"exceeded_current_quota_error"}})").verdict,
            Verdict::out_of_credit);
  EXPECT_EQ(of("firecrawl", 402, R"({"success":false,"error":"Payment required"})").verdict, Verdict::out_of_credit);
}

TEST_F(Classifier, RateLimitsCarryRetryAfter) {
  http::Headers retry;
  retry.add("Retry-After", "7");
  auto limited = of("anthropic", 429, R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})", retry);
  EXPECT_EQ(limited.verdict, Verdict::rate_limited);
  EXPECT_EQ(limited.retry_after, std::chrono::seconds(7));
}

TEST_F(Classifier, A403IsInvalidOnlyWithAnAuthenticationErrorFromOpenAIOrAnthropic) {
  EXPECT_EQ(of("anthropic", 403, R"({"type":"error","error":{"type":"authentication_error","message":"x"}})").verdict,
            Verdict::invalid);
  EXPECT_EQ(of("anthropic", 403, R"({"type":"error","error":{"type":"permission_error","message":"x"}})").verdict,
            Verdict::error);
  EXPECT_EQ(of("duffel", 403, R"({"errors":[{"type":"authentication_error","message":"read-only"}]})").verdict,
            Verdict::error);
}

TEST_F(Classifier, ServerErrorsAndOddAnswersAreUndecided) {
  EXPECT_EQ(of("openai", 500, "oops").verdict, Verdict::error);
  EXPECT_EQ(of("anthropic", 529, R"({"type":"error","error":{"type":"overloaded_error"}})").verdict, Verdict::error);
  EXPECT_EQ(of("openai", 404, "{}").verdict, Verdict::error);
}

TEST(Redact, ReplacesTheSecretRawAndPercentEncodedAndCutsLongText) {
  EXPECT_EQ(redact("bad key sk-abc/+= here sk-abc%2F%2B%3D", "sk-abc/+="), "bad key [redacted] here [redacted]");
  EXPECT_EQ(redact("line\nbreak\ttab", "zzz"), "line break tab");
  EXPECT_EQ(redact(std::string(300, 'x'), "zzz").size(), 256u);
  EXPECT_EQ(redact("plain", ""), "plain");
}

}  // namespace
}  // namespace keyrelay::gateway
