#pragma once
// Runs one of the official-SDK check scripts of tests/sdk (node, the SDKs pinned in
// tests/sdk/package-lock.json) against a running keyrelay, for the integration tests of the SDKs.
// The script prints one line per check and exits 0 when every check passed.

#include <filesystem>
#include <string>

#include "support/process.h"

namespace keyrelay::test {

// tests/sdk, found beside tests/vectors (the one source path the test binaries are given).
std::filesystem::path sdk_dir();

struct SdkRun {
  bool ran = false;     // node and the package were there and the script ended in time
  int exit_code = -1;
  std::string output;   // what the script printed, or why it did not run
};

// `node <script>` in tests/sdk with `env` (KEYRELAY_URL, KEYRELAY_TOKEN …) once `package` is
// installed in tests/sdk/node_modules; at most two minutes.
SdkRun run_sdk_check(const std::string& script, const std::string& package, const Environment& env);

}  // namespace keyrelay::test
