// One user cannot hold a provider's whole connection pool (issue 12, C13): gateway requests in
// flight per user are capped (KEYRELAY_GATEWAY_MAX_CONCURRENT_PER_USER); the one over the cap gets
// 429 with Retry-After and the RateLimit-* headers, other users are not affected, and a finished
// request — streamed answers included — frees its place.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "support/http_client.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::string chat_request(const Identity& who, bool stream) {
  const std::string body = json::serialize(Gateway::chat_body("gpt-4o-mini", "hold on", stream));
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + who.token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(GatewayConcurrencyCap, TheRequestOverAUsersCapIsRefusedAndOthersAreNot) {
  Gateway gw(Environment{{"KEYRELAY_GATEWAY_MAX_CONCURRENT_PER_USER", "2"}});
  gw.add_key(gw.alice, "openai", "slow1500");
  const Identity bob = gw.vault.add_user("bob");
  gw.add_key(bob, "openai", "valid");

  auto first = HttpConnection::connect(gw.vault.server().port());
  auto second = HttpConnection::connect(gw.vault.server().port());
  ASSERT_TRUE(first.send(chat_request(gw.alice, false)));
  ASSERT_TRUE(second.send(chat_request(gw.alice, true)));
  // Both are with the provider now (it answers after 1.5 s).
  ASSERT_TRUE(poll_until(deadline_in(5s), [&] { return gw.upstream_requests("/openai/chat").size() == 2; }));

  auto refused = gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini"));
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(object_of(refused).at("error").at("code"), "rate_limited");
  EXPECT_TRUE(refused.has_header("Retry-After"));
  EXPECT_EQ(refused.header("RateLimit-Limit"), "2");
  EXPECT_EQ(refused.header("RateLimit-Remaining"), "0");
  EXPECT_TRUE(refused.has_header("RateLimit-Reset"));
  EXPECT_EQ(gw.upstream_requests("/openai/chat").size(), 2u) << "the refused request reached the provider";

  // Another user is not held up by alice's cap.
  EXPECT_EQ(gw.chat(bob, Gateway::chat_body("gpt-4o-mini")).status, 200);

  auto a = first.read_response();
  auto b = second.read_response();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(b->status, 200);
  // Both places are free again, the streamed one included.
  auto later = gw.vault.call(gw.alice, "GET", "/proxy/openai/models");
  EXPECT_EQ(later.status, 200) << later.body;
}

}  // namespace
}  // namespace keyrelay::test
