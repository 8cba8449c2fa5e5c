// The command line outside `serve`: version, keygen, help, and the exit codes of usage errors
// (0 success, 1 failure, 2 usage error).

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/encoding.h"
#include "support/keyrelay_command.h"
#include "support/temp_dir.h"

namespace keyrelay::test {
namespace {

TEST(Cli, VersionPrintsNameAndVersionAndExitsZero) {
  auto result = run_keyrelay({"version"});
  EXPECT_EQ(result.exit_status, 0) << result.output();
  EXPECT_NE(result.out.find("keyrelay"), std::string::npos) << result.output();
  EXPECT_NE(result.out.find(KEYRELAY_VERSION), std::string::npos) << result.output();
}

// The server runs on jemalloc where the build links it (the allocator is a quarter of the hop's
// CPU with glibc's), and says so; builds without it (the sanitizers') name the C library's.
TEST(Cli, VersionNamesTheAllocatorTheServerRunsOn) {
  auto result = run_keyrelay({"--json", "version"});
  ASSERT_EQ(result.exit_status, 0) << result.output();
#ifdef KEYRELAY_EXPECT_JEMALLOC
  EXPECT_NE(result.out.find("\"allocator\":\"jemalloc 5."), std::string::npos) << result.out;
#else
  EXPECT_NE(result.out.find("\"allocator\":\"glibc malloc\""), std::string::npos) << result.out;
#endif
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

TEST(Cli, KeygenWithAKeyringFileWritesAPrivateKeyringThatServesAsTheKeyringFile) {
  TempDir dir;
  const auto file = dir / "keyring.toml";
  auto result = run_keyrelay({"keygen", "--keyring", file.string()});
  ASSERT_EQ(result.exit_status, 0) << result.output();
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // An empty database and a given keyring: init uses it (and the status shows its one version).
  const Environment env{{"KEYRELAY_DATA_DIR", (dir / "data").string()}, {"KEYRELAY_KEYRING_FILE", file.string()}};
  auto init = run_keyrelay({"init"}, env);
  EXPECT_EQ(init.exit_status, 0) << init.output();
  auto status = run_keyrelay({"--json", "master-key", "status"}, env);
  EXPECT_EQ(status.exit_status, 0) << status.output();
  EXPECT_NE(status.out.find("\"active\":1"), std::string::npos) << status.out;
}

TEST(Cli, KeygenNeverOverwritesAKeyringFile) {
  TempDir dir;
  const auto file = dir / "keyring.toml";
  ASSERT_EQ(run_keyrelay({"keygen", "--keyring", file.string()}).exit_status, 0);
  const auto before = read_file_or_empty(file);
  auto again = run_keyrelay({"keygen", "--keyring", file.string()});
  EXPECT_EQ(again.exit_status, 1) << again.output();
  EXPECT_NE(again.err.find("exists"), std::string::npos) << again.output();
  EXPECT_EQ(read_file_or_empty(file), before);
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
