// CORS for a host app's pages (KEYRELAY_CORS_ORIGINS), through the real binary: a preflight and a
// request from a listed origin get exactly that origin back; an unlisted one gets no CORS headers
// (the browser then refuses the page the answer); the gateway gets none; without the setting
// nothing changes.

#include <gtest/gtest.h>

#include "api_json.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

constexpr std::string_view kHost = "https://host.example";
constexpr std::string_view kOtherHost = "http://127.0.0.1:9";
constexpr std::string_view kStranger = "https://evil.example";

class Cors : public ::testing::Test {
 protected:
  HttpResponse preflight(std::string_view path, std::string_view origin, std::string_view method = "POST") {
    return vault.send("OPTIONS", path,
                      {{"Origin", std::string(origin)},
                       {"Access-Control-Request-Method", std::string(method)},
                       {"Access-Control-Request-Headers", "authorization,content-type"}});
  }

  VaultServer vault{VaultServer::Options{
      .env = {{"KEYRELAY_CORS_ORIGINS", std::string(kHost) + ", " + std::string(kOtherHost)}}}};
  Identity alice = vault.add_user("alice");
};

::testing::AssertionResult has_no_cors(const HttpResponse& r) {
  for (const char* name : {"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
                           "Access-Control-Allow-Credentials", "Access-Control-Max-Age"})
    if (r.has_header(name)) return ::testing::AssertionFailure() << name << " in\n" << describe(r);
  return ::testing::AssertionSuccess();
}

TEST_F(Cors, APreflightFromAListedOriginIsAnswered) {
  for (auto origin : {kHost, kOtherHost}) {
    auto r = preflight("/api/v1/keys", origin);
    ASSERT_EQ(r.status, 204) << describe(r);
    EXPECT_EQ(r.header("Access-Control-Allow-Origin"), std::string(origin));
    EXPECT_EQ(r.header("Access-Control-Allow-Methods"), "GET, POST");
    EXPECT_EQ(r.header("Access-Control-Allow-Headers"), "Authorization, Content-Type");
    EXPECT_EQ(r.header("Access-Control-Max-Age"), "600");
    EXPECT_EQ(r.header("Vary"), "Origin");
    EXPECT_FALSE(r.has_header("Access-Control-Allow-Credentials"));
  }
  auto one_key = preflight("/api/v1/keys/0190a0a0-0000-7000-8000-000000000000", kHost, "DELETE");
  ASSERT_EQ(one_key.status, 204);
  EXPECT_EQ(one_key.header("Access-Control-Allow-Methods"), "GET, PATCH, DELETE");
  EXPECT_EQ(preflight("/api/v1/sessions", kHost).header("Access-Control-Allow-Origin"), std::string(kHost));
}

TEST_F(Cors, AnUnlistedOriginGetsNoCorsHeaders) {
  auto r = preflight("/api/v1/keys", kStranger);
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(has_no_cors(r));
  EXPECT_EQ(r.header("Vary"), "Origin");
  // An origin that merely starts like a listed one is another origin.
  EXPECT_TRUE(has_no_cors(preflight("/api/v1/keys", "https://host.example.evil.example")));
  EXPECT_TRUE(has_no_cors(preflight("/api/v1/keys", "https://host.example:444")));
  auto get = vault.call(alice, "GET", "/api/v1/keys", {}, {{"Origin", std::string(kStranger)}});
  EXPECT_EQ(get.status, 200);
  EXPECT_TRUE(has_no_cors(get));
}

TEST_F(Cors, AnswersToAListedOriginCarryItErrorsIncluded) {
  auto ok = vault.call(alice, "GET", "/api/v1/keys", {}, {{"Origin", std::string(kHost)}});
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header("Access-Control-Allow-Origin"), std::string(kHost));
  EXPECT_EQ(ok.header("Vary"), "Origin");
  EXPECT_NE(ok.header("Access-Control-Expose-Headers").value_or("").find("X-Request-Id"), std::string::npos);
  auto created = vault.call(alice, "POST", "/api/v1/keys",
                            body_of({{"provider", "openai"}, {"name", "cors"}, {"secret", make_secret()}}),
                            {{"Origin", std::string(kHost)}});
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("Access-Control-Allow-Origin"), std::string(kHost));
  // A page must be able to read a 401 to ask its host for a new token.
  auto refused = vault.send("GET", "/api/v1/keys", {{"Origin", std::string(kHost)}, {"Authorization", "Bearer kr_x"}});
  EXPECT_TRUE(is_api_error(refused, 401, "unauthenticated"));
  EXPECT_EQ(refused.header("Access-Control-Allow-Origin"), std::string(kHost));
  EXPECT_NE(refused.header("Access-Control-Allow-Origin"), "*");
}

TEST_F(Cors, TheGatewayAndThePageGetNone) {
  EXPECT_TRUE(has_no_cors(preflight("/v1/chat/completions", kHost)));
  EXPECT_TRUE(has_no_cors(vault.call(alice, "GET", "/v1/models", {}, {{"Origin", std::string(kHost)}})));
  EXPECT_TRUE(has_no_cors(vault.send("GET", "/", {{"Origin", std::string(kHost)}})));
}

TEST(CorsOff, WithoutOriginsNothingChanges) {
  VaultServer vault;
  auto alice = vault.add_user("alice");
  auto r = vault.send("OPTIONS", "/api/v1/keys",
                      {{"Origin", "https://host.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(r.status, 405);
  EXPECT_TRUE(has_no_cors(r));
  EXPECT_TRUE(has_no_cors(vault.call(alice, "GET", "/api/v1/keys", {}, {{"Origin", "https://host.example"}})));
}

TEST(CorsOff, AMalformedOriginListStopsTheServerFromStarting) {
  EXPECT_THROW(VaultServer(VaultServer::Options{.env = {{"KEYRELAY_CORS_ORIGINS", "https://*.example.com"}}}),
               std::runtime_error);
}

}  // namespace
}  // namespace keyrelay::test
