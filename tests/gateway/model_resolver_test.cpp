#include "gateway/model_resolver.h"

#include <gtest/gtest.h>

namespace keyrelay::gateway {
namespace {

std::shared_ptr<const catalog::Catalog> builtin() {
  return std::make_shared<const catalog::Catalog>(catalog::Catalog::builtin().value());
}

TEST(ModelResolver, ProviderSlashModelNamesTheProviderAndKeepsTheRest) {
  ModelResolver resolver(builtin(), {});
  auto t = resolver.resolve("openrouter/anthropic/claude-3.5-sonnet");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->provider->id, "openrouter");
  EXPECT_EQ(t->model, "anthropic/claude-3.5-sonnet");
}

TEST(ModelResolver, BareModelsFollowCatalogPrefixes) {
  ModelResolver resolver(builtin(), {});
  EXPECT_EQ(resolver.resolve("claude-3-5-haiku-latest")->provider->id, "anthropic");
  EXPECT_EQ(resolver.resolve("gemini-2.0-flash")->provider->id, "gemini");
  EXPECT_EQ(resolver.resolve("gpt-4o-mini")->provider->id, "openai");
  EXPECT_EQ(resolver.resolve("sonar-pro")->provider->id, "perplexity");
  EXPECT_EQ(resolver.resolve("kimi-k2")->provider->id, "kimi");
}

TEST(ModelResolver, UnknownModelsAndServiceProvidersAreRefusedWithAHint) {
  ModelResolver resolver(builtin(), {});
  auto unknown = resolver.resolve("llama-3-70b");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::Errc::invalid_request);
  EXPECT_NE(unknown.error().message.find("provider/model"), std::string::npos);
  auto service = resolver.resolve("google-maps/geocode");
  ASSERT_FALSE(service);
  EXPECT_NE(service.error().message.find("/proxy/google-maps"), std::string::npos);
  EXPECT_FALSE(resolver.resolve("anthropic/"));
}

TEST(ModelResolver, AliasesExpandInPlaceAndDuplicatesAreDropped) {
  auto aliases = parse_model_aliases("fast = anthropic/claude-3-5-haiku-latest | gemini/gemini-2.0-flash; smart=gpt-4.1");
  ASSERT_TRUE(aliases) << aliases.error().message;
  ModelResolver resolver(builtin(), std::move(*aliases));
  auto chain = resolver.resolve_chain({"smart", "fast", "claude-3-5-haiku-latest"});
  ASSERT_TRUE(chain) << chain.error().message;
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_EQ((*chain)[0].provider->id, "openai");
  EXPECT_EQ((*chain)[1].provider->id, "anthropic");
  EXPECT_EQ((*chain)[2].provider->id, "gemini");
  EXPECT_EQ((*chain)[2].model, "gemini-2.0-flash");
}

TEST(ModelResolver, MalformedAliasSettingsAreNamed) {
  EXPECT_FALSE(parse_model_aliases("nonsense"));
  EXPECT_FALSE(parse_model_aliases("a="));
  EXPECT_FALSE(parse_model_aliases("a=x/y; a=x/z"));
  auto loop = parse_model_aliases("a=b; b=openai/gpt-4o");
  ASSERT_FALSE(loop);
  EXPECT_NE(loop.error().message.find("another alias"), std::string::npos);
  EXPECT_TRUE(parse_model_aliases(""));
}

}  // namespace
}  // namespace keyrelay::gateway
