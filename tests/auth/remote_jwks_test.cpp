#include "auth/remote_jwks.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "fake_clock.h"
#include "jose_vectors.h"

namespace keyrelay::auth {
namespace {

namespace json = boost::json;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using test::FakeClock;

// A key set of the RFC's RSA and EC keys under the given kids (empty: that key is left out).
std::string key_set(std::string_view rsa_kid, std::string_view ec_kid = "") {
  json::array keys;
  if (!rsa_kid.empty()) {
    auto jwk = test::public_jwk(test::load_vector("4_1.rsa_v15_signature.json").at("input").at("key").as_object());
    jwk["kid"] = rsa_kid;
    keys.push_back(std::move(jwk));
  }
  if (!ec_kid.empty()) {
    auto jwk = test::public_jwk(
        test::load_vector("rfc7515_appendix_a_examples.json").at("examples").at(1).at("jwk").as_object());
    jwk["kid"] = ec_kid;
    keys.push_back(std::move(jwk));
  }
  return json::serialize(json::object{{"keys", std::move(keys)}});
}

JwksDocument document(std::string body, std::optional<std::string> cache_control = std::nullopt) {
  return {.body = std::move(body), .cache_control = std::move(cache_control), .expires = std::nullopt};
}

// What the fake key set server answers now, and what it was asked. Shared between the test and
// the fetcher RemoteJwks owns. With `hold` set, fetch() waits until the test clears it.
struct FakeServer {
  std::mutex mutex;
  std::condition_variable changed;
  core::Result<JwksDocument> answer = core::Error::upstream_error("nothing configured");
  std::vector<milliseconds> timeouts;  // of every fetch, in order
  bool hold = false;

  void answer_with(core::Result<JwksDocument> a) {
    std::lock_guard lock(mutex);
    answer = std::move(a);
  }
  void set_hold(bool on) {
    {
      std::lock_guard lock(mutex);
      hold = on;
    }
    changed.notify_all();
  }
  int fetches() {
    std::lock_guard lock(mutex);
    return static_cast<int>(timeouts.size());
  }
  // Waits (in real time) until `n` fetches have started.
  bool wait_for_fetches(int n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, seconds(10), [&] { return static_cast<int>(timeouts.size()) >= n; });
  }
};

class FakeFetcher final : public JwksFetcher {
 public:
  explicit FakeFetcher(std::shared_ptr<FakeServer> server) : server_(std::move(server)) {}
  core::Result<JwksDocument> fetch(milliseconds timeout) override {
    std::unique_lock lock(server_->mutex);
    server_->timeouts.push_back(timeout);
    server_->changed.notify_all();
    server_->changed.wait(lock, [&] { return !server_->hold; });
    return server_->answer;
  }

 private:
  std::shared_ptr<FakeServer> server_;
};

class RemoteJwksTest : public ::testing::Test {
 protected:
  RemoteJwksTest() { server_->answer_with(document(key_set("old"), "max-age=600")); }

  std::shared_ptr<RemoteJwks> start(RemoteJwksOptions options = {}) {
    auto remote = RemoteJwks::start(std::make_unique<FakeFetcher>(server_), clock_, options,
                                    [this](const JwksFetchReport& r) {
                                      std::lock_guard lock(reports_mutex_);
                                      reports_.push_back(r);
                                    });
    if (!remote) throw std::runtime_error("start failed: " + remote.error().message);
    return *remote;
  }
  std::vector<JwksFetchReport> reports() {
    std::lock_guard lock(reports_mutex_);
    return reports_;
  }
  static bool has(const std::shared_ptr<const Jwks>& set, std::string_view kid) { return set->find(kid) != nullptr; }

  FakeClock clock_{seconds(1'800'000'000)};
  std::shared_ptr<FakeServer> server_ = std::make_shared<FakeServer>();
  std::mutex reports_mutex_;
  std::vector<JwksFetchReport> reports_;
};

TEST_F(RemoteJwksTest, StartFetchesTheSetOnce) {
  auto remote = start();
  EXPECT_EQ(server_->fetches(), 1);
  EXPECT_EQ(server_->timeouts[0], RemoteJwksOptions{}.fetch_timeout);
  EXPECT_TRUE(has(remote->current(), "old"));
  EXPECT_TRUE(reports().empty()) << "the first fetch is the caller's to report";
}

TEST_F(RemoteJwksTest, StartFailsWhenTheFirstFetchFails) {
  server_->answer_with(core::Error::upstream_error("the JWKS URL at id.example answered HTTP 503"));
  auto failed = RemoteJwks::start(std::make_unique<FakeFetcher>(server_), clock_, {});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, core::Errc::upstream_error);
  EXPECT_NE(failed.error().message.find("503"), std::string::npos);
}

TEST_F(RemoteJwksTest, StartFailsOnAnInvalidSetNamingTheKey) {
  for (const std::string& body : {std::string("<html>login</html>"), std::string(R"({"keys":[]})"),
                                  std::string(R"({"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0"}]})")}) {
    server_->answer_with(document(body));
    auto failed = RemoteJwks::start(std::make_unique<FakeFetcher>(server_), clock_, {});
    ASSERT_FALSE(failed) << body;
    EXPECT_EQ(failed.error().code, core::Errc::invalid_request);
    EXPECT_NE(failed.error().message.find("not a valid key set"), std::string::npos) << failed.error().message;
  }
}

TEST_F(RemoteJwksTest, TheNextRefreshFollowsTheCacheHeaders) {
  auto remote = start();
  EXPECT_EQ(remote->next_refresh_at(), clock_.steady_now() + seconds(600));
  clock_.advance(seconds(599));
  EXPECT_FALSE(remote->refresh_if_due());
  EXPECT_EQ(server_->fetches(), 1);

  server_->answer_with(document(key_set("new"), "max-age=7200"));
  clock_.advance(seconds(1));
  EXPECT_TRUE(remote->refresh_if_due());
  EXPECT_EQ(server_->fetches(), 2);
  EXPECT_TRUE(has(remote->current(), "new"));
  EXPECT_FALSE(has(remote->current(), "old")) << "the new set replaces the old one";
  EXPECT_EQ(remote->next_refresh_at(), clock_.steady_now() + hours(2));
  ASSERT_EQ(reports().size(), 1u);
  EXPECT_EQ(reports()[0].reason, JwksFetchReason::scheduled);
  EXPECT_FALSE(reports()[0].error);
  EXPECT_EQ(reports()[0].next_refresh, hours(2));
  EXPECT_FALSE(remote->refresh_if_due()) << "not due again right away";
}

TEST_F(RemoteJwksTest, TheRefreshDelayIsBounded) {
  server_->answer_with(document(key_set("old"), "max-age=2"));
  auto eager = start();
  EXPECT_EQ(eager->next_refresh_at(), clock_.steady_now() + minutes(5));
  server_->answer_with(document(key_set("old"), "max-age=99999999"));
  auto lazy = start();
  EXPECT_EQ(lazy->next_refresh_at(), clock_.steady_now() + hours(24));
  server_->answer_with(document(key_set("old")));
  EXPECT_EQ(start()->next_refresh_at(), clock_.steady_now() + hours(1)) << "no cache headers: hourly";
}

TEST_F(RemoteJwksTest, AFailedRefreshKeepsTheLastGoodSetAndRetriesLater) {
  auto remote = start();
  const auto before = remote->current();
  server_->answer_with(core::Error::upstream_timeout("the JWKS URL at id.example did not answer"));
  clock_.advance(seconds(600));
  EXPECT_TRUE(remote->refresh_if_due());
  EXPECT_EQ(remote->current(), before) << "the same set, untouched";
  EXPECT_EQ(remote->next_refresh_at(), clock_.steady_now() + minutes(5)) << "after_failure";
  ASSERT_EQ(reports().size(), 1u);
  ASSERT_TRUE(reports()[0].error);
  EXPECT_NE(reports()[0].error->find("did not answer"), std::string::npos);
  EXPECT_EQ(reports()[0].keys, 1u);

  server_->answer_with(document(R"({"keys":[{"kty":"RSA","kid":"broken","n":"AQAB","e":"AQAB"}]})"));
  clock_.advance(minutes(5));
  EXPECT_TRUE(remote->refresh_if_due());
  EXPECT_EQ(remote->current(), before) << "an invalid set is not installed either";
  ASSERT_EQ(reports().size(), 2u);
  ASSERT_TRUE(reports()[1].error);
  EXPECT_NE(reports()[1].error->find("broken"), std::string::npos) << *reports()[1].error;

  server_->answer_with(document(key_set("new")));
  clock_.advance(minutes(5));
  EXPECT_TRUE(remote->refresh_if_due());
  EXPECT_TRUE(has(remote->current(), "new")) << "recovers once the URL answers again";
}

TEST_F(RemoteJwksTest, AnUnknownKidFetchesAtMostOncePerMinute) {
  auto remote = start();
  server_->answer_with(document(key_set("new"), "max-age=600"));
  EXPECT_TRUE(has(remote->refetch_for_unknown_kid(), "new"));
  EXPECT_EQ(server_->fetches(), 2);
  EXPECT_EQ(server_->timeouts[1], RemoteJwksOptions{}.unknown_kid_wait) << "a request waits only briefly";

  server_->answer_with(document(key_set("newer")));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(has(remote->refetch_for_unknown_kid(), "new"));
  clock_.advance(seconds(59));
  EXPECT_TRUE(has(remote->refetch_for_unknown_kid(), "new"));
  EXPECT_EQ(server_->fetches(), 2) << "rate limited across calls";

  clock_.advance(seconds(1));
  EXPECT_TRUE(has(remote->refetch_for_unknown_kid(), "newer"));
  EXPECT_EQ(server_->fetches(), 3);
  ASSERT_EQ(reports().size(), 2u);
  EXPECT_EQ(reports()[0].reason, JwksFetchReason::unknown_kid);
}

TEST_F(RemoteJwksTest, AnUnknownKidFetchThatFailsKeepsTheSet) {
  auto remote = start();
  const auto before = remote->current();
  server_->answer_with(core::Error::upstream_error("connection refused by id.example"));
  EXPECT_EQ(remote->refetch_for_unknown_kid(), before);
  EXPECT_EQ(remote->current(), before);
  EXPECT_EQ(server_->fetches(), 2);
}

TEST_F(RemoteJwksTest, ConcurrentUnknownKidsShareOneFetch) {
  auto remote = start();
  server_->answer_with(document(key_set("new")));
  server_->set_hold(true);
  std::vector<std::thread> requests;
  std::atomic<int> saw_new{0};
  for (int i = 0; i < 6; ++i)
    requests.emplace_back([&] { saw_new += has(remote->refetch_for_unknown_kid(), "new") ? 1 : 0; });
  ASSERT_TRUE(server_->wait_for_fetches(2));
  std::this_thread::sleep_for(milliseconds(100));  // let the others queue behind the running fetch
  server_->set_hold(false);
  for (auto& t : requests) t.join();
  EXPECT_EQ(server_->fetches(), 2) << "one fetch for all six";
  EXPECT_EQ(saw_new.load(), 6) << "each waited for that fetch rather than verifying with the old set";
}

TEST_F(RemoteJwksTest, ARequestWaitsForARunningFetchOnlyBriefly) {
  RemoteJwksOptions options;
  options.unknown_kid_wait = milliseconds(50);
  auto remote = start(options);
  server_->answer_with(document(key_set("new")));
  clock_.advance(seconds(600));
  server_->set_hold(true);
  std::thread refresher([&] { remote->refresh_if_due(); });
  ASSERT_TRUE(server_->wait_for_fetches(2));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(has(remote->refetch_for_unknown_kid(), "old")) << "gave up waiting: the old set";
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(5));
  EXPECT_FALSE(remote->refresh_if_due()) << "a fetch is running";
  server_->set_hold(false);
  refresher.join();
  EXPECT_TRUE(has(remote->current(), "new"));
  EXPECT_EQ(server_->fetches(), 2) << "the waiting request did not start a fetch of its own";
}

}  // namespace
}  // namespace keyrelay::auth
