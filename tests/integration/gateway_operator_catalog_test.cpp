// The operator's own providers (KEYRELAY_CATALOG_FILE): a self-hosted OpenAI-compatible endpoint
// becomes a provider users can store keys for and chat through; only the operator names its URL.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <fstream>

#include "gateway_harness.h"
#include "support/temp_dir.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

TEST(GatewayOperatorCatalog, AnOperatorProviderServesChatLikeABuiltInOne) {
  TempDir dir;
  MockProviderProcess upstream;  // the "self-hosted" server: the mock's OpenAI wire
  const auto file = dir / "providers.json";
  {
    std::ofstream out(file);
    out << json::serialize(json::array{json::object{
        {"id", "inhouse"},
        {"name", "In-house LLM"},
        {"kind", "llm"},
        {"fields", json::array{"api_key"}},
        {"base_url", upstream.base_url("openai")},
        {"auth", json::object{{"in", "header"}, {"name", "Authorization"}, {"format", "Bearer {key}"}}},
        {"extra_headers", json::object{}},
        {"validate", json::object{{"method", "GET"}, {"path", "/models"}}},
        {"key_prefix", nullptr},
        {"signup_url", "https://llm.example.internal/keys"},
        {"docs_url", "https://llm.example.internal/docs"},
        {"wire", "openai"},
        {"model_prefixes", json::array{"house-"}}}});
  }
  Gateway gw(Environment{{"KEYRELAY_CATALOG_FILE", file.string()}});
  auto providers = object_of(gw.vault.call(gw.alice, "GET", "/api/v1/providers"));
  EXPECT_NE(json::serialize(providers).find("\"inhouse\""), std::string::npos);

  const auto key = gw.add_key(gw.alice, "inhouse", "valid");
  auto r = gw.chat(gw.alice, Gateway::chat_body("house-llama-70b", "hello in-house"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Provider"), "inhouse");
  EXPECT_EQ(r.header("X-Keyrelay-Key-Id"), key);
  auto seen = upstream.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(text_of(seen[0].at("headers").at("authorization")), "Bearer " + gw.secret_of(key));
}

TEST(GatewayOperatorCatalog, AMalformedOperatorFileStopsTheStartNamingIt) {
  TempDir dir;
  const auto file = dir / "providers.json";
  std::ofstream(file) << R"([{"id":"broken"}])";
  bool refused = false;
  try {
    Gateway gw(Environment{{"KEYRELAY_CATALOG_FILE", file.string()}});
  } catch (const std::exception& e) {
    refused = std::string(e.what()).find("KEYRELAY_CATALOG_FILE") != std::string::npos;
  }
  EXPECT_TRUE(refused);
}

}  // namespace
}  // namespace keyrelay::test
