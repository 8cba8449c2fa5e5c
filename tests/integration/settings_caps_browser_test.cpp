// The settings page's spend caps in a real browser: tests/browser/caps_page_check.mjs sets the
// user's caps, a key's caps and (as the admin) a user's default-key allowance through the page in
// Debian's Chromium, and reads each back through the API; bad amounts and API errors show in words
// and change nothing; the spent figures (own keys, one key, the operator's default key) follow
// gateway calls through the mock provider. Screenshots of the caps tab, a key's caps, the users tab
// and an allowance land in <build>/screenshots/.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "browser_check.h"
#include "gateway_harness.h"
#include "support/temp_dir.h"

namespace keyrelay::test {
namespace {

TEST(SettingsPage, SpendCapsAreSeenAndSetInChromium) {
  if (auto missing = browser_check_missing()) FAIL() << *missing;

  // A (test) price for gpt-4o-mini, so that calls have a cost to count against the caps.
  TempDir prices;
  std::ofstream(prices / "prices.json")
      << R"([{"id":"openai","prices":[{"model":"gpt-4o-mini*","input":2,"cached_input":null,"cache_write":null,)"
         R"("output":8,"read_on":"2026-12-07","source":"https://prices.example.test/"}]}])";
  // Default-key fallback on: bob, with no key of his own, is served by the operator's key that the
  // script has the admin add after alice's calls (so none of hers can fall back to it).
  Gateway gw(Environment{{"KEYRELAY_PRICES_FILE", (prices / "prices.json").string()},
                         {"KEYRELAY_DEFAULT_KEY_FALLBACK", "true"}});
  const auto work = gw.add_key(gw.alice, "openai", "valid", {}, "work");
  const auto spare = gw.add_key(gw.alice, "anthropic", "valid", {}, "spare");
  const auto bob = gw.vault.add_user("bob");  // no key of his own: the operator's default key serves him

  const char* shots[] = {"5-caps", "6-key-caps", "7-users", "7-allowance"};
  for (const char* shot : shots)  // a screenshot left by an earlier run must not count
    for (const char* size : {"-desktop.png", "-360px.png"}) std::filesystem::remove(screenshot_dir() / (std::string(shot) + size));

  const auto run = run_browser_check(
      "caps_page_check.mjs",
      {{"KEYRELAY_URL", "http://127.0.0.1:" + std::to_string(gw.vault.server().port())},
       {"KEYRELAY_TOKEN", gw.alice.token},
       {"ADMIN_TOKEN", gw.vault.admin().token},
       {"BOB_TOKEN", bob.token},
       {"BOB_USER_ID", bob.user_id},
       {"WORK_KEY_ID", work},
       {"SPARE_KEY_ID", spare},
       {"SECRETS", gw.secret_of(work) + " " + gw.secret_of(spare)}});
  ASSERT_TRUE(run.status.has_value()) << "the browser check ran too long:\n" << run.output;
  EXPECT_EQ(*run.status, 0) << "node caps_page_check.mjs:\n" << run.output << "--- keyrelay ---\n"
                            << gw.vault.server().logs();
  for (const char* shot : shots) {
    EXPECT_TRUE(std::filesystem::exists(screenshot_dir() / (std::string(shot) + "-desktop.png"))) << shot;
    EXPECT_TRUE(std::filesystem::exists(screenshot_dir() / (std::string(shot) + "-360px.png"))) << shot;
  }
}

}  // namespace
}  // namespace keyrelay::test
