// The dispatcher's fallback rules (API.md "Gateway endpoints", "Failover"), one row each: the
// keys, vault, usage and alerts are fakes; the provider is a real HTTP server in the test, reached
// through the real upstream client. A key's secret names the answer the server gives it.

#include "gateway/dispatcher.h"

#include <future>
#include <map>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "support/fake_clock.h"
#include "support/local_port.h"
#include "upstream_test_server.h"

namespace keyrelay::gateway {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using test::TestReply;
using test::TestRequest;

const std::string kUser = "user-1";
const std::string kSystem = "system";

std::string reply(int status, const std::string& reason, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: application/json\r\n" + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The provider: answers by the key in Authorization ("Bearer <secret>").
TestReply provider_answer(const TestRequest& request, int, int) {
  const std::string auth(request[boost::beast::http::field::authorization]);
  const std::string secret = auth.substr(auth.find(' ') + 1);
  if (secret == "sk-ok") return {reply(200, "OK", R"({"answer":"from ok"})")};
  if (secret == "sk-ok2") return {reply(200, "OK", R"({"answer":"from ok2"})")};
  if (secret == "sk-401") return {reply(401, "Unauthorized", R"({"error":{"message":"bad key sk-401"}})")};
  if (secret == "sk-403")
    return {reply(403, "Forbidden", R"({"error":{"type":"authentication_error","message":"invalid x-api-key"}})")};
  if (secret == "sk-429") return {reply(429, "Too Many Requests", R"({"error":{"message":"slow down"}})", "Retry-After: 7\r\n")};
  if (secret == "sk-quota")
    return {reply(429, "Too Many Requests", R"({"error":{"code":"insufficient_quota","message":"exceeded your current quota"}})")};
  if (secret == "sk-500") return {reply(500, "Internal Server Error", R"({"error":{"message":"boom"}})")};
  if (secret == "sk-400") return {reply(400, "Bad Request", R"({"error":{"message":"max_tokens is too large for sk-400"}})")};
  if (secret == "sk-slow") return {reply(200, "OK", "{}"), 3000ms};
  if (secret == "sk-drop") return {"", 0ms, false, true};
  // Announces 100 bytes, sends 10, closes: broken before anything could be relayed.
  if (secret == "sk-cut") return {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", 0ms, true};
  // An event stream: its first event, then the connection closes mid-stream.
  if (secret == "sk-sse-cut")
    return {"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            "d\r\ndata: first\n\n\r\n",
            0ms, true};
  return {reply(418, "I'm a teapot", "{}")};
}

catalog::Provider provider_at(std::string id, std::uint16_t port) {
  catalog::Provider p;
  p.id = std::move(id);
  p.name = p.id;
  p.base_url = "http://127.0.0.1:" + std::to_string(port);
  p.auth.in = catalog::AuthPlacement::header;
  p.auth.name = "Authorization";
  p.auth.format = "Bearer {key}";
  p.wire = catalog::Wire::openai;
  return p;
}

class FakeKeys final : public KeySource, public SecretOpener {
 public:
  std::map<std::string, std::vector<store::KeyRecord>> owners;
  std::map<std::string, std::string> secrets;          // key id → plaintext
  std::map<std::string, core::Error> refusals;         // key id → why it cannot be opened
  std::vector<std::string> opened;                     // key ids, in order

  net::awaitable<core::Result<KeySet>> keys_of(const std::string& owner_id) override {
    co_return std::make_shared<const std::vector<store::KeyRecord>>(owners[owner_id]);
  }
  net::awaitable<core::Result<core::Secret>> open(const Actor&, const store::KeyRecord& key) override {
    opened.push_back(key.id);
    if (auto refused = refusals.find(key.id); refused != refusals.end()) co_return refused->second;
    co_return core::Secret(std::string_view(secrets.at(key.id)));
  }
};

class FakeUsage final : public UsageSink {
 public:
  std::vector<KeyUse> uses;
  void record(KeyUse use) override { uses.push_back(std::move(use)); }
};

class FakeAlerts final : public AlertSink {
 public:
  std::vector<std::string> no_usable;  // provider: why
  std::vector<std::string> rejected;   // key ids marked invalid
  std::vector<std::string> suspected;  // key ids sent to the re-check
  void no_usable_key(const Actor&, std::string_view provider, const std::string& why) override {
    no_usable.push_back(std::string(provider) + ": " + why);
  }
  net::awaitable<void> key_rejected(const Actor&, const catalog::Provider&, const store::KeyRecord& key, int,
                                    const std::string& message) override {
    EXPECT_EQ(message.find("sk-"), std::string::npos) << "the key reached a message: " << message;
    rejected.push_back(key.id);
    co_return;
  }
  void key_suspected(const Actor&, const catalog::Provider&, const store::KeyRecord& key,
                     const net::any_io_executor&) override {
    suspected.push_back(key.id);
  }
};

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest()
      : server_(provider_answer),
        openai_(provider_at("openai", server_.port())),
        dead_(provider_at("dead", test::pick_free_local_port())),
        breaker_(clock_, 2, 30s),
        work_(net::make_work_guard(ioc_)),
        thread_([this] { ioc_.run(); }) {
    UpstreamOptions options;
    options.connect_timeout = 1000ms;
    options.first_byte_timeout = 500ms;
    upstream_ = std::make_unique<UpstreamClient>(ioc_.get_executor(), options);
    settings_.system_user_id = kSystem;
    actor_.user_id = actor_.actor_user_id = kUser;
    actor_.request_id = "req-1";
  }
  ~DispatcherTest() override {
    upstream_.reset();
    work_.reset();
    ioc_.stop();
    thread_.join();
  }

  // A stored key of `owner` for `provider` whose secret is `secret`.
  store::KeyRecord& add_key(const std::string& owner, const std::string& id, const std::string& secret,
                            int priority = 0, const std::string& provider = "openai") {
    store::KeyRecord key;
    key.id = key.name = id;
    key.owner_id = owner;
    key.provider = provider;
    key.priority = priority;
    key.created_at = clock_.now() - 1h;
    keys_.secrets[id] = secret;
    return keys_.owners[owner].emplace_back(std::move(key));
  }

  Dispatched dispatch(std::vector<Route> routes, const std::string& route_name = "chat") {
    DispatchParts parts{keys_, keys_, *upstream_, breaker_, usage_, alerts_, clock_};
    Dispatcher dispatcher(parts, settings_);
    std::promise<Dispatched> done;
    net::co_spawn(
        ioc_,
        [&]() -> net::awaitable<void> {
          auto out = co_await dispatcher.dispatch(actor_, routes, [&](std::size_t i) -> core::Result<ProviderCall> {
            ProviderCall call;
            call.method = "POST";
            call.url = routes[i].provider->base_url + "/v1/chat/completions";
            call.body = R"({"model":"m"})";
            call.route = route_name;
            call.model = "m";
            call.read = ProviderCall::Read::start;
            return call;
          });
          // Read what is left of an answer here, on the client's thread, so the test can look at it.
          if (out.answer && !out.answer->stream.done()) {
            auto rest = co_await out.answer->stream.read_rest(1 << 20);
            rest_ = rest ? *rest : "<broken: " + rest.error().message + ">";
          }
          done.set_value(std::move(out));
        },
        net::detached);
    return done.get_future().get();
  }
  Dispatched dispatch_openai(const std::string& route_name = "chat") { return dispatch({{&openai_, "m"}}, route_name); }

  std::vector<std::string> used_keys() const {
    std::vector<std::string> out;
    for (const auto& use : usage_.uses) out.push_back(use.key_id + (use.error ? "!" : ""));
    return out;
  }

  test::FakeClock clock_;
  test::UpstreamTestServer server_;
  catalog::Provider openai_, dead_;
  CircuitBreaker breaker_;
  FakeKeys keys_;
  FakeUsage usage_;
  FakeAlerts alerts_;
  DispatchSettings settings_;
  Actor actor_;
  std::string rest_;
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::thread thread_;
  std::unique_ptr<UpstreamClient> upstream_;
};

std::string body_of(const Dispatched& d) { return d.answer->body_start; }

TEST_F(DispatcherTest, TheFirstKeyThatAnswersServesTheCallAndItsUseIsHandedBackUnbooked) {
  add_key(kUser, "a", "sk-ok");
  add_key(kUser, "b", "sk-ok2", 1);
  const auto d = dispatch_openai();
  ASSERT_TRUE(d.answer) << d.error.message;
  EXPECT_EQ(body_of(d), R"({"answer":"from ok"})");
  EXPECT_EQ(d.answer->use.key_id, "a");
  EXPECT_EQ(d.answer->use.route, "chat");
  EXPECT_EQ(d.answer->use.caller.request_id, "req-1");
  EXPECT_EQ(d.attempts, 1);
  EXPECT_GT(d.upstream_time.count(), 0);
  EXPECT_TRUE(usage_.uses.empty()) << "the relay books the answering key's use once the answer is relayed";
}

TEST_F(DispatcherTest, A401OnAUsersOwnKeyMarksItInvalidAndTheNextKeyServes) {
  add_key(kUser, "bad", "sk-401");
  add_key(kUser, "good", "sk-ok", 1);
  const auto d = dispatch_openai();
  ASSERT_TRUE(d.answer);
  EXPECT_EQ(d.answer->use.key_id, "good");
  EXPECT_EQ(alerts_.rejected, std::vector<std::string>{"bad"});
  EXPECT_TRUE(alerts_.suspected.empty());
  EXPECT_EQ(used_keys(), std::vector<std::string>{"bad!"});
  EXPECT_EQ(d.attempts, 2);
}

TEST_F(DispatcherTest, A403AuthenticationErrorIsABadKeyToo) {
  add_key(kUser, "bad", "sk-403");
  add_key(kUser, "good", "sk-ok", 1);
  const auto d = dispatch_openai();
  ASSERT_TRUE(d.answer);
  EXPECT_EQ(d.answer->use.key_id, "good");
  EXPECT_EQ(alerts_.rejected, std::vector<std::string>{"bad"});
}

TEST_F(DispatcherTest, OnProxyARefusedKeyIsOnlyReCheckedNeverMarkedInvalid) {
  add_key(kUser, "bad", "sk-401");
  add_key(kUser, "good", "sk-ok", 1);
  const auto d = dispatch({{&openai_, ""}}, "proxy");
  ASSERT_TRUE(d.answer);
  EXPECT_EQ(d.answer->use.key_id, "good");
  EXPECT_TRUE(alerts_.rejected.empty());
  EXPECT_EQ(alerts_.suspected, std::vector<std::string>{"bad"});
}

TEST_F(DispatcherTest, ARefusedDefaultKeyIsOnlyReCheckedNeverMarkedInvalid) {
  settings_.default_key_fallback = true;
  add_key(kSystem, "shared", "sk-401");
  const auto d = dispatch_openai();
  EXPECT_FALSE(d.answer);
  EXPECT_TRUE(alerts_.rejected.empty());
  EXPECT_EQ(alerts_.suspected, std::vector<std::string>{"shared"});
  EXPECT_EQ(d.error.code, core::Errc::upstream_error);
  EXPECT_EQ(d.error.message.find("sk-401"), std::string::npos) << d.error.message;
}

TEST_F(DispatcherTest, AllKeysRateLimitedGives429WithTheSmallestRetryAfter) {
  add_key(kUser, "a", "sk-429");
  add_key(kUser, "b", "sk-429", 1);
  const auto d = dispatch_openai();
  EXPECT_FALSE(d.answer);
  EXPECT_EQ(d.error.code, core::Errc::rate_limited);
  ASSERT_TRUE(d.error.retry_after);
  EXPECT_EQ(*d.error.retry_after, 7s);
  EXPECT_EQ(d.attempts, 2);
  EXPECT_EQ(used_keys(), (std::vector<std::string>{"a!", "b!"}));
}

TEST_F(DispatcherTest, OutOfCreditMovesOnWithoutOpeningTheKeysCircuit) {
  add_key(kUser, "broke", "sk-quota");
  add_key(kUser, "good", "sk-ok", 1);
  for (int i = 0; i < 3; ++i) {
    const auto d = dispatch_openai();
    ASSERT_TRUE(d.answer);
    EXPECT_EQ(d.answer->use.key_id, "good");
    EXPECT_EQ(d.attempts, 2) << "round " << i << ": the broke key is still tried, its circuit stays closed";
  }
  EXPECT_EQ(breaker_.open_count(), 0u);
}

TEST_F(DispatcherTest, AServerErrorMovesOnAndCountsAgainstTheKeysCircuit) {
  add_key(kUser, "flaky", "sk-500");
  add_key(kUser, "good", "sk-ok", 1);
  ASSERT_TRUE(dispatch_openai().answer);
  ASSERT_TRUE(dispatch_openai().answer);
  EXPECT_EQ(breaker_.open_count(), 1u) << "two failures in a row open the circuit (threshold 2)";
  const auto d = dispatch_openai();
  ASSERT_TRUE(d.answer);
  EXPECT_EQ(d.attempts, 1) << "the open circuit skips the flaky key";
}

TEST_F(DispatcherTest, ATimeoutMovesOnAndATimedOutCallEverywhereGives504) {
  add_key(kUser, "slow", "sk-slow");
  add_key(kUser, "good", "sk-ok", 1);
  auto d = dispatch_openai();
  ASSERT_TRUE(d.answer);
  EXPECT_EQ(d.answer->use.key_id, "good");
  keys_.owners[kUser].pop_back();
  d = dispatch_openai();
  EXPECT_EQ(d.error.code, core::Errc::upstream_timeout) << d.error.message;
}

TEST_F(DispatcherTest, AConnectErrorMovesOnToTheNextRoute) {
  add_key(kUser, "nowhere", "sk-ok", 0, "dead");
  add_key(kUser, "good", "sk-ok");
  const auto d = dispatch({{&dead_, "dead/m"}, {&openai_, "m"}});
  ASSERT_TRUE(d.answer) << d.error.message;
  EXPECT_EQ(d.answer->use.key_id, "good");
  EXPECT_EQ(used_keys(), std::vector<std::string>{"nowhere!"});
}

TEST_F(DispatcherTest, AConnectionDroppedBeforeTheHeadMovesOn) {
  add_key(kUser, "dropped", "sk-drop");
  add_key(kUser, "good", "sk-ok", 1);
  const auto d = dispatch_openai();
  ASSERT_TRUE(d.answer);
  EXPECT_EQ(d.answer->use.key_id, "good");
}

TEST_F(DispatcherTest, AnAnswerBrokenBeforeItsFirstByteWasRelayedMovesOn) {
  add_key(kUser, "cut", "sk-cut");
  add_key(kUser, "good", "sk-ok", 1);
  const auto d = dispatch_openai();
  ASSERT_TRUE(d.answer);
  EXPECT_EQ(d.answer->use.key_id, "good");
  EXPECT_EQ(used_keys(), std::vector<std::string>{"cut!"});
}

TEST_F(DispatcherTest, AStreamThatBreaksAfterItsFirstEventIsNeverRetried) {
  add_key(kUser, "streamer", "sk-sse-cut");
  add_key(kUser, "good", "sk-ok", 1);
  const auto d = dispatch_openai();
  ASSERT_TRUE(d.answer);
  EXPECT_EQ(d.answer->use.key_id, "streamer");
  EXPECT_EQ(body_of(d), "data: first\n\n");
  EXPECT_TRUE(rest_.starts_with("<broken")) << rest_;
  EXPECT_EQ(d.attempts, 1);
}

TEST_F(DispatcherTest, A4xxAboutTheRequestEndsTheLoopScrubbed) {
  add_key(kUser, "a", "sk-400");
  add_key(kUser, "b", "sk-ok", 1);
  const auto d = dispatch_openai();
  ASSERT_TRUE(d.answer);
  EXPECT_EQ(d.answer->stream.status(), 400);
  EXPECT_EQ(d.answer->use.key_id, "a");
  EXPECT_EQ(d.answer->error_body.find("sk-400"), std::string::npos) << d.answer->error_body;
  EXPECT_NE(d.answer->error_body.find("[redacted]"), std::string::npos);
  EXPECT_EQ(d.attempts, 1);
}

TEST_F(DispatcherTest, AKeyThatCannotBeOpenedRightNowIsSkippedAndAloneGives503) {
  add_key(kUser, "locked", "sk-ok");
  keys_.refusals.emplace("locked", core::Error::unavailable("master version 2 not loaded"));
  auto d = dispatch_openai();
  EXPECT_EQ(d.error.code, core::Errc::unavailable) << d.error.message;
  add_key(kUser, "good", "sk-ok", 1);
  d = dispatch_openai();
  ASSERT_TRUE(d.answer);
  EXPECT_EQ(d.answer->use.key_id, "good");
}

TEST_F(DispatcherTest, DefaultKeysServeOnlyWhereTheOperatorAllowsThem) {
  add_key(kSystem, "shared", "sk-ok");
  auto d = dispatch_openai();
  EXPECT_EQ(d.error.code, core::Errc::no_usable_key);
  EXPECT_EQ(alerts_.no_usable.size(), 1u);
  EXPECT_TRUE(keys_.opened.empty());

  settings_.default_key_fallback = true;
  d = dispatch_openai();
  ASSERT_TRUE(d.answer) << d.error.message;
  EXPECT_EQ(d.answer->use.key_id, "shared");
  EXPECT_EQ(d.answer->credential, Credential::operator_default);
  EXPECT_EQ(d.answer->use.credential, "default");
}

TEST_F(DispatcherTest, AUsersFailingKeyFallsBackToADefaultKeyUnlessItSaysAlwaysUse) {
  settings_.default_key_fallback = true;
  add_key(kUser, "mine", "sk-500");
  add_key(kSystem, "shared", "sk-ok");
  auto d = dispatch_openai();
  ASSERT_TRUE(d.answer);
  EXPECT_EQ(d.answer->use.key_id, "shared");

  keys_.owners[kUser].front().always_use = true;
  d = dispatch_openai();
  EXPECT_FALSE(d.answer) << "always_use: never billed to the operator's account";
  EXPECT_EQ(d.error.code, core::Errc::upstream_error);
}

TEST_F(DispatcherTest, AnOpenCircuitLetsOneTrialThroughAfterItsCoolDown) {
  add_key(kUser, "flaky", "sk-500");
  keys_.secrets["flaky"] = "sk-500";
  EXPECT_FALSE(dispatch_openai().answer);
  EXPECT_FALSE(dispatch_openai().answer);
  auto d = dispatch_openai();
  EXPECT_EQ(d.attempts, 0) << "open: skipped";
  EXPECT_NE(d.error.message.find("cooling down"), std::string::npos) << d.error.message;

  clock_.advance(31s);
  keys_.secrets["flaky"] = "sk-ok";  // the provider recovered
  d = dispatch_openai();
  ASSERT_TRUE(d.answer) << "half-open: one trial goes through";
  EXPECT_EQ(breaker_.open_count(), 0u) << "its success closes the circuit";
}

TEST_F(DispatcherTest, NoUsableKeyNamesWhyAndAlertsTheUser) {
  auto& expired = add_key(kUser, "old", "sk-ok");
  expired.expires_at = clock_.now() - 1s;
  const auto d = dispatch_openai();
  EXPECT_EQ(d.error.code, core::Errc::no_usable_key);
  EXPECT_NE(d.error.message.find("key 'old' is expired"), std::string::npos) << d.error.message;
  ASSERT_EQ(alerts_.no_usable.size(), 1u);
  EXPECT_TRUE(alerts_.no_usable[0].starts_with("openai: ")) << alerts_.no_usable[0];
  EXPECT_TRUE(keys_.opened.empty());
}

}  // namespace
}  // namespace keyrelay::gateway
