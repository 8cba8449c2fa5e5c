// An upstream answer that breaks off before any byte reached the client is a transport failure
// like a connect error: the next key serves the call (issue 12, D15) — on /v1, plain and streamed,
// and on /proxy with a buffered request body. The mock's `broken` sends a head and half a body (a
// stream: its head and no event), then resets. Once bytes reached the client there is never a
// retry (gateway_fallback_test's `cut`).

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

class BrokenAnswers : public ::testing::Test {
 protected:
  Gateway gw;

  std::string key(std::string_view provider, std::string_view behaviour, int priority) {
    return gw.add_key(gw.alice, provider, behaviour, json::object{{"priority", priority}});
  }
};

TEST_F(BrokenAnswers, APlainAnswerBrokenInItsBodyIsServedByTheNextKey) {
  const auto broken = key("openai", "broken", 0);
  const auto good = key("openai", "valid", 1);
  auto r = gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini", "whole answers only"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Key-Id"), good);
  EXPECT_EQ(r.header("X-Keyrelay-Attempts"), "2");
  EXPECT_EQ(object_of(r).at("choices").as_array()[0].at("message").at("content"),
            "Hello from openai (gpt-4o-mini): whole answers only");
  // A transport failure: the key is not marked.
  EXPECT_EQ(str(get_key(gw.vault, gw.alice, "/api/v1/keys/" + broken), "status"), "active");
}

TEST_F(BrokenAnswers, AStreamThatBreaksBeforeItsFirstEventIsServedByTheNextKey) {
  key("anthropic", "broken", 0);
  const auto good = key("anthropic", "valid", 1);
  auto r = gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest", "stream me", true));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Key-Id"), good);
  auto data = sse_data(r.body);
  ASSERT_FALSE(data.empty());
  EXPECT_EQ(data.back(), "[DONE]") << r.body;
  EXPECT_EQ(streamed_text(data), "Hello from anthropic (claude-3-5-haiku-latest): stream me");
}

TEST_F(BrokenAnswers, AProxyAnswerBrokenBeforeAnyByteWasRelayedIsServedByTheNextKey) {
  key("openai", "broken", 0);
  const auto good = key("openai", "valid", 1);
  auto r = gw.vault.call(gw.alice, "POST", "/proxy/openai/chat/completions",
                         json::serialize(Gateway::chat_body("gpt-4o-mini", "via proxy")));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Key-Id"), good);
  EXPECT_EQ(object_of(r).at("choices").as_array()[0].at("message").at("content"),
            "Hello from openai (gpt-4o-mini): via proxy");
}

TEST_F(BrokenAnswers, AProxyStreamThatBreaksBeforeItsFirstEventIsServedByTheNextKey) {
  key("openai", "broken", 0);
  const auto good = key("openai", "valid", 1);
  auto r = gw.vault.call(gw.alice, "POST", "/proxy/openai/chat/completions",
                         json::serialize(Gateway::chat_body("gpt-4o-mini", "stream via proxy", true)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Key-Id"), good);
  auto data = sse_data(r.body);
  ASSERT_FALSE(data.empty());
  EXPECT_EQ(data.back(), "[DONE]") << r.body;
}

}  // namespace
}  // namespace keyrelay::test
