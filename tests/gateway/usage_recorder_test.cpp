// The recorder prices each use off the request path: per key, model and day, integer micro-USD,
// unpriced uses counted apart (never as 0), failed calls free, costs reported per provider.

#include "gateway/usage_recorder.h"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <map>
#include <mutex>

#include "support/fake_clock.h"

namespace keyrelay::gateway {
namespace {

class RecordingUsageStore final : public store::UsageStore {
 public:
  core::Result<void> add_usage(const std::vector<store::UsageDelta>& deltas) override {
    std::lock_guard lock(mutex_);
    for (const auto& d : deltas) booked.push_back(d);
    return core::ok();
  }
  core::Result<std::vector<store::UsageRow>> usage(const store::UsageQuery&) override {
    return std::vector<store::UsageRow>{};
  }
  std::vector<store::UsageDelta> booked;

 private:
  std::mutex mutex_;
};

class NullAudit final : public store::AuditAppendStore {
 public:
  core::Result<void> append_audit(std::vector<store::AuditEvent>) override { return core::ok(); }
};

class RecordingAudit final : public store::AuditAppendStore {
 public:
  core::Result<void> append_audit(std::vector<store::AuditEvent> events) override {
    std::lock_guard lock(mutex_);
    for (auto& e : events) appended.push_back(std::move(e));
    return core::ok();
  }
  std::vector<store::AuditEvent> appended;

 private:
  std::mutex mutex_;
};

catalog::PriceTable prices() {
  auto catalog = catalog::Catalog::parse(R"([{"id":"acme","name":"Acme","kind":"llm","fields":["api_key"],
    "base_url":"https://api.acme.test","auth":{"in":"header","name":"Authorization","format":"Bearer {key}"},
    "validate":{"method":"GET","path":"/models"},"signup_url":"https://acme.test","docs_url":"https://acme.test",
    "wire":"anthropic","prices":[{"model":"sonnet*","input":3,"cached_input":0.3,"cache_write":3.75,"output":15,
    "read_on":"2026-12-07","source":"https://acme.test/pricing"}]}])");
  EXPECT_TRUE(catalog) << catalog.error().message;
  return catalog::PriceTable::of(*catalog);
}

KeyUse use_of(std::string model, std::uint64_t input, std::uint64_t cached, std::uint64_t written, std::uint64_t output) {
  KeyUse use;
  use.key_id = "key_1";
  use.key_owner_id = "usr_1";
  use.provider = "acme";
  use.route = "chat";
  use.credential = "user";
  use.model = std::move(model);
  use.input_tokens = input;
  use.cached_input_tokens = cached;
  use.cache_write_tokens = written;
  use.output_tokens = output;
  use.usage_reported = true;
  return use;
}

TEST(UsageRecorder, PricesEachUseOnceAndSumsPerKeyModelAndDay) {
  RecordingUsageStore usage;
  NullAudit audit;
  test::FakeClock clock;
  const auto table = prices();
  std::map<std::string, std::int64_t> reported;
  UsageRecorder recorder(usage, audit, clock, table, "node-test/use");
  recorder.set_cost_listener([&](const std::string& provider, std::int64_t micro) { reported[provider] += micro; });

  recorder.record(use_of("sonnet-4", 1000, 600, 300, 500));  // 100×3 + 600×0.3 + 300×3.75 + 500×15 = 9105
  recorder.record(use_of("sonnet-4", 10, 0, 0, 0));          // 30
  KeyUse unknown = use_of("opus-9", 1000, 0, 0, 100);        // no price: unpriced
  recorder.record(unknown);
  KeyUse no_usage = use_of("sonnet-4", 0, 0, 0, 0);          // answered without usage: unpriced
  no_usage.usage_reported = false;
  recorder.record(no_usage);
  KeyUse failed = use_of("sonnet-4", 0, 0, 0, 0);            // refused: billed nothing
  failed.usage_reported = false;
  failed.error = true;
  recorder.record(failed);
  ASSERT_TRUE(recorder.flush());

  std::map<std::string, store::UsageDelta> by_model;
  for (const auto& d : usage.booked) by_model[d.model] = d;
  ASSERT_EQ(by_model.size(), 2u);
  EXPECT_EQ(by_model["sonnet-4"].requests, 4);
  EXPECT_EQ(by_model["sonnet-4"].cost_micro_usd, 9105 + 30);
  EXPECT_EQ(by_model["sonnet-4"].unpriced_requests, 1);
  EXPECT_EQ(by_model["sonnet-4"].errors, 1);
  EXPECT_EQ(by_model["opus-9"].requests, 1);
  EXPECT_EQ(by_model["opus-9"].cost_micro_usd, 0);
  EXPECT_EQ(by_model["opus-9"].unpriced_requests, 1);
  EXPECT_EQ(reported["acme"], 9135);
}

TEST(UsageRecorder, CostOfSaysWhichUsesArePriced) {
  RecordingUsageStore usage;
  NullAudit audit;
  test::FakeClock clock;
  const auto table = prices();
  UsageRecorder recorder(usage, audit, clock, table, "node-test/use");
  EXPECT_EQ(recorder.cost_of(use_of("sonnet-4-5", 1'000'000, 0, 0, 0)), 3'000'000);
  EXPECT_EQ(recorder.cost_of(use_of("", 10, 0, 0, 10)), std::nullopt) << "a /proxy answer that named no model";
  KeyUse other = use_of("sonnet-4", 10, 0, 0, 0);
  other.provider = "elsewhere";
  EXPECT_EQ(recorder.cost_of(other), std::nullopt);
}


// Each use is one key.used event whose details say how the key was used: the same JSON as an
// object of these fields in this order, strings escaped, model and status only when known.
TEST(UsageRecorder, EachUseIsOneKeyUsedEventWithItsDetails) {
  RecordingUsageStore usage;
  RecordingAudit audit;
  test::FakeClock clock;
  const auto table = prices();
  UsageRecorder recorder(usage, audit, clock, table, "node-test/use");

  KeyUse odd = use_of("son\"net\\4\n\u00e9\x01", 12, 0, 0, 34);
  odd.http_status = 429;
  odd.error = true;
  recorder.record(odd);
  KeyUse bare = use_of("", 0, 0, 0, 0);
  bare.credential = "default";
  bare.route = "proxy";
  recorder.record(bare);
  ASSERT_TRUE(recorder.flush());

  ASSERT_EQ(audit.appended.size(), 2u);
  const boost::json::object odd_details{{"route", "chat"},
                                        {"credential", "user"},
                                        {"input_tokens", 12u},
                                        {"output_tokens", 34u},
                                        {"model", odd.model},
                                        {"http_status", 429}};
  EXPECT_EQ(audit.appended[0].details_json, boost::json::serialize(odd_details));
  EXPECT_EQ(audit.appended[0].action, "key.used");
  EXPECT_EQ(audit.appended[0].outcome, store::Outcome::failure);
  EXPECT_EQ(audit.appended[1].details_json,
            R"({"route":"proxy","credential":"default","input_tokens":0,"output_tokens":0})");
  EXPECT_EQ(audit.appended[1].outcome, store::Outcome::success);
  EXPECT_EQ(boost::json::parse(audit.appended[0].details_json).at("model").as_string(), odd.model);
}

}  // namespace
}  // namespace keyrelay::gateway
