// The settings page in a real browser: tests/browser/settings_page_check.mjs drives Debian's
// Chromium headless (playwright-core, axe-core; pinned in tests/browser/package-lock.json) through
// everything a user does, against the real keyrelay and the mock provider started here. Its
// screenshots of every tab, at desktop and 360 px width, land in <build>/screenshots/.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gateway_harness.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace keyrelay::test {
namespace {

constexpr std::chrono::milliseconds kBrowserRunTimeout{180000};

std::filesystem::path browser_dir() { return std::filesystem::path(KEYRELAY_TEST_VECTORS).parent_path() / "browser"; }
std::filesystem::path screenshot_dir() { return std::filesystem::path(KEYRELAY_BINARY).parent_path() / "screenshots"; }

TEST(SettingsPage, EverythingAUserDoesWorksInChromium) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Debian's chromium is missing: run scripts/install-deps.sh";
  ASSERT_TRUE(std::filesystem::is_directory(browser_dir() / "node_modules" / "playwright-core"))
      << browser_dir() << "/node_modules is missing: run scripts/install-deps.sh (make test does)";

  const auto node = find_on_path("node");
  ASSERT_TRUE(node.has_value()) << "node is not on PATH: run scripts/install-deps.sh (make test does)";

  // A (test) price for gpt-4o-mini, so that the Usage tab has a cost to show beside an unpriced model.
  TempDir prices;
  std::ofstream(prices / "prices.json")
      << R"([{"id":"openai","prices":[{"model":"gpt-4o-mini*","input":2,"cached_input":null,"cache_write":null,)"
         R"("output":8,"read_on":"2026-12-07","source":"https://prices.example.test/"}]}])";
  Gateway gw(Environment{{"KEYRELAY_PRICES_FILE", (prices / "prices.json").string()}});
  TempDir out;
  Process run({node->string(), (browser_dir() / "settings_page_check.mjs").string()},
              {{"KEYRELAY_URL", "http://127.0.0.1:" + std::to_string(gw.vault.server().port())},
               {"KEYRELAY_TOKEN", gw.alice.token},
               {"SCREENSHOT_DIR", screenshot_dir().string()},
               {"SECRET_VALID_OPENAI", Gateway::secret_for("openai", "valid")},
               {"SECRET_INVALID_ANTHROPIC", Gateway::secret_for("anthropic", "invalid")},
               {"SECRET_ROTATED_OPENAI", Gateway::secret_for("openai", "valid")},
               {"HOME", out.path().string()}},
              browser_dir(), out.path());
  const auto status = run.wait_for_exit(deadline_in(kBrowserRunTimeout));
  ASSERT_TRUE(status.has_value()) << "the browser check ran longer than " << kBrowserRunTimeout.count() << " ms:\n"
                                  << run.output_text();
  EXPECT_EQ(*status, 0) << "node settings_page_check.mjs:\n" << run.output_text() << "--- keyrelay ---\n"
                        << gw.vault.server().logs();
  for (const char* shot : {"1-keys", "2-usage", "3-audit", "4-alerts"}) {
    EXPECT_TRUE(std::filesystem::exists(screenshot_dir() / (std::string(shot) + "-desktop.png"))) << shot;
    EXPECT_TRUE(std::filesystem::exists(screenshot_dir() / (std::string(shot) + "-360px.png"))) << shot;
  }
}

}  // namespace
}  // namespace keyrelay::test
