// What the gateway books: per key and day requests, tokens and errors (from plain JSON and from the
// SSE of every wire), last_used_at, and one key.used audit event per use, batched off the request
// path; and no stored secret in any response, log line or audit event along the way.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <map>

#include "gateway_harness.h"
#include "support/deadline.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

TEST(GatewayUsage, TokensRequestsAndErrorsAreBookedPerKeyAndAudited) {
  Gateway gw(Environment{{"KEYRELAY_GATEWAY_BREAKER_FAILURES", "100"}});
  const auto anthropic = gw.add_key(gw.alice, "anthropic", "valid");
  const auto gemini = gw.add_key(gw.alice, "gemini", "valid");
  const auto failing = gw.add_key(gw.alice, "openai", "error");
  // "count these words" = 3 input words; the reply "Hello from P (M): count these words" = 7.
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest", "count these words")).status, 200);
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest", "count these words", true)).status, 200);
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gemini-2.0-flash", "count these words", true)).status, 200);
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini", "count these words")).status, 502);

  auto totals = gw.wait_for_usage_totals(gw.alice, 4);
  EXPECT_EQ(totals.at("requests").as_int64(), 4);
  EXPECT_EQ(totals.at("input_tokens").as_int64(), 9);
  EXPECT_EQ(totals.at("output_tokens").as_int64(), 21);
  EXPECT_EQ(totals.at("errors").as_int64(), 1);

  auto by_key = object_of(gw.vault.call(gw.alice, "GET", "/api/v1/usage?group_by=key"));
  std::map<std::string, std::int64_t> requests;
  for (const auto& row : by_key.at("data").as_array())
    requests[str(row.as_object(), "key_id")] = row.at("requests").as_int64();
  EXPECT_EQ(requests[anthropic], 2);
  EXPECT_EQ(requests[gemini], 1);
  EXPECT_EQ(requests[failing], 1);
  auto key = get_key(gw.vault, gw.alice, "/api/v1/keys/" + anthropic);
  EXPECT_FALSE(key.at("last_used_at").is_null());

  // The recorder commits the counts, then the events: wait for the events themselves.
  std::vector<json::object> used;
  ASSERT_TRUE(poll_until(deadline_in(std::chrono::seconds(10)), [&] {
    used = audit_events(gw.vault, gw.alice, "action=key.used");
    return used.size() == 4u;
  })) << used.size() << " key.used events";
  int failures = 0;
  for (const auto& e : used) {
    EXPECT_TRUE(is_audit_event_shape(e));
    EXPECT_NE(str(e, "chain").find("/use"), std::string::npos);
    if (str(e, "outcome") == "failure") ++failures;
  }
  EXPECT_EQ(failures, 1);
  EXPECT_EQ(gw.vault.cli({"audit", "verify"}).exit_status, 0);

  // Nothing anyone saw or logged carries a stored secret.
  for (const auto& id : {anthropic, gemini, failing}) {
    const std::string& secret = gw.secret_of(id);
    for (const auto& response : gw.vault.transcript()) EXPECT_EQ(response.find(secret), std::string::npos);
    EXPECT_EQ(gw.vault.logs().find(secret), std::string::npos);
  }
}

}  // namespace
}  // namespace keyrelay::test
