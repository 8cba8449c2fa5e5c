// What travels upstream on /proxy (issue 12, B): every place a provider takes a credential from is
// cleared of the client's before keyrelay injects the stored key, which the provider sees exactly
// once; paths a Java upstream would normalise out of the base are refused; a compressed answer is
// classified and scrubbed like a plain one; catalog headers replace keyrelay's defaults.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "gzip_body.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

std::size_t occurrences(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

class ProxyCredentials : public ::testing::Test {
 protected:
  Gateway gw;
};

TEST_F(ProxyCredentials, GeminiQueryKeyAndHeaderAreBothReplacedByTheStoredKey) {
  const auto key = gw.add_key(gw.alice, "gemini", "valid");
  // The SDK style: keyrelay's token in x-goog-api-key, and a key of the client's own in ?key=.
  auto r = gw.vault.send("GET", "/proxy/gemini/v1beta/models?key=AIzaClientOwnKey000&pageSize=5",
                         {{"x-goog-api-key", gw.alice.token}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto seen = gw.upstream_requests("/gemini/");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(text_of(seen[0].at("headers").at("x-goog-api-key")), gw.secret_of(key));
  const std::string target = text_of(seen[0].at("target"));
  EXPECT_EQ(target.find("key="), std::string::npos) << target;
  EXPECT_EQ(target.find("AIzaClientOwnKey000"), std::string::npos) << target;
  EXPECT_EQ(text_of(seen[0].at("query_params").at("pageSize")), "5");
  EXPECT_EQ(occurrences(json::serialize(seen[0].at("headers")), gw.secret_of(key)), 1u);
}

TEST_F(ProxyCredentials, AMapsKeyInTheQueryIsDroppedNotRefused) {
  const auto key = gw.add_key(gw.alice, "google-maps", "valid");
  auto r = gw.vault.call(gw.alice, "GET", "/proxy/google-maps/maps/api/geocode/json?key=mine&address=Sydney&k%65y=again");
  ASSERT_EQ(r.status, 200) << r.body;
  auto seen = gw.upstream_requests("/google-maps/");
  ASSERT_EQ(seen.size(), 1u);
  const std::string target = text_of(seen[0].at("target"));
  EXPECT_EQ(occurrences(target, "key="), 1u) << target;
  EXPECT_EQ(occurrences(target, "mine"), 0u) << target;
  EXPECT_EQ(occurrences(target, "again"), 0u) << target;
  EXPECT_EQ(text_of(seen[0].at("query_params").at("key")), gw.secret_of(key));
  EXPECT_EQ(text_of(seen[0].at("query_params").at("address")), "Sydney");
}

TEST_F(ProxyCredentials, DotDotPrefixedSegmentsAndPathParametersAreRefused) {
  gw.add_key(gw.alice, "openai", "valid");
  for (const char* target : {"/proxy/openai/v1/..;/admin", "/proxy/openai/..%3B/admin", "/proxy/openai/..%3b/admin",
                             "/proxy/openai/models;jsessionid=1", "/proxy/openai/a/.;/models", "/proxy/openai/..x/models"}) {
    SCOPED_TRACE(target);
    EXPECT_TRUE(is_api_error(gw.vault.call(gw.alice, "GET", target), 400, "invalid_request"));
  }
  EXPECT_TRUE(gw.upstream_requests("/").empty());
}

// SDKs send Accept-Encoding: gzip. A Gemini key rejected with a compressed 400 API_KEY_INVALID is
// still a rejected key: the next key serves the call.
TEST_F(ProxyCredentials, ACompressedRejectionIsStillRecognised) {
  gw.add_key(gw.alice, "gemini", "invalid", json::object{{"priority", 0}});
  const auto good = gw.add_key(gw.alice, "gemini", "valid", json::object{{"priority", 1}});
  auto r = gw.vault.call(gw.alice, "GET", "/proxy/gemini/v1beta/models", {}, {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Key-Id"), good);
  EXPECT_EQ(r.header("X-Keyrelay-Attempts"), "2");
  auto models = parse_json_object(decoded_body(r));
  ASSERT_TRUE(models) << r.body;
  EXPECT_TRUE(models->contains("models"));
}

// A provider error that quotes the key is scrubbed even when it arrives compressed.
TEST_F(ProxyCredentials, ACompressedErrorThatQuotesTheKeyIsScrubbed) {
  const auto key = gw.add_key(gw.alice, "openai", "leaky");
  auto r = gw.vault.call(gw.alice, "POST", "/proxy/openai/chat/completions",
                         json::serialize(Gateway::chat_body("gpt-4o-mini")), {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(r.status, 400) << r.body;
  const std::string body = decoded_body(r);
  EXPECT_EQ(body.find(gw.secret_of(key)), std::string::npos) << body;
  EXPECT_NE(body.find("[redacted]"), std::string::npos) << body;
  auto error = parse_json_object(body);
  ASSERT_TRUE(error) << body;
  EXPECT_TRUE(error->at("error").is_object());
}

// A successful compressed answer passes through as the provider sent it.
TEST_F(ProxyCredentials, ACompressedSuccessPassesThrough) {
  gw.add_key(gw.alice, "openai", "valid");
  auto r = gw.vault.call(gw.alice, "POST", "/proxy/openai/chat/completions",
                         json::serialize(Gateway::chat_body("gpt-4o-mini", "zip it")), {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto answer = parse_json_object(decoded_body(r));
  ASSERT_TRUE(answer) << r.body;
  EXPECT_EQ(answer->at("choices").as_array()[0].at("message").at("content"), "Hello from openai (gpt-4o-mini): zip it");
}

// Duffel's catalog entry sets Accept: it replaces keyrelay's default instead of going twice.
TEST_F(ProxyCredentials, CatalogHeadersReplaceKeyrelaysDefaults) {
  const auto key = gw.add_key(gw.alice, "duffel", "valid");
  auto r = gw.vault.call(gw.alice, "POST", "/api/v1/keys/" + key + "/validate");
  ASSERT_EQ(r.status, 200) << r.body;
  auto seen = gw.upstream_requests("/duffel/");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(text_of(seen[0].at("headers").at("accept")), "application/json");
  EXPECT_EQ(text_of(seen[0].at("headers").at("duffel-version")), "v2");
  // The chat call of a provider with catalog headers (anthropic-version) sends each once.
  gw.add_key(gw.alice, "anthropic", "valid");
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest")).status, 200);
  auto chat = gw.upstream_requests("/anthropic/v1/messages");
  ASSERT_EQ(chat.size(), 1u);
  EXPECT_EQ(text_of(chat[0].at("headers").at("anthropic-version")), "2023-06-01");
  EXPECT_EQ(text_of(chat[0].at("headers").at("accept")), "application/json");
}

}  // namespace
}  // namespace keyrelay::test
