// The command line outside `serve`: version, keygen, help, and the exit codes of usage errors
// (0 success, 1 failure, 2 usage error).

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/encoding.h"
#include "support/keyrelay_command.h"

namespace keyrelay::test {
namespace {

TEST(Cli, VersionPrintsNameAndVersionAndExitsZero) {
  auto result = run_keyrelay({"version"});
  EXPECT_EQ(result.exit_status, 0) << result.output();
  EXPECT_NE(result.out.find("keyrelay"), std::string::npos) << result.output();
  EXPECT_NE(result.out.find(KEYRELAY_VERSION), std::string::npos) << result.output();
}

TEST(Cli, DashDashVersionExitsZero) {
  // API.md: "--help/--version exit 0".
  auto result = run_keyrelay({"--version"});
  EXPECT_EQ(result.exit_status, 0) << result.output();
}

TEST(Cli, KeygenPrintsOneLineOfBase64For32Bytes) {
  auto result = run_keyrelay({"keygen"});
  ASSERT_EQ(result.exit_status, 0) << result.output();
  ASSERT_FALSE(result.out.empty());
  EXPECT_EQ(result.out.back(), '\n') << result.out;
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << result.out;
  std::string_view line(result.out);
  if (line.ends_with('\n')) line.remove_suffix(1);
  auto key = core::base64_decode(line);
  ASSERT_TRUE(key) << "not standard padded base64: " << line;
  EXPECT_EQ(key->size(), 32u) << line;
}

TEST(Cli, KeygenGivesADifferentKeyEachRun) {
  auto first = run_keyrelay({"keygen"});
  auto second = run_keyrelay({"keygen"});
  ASSERT_EQ(first.exit_status, 0) << first.output();
  ASSERT_EQ(second.exit_status, 0) << second.output();
  EXPECT_NE(first.out, second.out);
}

TEST(Cli, HelpExitsZeroAndListsServe) {
  auto result = run_keyrelay({"--help"});
  EXPECT_EQ(result.exit_status, 0) << result.output();
  EXPECT_NE(result.output().find("serve"), std::string::npos) << result.output();
}

TEST(Cli, UnknownCommandIsAUsageErrorExit2) {
  auto result = run_keyrelay({"no-such-command"});
  EXPECT_EQ(result.exit_status, 2) << result.output();
}

TEST(Cli, UnknownOptionIsAUsageErrorExit2) {
  auto result = run_keyrelay({"serve", "--no-such-option"},
                             {{"KEYRELAY_LISTEN", "127.0.0.1:0"}});
  EXPECT_EQ(result.exit_status, 2) << result.output();
}

}  // namespace
}  // namespace keyrelay::test
