// The official `openai` SDK's embeddings (pinned in tests/sdk/package-lock.json) against keyrelay's
// POST /v1/embeddings: an OpenAI model forwarded and a Gemini model translated to
// :batchEmbedContents, the SDK's base64 default, floats and dimensions
// (tests/sdk/embeddings_sdk_check.mjs checks the vectors). Both bare model names route by the
// catalog's embedding models. This test reads what reached the mock: the stored keys, and Gemini's
// request in its own shape.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "sdk_check.h"
#include "support/mock_provider_process.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

TEST(OpenAiSdkEmbeddings, OpenAiForwardedAndGeminiTranslatedInFloatsAndBase64) {
  MockProviderProcess mock;
  VaultServer vault{VaultServer::Options{mock.provider_env()}};
  const Identity alice = vault.add_user("alice");
  const std::string openai_key = "sk-proj-" + random_base64url(40) + "-valid";
  const std::string gemini_key = "AIza" + random_base64url(35) + "-valid";
  create_key(vault, alice, "openai", "sdk", openai_key);
  create_key(vault, alice, "gemini", "sdk", gemini_key);
  const Identity gateway = vault.issue_token(alice, "gateway");

  const SdkRun run = run_sdk_check("embeddings_sdk_check.mjs", "openai",
                                   {{"KEYRELAY_URL", "http://127.0.0.1:" + std::to_string(vault.server().port())},
                                    {"KEYRELAY_TOKEN", gateway.token},
                                    {"KEYRELAY_EMBEDDING_MODELS", "text-embedding-3-small,gemini-embedding-001"}});
  ASSERT_TRUE(run.ran) << run.output;
  EXPECT_EQ(run.exit_code, 0) << "node embeddings_sdk_check.mjs:\n" << run.output << "--- keyrelay ---\n" << vault.server().logs();

  int openai = 0, gemini = 0;
  for (const auto& request : mock.requests()) {
    const std::string path(request.at("path").as_string());
    const auto& headers = request.at("headers").as_object();
    const auto body = json::parse(request.at("body").as_string()).as_object();
    if (path == "/openai/embeddings") {
      ++openai;
      EXPECT_EQ(headers.at("authorization").as_string(), "Bearer " + openai_key);
      EXPECT_EQ(body.at("model"), "text-embedding-3-small");
    } else if (path == "/gemini/v1beta/models/gemini-embedding-001:batchEmbedContents") {
      ++gemini;
      EXPECT_EQ(headers.at("x-goog-api-key").as_string(), gemini_key);
      const auto& requests = body.at("requests").as_array();
      ASSERT_EQ(requests.size(), 2u) << body;
      EXPECT_EQ(requests.at(1).as_object().at("content").as_object().at("parts").as_array().at(0).as_object().at("text"),
                "three four five");
    }
  }
  EXPECT_EQ(openai, 4);
  EXPECT_EQ(gemini, 4);
}

}  // namespace
}  // namespace keyrelay::test
