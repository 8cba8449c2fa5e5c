// The settings page inside a host app, in a real browser: tests/browser/embed_page_check.mjs plays
// the host (its backend on http://localhost:<port>, another origin than keyrelay's) and drives
// Debian's Chromium through the embedding: the session handed over by postMessage, a stranger's
// message ignored, renewal after a 401 and before expiry, no token in any URL, and the Access tokens
// tab. Its screenshots land in <build>/screenshots/ beside the settings page's.

#include <gtest/gtest.h>

#include <filesystem>

#include "browser_check.h"
#include "support/local_port.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

TEST(EmbeddedSettingsPage, AHostAppFramesThePageAndHandsItsTokensOver) {
  if (auto missing = browser_check_missing()) FAIL() << *missing;

  const auto host_port = pick_free_local_port();
  const std::string host_origin = "http://localhost:" + std::to_string(host_port);
  VaultServer vault(VaultServer::Options{.env = {{"KEYRELAY_UI_FRAME_ANCESTORS", host_origin}}});
  const Identity alice = vault.add_user("alice");
  const Identity bob = vault.add_user("bob");
  const Identity backend = vault.add_user("host-backend", false, "act_as");
  create_key(vault, alice, "openai", "alice-main", make_secret());
  create_key(vault, bob, "openai", "bob-private", make_secret());

  const auto run = run_browser_check("embed_page_check.mjs",
                                     {{"KEYRELAY_URL", "http://127.0.0.1:" + std::to_string(vault.server().port())},
                                      {"KEYRELAY_ADMIN_TOKEN", vault.admin().token},
                                      {"HOST_PORT", std::to_string(host_port)},
                                      {"HOST_SERVICE_TOKEN", backend.token},
                                      {"ALICE_ID", alice.user_id},
                                      {"BOB_ID", bob.user_id}});
  ASSERT_TRUE(run.status.has_value()) << "the browser check ran too long:\n" << run.output;
  EXPECT_EQ(*run.status, 0) << "node embed_page_check.mjs:\n" << run.output << "--- keyrelay ---\n" << vault.logs();
  for (const char* shot : {"7-embedded", "8-embedded-token-created"}) {
    EXPECT_TRUE(std::filesystem::exists(screenshot_dir() / (std::string(shot) + "-desktop.png"))) << shot;
    EXPECT_TRUE(std::filesystem::exists(screenshot_dir() / (std::string(shot) + "-360px.png"))) << shot;
  }
  // The sessions the host minted are on record, as the host acting for alice.
  const auto events = audit_events(vault, vault.admin(), "action=session.created");
  ASSERT_GE(events.size(), 4u);
  for (const auto& e : events) EXPECT_EQ(str(e.at("actor").as_object(), "token_id"), backend.token_id);
}

}  // namespace
}  // namespace keyrelay::test
