#pragma once
// Runs one of the settings-page checks of tests/browser/ (a node script driving Debian's Chromium
// headless through playwright-core) against a running keyrelay, and says whether the machine has
// what that needs. Screenshots land in <build>/screenshots/, which every check shares.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "support/process.h"

namespace keyrelay::test {

// tests/browser/ (the scripts and their node_modules).
std::filesystem::path browser_dir();
// <build>/screenshots/.
std::filesystem::path screenshot_dir();

// Why the browser checks cannot run here (no chromium, no node, no node_modules), or nullopt.
std::optional<std::string> browser_check_missing();

struct BrowserCheckRun {
  std::optional<ExitStatus> status;  // nullopt: still running at the deadline (then killed)
  std::string output;                // the script's stderr and stdout
};

// `node tests/browser/<script>` with exactly `env` (plus SCREENSHOT_DIR and a scratch HOME), waiting
// up to `timeout`.
BrowserCheckRun run_browser_check(const std::string& script, Environment env,
                                  std::chrono::milliseconds timeout = std::chrono::milliseconds(180000));

}  // namespace keyrelay::test
