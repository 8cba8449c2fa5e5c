#include "gateway/proxy_rules.h"

#include <gtest/gtest.h>

namespace keyrelay::gateway {
namespace {

const catalog::Provider& provider(std::string_view id) {
  static const catalog::Catalog catalog = catalog::Catalog::builtin().value();
  return *catalog.find(id);
}

// Headers from (name, value) pairs. (A loop over pairs, not add() on literals: GCC 12 reports a
// false -Warray-bounds on std::string built from some literals when inlined.)
http::Headers headers_of(std::initializer_list<std::pair<const char*, const char*>> fields) {
  http::Headers out;
  for (auto [n, v] : fields) out.add(n, v);
  return out;
}

TEST(ProxyRules, BuildsTheUrlUnderTheProvidersBase) {
  auto url = proxy_url(provider("openai"), "chat/completions", "");
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(*proxy_url(provider("google-maps"), "maps/api/geocode/json", "address=Paris%20France"),
            "https://maps.googleapis.com/maps/api/geocode/json?address=Paris%20France");
}

TEST(ProxyRules, RefusesPathsThatCouldEscapeTheBase) {
  const auto& p = provider("openai");
  for (std::string_view bad : {"../admin", "a/../../b", "./x", "a//b", "a/%2e%2e/b", "a%2Fb", "a%5cb", "a%00b",
                               "a\\b", "a/%2E/b", "x\r\nHost: evil"})
    EXPECT_FALSE(proxy_url(p, bad, "")) << bad;
  EXPECT_TRUE(proxy_url(p, "models/gpt-4o%20mini", ""));
}

// Spring and other Java upstreams normalise "/v1/..;/x" to "/x" and treat ";…" as path
// parameters: such segments could leave the provider's base path there.
TEST(ProxyRules, RefusesDotDotPrefixedSegmentsAndPathParameters) {
  const auto& p = provider("openai");
  for (std::string_view bad : {"v1/..;/x", "..;/x", "v1/..%3B/x", "v1/..%3b/x", "..foo/x", "v1/...", "models;jsessionid=1",
                               "a/.;/b", "a%3Bb/c", "a/b;"})
    EXPECT_FALSE(proxy_url(p, bad, "")) << bad;
  EXPECT_TRUE(proxy_url(p, "files/a.b..c", ""));
  EXPECT_TRUE(proxy_url(p, "v1/.well-known/x", ""));
}

// The client's own credential in the query is dropped, never forwarded and never refused
// (API.md: "always dropped"): the provider gets the stored key exactly once.
TEST(ProxyRules, DropsTheProvidersAuthQueryParameter) {
  EXPECT_EQ(*proxy_url(provider("google-maps"), "maps/api/geocode/json", "address=x&key=mine"),
            "https://maps.googleapis.com/maps/api/geocode/json?address=x");
  EXPECT_EQ(*proxy_url(provider("google-maps"), "maps/api/geocode/json", "key=mine&k%65y=again&KEY=3&address=x"),
            "https://maps.googleapis.com/maps/api/geocode/json?address=x");
  EXPECT_EQ(*proxy_url(provider("google-maps"), "maps/api/geocode/json", "key=mine"),
            "https://maps.googleapis.com/maps/api/geocode/json");
  EXPECT_EQ(*proxy_url(provider("google-maps"), "maps/api/geocode/json", "address=x&monkey=1"),
            "https://maps.googleapis.com/maps/api/geocode/json?address=x&monkey=1");
  EXPECT_EQ(*proxy_url(provider("openweathermap"), "data/2.5/weather", "q=London&appid=theirs"),
            "https://api.openweathermap.org/data/2.5/weather?q=London");
}

// Gemini takes its key in x-goog-api-key *or* ?key=: both are credentials keyrelay replaces.
TEST(ProxyRules, DropsEveryPlaceAProviderTakesACredentialFrom) {
  EXPECT_EQ(*proxy_url(provider("gemini"), "v1beta/models", "key=AIzaTheirs&pageSize=5"),
            "https://generativelanguage.googleapis.com/v1beta/models?pageSize=5");
  const auto out =
      forward_request_headers(headers_of({{"x-goog-api-key", "kr_token"}, {"Accept", "application/json"}}), provider("gemini"));
  EXPECT_FALSE(out.contains("x-goog-api-key"));
  EXPECT_TRUE(out.contains("Accept"));
}

TEST(ProxyRules, ForwardsOnlyEndToEndHeadersWithoutCredentials) {
  http::Headers in;
  for (auto [n, v] : std::initializer_list<std::pair<const char*, const char*>>{
           {"Authorization", "Bearer kr_x"}, {"x-api-key", "kr_x"}, {"Cookie", "s=1"}, {"Host", "keyrelay"},
           {"X-Keyrelay-Fallback", "a"}, {"X-Forwarded-For", "1.2.3.4"}, {"Forwarded", "for=x"},
           {"Connection", "keep-alive, X-Secret-Hop"}, {"X-Secret-Hop", "1"}, {"Keep-Alive", "5"},
           {"Content-Length", "10"}, {"Proxy-Authorization", "Basic x"}, {"Content-Type", "application/json"},
           {"anthropic-version", "2023-06-01"}, {"Accept", "text/event-stream"}})
    in.add(n, v);
  const auto out = forward_request_headers(in, provider("anthropic"));
  std::vector<std::string> names;
  for (const auto& [n, v] : out.fields()) names.emplace_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"Content-Type", "anthropic-version", "Accept"}));
}

// With the operator's key, the client's account scoping goes (it could make the provider refuse
// a good key) and the operator's account stays private.
TEST(ProxyRules, AccountHeadersAreDroppedForDefaultKeys) {
  http::Headers request = headers_of(
      {{"OpenAI-Organization", "org-x"}, {"openai-project", "proj_x"}, {"Accept", "application/json"}});
  drop_account_request_headers(request, provider("openai"));
  ASSERT_EQ(request.size(), 1u);
  EXPECT_EQ(request.fields()[0].first, "Accept");
  http::Headers answer = headers_of({{"openai-organization", "org-operator"},
                                     {"OpenAI-Project", "proj_operator"},
                                     {"Content-Type", "application/json"}});
  drop_account_response_headers(answer, provider("openai"));
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_EQ(answer.fields()[0].first, "Content-Type");
}

TEST(ProxyRules, AcceptEncodingIsNarrowedToWhatKeyrelayCanDecode) {
  const http::Headers out = forward_request_headers(headers_of({{"Accept-Encoding", "br, gzip"}}), provider("openai"));
  EXPECT_EQ(std::string(out.get("Accept-Encoding").value_or("")), "gzip");
  const http::Headers none = forward_request_headers(headers_of({{"Accept-Encoding", "br"}}), provider("openai"));
  EXPECT_FALSE(none.contains("Accept-Encoding"));
}

TEST(ProxyRules, ResponseLosesCookiesAndFraming) {
  http::Headers h;
  for (auto [n, v] : std::initializer_list<std::pair<const char*, const char*>>{
           {"Set-Cookie", "a=b"}, {"Content-Length", "5"}, {"Transfer-Encoding", "chunked"},
           {"Content-Type", "application/json"}})
    h.add(n, v);
  filter_response_headers(h);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h.fields()[0].first, "Content-Type");
}

TEST(ProxyRules, AcceptsTheTokenInTheProvidersOwnAuthHeader) {
  const std::string token = "kr_abc";
  http::Headers sdk;
  sdk.add("x-api-key", token);
  EXPECT_EQ(proxy_authorization(sdk, provider("anthropic")), "Bearer kr_abc");
  EXPECT_EQ(proxy_authorization(sdk, provider("openai")), std::nullopt);
  http::Headers google;
  google.add("x-goog-api-key", token);
  EXPECT_EQ(proxy_authorization(google, provider("gemini")), "Bearer kr_abc");
  http::Headers plain;
  plain.add("Authorization", "Bearer " + token);
  EXPECT_EQ(proxy_authorization(plain, provider("gemini")), "Bearer kr_abc");
}

}  // namespace
}  // namespace keyrelay::gateway
