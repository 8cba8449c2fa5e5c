// Spend caps hold, end to end against the mock provider (issue 15 item 3): each call reserves its
// worst case before it goes upstream and settles to its real cost after; 50 parallel calls stay
// within a cap of a few calls' cost and the rest get 402 spend_cap_exceeded with Retry-After; a
// stream that runs past its reservation is settled at its real cost and the next call is refused;
// a fallback counts against the key actually used; /proxy calls, aliases and the operator's default
// keys count; an unpriced model is refused under a cap; 80 % and 100 % alerts are raised once each.
//
// Prices: the catalog's Claude Haiku 3.5 ($0.80 in, $4 out per 1M tokens). The mock counts words:
// input = the request's words, output = "Hello from anthropic (<model>): <text>" = 4 + words.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "support/deadline.h"
#include "support/http_client.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kModel = "claude-3-5-haiku-latest";
constexpr std::int64_t kInputMicroPerMillion = 800'000, kOutputMicroPerMillion = 4'000'000;

// What call_cost_micro_usd() charges: the exact sum rounded once, halves up.
std::int64_t haiku_cost(std::int64_t input, std::int64_t output) {
  return (input * kInputMicroPerMillion + output * kOutputMicroPerMillion + 500'000) / 1'000'000;
}
std::int64_t words(std::string_view text) {
  std::int64_t n = 0;
  bool in = false;
  for (char c : text) {
    if (c == ' ') in = false;
    else if (!in) in = true, ++n;
  }
  return n;
}
// The real cost of one call with `text` (a single user message, no system prompt).
std::int64_t real_cost(std::string_view text) { return haiku_cost(words(text), 4 + words(text)); }
// The reservation of a call whose upstream body was `body` (spend_estimate.h): bytes / 3 rounded
// up at the input rate, max_tokens at the output rate.
std::int64_t reservation(const std::string& body) {
  const auto max_tokens = json::parse(body).at("max_tokens").as_int64();
  return haiku_cost((static_cast<std::int64_t>(body.size()) + 2) / 3, max_tokens);
}

json::object haiku_chat(std::string_view text, std::int64_t max_tokens, bool stream = false) {
  auto body = Gateway::chat_body(kModel, text, stream);
  body["max_tokens"] = max_tokens;
  return body;
}

std::string put_caps(std::optional<double> daily, std::optional<double> monthly = std::nullopt) {
  json::object o{{"daily_usd", daily ? json::value(*daily) : json::value(nullptr)},
                 {"monthly_usd", monthly ? json::value(*monthly) : json::value(nullptr)}};
  return json::serialize(o);
}

void set_caps(Gateway& gw, const Identity& who, const std::string& target, const std::string& body) {
  auto r = gw.vault.call(who, "PUT", target, body);
  ASSERT_EQ(r.status, 200) << r.body;
}

// The micro-USD `who` spent according to the usage report once `requests` requests are booked.
std::int64_t booked_micro_usd(Gateway& gw, const Identity& who, std::int64_t requests) {
  auto totals = gw.wait_for_usage_totals(who, requests);
  EXPECT_EQ(totals.at("requests").as_int64(), requests);
  return totals.at("cost_usd").is_null() ? -1 : std::llround(totals.at("cost_usd").to_number<double>() * 1e6);
}

::testing::AssertionResult is_cap_refusal(const HttpResponse& r, std::string_view cap) {
  if (r.status != 402) return ::testing::AssertionFailure() << "status " << r.status << ": " << r.body;
  auto body = parse_json_object(r.body);
  if (!body) return ::testing::AssertionFailure() << "not JSON: " << r.body;
  const auto& error = body->at("error").as_object();
  if (str(error, "code") != "spend_cap_exceeded") return ::testing::AssertionFailure() << r.body;
  if (str(error, "message").find(cap) == std::string::npos)
    return ::testing::AssertionFailure() << "the message does not name " << cap << ": " << r.body;
  if (str(error, "message").find("resets at") == std::string::npos) return ::testing::AssertionFailure() << r.body;
  const auto retry = r.header("Retry-After");
  if (!retry || std::stoll(std::string(*retry)) < 1 || std::stoll(std::string(*retry)) > 31 * 86400)
    return ::testing::AssertionFailure() << "Retry-After: " << retry.value_or("(none)");
  return ::testing::AssertionSuccess();
}

std::string chat_request(const Identity& who, const json::object& body) {
  const std::string text = json::serialize(body);
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + who.token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(text.size()) + "\r\n\r\n" + text;
}

TEST(CapsEnforcement, FiftyParallelCallsOvershootTheCapByAtMostTheReservationsInFlight) {
  Gateway gw;
  const auto key = gw.add_key(gw.alice, "anthropic", "slow200");
  const std::int64_t cap = 300;  // micro-USD: a few calls
  set_caps(gw, gw.alice, "/api/v1/keys/" + key + "/caps", put_caps(cap / 1e6));

  constexpr int kCalls = 50;
  std::vector<HttpConnection> connections;
  for (int i = 0; i < kCalls; ++i) connections.push_back(HttpConnection::connect(gw.vault.server().port()));
  for (auto& c : connections) ASSERT_TRUE(c.send(chat_request(gw.alice, haiku_chat("count these words", 20))));
  int answered = 0, refused = 0;
  for (auto& c : connections) {
    auto r = c.read_response();
    ASSERT_TRUE(r);
    if (r->status == 200) ++answered;
    else if (is_cap_refusal(*r, "the key's daily cap of $0.0003")) ++refused;
    else ADD_FAILURE() << r->status << " " << r->body;
  }
  EXPECT_EQ(answered + refused, kCalls);
  const auto upstream = gw.upstream_requests("/anthropic/");
  ASSERT_EQ(upstream.size(), static_cast<std::size_t>(answered)) << "a refused call never reaches the provider";
  const std::int64_t each = real_cost("count these words");
  const std::int64_t reserved = reservation(std::string(upstream.front().at("body").as_string()));
  // The bound: spend ≤ cap + what calls in flight cost beyond their reservations (none here).
  const std::int64_t beyond = answered * std::max<std::int64_t>(0, each - reserved);
  EXPECT_EQ(beyond, 0) << "each call costs " << each << " and reserves " << reserved;
  const std::int64_t spent = booked_micro_usd(gw, gw.alice, answered);
  EXPECT_EQ(spent, answered * each);
  EXPECT_LE(spent, cap + beyond);
  // The first reservations find nothing spent yet: at least as many calls as fit by worst case ran.
  EXPECT_GE(answered, cap / reserved);
  auto after = object_of(gw.vault.call(gw.alice, "GET", "/api/v1/keys/" + key + "/caps"));
  EXPECT_EQ(std::llround(after.at("spent_today_usd").to_number<double>() * 1e6), spent);
}

TEST(CapsEnforcement, AStreamPastItsReservationIsSettledAtItsRealCostAndTheNextCallIsRefused) {
  Gateway gw;
  const auto key = gw.add_key(gw.alice, "anthropic", "valid");
  // max_tokens 1 reserves one output token; the mock writes 24 words anyway.
  const std::string text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                           "fifteen sixteen seventeen eighteen nineteen twenty";
  const std::int64_t cap = 100;
  set_caps(gw, gw.alice, "/api/v1/caps", put_caps(cap / 1e6));
  auto streamed = gw.chat(gw.alice, haiku_chat(text, 1, true));
  ASSERT_EQ(streamed.status, 200) << streamed.body;
  const auto upstream = gw.upstream_requests("/anthropic/");
  ASSERT_EQ(upstream.size(), 1u);
  const std::int64_t reserved = reservation(std::string(upstream[0].at("body").as_string()));
  const std::int64_t cost = real_cost(text);
  ASSERT_LE(reserved, cap);
  ASSERT_GT(cost, cap) << "the stream must run past the cap for this test";
  EXPECT_EQ(booked_micro_usd(gw, gw.alice, 1), cost);

  auto next = gw.chat(gw.alice, haiku_chat("hi", 1));
  EXPECT_TRUE(is_cap_refusal(next, "the user's daily cap of $0.0001"));
  EXPECT_EQ(gw.upstream_requests("/anthropic/").size(), 1u);
  auto caps = object_of(gw.vault.call(gw.alice, "GET", "/api/v1/caps"));
  EXPECT_EQ(std::llround(caps.at("spent_today_usd").to_number<double>() * 1e6), cost);
  (void)key;
}

TEST(CapsEnforcement, AFallbackCountsAgainstTheCapsOfTheKeyActuallyUsed) {
  Gateway gw;
  const auto first = gw.add_key(gw.alice, "anthropic", "valid", json::object{{"priority", 0}});
  const auto second = gw.add_key(gw.alice, "anthropic", "valid", json::object{{"priority", 1}});
  set_caps(gw, gw.alice, "/api/v1/keys/" + first + "/caps", put_caps(0));  // the first key may spend nothing
  set_caps(gw, gw.alice, "/api/v1/keys/" + second + "/caps", put_caps(1));
  auto r = gw.chat(gw.alice, haiku_chat("count these words", 20));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Key-Id"), second);
  const std::int64_t cost = real_cost("count these words");
  EXPECT_EQ(booked_micro_usd(gw, gw.alice, 1), cost);
  auto used = object_of(gw.vault.call(gw.alice, "GET", "/api/v1/keys/" + second + "/caps"));
  auto skipped = object_of(gw.vault.call(gw.alice, "GET", "/api/v1/keys/" + first + "/caps"));
  EXPECT_EQ(std::llround(used.at("spent_today_usd").to_number<double>() * 1e6), cost);
  EXPECT_EQ(skipped.at("spent_today_usd").to_number<double>(), 0.0);

  // With both keys at their caps, the call is refused naming the first cap that refused it.
  set_caps(gw, gw.alice, "/api/v1/keys/" + second + "/caps", put_caps(0));
  EXPECT_TRUE(is_cap_refusal(gw.chat(gw.alice, haiku_chat("hi", 20)), "the key's daily cap of $0.00"));
  EXPECT_EQ(gw.upstream_requests("/anthropic/").size(), 1u);
}

TEST(CapsEnforcement, ProxyCallsAliasesAndDefaultKeysCount) {
  Gateway gw(Environment{{"KEYRELAY_DEFAULT_KEY_FALLBACK", "true"},
                         {"KEYRELAY_ROUTING_ALIASES", "fast=anthropic/claude-3-5-haiku-latest"}});
  gw.add_key(gw.alice, "anthropic", "valid");
  const std::int64_t cost = real_cost("count these words");
  // One call's worth: the first /proxy call fits, the next does not (its reservation would pass it).
  set_caps(gw, gw.alice, "/api/v1/caps", put_caps(200 / 1e6));
  const json::object body{{"model", kModel},
                          {"max_tokens", 20},
                          {"messages", json::array{json::object{{"role", "user"}, {"content", "count these words"}}}}};
  auto proxied = gw.vault.call(gw.alice, "POST", "/proxy/anthropic/v1/messages", json::serialize(body));
  ASSERT_EQ(proxied.status, 200) << proxied.body;
  EXPECT_EQ(booked_micro_usd(gw, gw.alice, 1), cost);
  auto caps = object_of(gw.vault.call(gw.alice, "GET", "/api/v1/caps"));
  EXPECT_EQ(std::llround(caps.at("spent_today_usd").to_number<double>() * 1e6), cost);

  // Spent 30 of 200: an alias call reserving more than the rest is refused, in OpenAI's shape.
  auto big = haiku_chat("count these words", 100);
  big["model"] = "fast";
  auto alias = gw.chat(gw.alice, big);
  EXPECT_TRUE(is_cap_refusal(alias, "the user's daily cap of $0.0002"));
  EXPECT_EQ(object_of(alias).at("error").at("type"), "insufficient_quota");
  // /proxy refusals are in the API's shape.
  auto refused_proxy = gw.vault.call(gw.alice, "POST", "/proxy/anthropic/v1/messages",
                                     json::serialize(json::object{{"model", kModel}, {"max_tokens", 100},
                                                                  {"messages", body.at("messages")}}));
  EXPECT_TRUE(is_api_error(refused_proxy, 402, "spend_cap_exceeded"));
  EXPECT_TRUE(refused_proxy.has_header("Retry-After"));
  // A small alias call still fits and counts.
  auto small = haiku_chat("count these words", 20);
  small["model"] = "fast";
  ASSERT_EQ(gw.chat(gw.alice, small).status, 200);
  EXPECT_EQ(booked_micro_usd(gw, gw.alice, 2), 2 * cost);

  // Bob has no key: the operator's default key serves him within his allowance, and only it.
  auto bob = gw.vault.add_user("bob");
  create_key(gw.vault, gw.vault.admin(), "anthropic", "shared", Gateway::secret_for("anthropic", "valid"), {},
             "/api/v1/default-keys");
  set_caps(gw, gw.vault.admin(), "/api/v1/users/" + bob.user_id + "/default-key-allowance", put_caps(0));
  EXPECT_TRUE(is_cap_refusal(gw.chat(bob, haiku_chat("hi", 20)), "the user's daily default-key allowance of $0.00"));
  set_caps(gw, gw.vault.admin(), "/api/v1/users/" + bob.user_id + "/default-key-allowance", put_caps(1));
  EXPECT_EQ(gw.chat(bob, haiku_chat("count these words", 20)).status, 200);
  const std::string allowance = "/api/v1/users/" + bob.user_id + "/default-key-allowance";
  std::int64_t bob_spent = 0;
  poll_until(deadline_in(10s), [&] {
    bob_spent = std::llround(object_of(gw.vault.call(gw.vault.admin(), "GET", allowance)).at("spent_today_usd").to_number<double>() * 1e6);
    return bob_spent > 0;
  }, 100ms);
  EXPECT_EQ(bob_spent, cost);
}

TEST(CapsEnforcement, AnUnpricedModelIsRefusedUnderACapAndServedWithoutOne) {
  Gateway gw;
  gw.add_key(gw.alice, "openai", "valid");  // the catalog has no OpenAI prices
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  set_caps(gw, gw.alice, "/api/v1/caps", put_caps(std::nullopt, 50));
  auto refused = gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini"));
  EXPECT_TRUE(is_cap_refusal(refused, "has no price"));
  EXPECT_NE(refused.body.find("the user's monthly cap of $50.00"), std::string::npos) << refused.body;
  EXPECT_EQ(gw.upstream_requests("/openai/").size(), 1u);
}

std::vector<json::object> alerts_of(Gateway& gw, const Identity& who, std::string_view rule) {
  std::vector<json::object> out;
  for (auto& a : list_all(gw.vault, who, "/api/v1/alerts"))
    if (str(a, "rule") == rule) out.push_back(std::move(a));
  return out;
}

TEST(CapsEnforcement, EightyAndAHundredPercentAlertsAreRaisedOnceEach) {
  Gateway gw;
  gw.add_key(gw.alice, "anthropic", "valid");
  const std::int64_t cost = real_cost("count these words");  // 30
  set_caps(gw, gw.alice, "/api/v1/caps", put_caps(5 * cost / 1e6));
  // Calls until the cap refuses one: the settled spend passes 80 % on the way, or the refusal
  // (100 %) raises both.
  int answered = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = gw.chat(gw.alice, haiku_chat("count these words", 5));
    if (r.status != 200) {
      EXPECT_TRUE(is_cap_refusal(r, "the user's daily cap"));
      break;
    }
    ++answered;
  }
  EXPECT_GE(answered, 1);
  EXPECT_LE(answered, 5);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(gw.chat(gw.alice, haiku_chat("count these words", 5)).status, 402);
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] {
    return alerts_of(gw, gw.alice, "spend_cap.warning").size() == 1 && alerts_of(gw, gw.alice, "spend_cap.reached").size() == 1;
  }, 100ms));
  const auto warning = alerts_of(gw, gw.alice, "spend_cap.warning");
  const auto reached = alerts_of(gw, gw.alice, "spend_cap.reached");
  EXPECT_EQ(warning[0].at("count").as_int64(), 1);
  EXPECT_EQ(reached[0].at("count").as_int64(), 1);
  EXPECT_EQ(str(warning[0], "severity"), "warning");
  EXPECT_EQ(str(reached[0], "severity"), "critical");
  EXPECT_NE(str(warning[0], "message").find("the user's daily cap of $0.00015 is 80 % used"), std::string::npos)
      << str(warning[0], "message");
}

}  // namespace
}  // namespace keyrelay::test
