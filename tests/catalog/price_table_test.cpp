// Prices: the "most specific wins" rule, the operator's overrides, the prices file's errors, and the
// catalog's own (sourced, dated) entries.

#include "catalog/price_table.h"

#include <gtest/gtest.h>

namespace keyrelay::catalog {
namespace {

// A catalog of one llm provider "acme" with `prices_json` as its "prices".
Catalog acme(std::string_view prices_json) {
  const std::string doc = R"([{"id":"acme","name":"Acme","kind":"llm","fields":["api_key"],
    "base_url":"https://api.acme.test","auth":{"in":"header","name":"Authorization","format":"Bearer {key}"},
    "validate":{"method":"GET","path":"/models"},"signup_url":"https://acme.test","docs_url":"https://acme.test",
    "wire":"openai","prices":)" + std::string(prices_json) + "}]";
  auto c = Catalog::parse(doc);
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  return c ? *c : Catalog{};
}

std::string entry(std::string_view model, double input) {
  return R"({"model":")" + std::string(model) + R"(","input":)" + std::to_string(input) +
         R"(,"output":1,"read_on":"2026-12-07","source":"https://acme.test/pricing"})";
}

TEST(PriceTable, AnExactModelBeatsEveryPatternAndTheLongestPrefixBeatsShorterOnes) {
  const auto catalog = acme("[" + entry("*", 9) + "," + entry("gpt-4o*", 2) + "," + entry("gpt-4o-mini*", 1) + "," +
                            entry("gpt-4o-mini-2024-07-18", 3) + "]");
  const auto table = PriceTable::of(catalog);
  auto input_of = [&](std::string_view model) {
    const ModelPrice* p = table.find("acme", model);
    return p == nullptr ? -1 : p->input;
  };
  EXPECT_EQ(input_of("gpt-4o-mini-2024-07-18"), 3'000'000);  // exact
  EXPECT_EQ(input_of("gpt-4o-mini"), 1'000'000);             // "gpt-4o-mini*" matches its own prefix
  EXPECT_EQ(input_of("gpt-4o-mini-2025-01-01"), 1'000'000);  // longest prefix
  EXPECT_EQ(input_of("gpt-4o-2024-08-06"), 2'000'000);
  EXPECT_EQ(input_of("o3"), 9'000'000);                      // only "*" matches
  EXPECT_EQ(table.find("acme", ""), nullptr);                // no model named: unpriced
  EXPECT_EQ(table.find("other", "gpt-4o"), nullptr);         // provider without prices
}

TEST(PriceTable, AModelNoEntryMatchesIsUnpriced) {
  const auto table = PriceTable::of(acme("[" + entry("claude-sonnet-4*", 3) + "]"));
  EXPECT_NE(table.find("acme", "claude-sonnet-4-5-20250929"), nullptr);
  EXPECT_EQ(table.find("acme", "claude-sonnet-3"), nullptr);
  EXPECT_EQ(table.find("acme", "Claude-Sonnet-4"), nullptr);  // case-sensitive, as providers spell ids
}

TEST(PriceTable, OverridesReplaceTheSamePatternAndAddNewOnes) {
  const auto catalog = acme("[" + entry("gpt-4o*", 2) + "," + entry("gpt-4o-mini*", 1) + "]");
  auto file = parse_prices_file(R"([{"id":"acme","prices":[)" + entry("gpt-4o-mini*", 0.5) + "," +
                                entry("o3*", 7) + "]}]");
  ASSERT_TRUE(file) << file.error().message;
  auto table = PriceTable::of(catalog).with_overrides(catalog, *file);
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->find("acme", "gpt-4o-mini")->input, 500'000);
  EXPECT_EQ(table->find("acme", "gpt-4o")->input, 2'000'000);  // untouched
  EXPECT_EQ(table->find("acme", "o3-mini")->input, 7'000'000);
  EXPECT_EQ(table->prices_of("acme").size(), 3u);
}

TEST(PriceTable, AnOverrideForAProviderNotInTheCatalogIsRefused) {
  const auto catalog = acme("[]");
  auto file = parse_prices_file(R"([{"id":"acmee","prices":[)" + entry("x", 1) + "]}]");
  ASSERT_TRUE(file);
  auto table = PriceTable::of(catalog).with_overrides(catalog, *file);
  ASSERT_FALSE(table);
  EXPECT_NE(table.error().message.find("'acmee'"), std::string::npos) << table.error().message;
}

TEST(PricesFile, EachMalformedEntryIsRefusedNamingIt) {
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "not valid JSON"},
      {R"({"id":"acme"})", "array"},
      {R"([{"prices":[]}])", "'id'"},
      {R"([{"id":"acme","prices":{}}])", "'prices'"},
      {R"([{"id":"acme","prices":[{"model":"a*b","input":1,"output":1,"read_on":"2026-12-07","source":"https://x"}]}])",
       "'*'"},
      {R"([{"id":"acme","prices":[{"model":"m","input":-1,"output":1,"read_on":"2026-12-07","source":"https://x"}]}])",
       "price 'm': 'input'"},
      {R"([{"id":"acme","prices":[{"model":"m","input":"1","output":1,"read_on":"2026-12-07","source":"https://x"}]}])",
       "'input' must be a number"},
      {R"([{"id":"acme","prices":[{"model":"m","input":1,"output":0.0000001,"read_on":"2026-12-07","source":"https://x"}]}])",
       "'output' must not be finer"},
      {R"([{"id":"acme","prices":[{"model":"m","input":1,"output":1,"source":"https://x"}]}])", "'read_on'"},
      {R"([{"id":"acme","prices":[{"model":"m","input":1,"output":1,"read_on":"Dec 7","source":"https://x"}]}])",
       "YYYY-MM-DD"},
      {R"([{"id":"acme","prices":[{"model":"m","input":1,"output":1,"read_on":"2026-12-07"}]}])", "'source'"},
      {R"([{"id":"acme","prices":[{"model":"m","input":1,"output":1,"cached_input":-2,"read_on":"2026-12-07","source":"https://x"}]}])",
       "'cached_input'"},
      {"[" + std::string(R"({"id":"acme","prices":[]},{"id":"acme","prices":[]})") + "]", "twice"},
      {R"([{"id":"acme","prices":[)" + entry("m", 1) + "," + entry("m", 2) + "]}]", "model 'm' twice"},
  };
  for (const auto& [text, expected] : cases) {
    auto parsed = parse_prices_file(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().message.find(expected), std::string::npos)
        << text << " → " << parsed.error().message;
  }
}

TEST(PricesFile, PricesAreWholeMicroDollarsAndOptionalRatesMayBeNull) {
  auto parsed = parse_prices_file(
      R"([{"id":"acme","prices":[{"model":"m","input":0.075,"cached_input":null,"cache_write":3.75,"output":0.6,
          "read_on":"2026-12-07","source":"https://acme.test/pricing"}]}])");
  ASSERT_TRUE(parsed) << parsed.error().message;
  const ModelPrice& p = parsed->at(0).prices.at(0);
  EXPECT_EQ(p.input, 75'000);
  EXPECT_EQ(p.output, 600'000);
  EXPECT_FALSE(p.cached_input);
  EXPECT_EQ(p.cache_write, 3'750'000);
  EXPECT_EQ(p.read_on, "2026-12-07");
}

TEST(CatalogPrices, EveryBuiltinPriceIsSourcedAndAnthropicFamiliesResolve) {
  auto catalog = Catalog::builtin();
  ASSERT_TRUE(catalog) << catalog.error().message;
  const auto table = PriceTable::of(*catalog);
  std::size_t entries = 0;
  for (const auto& provider : catalog->providers())
    for (const auto& price : provider.prices) {
      ++entries;
      EXPECT_TRUE(price.source.starts_with("https://")) << provider.id << " " << price.model;
      EXPECT_EQ(price.read_on.size(), 10u) << provider.id << " " << price.model;
    }
  EXPECT_GT(entries, 0u);
  const ModelPrice* sonnet = table.find("anthropic", "claude-sonnet-4-5-20250929");
  ASSERT_NE(sonnet, nullptr);
  EXPECT_EQ(sonnet->input, 3'000'000);
  EXPECT_EQ(sonnet->cached_input, 300'000);
  EXPECT_EQ(sonnet->cache_write, 3'750'000);
  EXPECT_EQ(sonnet->output, 15'000'000);
  // Opus 4.1 and Opus 4.5 are priced apart although both start "claude-opus-4".
  EXPECT_EQ(table.find("anthropic", "claude-opus-4-1-20250805")->input, 15'000'000);
  EXPECT_EQ(table.find("anthropic", "claude-opus-4-5-20251101")->input, 5'000'000);
  EXPECT_EQ(table.find("anthropic", "claude-opus-4-20250514")->input, 15'000'000);
  EXPECT_EQ(table.find("anthropic", "claude-opus-5"), nullptr);
}

}  // namespace
}  // namespace keyrelay::catalog
