#include "browser_check.h"

#include "support/deadline.h"
#include "support/temp_dir.h"

namespace keyrelay::test {

std::filesystem::path browser_dir() { return std::filesystem::path(KEYRELAY_TEST_VECTORS).parent_path() / "browser"; }
std::filesystem::path screenshot_dir() { return std::filesystem::path(KEYRELAY_BINARY).parent_path() / "screenshots"; }

std::optional<std::string> browser_check_missing() {
  if (!std::filesystem::exists("/usr/bin/chromium")) return "Debian's chromium is missing: run scripts/install-deps.sh";
  if (!std::filesystem::is_directory(browser_dir() / "node_modules" / "playwright-core"))
    return browser_dir().string() + "/node_modules is missing: run scripts/install-deps.sh (make test does)";
  if (!find_on_path("node")) return "node is not on PATH: run scripts/install-deps.sh (make test does)";
  return std::nullopt;
}

BrowserCheckRun run_browser_check(const std::string& script, Environment env, std::chrono::milliseconds timeout) {
  TempDir out;
  env["SCREENSHOT_DIR"] = screenshot_dir().string();
  env["HOME"] = out.path().string();
  Process run({find_on_path("node")->string(), (browser_dir() / script).string()}, env, browser_dir(), out.path());
  BrowserCheckRun result;
  result.status = run.wait_for_exit(deadline_in(timeout));
  result.output = run.output_text();
  return result;
}

}  // namespace keyrelay::test
