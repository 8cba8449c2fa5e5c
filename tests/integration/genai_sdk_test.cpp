// The official `@google/genai` SDK (pinned in tests/sdk/package-lock.json) through keyrelay's
// /proxy/gemini: generateContent, generateContentStream and function calling
// (tests/sdk/genai_sdk_check.mjs checks the answers). The SDK sends keyrelay's token in
// x-goog-api-key; the provider must get the user's stored key there instead, and never the token.

#include <gtest/gtest.h>

#include "sdk_check.h"
#include "support/mock_provider_process.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

TEST(GenAiSdk, GenerateContentPlainStreamedAndToolsThroughTheGeminiProxy) {
  MockProviderProcess mock;
  VaultServer vault{VaultServer::Options{mock.provider_env()}};
  const Identity alice = vault.add_user("alice");
  const std::string gemini_key = "AIza" + random_base64url(35) + "-valid";
  create_key(vault, alice, "gemini", "sdk", gemini_key);
  const Identity gateway = vault.issue_token(alice, "gateway");

  const SdkRun run = run_sdk_check("genai_sdk_check.mjs", "@google/genai",
                                   {{"KEYRELAY_URL", "http://127.0.0.1:" + std::to_string(vault.server().port())},
                                    {"KEYRELAY_TOKEN", gateway.token},
                                    {"KEYRELAY_MODEL", "gemini-2.0-flash"}});
  ASSERT_TRUE(run.ran) << run.output;
  EXPECT_EQ(run.exit_code, 0) << "node genai_sdk_check.mjs:\n" << run.output << "--- keyrelay ---\n" << vault.server().logs();

  int calls = 0;
  for (const auto& request : mock.requests()) {
    const std::string path(request.at("path").as_string());
    if (!path.starts_with("/gemini/v1/models/gemini-2.0-flash:") && !path.starts_with("/gemini/v1beta/models/gemini-2.0-flash:"))
      continue;
    ++calls;
    const auto& headers = request.at("headers").as_object();
    EXPECT_EQ(headers.at("x-goog-api-key").as_string(), gemini_key) << path;
    EXPECT_EQ(std::string(request.at("target").as_string()).find(gateway.token), std::string::npos);
    for (const auto& [name, value] : headers)
      EXPECT_EQ(std::string(value.as_string()).find(gateway.token), std::string::npos) << name;
  }
  EXPECT_EQ(calls, 4);  // plain, stream, the function call and the answer to its result
}

}  // namespace
}  // namespace keyrelay::test
