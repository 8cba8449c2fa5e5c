// What calls cost, end to end: a priced call on every wire (plain and streamed) and through /proxy
// books the exact micro-USD of the provider's own token counts — cached and cache-written prompt
// tokens at their own rates, never twice — visible in GET /api/v1/usage?group_by=model and in
// keyrelay_cost_usd_total; an unpriced model costs null and counts as unpriced; the operator's
// prices file changes a price; a bad one stops the start naming the entry.
//
// The mock reports the system prompt's words as the cached prefix (tests/mock_provider/chat.h).
// Every request below: system "You are terse and kind" (5 words) + user "count these words" (3),
// reply "Hello from <provider> (<model>): count these words" (7 words).

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <map>

#include "gateway_harness.h"
#include "support/deadline.h"
#include "support/temp_dir.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kSystem = "You are terse and kind";
constexpr std::string_view kUser = "count these words";

json::object cached_chat(std::string_view model, bool stream, bool second_turn = false) {
  json::array messages{json::object{{"role", "system"}, {"content", kSystem}}};
  if (second_turn) {
    messages.push_back(json::object{{"role", "user"}, {"content", "earlier question"}});
    messages.push_back(json::object{{"role", "assistant"}, {"content", "answer"}});
  }
  messages.push_back(json::object{{"role", "user"}, {"content", kUser}});
  json::object body{{"model", model}, {"messages", std::move(messages)}};
  if (stream) body["stream"] = true;
  return body;
}

// Test prices (not real ones): chosen so that each wire's cost has a fraction to round.
std::filesystem::path write_prices(const TempDir& dir, const json::array& providers) {
  const auto file = dir / "prices.json";
  std::ofstream(file) << json::serialize(providers);
  return file;
}

json::object price(std::string_view model, double input, json::value cached, json::value write, double output) {
  return {{"model", model},         {"input", input},        {"cached_input", cached},
          {"cache_write", write},   {"output", output},      {"read_on", "2026-12-07"},
          {"source", "https://prices.example.test/"}};
}

// Usage rows by "provider/model" once `requests` requests are booked.
std::map<std::string, json::object> usage_by_model(Gateway& gw, std::int64_t requests, json::object& totals) {
  std::map<std::string, json::object> rows;
  poll_until(deadline_in(10s), [&] {
    auto r = gw.vault.call(gw.alice, "GET", "/api/v1/usage?group_by=provider,model");
    if (r.status != 200) return false;
    auto body = object_of(r);
    totals = body.at("totals").as_object();
    rows.clear();
    for (const auto& row : body.at("data").as_array()) {
      const auto& o = row.as_object();
      rows[str(o, "provider") + "/" + (o.at("model").is_null() ? std::string("-") : str(o, "model"))] = o;
    }
    return totals.at("requests").as_int64() >= requests;
  }, 100ms);
  return rows;
}

double usd(const json::value& v) { return v.to_number<double>(); }

double metric(const std::string& scrape, const std::string& series) {
  std::istringstream in(scrape);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  return -1;
}

TEST(GatewayCost, EveryWirePlainAndStreamedCostsExactlyItsTokensAtTheirRates) {
  TempDir dir;
  const auto prices = write_prices(
      dir, json::array{json::object{{"id", "openai"}, {"prices", json::array{price("gpt-4o-mini", 2, 0.5, nullptr, 8)}}},
                       json::object{{"id", "gemini"}, {"prices", json::array{price("gemini-2.0*", 1, 0.25, nullptr, 4)}}}});
  Gateway gw(Environment{{"KEYRELAY_PRICES_FILE", prices.string()}});
  gw.add_key(gw.alice, "openai", "valid");
  gw.add_key(gw.alice, "anthropic", "valid");
  gw.add_key(gw.alice, "gemini", "valid");

  // OpenAI: prompt_tokens 8 includes cached_tokens 5 → 3 × $2 + 5 × $0.50 + 7 × $8 per 1M = 64.5 µUSD → 65.
  for (bool stream : {false, true}) {
    auto r = gw.chat(gw.alice, cached_chat("gpt-4o-mini", stream));
    ASSERT_EQ(r.status, 200) << r.body;
    if (stream) {
      EXPECT_EQ(r.body.find("\"usage\":{"), std::string::npos) << "the forced usage chunk stays hidden";
    }
  }
  // Anthropic (the catalog's Claude Haiku 3.5: $0.80 in, $0.08 cache read, $1 cache write, $4 out):
  // first turn input_tokens 3 + cache write 5 → 2.4 + 5 + 28 = 35.4 → 35; a later turn has
  // 6 plain + 5 cache reads → 4.8 + 0.4 + 28 = 33.2 → 33.
  for (bool stream : {false, true}) ASSERT_EQ(gw.chat(gw.alice, cached_chat("claude-3-5-haiku-latest", stream)).status, 200);
  ASSERT_EQ(gw.chat(gw.alice, cached_chat("claude-3-5-haiku-latest", false, true)).status, 200);
  // Gemini: promptTokenCount 8 includes cachedContentTokenCount 5 → 3 + 1.25 + 28 = 32.25 → 32.
  for (bool stream : {false, true}) ASSERT_EQ(gw.chat(gw.alice, cached_chat("gemini-2.0-flash", stream)).status, 200);
  // No price for this one: its cost is unknown, not 0.
  ASSERT_EQ(gw.chat(gw.alice, cached_chat("gpt-4.1", false)).status, 200);

  json::object totals;
  auto rows = usage_by_model(gw, 8, totals);
  ASSERT_EQ(rows.size(), 4u) << json::serialize(totals);
  EXPECT_EQ(rows["openai/gpt-4o-mini"].at("requests").as_int64(), 2);
  EXPECT_EQ(rows["openai/gpt-4o-mini"].at("input_tokens").as_int64(), 16);
  EXPECT_DOUBLE_EQ(usd(rows["openai/gpt-4o-mini"].at("cost_usd")), 130e-6) << "rounded once per call: 2 × 65";
  EXPECT_EQ(rows["openai/gpt-4o-mini"].at("unpriced_requests").as_int64(), 0);
  EXPECT_DOUBLE_EQ(usd(rows["anthropic/claude-3-5-haiku-latest"].at("cost_usd")), (35 + 35 + 33) * 1e-6);
  EXPECT_EQ(rows["anthropic/claude-3-5-haiku-latest"].at("input_tokens").as_int64(), 8 + 8 + 11)
      << "Anthropic's cache reads and writes are counted as prompt tokens once";
  EXPECT_DOUBLE_EQ(usd(rows["gemini/gemini-2.0-flash"].at("cost_usd")), 64e-6);
  EXPECT_TRUE(rows["openai/gpt-4.1"].at("cost_usd").is_null());
  EXPECT_EQ(rows["openai/gpt-4.1"].at("unpriced_requests").as_int64(), 1);
  EXPECT_DOUBLE_EQ(usd(totals.at("cost_usd")), (130 + 103 + 64) * 1e-6);
  EXPECT_EQ(totals.at("unpriced_requests").as_int64(), 1);

  // Grouped by provider, the unpriced request is left out of a cost that is otherwise known.
  auto by_provider = object_of(gw.vault.call(gw.alice, "GET", "/api/v1/usage?group_by=provider"));
  for (const auto& row : by_provider.at("data").as_array())
    if (str(row.as_object(), "provider") == "openai") {
      EXPECT_DOUBLE_EQ(usd(row.at("cost_usd")), 130e-6);
      EXPECT_EQ(row.at("unpriced_requests").as_int64(), 1);
    }

  const std::string scrape = gw.vault.send("GET", "/metrics", {}).body;
  EXPECT_DOUBLE_EQ(metric(scrape, "keyrelay_cost_usd_total{provider=\"openai\"}"), 130e-6);
  EXPECT_DOUBLE_EQ(metric(scrape, "keyrelay_cost_usd_total{provider=\"anthropic\"}"), 103e-6);
  EXPECT_DOUBLE_EQ(metric(scrape, "keyrelay_cost_usd_total{provider=\"gemini\"}"), 64e-6);
}

TEST(GatewayCost, AProxiedAnswerOnAChatWireIsPricedByTheModelItNames) {
  Gateway gw;
  gw.add_key(gw.alice, "anthropic", "valid");
  const json::object body{{"model", "claude-3-5-haiku-latest"},
                          {"max_tokens", 64},
                          {"system", kSystem},
                          {"messages", json::array{json::object{{"role", "user"}, {"content", kUser}}}}};
  auto r = gw.vault.call(gw.alice, "POST", "/proxy/anthropic/v1/messages", json::serialize(body));
  ASSERT_EQ(r.status, 200) << r.body;
  json::object totals;
  auto rows = usage_by_model(gw, 1, totals);
  ASSERT_EQ(rows.count("anthropic/claude-3-5-haiku-latest"), 1u) << json::serialize(totals);
  EXPECT_DOUBLE_EQ(usd(rows["anthropic/claude-3-5-haiku-latest"].at("cost_usd")), 35e-6);

  // A /proxy call whose answer is no chat answer names no model: unpriced.
  ASSERT_EQ(gw.vault.call(gw.alice, "GET", "/proxy/anthropic/v1/models").status, 200);
  rows = usage_by_model(gw, 2, totals);
  EXPECT_TRUE(rows["anthropic/-"].at("cost_usd").is_null());
  EXPECT_EQ(rows["anthropic/-"].at("unpriced_requests").as_int64(), 1);
}

TEST(GatewayCost, TheOperatorsPricesFileReplacesTheCatalogsPrice) {
  TempDir dir;
  const auto prices = write_prices(
      dir, json::array{json::object{{"id", "anthropic"},
                                    {"prices", json::array{price("claude-3-5-haiku*", 10, nullptr, 20, 100)}}}});
  Gateway gw(Environment{{"KEYRELAY_PRICES_FILE", prices.string()}});
  gw.add_key(gw.alice, "anthropic", "valid");
  ASSERT_EQ(gw.chat(gw.alice, cached_chat("claude-3-5-haiku-latest", false)).status, 200);
  json::object totals;
  usage_by_model(gw, 1, totals);
  // 3 × $10 + 5 written × $20 + 7 × $100 per 1M = 830 µUSD.
  EXPECT_DOUBLE_EQ(usd(totals.at("cost_usd")), 830e-6);
}

TEST(GatewayCost, ABadPricesFileStopsTheStartNamingTheEntry) {
  TempDir dir;
  const auto prices = write_prices(
      dir, json::array{json::object{{"id", "openai"}, {"prices", json::array{price("gpt-4o-mini", -1, nullptr, nullptr, 1)}}}});
  std::string error;
  try {
    Gateway gw(Environment{{"KEYRELAY_PRICES_FILE", prices.string()}});
  } catch (const std::exception& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("KEYRELAY_PRICES_FILE"), std::string::npos) << error;
  EXPECT_NE(error.find("price 'gpt-4o-mini': 'input'"), std::string::npos) << error;
}

}  // namespace
}  // namespace keyrelay::test
