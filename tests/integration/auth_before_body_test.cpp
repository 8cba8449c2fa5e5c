// A request whose body is larger than 64 KiB (or chunked) is authenticated from its head before
// the server reads the body: a client with a bad token gets its 401 (or a 403 for a missing scope)
// while it has sent only part of a megabyte, on management routes, /v1 and /proxy alike.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "support/http_client.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::size_t kBodyBytes = 1'000'000;
constexpr std::size_t kSentBytes = 100 * 1024;

class AuthBeforeBody : public ::testing::Test {
 protected:
  // Sends the head of a `kBodyBytes` POST and the first 100 KiB of its body, then waits up to 5 s for
  // an answer without sending the rest. nullopt: the server waited for the body.
  std::optional<HttpResponse> answer_to_partial_post(std::string_view target, const HeaderList& headers) {
    auto connection = gw.vault.server().connect();
    std::string head = "POST " + std::string(target) + " HTTP/1.1\r\nHost: keyrelay\r\nContent-Type: application/json\r\n";
    for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
    head += "Content-Length: " + std::to_string(kBodyBytes) + "\r\n\r\n";
    if (!connection.send(head + std::string(kSentBytes, ' '))) return std::nullopt;
    if (!connection.is_readable_within(5s)) return std::nullopt;
    auto response = connection.read_response();
    if (response) {
      EXPECT_TRUE(response->says_connection_close()) << describe(*response);
    }
    return response;
  }

  Gateway gw;
};

TEST_F(AuthBeforeBody, ManagementRouteRefusesABadTokenBeforeReadingTheBody) {
  auto r = answer_to_partial_post("/api/v1/tokens", {{"Authorization", "Bearer kr_not-a-real-token"}});
  ASSERT_TRUE(r) << "no answer before the body was sent\n" << gw.vault.logs();
  EXPECT_TRUE(is_api_error(*r, 401, "unauthenticated")) << describe(*r);
  EXPECT_EQ(r->header("WWW-Authenticate").value_or("").substr(0, 6), "Bearer");
}

TEST_F(AuthBeforeBody, ManagementRouteRefusesAMissingScopeBeforeReadingTheBody) {
  auto r = answer_to_partial_post("/api/v1/users", {{"Authorization", "Bearer " + gw.alice.token}});
  ASSERT_TRUE(r) << "no answer before the body was sent\n" << gw.vault.logs();
  EXPECT_TRUE(is_api_error(*r, 403, "forbidden")) << describe(*r);
}

TEST_F(AuthBeforeBody, ChatRouteRefusesABadTokenBeforeReadingTheBody) {
  auto r = answer_to_partial_post("/v1/chat/completions", {{"Authorization", "Bearer kr_not-a-real-token"}});
  ASSERT_TRUE(r) << "no answer before the body was sent\n" << gw.vault.logs();
  EXPECT_EQ(r->status, 401) << describe(*r);
  // OpenAI's error shape, as every /v1 error.
  const auto error = json::parse(r->body).as_object().at("error").as_object();
  EXPECT_EQ(text_of(error.at("code")), "unauthenticated");
  EXPECT_TRUE(error.contains("type"));
}

TEST_F(AuthBeforeBody, ProxyRouteRefusesABadTokenInTheProvidersOwnHeader) {
  auto r = answer_to_partial_post("/proxy/anthropic/v1/messages", {{"x-api-key", "kr_not-a-real-token"}});
  ASSERT_TRUE(r) << "no answer before the body was sent\n" << gw.vault.logs();
  EXPECT_TRUE(is_api_error(*r, 401, "unauthenticated")) << describe(*r);
}

TEST_F(AuthBeforeBody, LargeBodiesWithAValidTokenAreServed) {
  gw.add_key(gw.alice, "openai", "valid");
  gw.add_key(gw.alice, "anthropic", "echo");
  auto chat = gw.chat(gw.alice, Gateway::chat_body("openai/gpt-4o-mini", std::string(200 * 1024, 'w')));
  EXPECT_EQ(chat.status, 200) << describe(chat);
  // The token in the provider's own header, a body past the buffered size.
  const std::string upload(300 * 1024, 'u');
  auto proxied = gw.vault.send("POST", "/proxy/anthropic/v1/messages",
                               {{"x-api-key", gw.alice.token}, {"Content-Type", "application/octet-stream"}}, upload);
  ASSERT_EQ(proxied.status, 200) << describe(proxied);
  EXPECT_EQ(text_of(json::parse(proxied.body).as_object().at("body")).size(), upload.size());
}

}  // namespace
}  // namespace keyrelay::test
