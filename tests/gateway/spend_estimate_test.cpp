// The worst case a spend cap reserves for a call: the body's bytes / 3 at the input rate plus the
// request's max_tokens (on each wire), else the model's maximum output, else the default; an
// unpriced model cannot be bounded on /v1; /proxy falls back to its per-call worst case.

#include "gateway/spend_estimate.h"

#include <gtest/gtest.h>

#include "catalog/call_cost.h"

namespace keyrelay::gateway {
namespace {

class SpendEstimateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto builtin = catalog::Catalog::builtin();
    ASSERT_TRUE(builtin) << builtin.error().message;
    catalog_ = std::make_unique<catalog::Catalog>(std::move(*builtin));
    prices_ = catalog::PriceTable::of(*catalog_);
    anthropic_ = catalog_->find("anthropic");
    gemini_ = catalog_->find("gemini");
    ASSERT_NE(anthropic_, nullptr);
    ASSERT_NE(gemini_, nullptr);
  }
  std::int64_t cost(const catalog::Provider& p, std::string_view model, std::uint64_t input, std::uint64_t output) {
    const auto* price = prices_.find(p.id, model);
    EXPECT_NE(price, nullptr) << model;
    return price == nullptr ? -1 : catalog::call_cost_micro_usd(*price, {input, 0, 0, output});
  }

  std::unique_ptr<catalog::Catalog> catalog_;
  catalog::PriceTable prices_;
  const catalog::Provider* anthropic_ = nullptr;
  const catalog::Provider* gemini_ = nullptr;
  SpendEstimateOptions options_{.default_max_output_tokens = 1000, .proxy_call_micro_usd = 777};
};

TEST_F(SpendEstimateTest, InputIsAThirdOfTheBodyRoundedUpAndOutputTheRequestsMaxTokens) {
  ProviderCall call;
  call.route = "chat";
  call.model = "claude-3-5-haiku-latest";
  call.body = R"({"model":"claude-3-5-haiku-latest","max_tokens":64,"messages":[]})";  // 65 bytes
  ASSERT_EQ(call.body.size(), 65u);
  auto e = estimate_worst_case(prices_, *anthropic_, call, options_);
  ASSERT_TRUE(e.micro_usd);
  EXPECT_EQ(*e.micro_usd, cost(*anthropic_, call.model, 22, 64));  // ceil(65 / 3) = 22
}

TEST_F(SpendEstimateTest, WithoutMaxTokensTheModelsMaximumOutputElseTheDefault) {
  ProviderCall call;
  call.route = "chat";
  call.model = "claude-3-5-haiku-latest";  // the catalog states 8192
  call.body = R"({"messages":[]})";
  auto e = estimate_worst_case(prices_, *anthropic_, call, options_);
  ASSERT_TRUE(e.micro_usd);
  EXPECT_EQ(*e.micro_usd, cost(*anthropic_, call.model, 5, 8192));
  call.model = "claude-opus-4-8-20261201";  // priced, no maximum stated
  e = estimate_worst_case(prices_, *anthropic_, call, options_);
  ASSERT_TRUE(e.micro_usd);
  EXPECT_EQ(*e.micro_usd, cost(*anthropic_, call.model, 5, 1000));
}

TEST_F(SpendEstimateTest, GeminisMaxOutputTokensAndOpenAIsMaxCompletionTokensCount) {
  auto table = prices_.with_overrides(
      *catalog_, {catalog::ProviderPrices{"gemini", {catalog::ModelPrice{"gemini-2.0*", 1'000'000, {}, {}, 4'000'000,
                                                                         std::nullopt, "2026-12-07", "https://x.test/"}}}});
  ASSERT_TRUE(table) << table.error().message;
  ProviderCall call;
  call.route = "chat";
  call.model = "gemini-2.0-flash";
  call.body = R"({"contents":[],"generationConfig":{"maxOutputTokens":10}})";
  auto e = estimate_worst_case(*table, *gemini_, call, options_);
  ASSERT_TRUE(e.micro_usd);
  EXPECT_EQ(*e.micro_usd, catalog::call_cost_micro_usd(*table->find("gemini", "gemini-2.0-flash"),
                                                       {(call.body.size() + 2) / 3, 0, 0, 10}));
  call.body = R"({"max_completion_tokens":7,"max_tokens":99})";
  e = estimate_worst_case(*table, *gemini_, call, options_);
  EXPECT_EQ(*e.micro_usd, catalog::call_cost_micro_usd(*table->find("gemini", "gemini-2.0-flash"),
                                                       {(call.body.size() + 2) / 3, 0, 0, 7}));
}

TEST_F(SpendEstimateTest, AnUnpricedModelCannotBeBoundedOnV1ButAProxyCallFallsBackToItsWorstCase) {
  ProviderCall call;
  call.route = "chat";
  call.model = "claude-unknown-model";
  call.body = "{}";
  auto e = estimate_worst_case(prices_, *anthropic_, call, options_);
  EXPECT_FALSE(e.micro_usd);
  EXPECT_EQ(e.model, "claude-unknown-model");
  call.route = "proxy";
  call.model.clear();
  call.body = R"({"model":"claude-unknown-model"})";
  e = estimate_worst_case(prices_, *anthropic_, call, options_);
  ASSERT_TRUE(e.micro_usd);
  EXPECT_EQ(*e.micro_usd, 777);
}

TEST_F(SpendEstimateTest, AProxyCallIsPricedByTheModelInItsBodyOrGeminiPath) {
  ProviderCall call;
  call.route = "proxy";
  call.body = R"({"model":"claude-3-5-haiku-latest","max_tokens":5})";
  auto e = estimate_worst_case(prices_, *anthropic_, call, options_);
  EXPECT_EQ(e.model, "claude-3-5-haiku-latest");
  ASSERT_TRUE(e.micro_usd);
  EXPECT_EQ(*e.micro_usd, cost(*anthropic_, "claude-3-5-haiku-latest", (call.body.size() + 2) / 3, 5));
  call.body.clear();
  call.url = "http://127.0.0.1:9/v1beta/models/gemini-2.5-pro:generateContent?alt=sse";
  EXPECT_EQ(called_model(call), "gemini-2.5-pro");
}

}  // namespace
}  // namespace keyrelay::gateway
