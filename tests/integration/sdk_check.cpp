#include "sdk_check.h"

#include <chrono>

#include "support/deadline.h"
#include "support/temp_dir.h"

namespace keyrelay::test {

std::filesystem::path sdk_dir() { return std::filesystem::path(KEYRELAY_TEST_VECTORS).parent_path() / "sdk"; }

SdkRun run_sdk_check(const std::string& script, const std::string& package, const Environment& env) {
  constexpr std::chrono::milliseconds kTimeout{120000};
  SdkRun result;
  const auto node = find_on_path("node");
  if (!node) {
    result.output = "node is not on PATH: run scripts/install-deps.sh (make test does)";
    return result;
  }
  if (!std::filesystem::is_directory(sdk_dir() / "node_modules" / package)) {
    result.output = sdk_dir().string() + "/node_modules has no " + package +
                    " package: run scripts/install-deps.sh (make test does)";
    return result;
  }
  TempDir out;
  Process run({node->string(), (sdk_dir() / script).string()}, env, sdk_dir(), out.path());
  const auto status = run.wait_for_exit(deadline_in(kTimeout));
  result.output = run.output_text();
  if (!status) {
    result.output = "the SDK check ran longer than " + std::to_string(kTimeout.count()) + " ms:\n" + result.output;
    return result;
  }
  result.ran = true;
  result.exit_code = *status;
  return result;
}

}  // namespace keyrelay::test
