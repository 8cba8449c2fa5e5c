// Nobody can change a key they do not own (issue 12, A1). A provider's 401/403 can be caused by
// what the client sent (an OpenAI-Organization the key is not in), so an answer on /proxy never
// changes a key's status by itself, and neither does one to an operator's default key on /v1: the
// key is re-validated off the request path with the catalog's validation call, at most once per key
// per interval, and only that verdict marks it invalid. A default key never carries the client's
// account-scoping headers, and the operator's account headers never come back.

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "support/deadline.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

Environment with_fallback() {
  return {{"KEYRELAY_DEFAULT_KEY_FALLBACK", "true"}, {"KEYRELAY_GATEWAY_RECHECK_INTERVAL", "5m"}};
}

class KeyStatusSafety : public ::testing::Test {
 protected:
  Gateway gw{with_fallback()};

  std::string default_key(std::string_view provider, std::string_view behaviour) {
    const std::string secret = Gateway::secret_for(provider, behaviour);
    auto key = create_key(gw.vault, gw.vault.admin(), provider, "shared", secret, {}, "/api/v1/default-keys");
    default_secrets_[str(key, "id")] = secret;
    return str(key, "id");
  }
  std::string status_of_default(const std::string& id) {
    return str(get_key(gw.vault, gw.vault.admin(), "/api/v1/default-keys/" + id), "status");
  }
  std::string status_of(const Identity& who, const std::string& id) {
    return str(get_key(gw.vault, who, "/api/v1/keys/" + id), "status");
  }
  // Validation calls (the catalog's validate call) the mock received with `secret`, told apart
  // from proxied calls of the same path by keyrelay's User-Agent.
  std::size_t validations_with(std::string_view path_prefix, const std::string& secret) {
    std::size_t n = 0;
    for (const auto& r : gw.upstream_requests(path_prefix)) {
      const auto& headers = r.at("headers").as_object();
      if (json::serialize(headers).find(secret) == std::string::npos) continue;
      if (text_of(headers.at("user-agent")).starts_with("keyrelay/")) ++n;
    }
    return n;
  }
  // Waits up to 10 s for `done`.
  template <class F>
  bool eventually(F done) {
    return poll_until(deadline_in(10s), done, 50ms);
  }

  std::map<std::string, std::string> default_secrets_;
};

TEST_F(KeyStatusSafety, AnOrganizationHeaderCannotDisableTheOperatorsKey) {
  const auto shared = default_key("openai", "valid");
  auto r = gw.vault.call(gw.alice, "GET", "/proxy/openai/models", {},
                         {{"OpenAI-Organization", "org-x"}, {"OpenAI-Project", "proj_x"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Credential"), "default");
  // The operator's account is not the client's business.
  EXPECT_FALSE(r.has_header("openai-organization"));
  EXPECT_FALSE(r.has_header("openai-project"));
  auto seen = gw.upstream_requests("/openai/models");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0].at("headers").as_object().contains("openai-organization"));
  EXPECT_FALSE(seen[0].at("headers").as_object().contains("openai-project"));
  EXPECT_EQ(status_of_default(shared), "active");
  // Still serving everyone.
  auto again = gw.vault.call(gw.alice, "GET", "/proxy/openai/models");
  EXPECT_EQ(again.status, 200) << again.body;
}

TEST_F(KeyStatusSafety, AUsersOwnKeyKeepsItsAccountHeaders) {
  gw.add_key(gw.alice, "openai", "valid");
  auto r = gw.vault.call(gw.alice, "GET", "/proxy/openai/models", {}, {{"OpenAI-Organization", "org-mock"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("openai-organization"), "org-mock");
  auto seen = gw.upstream_requests("/openai/models");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(text_of(seen[0].at("headers").at("openai-organization")), "org-mock");
}

// The user's own key refused because of the client's header: re-checked once, found working, and
// left active — however many such requests come in within the interval.
TEST_F(KeyStatusSafety, AProxyRefusalIsRecheckedOnceAndDoesNotMarkAWorkingKey) {
  const auto key = gw.add_key(gw.alice, "openai", "valid");
  const std::string secret = gw.secret_of(key);
  for (int i = 0; i < 3; ++i) {
    auto r = gw.vault.call(gw.alice, "GET", "/proxy/openai/models", {}, {{"OpenAI-Organization", "org-x"}});
    EXPECT_NE(r.status, 200) << r.body;
  }
  ASSERT_TRUE(eventually([&] { return validations_with("/openai/models", secret) >= 1; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(validations_with("/openai/models", secret), 1u);
  EXPECT_EQ(status_of(gw.alice, key), "active");
  auto stored = get_key(gw.vault, gw.alice, "/api/v1/keys/" + key);
  EXPECT_EQ(str(stored.at("validation").as_object(), "state"), "valid");
  EXPECT_EQ(gw.vault.call(gw.alice, "GET", "/proxy/openai/models").status, 200);
}

// A key that really is bad is marked invalid by the re-check's verdict, and its owner alerted.
TEST_F(KeyStatusSafety, AProxyRefusalOfABadKeyIsConfirmedByTheRecheck) {
  const auto key = gw.add_key(gw.alice, "anthropic", "invalid");
  auto r = gw.vault.call(gw.alice, "GET", "/proxy/anthropic/v1/models");
  EXPECT_NE(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find(gw.secret_of(key)), std::string::npos);
  ASSERT_TRUE(eventually([&] { return status_of(gw.alice, key) == "invalid"; }));
  auto alerts = list_page(gw.vault, gw.alice, "/api/v1/alerts");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(str(alerts[0], "rule"), "key.invalid");
  auto validated = audit_events(gw.vault, gw.alice, "action=key.validated");
  ASSERT_FALSE(validated.empty());
  EXPECT_EQ(str(validated[0], "outcome"), "failure");
}

// On /v1 the operator's key is refused for this chat call only (the mock's `denied`): the next
// key serves, and the re-check finds the operator's key working.
TEST_F(KeyStatusSafety, ADefaultKeyRefusedOnV1IsRecheckedNotMarked) {
  const auto shared = default_key("anthropic", "denied");
  auto r = gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest"));
  EXPECT_NE(r.status, 200) << r.body;
  ASSERT_TRUE(eventually([&] { return validations_with("/anthropic/v1/models", default_secrets_[shared]) >= 1; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(status_of_default(shared), "active");
}

TEST_F(KeyStatusSafety, ADefaultKeyThatIsReallyBadIsMarkedByTheRecheck) {
  const auto shared = default_key("anthropic", "invalid");
  auto r = gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest"));
  EXPECT_NE(r.status, 200) << r.body;
  ASSERT_TRUE(eventually([&] { return status_of_default(shared) == "invalid"; }));
}

// The user's own key on /v1: keyrelay built the request, so a refusal is the key's fault and it
// is marked at once (API.md "Gateway endpoints").
TEST_F(KeyStatusSafety, AUsersOwnKeyRefusedOnV1IsMarkedAtOnce) {
  const auto key = gw.add_key(gw.alice, "anthropic", "denied");
  auto r = gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest"));
  EXPECT_NE(r.status, 200) << r.body;
  EXPECT_EQ(status_of(gw.alice, key), "invalid");
}

}  // namespace
}  // namespace keyrelay::test
