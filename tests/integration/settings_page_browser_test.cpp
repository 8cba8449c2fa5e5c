// The settings page in a real browser: tests/browser/settings_page_check.mjs drives Debian's
// Chromium headless (playwright-core, axe-core; pinned in tests/browser/package-lock.json) through
// everything a user does, against the real keyrelay and the mock provider started here. Its
// screenshots of every tab, at desktop and 360 px width, land in <build>/screenshots/.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "browser_check.h"
#include "gateway_harness.h"
#include "support/temp_dir.h"

namespace keyrelay::test {
namespace {

TEST(SettingsPage, EverythingAUserDoesWorksInChromium) {
  if (auto missing = browser_check_missing()) FAIL() << *missing;

  // A (test) price for gpt-4o-mini, so that the Usage tab has a cost to show beside an unpriced model.
  TempDir prices;
  std::ofstream(prices / "prices.json")
      << R"([{"id":"openai","prices":[{"model":"gpt-4o-mini*","input":2,"cached_input":null,"cache_write":null,)"
         R"("output":8,"read_on":"2026-12-07","source":"https://prices.example.test/"}]}])";
  Gateway gw(Environment{{"KEYRELAY_PRICES_FILE", (prices / "prices.json").string()}});
  const auto run = run_browser_check(
      "settings_page_check.mjs",
      {{"KEYRELAY_URL", "http://127.0.0.1:" + std::to_string(gw.vault.server().port())},
       {"KEYRELAY_TOKEN", gw.alice.token},
       {"SECRET_VALID_OPENAI", Gateway::secret_for("openai", "valid")},
       {"SECRET_INVALID_ANTHROPIC", Gateway::secret_for("anthropic", "invalid")},
       {"SECRET_ROTATED_OPENAI", Gateway::secret_for("openai", "valid")}});
  ASSERT_TRUE(run.status.has_value()) << "the browser check ran too long:\n" << run.output;
  EXPECT_EQ(*run.status, 0) << "node settings_page_check.mjs:\n" << run.output << "--- keyrelay ---\n"
                            << gw.vault.server().logs();
  for (const char* shot : {"1-keys", "2-usage", "3-audit", "4-alerts"}) {
    EXPECT_TRUE(std::filesystem::exists(screenshot_dir() / (std::string(shot) + "-desktop.png"))) << shot;
    EXPECT_TRUE(std::filesystem::exists(screenshot_dir() / (std::string(shot) + "-360px.png"))) << shot;
  }
}

}  // namespace
}  // namespace keyrelay::test
