// The official `openai` npm SDK (pinned in tests/sdk/package-lock.json) against the real keyrelay:
// POST /v1/chat/completions with anthropic/… and gemini/… models, plain and streamed, routed to the
// user's stored keys and answered by the mock provider. tests/sdk/openai_sdk_check.mjs checks the
// text, finish_reason and usage the mock's rules give; this test runs it under node and expects
// exit 0. node and tests/sdk/node_modules come from scripts/install-deps.sh (make test runs it).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>

#include "support/mock_provider_process.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

constexpr std::chrono::milliseconds kSdkRunTimeout{120000};

// tests/sdk, found beside tests/vectors (the one source path the test binary is given).
std::filesystem::path sdk_dir() { return std::filesystem::path(KEYRELAY_TEST_VECTORS).parent_path() / "sdk"; }

TEST(OpenAiSdk, ChatCompletionsPlainAndStreamedThroughKeyrelayToAnthropicAndGemini) {
  const auto node = find_on_path("node");
  ASSERT_TRUE(node.has_value()) << "node is not on PATH: run scripts/install-deps.sh (make test does)";
  ASSERT_TRUE(std::filesystem::is_directory(sdk_dir() / "node_modules" / "openai"))
      << sdk_dir() << "/node_modules has no openai package: run scripts/install-deps.sh (make test does)";

  MockProviderProcess mock;
  VaultServer vault{VaultServer::Options{mock.provider_env()}};
  const Identity alice = vault.add_user("alice");
  create_key(vault, alice, "anthropic", "sdk", "sk-ant-api03-" + random_base64url(40) + "-valid");
  create_key(vault, alice, "gemini", "sdk", "AIza" + random_base64url(35) + "-valid");
  const Identity gateway = vault.issue_token(alice, "gateway");

  TempDir out;
  Process run({node->string(), (sdk_dir() / "openai_sdk_check.mjs").string()},
              {{"KEYRELAY_URL", "http://127.0.0.1:" + std::to_string(vault.server().port())},
               {"KEYRELAY_TOKEN", gateway.token},
               {"KEYRELAY_SDK_MODELS", "anthropic/claude-3-5-haiku-latest,gemini/gemini-2.0-flash"}},
              sdk_dir(), out.path());
  const auto status = run.wait_for_exit(deadline_in(kSdkRunTimeout));
  ASSERT_TRUE(status.has_value()) << "the SDK check ran longer than " << kSdkRunTimeout.count() << " ms:\n"
                                  << run.output_text();
  EXPECT_EQ(*status, 0) << "node openai_sdk_check.mjs:\n"
                        << run.output_text() << "--- keyrelay ---\n"
                        << vault.server().logs();

  // The answers came from the providers the models name, each with the user's own key.
  bool anthropic = false;
  bool gemini = false;
  for (const auto& request : mock.requests()) {
    const std::string path(request.at("path").as_string());
    anthropic = anthropic || path == "/anthropic/v1/messages";
    gemini = gemini || path.starts_with("/gemini/v1beta/models/gemini-2.0-flash:");
  }
  EXPECT_TRUE(anthropic) << "no request reached the mock's Anthropic chat";
  EXPECT_TRUE(gemini) << "no request reached the mock's Gemini chat";
}

}  // namespace
}  // namespace keyrelay::test
