// Master-key rotation waits on the running servers, not on a clock (issue 12, item 24): each server
// records in the `nodes` table the master versions it holds; `master-key rotate` goes on as soon as
// every live server has loaded the new version (and then seals with it), fails with a clear error
// that names a server which never does and changes nothing, and `master-key retire` refuses a
// version a live server still seals with. A server that stops cleanly removes its row.
// docs/decisions.md "Master keyring states and rotation"; ARCHITECTURE.md "Rotation without a
// failed request".

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <stop_token>
#include <string>
#include <thread>

#include "raw_database.h"
#include "rotation_support.h"
#include "support/deadline.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Servers that pick up a keyring change within a few hundred milliseconds.
Environment quick_servers() {
  return {{"KEYRELAY_KEYRING_RELOAD_INTERVAL", "100ms"},
          {"KEYRELAY_KEYRING_HEARTBEAT_INTERVAL", "250ms"},
          {"KEYRELAY_KEYRING_NODE_TIMEOUT", "10s"}};
}

std::string unix_ms(std::chrono::system_clock::time_point t) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A row in `nodes` that looks like a running server which never loads anything new: a thread keeps
// its heartbeat fresh until stop(), which also deletes the row.
class FakeLiveNode {
 public:
  FakeLiveNode(fs::path database, std::string id, std::string loaded_versions, int active_version)
      : database_(std::move(database)), id_(std::move(id)) {
    RawDatabase db(database_);
    const auto now = std::chrono::system_clock::now();
    db.exec(
        "INSERT INTO nodes (id, pid, hostname, started_at, heartbeat_at, live_until, loaded_versions, active_version) "
        "VALUES (?1, 4242, 'ghost-host', ?2, ?2, ?3, ?4, ?5)",
        {id_, unix_ms(now), unix_ms(now + 2s), loaded_versions, std::to_string(active_version)});
    refresher_ = std::jthread([this](std::stop_token stop) {
      RawDatabase db(database_);
      while (!stop.stop_requested()) {
        const auto now = std::chrono::system_clock::now();
        db.exec("UPDATE nodes SET heartbeat_at = ?2, live_until = ?3 WHERE id = ?1", {id_, unix_ms(now), unix_ms(now + 2s)});
        std::this_thread::sleep_for(200ms);
      }
    });
  }
  ~FakeLiveNode() { stop(); }

  void stop() {
    if (!refresher_.joinable()) return;
    refresher_.request_stop();
    refresher_.join();
    RawDatabase(database_).exec("DELETE FROM nodes WHERE id = ?1", {id_});
  }

 private:
  fs::path database_;
  std::string id_;
  std::jthread refresher_;
};

std::set<std::string> node_ids(const MasterKeyStatus& status) {
  std::set<std::string> ids;
  for (const auto& node : status.nodes) ids.insert(node.id);
  return ids;
}

// Waits until `master-key status` lists `count` live servers; returns the last status.
MasterKeyStatus wait_for_live_servers(const VaultServer& vault, std::size_t count) {
  MasterKeyStatus status;
  poll_until(deadline_in(20s), [&] {
    status = master_key_status(vault);
    return status.nodes.size() == count;
  }, 100ms);
  return status;
}

class RotationWithServers : public ::testing::Test {
 protected:
  VaultServer vault{VaultServer::Options{.env = quick_servers()}};
  Identity alice = vault.add_user("alice");
};

TEST_F(RotationWithServers, RotateGoesOnAsSoonAsBothServersOnTheDatabaseAcknowledged) {
  // A second server on the same SQLite file.
  KeyrelayServer::Options second_options;
  second_options.env = vault_server_env();
  for (const auto& [name, value] : quick_servers()) second_options.env[name] = value;
  second_options.env["KEYRELAY_DATA_DIR"] = vault.data_dir().string();
  std::optional<KeyrelayServer> second(std::in_place, second_options);
  for (int i = 0; i < 3; ++i) create_key(vault, alice, "openai", "k" + std::to_string(i), make_secret());

  const auto before = wait_for_live_servers(vault, 2);
  ASSERT_EQ(before.nodes.size(), 2u) << before.text;
  for (const auto& node : before.nodes) {
    EXPECT_EQ(node.loaded_versions, (std::vector<std::int64_t>{1})) << before.text;
    EXPECT_EQ(node.active_version, 1) << before.text;
    EXPECT_GT(node.pid, 0) << before.text;
  }

  const auto started = SteadyClock::now();
  auto rotation = rotate_master_key(vault, "60s");
  const auto took = SteadyClock::now() - started;
  ASSERT_EQ(rotation.command.exit_status, 0) << rotation.command.output() << "\n" << vault.logs() << second->logs();
  EXPECT_TRUE(is_rotate_report(rotation.report));
  EXPECT_EQ(rotation.report.at("to_version"), 2) << rotation.command.out;
  EXPECT_EQ(rotation.report.at("rewrapped"), 3) << rotation.command.out;
  EXPECT_EQ(rotation.acknowledged_by, node_ids(before)) << rotation.command.out;
  EXPECT_EQ(rotation.command.err.find("warning"), std::string::npos) << rotation.command.err;
  // Waiting on acknowledgements, not on a clock: the servers check the file every 100 ms, the
  // timeout is 60 s (the old fixed wait was 2 × 5 s).
  EXPECT_LT(took, 10s) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";

  // Rotate returned once both sealed with version 2.
  const auto after = master_key_status(vault);
  EXPECT_EQ(after.active, 2) << after.text;
  ASSERT_EQ(after.nodes.size(), 2u) << after.text;
  for (const auto& node : after.nodes) {
    EXPECT_EQ(node.loaded_versions, (std::vector<std::int64_t>{1, 2})) << after.text;
    EXPECT_EQ(node.active_version, 2) << after.text;
  }
  EXPECT_EQ(after.rows_on(2), 3) << after.text;
  // One master_key.rotated event, naming who acknowledged.
  const auto events = audit_events(vault, vault.admin(), "action=master_key.rotated");
  ASSERT_EQ(events.size(), 1u);
  const auto& acknowledged = events[0].at("details").as_object().at("acknowledged_by").as_array();
  EXPECT_EQ(acknowledged.size(), 2u);

  // A server that stops cleanly removes its row.
  ASSERT_EQ(second->stop(), 0) << second->logs();
  second.reset();
  EXPECT_EQ(master_key_status(vault).nodes.size(), 1u);
}

TEST_F(RotationWithServers, RotateTimesOutNamingAServerThatNeverLoadsTheNewVersionAndChangesNothing) {
  const auto key = create_key(vault, alice, "openai", "k", make_secret());
  ASSERT_EQ(wait_for_live_servers(vault, 1).nodes.size(), 1u);
  const fs::path keyring = vault.data_dir() / "keyring.toml";
  const std::string keyring_before = file_text(keyring);
  FakeLiveNode ghost(vault.database_file(), "node-feedfacecafe", "1", 1);

  auto rotation = rotate_master_key(vault, "2s");
  EXPECT_EQ(rotation.command.exit_status, 1) << rotation.command.output();
  EXPECT_TRUE(rotation.command.out.empty()) << rotation.command.out;
  auto error = json_of(rotation.command.err);
  ASSERT_TRUE(error.is_object()) << rotation.command.err;
  const std::string message = str(error.as_object().at("error").as_object(), "message");
  EXPECT_NE(message.find("timed out"), std::string::npos) << message;
  EXPECT_NE(message.find("master key version 2"), std::string::npos) << message;
  EXPECT_NE(message.find("node-feedfacecafe (ghost-host, pid 4242)"), std::string::npos) << message;
  EXPECT_NE(message.find("nothing was changed"), std::string::npos) << message;

  // Nothing changed: the keyring file as it was, no event, the key on version 1 and usable.
  EXPECT_EQ(file_text(keyring), keyring_before);
  const auto status = master_key_status(vault);
  EXPECT_EQ(status.active, 1) << status.text;
  ASSERT_EQ(status.versions.size(), 1u) << status.text;
  EXPECT_EQ(status.rows_on(1), 1) << status.text;
  EXPECT_TRUE(audit_events(vault, vault.admin(), "action=master_key.rotated").empty());
  EXPECT_EQ(str(get_key(vault, alice, "/api/v1/keys/" + str(key, "id")), "status"), "active");
  // The real server dropped the pending version again.
  EXPECT_TRUE(poll_until(deadline_in(10s), [&] {
    for (const auto& node : master_key_status(vault).nodes)
      if (node.id != "node-feedfacecafe" && node.loaded_versions == std::vector<std::int64_t>{1}) return true;
    return false;
  }, 100ms));

  // Once that server is gone, the rotation goes through.
  ghost.stop();
  auto retried = rotate_master_key(vault, "20s");
  ASSERT_EQ(retried.command.exit_status, 0) << retried.command.output() << "\n" << vault.logs();
  EXPECT_EQ(retried.report.at("to_version"), 2) << retried.command.out;
}

TEST_F(RotationWithServers, RetireRefusesAVersionALiveServerStillSealsWith) {
  create_key(vault, alice, "openai", "k", make_secret());
  auto rotation = rotate_master_key(vault, "60s");
  ASSERT_EQ(rotation.command.exit_status, 0) << rotation.command.output();
  ASSERT_EQ(master_key_status(vault).rows_on(1), 0);

  // A server that holds both versions but still seals with 1 (it missed the activation).
  FakeLiveNode lagging(vault.database_file(), "node-0ddba11c0de5", "1,2", 1);
  auto refused = vault.cli({"master-key", "retire", "1"});
  EXPECT_EQ(refused.exit_status, 1) << refused.output();
  EXPECT_NE(refused.err.find("still seal with master key version 1"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("node-0ddba11c0de5 (ghost-host, pid 4242)"), std::string::npos) << refused.err;
  EXPECT_FALSE(master_key_status(vault).at(1).retired);
  EXPECT_TRUE(audit_events(vault, vault.admin(), "action=master_key.retired").empty());

  lagging.stop();
  auto retired = vault.cli({"master-key", "retire", "1"});
  ASSERT_EQ(retired.exit_status, 0) << retired.output();
  EXPECT_TRUE(master_key_status(vault).at(1).retired);
  EXPECT_EQ(audit_events(vault, vault.admin(), "action=master_key.retired").size(), 1u);
}

}  // namespace
}  // namespace keyrelay::test
