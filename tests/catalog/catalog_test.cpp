#include "catalog/catalog.h"

#include <gtest/gtest.h>

namespace keyrelay::catalog {
namespace {

TEST(Catalog, BuiltinHasEveryProviderOfTheSharedCatalog) {
  auto c = Catalog::builtin();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->providers().size(), 16u);
  for (const char* id : {"openai", "anthropic", "gemini", "perplexity", "kimi", "google-maps", "openweathermap",
                         "duffel", "firecrawl"})
    EXPECT_NE(c->find(id), nullptr) << id;
  EXPECT_EQ(c->find("nope"), nullptr);
}

TEST(Catalog, ReadsAuthPlacementWireAndValidation) {
  auto c = Catalog::builtin();
  ASSERT_TRUE(c);
  const Provider* anthropic = c->find("anthropic");
  ASSERT_NE(anthropic, nullptr);
  EXPECT_EQ(anthropic->auth.in, AuthPlacement::header);
  EXPECT_EQ(anthropic->auth.name, "x-api-key");
  EXPECT_EQ(anthropic->wire, Wire::anthropic);
  ASSERT_EQ(anthropic->extra_headers.size(), 1u);
  EXPECT_EQ(anthropic->extra_headers[0].first, "anthropic-version");

  const Provider* maps = c->find("google-maps");
  ASSERT_NE(maps, nullptr);
  EXPECT_EQ(maps->kind, Kind::service);
  EXPECT_EQ(maps->auth.in, AuthPlacement::query);
  EXPECT_FALSE(maps->wire);

  const Provider* perplexity = c->find("perplexity");
  ASSERT_NE(perplexity, nullptr);
  EXPECT_EQ(perplexity->validate.method, "POST");
  ASSERT_TRUE(perplexity->validate.body_json);
  EXPECT_NE(perplexity->validate.body_json->find("\"sonar\""), std::string::npos);
}

std::string provider_json(std::string_view patch_key, std::string_view patch_value) {
  std::string base = R"({"id":"x","name":"X","kind":"llm","fields":["api_key"],"base_url":"https://x.test",
    "auth":{"in":"header","name":"Authorization","format":"Bearer {key}"},
    "validate":{"method":"GET","path":"/models"},"signup_url":"s","docs_url":"d","wire":"openai"})";
  if (patch_key.empty()) return "[" + base + "]";
  const std::string needle = "\"" + std::string(patch_key) + "\":";
  const auto at = base.find(needle);
  auto end = at + needle.size();
  int depth = 0;
  for (; end < base.size(); ++end) {
    const char ch = base[end];
    if (ch == '{' || ch == '[') ++depth;
    if (ch == '}' || ch == ']') { if (depth == 0) break; --depth; }
    if (ch == ',' && depth == 0) break;
  }
  base.replace(at + needle.size(), end - at - needle.size(), patch_value);
  return "[" + base + "]";
}

TEST(Catalog, AcceptsAMinimalProvider) {
  auto c = Catalog::parse(provider_json("", ""));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->providers()[0].id, "x");
}

TEST(Catalog, RejectsMalformedEntriesNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"id", R"("Bad Id")"},
      {"kind", R"("robot")"},
      {"wire", R"("soap")"},
      {"base_url", R"("ftp://x")"},
      {"auth", R"({"in":"cookie","name":"a","format":"{key}"})"},
      {"auth", R"({"in":"header","name":"a","format":"Bearer"})"},
      {"validate", R"({"method":"DELETE","path":"/x"})"},
      {"fields", "[]"},
  };
  for (const auto& [key, value] : cases) {
    auto c = Catalog::parse(provider_json(key, value));
    ASSERT_FALSE(c) << key << " = " << value;
    EXPECT_EQ(c.error().code, core::Errc::invalid_request);
  }
}

TEST(Catalog, RejectsDuplicateIdsAndNonArrays) {
  const std::string one = provider_json("", "");
  const std::string two = "[" + one.substr(1, one.size() - 2) + "," + one.substr(1, one.size() - 2) + "]";
  auto dup = Catalog::parse(two);
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("duplicate"), std::string::npos);
  EXPECT_FALSE(Catalog::parse("{}"));
  EXPECT_FALSE(Catalog::parse("not json"));
}

}  // namespace
}  // namespace keyrelay::catalog

namespace keyrelay::catalog {
namespace {

// An MCP server as an operator registers it: its endpoint is the base URL, validated as it is.
std::string mcp_json(std::string_view wire, std::string_view validate_path) {
  return std::string(R"([{"id":"tickets","name":"Tickets","kind":"mcp","fields":["api_key"],)") +
         R"("base_url":"https://mcp.example.com/mcp/","auth":{"in":"query","name":"token","format":"{key}"},)" +
         R"("validate":{"method":"POST","path":")" + std::string(validate_path) + R"("},)" +
         R"("signup_url":"","docs_url":"","wire":)" + std::string(wire) + "}]";
}

TEST(Catalog, ReadsAnMcpServerWhoseEndpointIsItsBaseUrl) {
  auto c = Catalog::parse(mcp_json("null", ""));
  ASSERT_TRUE(c) << c.error().message;
  const Provider* server = c->find("tickets");
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->kind, Kind::mcp);
  EXPECT_EQ(kind_name(server->kind), "mcp");
  EXPECT_EQ(server->base_url, "https://mcp.example.com/mcp");
  EXPECT_EQ(server->auth.in, AuthPlacement::query);
  EXPECT_EQ(server->validate.path, "");
}

TEST(Catalog, RefusesAnMcpServerWithAChatWire) {
  auto c = Catalog::parse(mcp_json("\"openai\"", ""));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("wire"), std::string::npos) << c.error().message;
}

TEST(Catalog, OnlyAnMcpServerMayValidateAtItsBaseUrl) {
  EXPECT_TRUE(Catalog::parse(mcp_json("null", "/health")));
  std::string llm = mcp_json("\"openai\"", "");
  llm.replace(llm.find("\"mcp\""), 5, "\"llm\"");
  auto c = Catalog::parse(llm);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("must start with /"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace keyrelay::catalog
