// The master-key commands at their edges: a single KEYRELAY_MASTER_KEY cannot be rotated or
// retired (a keyring file is needed), `master-key status --json` has the API.md shape (plus
// "state"), and a keyring file that group or others may read stops `serve` and every command that
// opens the vault with a message that says how to fix it.
// docs/decisions.md "Master keyring states and rotation"; API.md "Command line".

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "rotation_support.h"
#include "support/keyrelay_command.h"
#include "support/temp_dir.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace fs = std::filesystem;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// `keyrelay init --json` in a fresh data dir with `env` added; throws unless it exits 0.
void init_data_dir(const Environment& env) {
  auto init = run_keyrelay({"init", "--json"}, env);
  if (init.exit_status != 0)
    throw std::runtime_error("init exited " + std::to_string(init.exit_status) + ":\n" + init.output());
}

class RotationWithASingleMasterKey : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keygen = run_keyrelay({"keygen"});
    ASSERT_EQ(keygen.exit_status, 0) << keygen.output();
    env = {{"KEYRELAY_DATA_DIR", (root / "data").string()}, {"KEYRELAY_MASTER_KEY", trimmed(keygen.out)}};
    init_data_dir(env);
  }

  TempDir root;
  Environment env;
};

TEST_F(RotationWithASingleMasterKey, InitWritesNoKeyringFile) {
  EXPECT_FALSE(fs::exists(root / "data" / "keyring.toml"));
}

TEST_F(RotationWithASingleMasterKey, RotateExitsOneSayingAKeyringFileIsNeeded) {
  auto rotate = run_keyrelay({"master-key", "rotate", "--wait", "0s"}, env);
  EXPECT_EQ(rotate.exit_status, 1) << rotate.output();
  EXPECT_NE(rotate.err.find("keyring file"), std::string::npos) << rotate.output();
  EXPECT_NE(rotate.err.find("KEYRELAY_KEYRING_FILE"), std::string::npos) << rotate.output();
  // Nothing changed.
  const auto status = master_key_status(env);
  EXPECT_EQ(status.active, 1) << status.text;
  EXPECT_EQ(status.versions.size(), 1u) << status.text;
  EXPECT_FALSE(fs::exists(root / "data" / "keyring.toml"));
}

TEST_F(RotationWithASingleMasterKey, RotateWithJsonPrintsTheErrorAsApiErrorJsonOnStderr) {
  auto rotate = run_keyrelay({"master-key", "rotate", "--wait", "0s", "--json"}, env);
  EXPECT_EQ(rotate.exit_status, 1) << rotate.output();
  EXPECT_TRUE(rotate.out.empty()) << rotate.output();
  auto error = json_of(rotate.err);
  ASSERT_TRUE(error.is_object()) << rotate.output();
  const auto& body = error.as_object().at("error").as_object();
  EXPECT_FALSE(str(body, "code").empty()) << rotate.err;
  EXPECT_NE(str(body, "message").find("keyring file"), std::string::npos) << rotate.err;
}

TEST_F(RotationWithASingleMasterKey, RetireExitsOneSayingAKeyringFileIsNeeded) {
  auto retire = run_keyrelay({"master-key", "retire", "1"}, env);
  EXPECT_EQ(retire.exit_status, 1) << retire.output();
  EXPECT_NE(retire.err.find("keyring file"), std::string::npos) << retire.output();
}

TEST_F(RotationWithASingleMasterKey, StatusShowsOneActiveVersion) {
  const auto status = master_key_status(env);  // checks the shape
  EXPECT_EQ(status.active, 1) << status.text;
  ASSERT_EQ(status.versions.size(), 1u) << status.text;
  EXPECT_EQ(status.versions[0].version, 1);
  EXPECT_EQ(status.versions[0].state, "active");
  EXPECT_EQ(status.versions[0].rows, 0);
  EXPECT_FALSE(status.versions[0].retired);
}

TEST(RotationCommands, StatusJsonHasTheApiShapeAndCountsKeysPerVersion) {
  VaultServer vault;
  auto alice = vault.add_user("alice");
  for (int i = 0; i < 3; ++i) create_key(vault, alice, "openai", "k" + std::to_string(i), make_secret());

  auto result = vault.cli({"master-key", "status", "--json"});
  ASSERT_EQ(result.exit_status, 0) << result.output();
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << "one line of JSON: " << result.out;
  EXPECT_EQ(result.out.find("key\""), std::string::npos) << "no key material: " << result.out;

  const auto status = master_key_status(vault);  // exactly {"active","versions":[{"version","state","rows","retired"}]}
  EXPECT_EQ(status.active, 1) << status.text;
  ASSERT_EQ(status.versions.size(), 1u) << status.text;
  EXPECT_EQ(status.versions[0].version, 1);
  EXPECT_EQ(status.versions[0].state, "active");
  EXPECT_EQ(status.versions[0].rows, 3);
  EXPECT_FALSE(status.versions[0].retired);

  // Without --json: one line per version, naming the sealing one.
  auto text = vault.cli({"master-key", "status"});
  ASSERT_EQ(text.exit_status, 0) << text.output();
  EXPECT_NE(text.out.find("version 1 (sealing): active, 3 keys"), std::string::npos) << text.out;
}

TEST(RotationCommands, RetiringAVersionTheKeyringDoesNotHaveExitsOne) {
  TempDir root;
  const Environment env = {{"KEYRELAY_DATA_DIR", (root / "data").string()}};
  init_data_dir(env);
  auto retire = run_keyrelay({"master-key", "retire", "7"}, env);
  EXPECT_EQ(retire.exit_status, 1) << retire.output();
  EXPECT_NE(retire.err.find("7"), std::string::npos) << retire.output();
  EXPECT_EQ(master_key_status(env).versions.size(), 1u);
}

// Everything that opens the vault (the keyring is read before anything else).
const std::vector<std::vector<std::string>> kVaultCommands = {
    {"init", "--if-needed"},
    {"migrate"},
    {"user", "add", "carol"},
    {"user", "list"},
    {"token", "issue", "--user", "admin"},
    {"audit", "verify"},
    {"master-key", "status"},
    {"master-key", "status", "--json"},
    {"master-key", "rotate", "--wait", "0s"},
    {"master-key", "retire", "1"},
};

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

// A keyring file of `mode` for a data dir, either the default one inside it or one named by
// KEYRELAY_KEYRING_FILE outside it.
struct ModeCase {
  fs::perms mode;
  bool outside_data_dir;
};
void PrintTo(const ModeCase& c, std::ostream* os) {
  *os << std::oct << static_cast<unsigned>(c.mode) << std::dec << (c.outside_data_dir ? " via KEYRELAY_KEYRING_FILE" : " in the data dir");
}

class KeyringFileMode : public ::testing::TestWithParam<ModeCase> {
 protected:
  void SetUp() override {
    env = {{"KEYRELAY_DATA_DIR", (root / "data").string()}};
    init_data_dir(env);
    keyring = root / "data" / "keyring.toml";
    if (GetParam().outside_data_dir) {
      const fs::path moved = keyring_dir / "master.toml";
      fs::rename(keyring, moved);
      keyring = moved;
      env["KEYRELAY_KEYRING_FILE"] = keyring.string();
    }
    // With mode 0600 the vault opens (so what fails below fails for the mode alone).
    auto status = run_keyrelay({"master-key", "status"}, env);
    ASSERT_EQ(status.exit_status, 0) << status.output();
    fs::permissions(keyring, GetParam().mode, fs::perm_options::replace);
  }

  TempDir root;
  TempDir keyring_dir;
  Environment env;
  fs::path keyring;
};

TEST_P(KeyringFileMode, ServeExitsOneAskingForChmod600) {
  auto serve_env = env;
  serve_env["KEYRELAY_LISTEN"] = "127.0.0.1:0";
  auto serve = run_keyrelay({"serve"}, serve_env);
  EXPECT_EQ(serve.exit_status, 1) << serve.output();
  EXPECT_NE(serve.output().find("chmod 600"), std::string::npos) << serve.output();
  EXPECT_NE(serve.output().find(keyring.string()), std::string::npos) << serve.output();
}

TEST_P(KeyringFileMode, EveryCommandExitsOneAskingForChmod600AndChangesNothing) {
  for (const auto& args : kVaultCommands) {
    auto result = run_keyrelay(args, env);
    EXPECT_EQ(result.exit_status, 1) << joined(args) << ":\n" << result.output();
    EXPECT_NE(result.err.find("chmod 600"), std::string::npos) << joined(args) << ":\n" << result.output();
  }
  // The file was left as it was; once fixed, the vault opens and nothing was added.
  EXPECT_EQ(fs::status(keyring).permissions() & fs::perms::all, GetParam().mode);
  fs::permissions(keyring, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  const auto status = master_key_status(env);
  EXPECT_EQ(status.active, 1) << status.text;
  EXPECT_EQ(status.versions.size(), 1u) << status.text;
  auto users = run_keyrelay({"user", "list"}, env);
  EXPECT_EQ(users.exit_status, 0) << users.output();
  EXPECT_EQ(users.out.find("carol"), std::string::npos) << users.out;
}

constexpr auto k0644 = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
constexpr auto k0640 = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read;

INSTANTIATE_TEST_SUITE_P(RotationCommands, KeyringFileMode,
                         ::testing::Values(ModeCase{k0644, false}, ModeCase{k0644, true}, ModeCase{k0640, false}),
                         [](const ::testing::TestParamInfo<ModeCase>& info) {
                           std::string name = info.param.mode == k0644 ? "Mode0644" : "Mode0640";
                           return name + (info.param.outside_data_dir ? "ViaKeyringFileVariable" : "InDataDir");
                         });

}  // namespace
}  // namespace keyrelay::test
