#include "vault/node_heartbeat.h"

#include <gtest/gtest.h>

#include "vault_fixture.h"

namespace keyrelay::test {
namespace {

using namespace std::chrono_literals;

class NodeHeartbeatTest : public VaultFixture {
 protected:
  std::vector<store::NodeRecord> live() {
    auto nodes = store_->live_nodes(clock_.now());
    EXPECT_TRUE(nodes) << nodes.error().message;
    return nodes ? *nodes : std::vector<store::NodeRecord>{};
  }

  vault::NodeIdentity identity{"node-0123456789ab", 812, "host-a"};
  vault::NodeHeartbeatOptions options{.interval = 1h, .timeout = 15s, .on_error = {}};
};

TEST_F(NodeHeartbeatTest, StartRecordsTheVersionsTheEnvelopeHoldsAtOnce) {
  vault::NodeHeartbeat heartbeat(*store_, *envelope_, clock_, identity, options);
  ASSERT_TRUE(heartbeat.start());
  auto nodes = live();
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].id, "node-0123456789ab");
  EXPECT_EQ(nodes[0].pid, 812);
  EXPECT_EQ(nodes[0].hostname, "host-a");
  EXPECT_EQ(nodes[0].loaded_versions, (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(nodes[0].active_version, 1u);
  EXPECT_EQ(nodes[0].heartbeat_at, clock_.now());
  EXPECT_EQ(nodes[0].live_until, clock_.now() + 15s);
}

TEST_F(NodeHeartbeatTest, ABeatAfterAKeyringLoadReportsTheNewVersions) {
  vault::NodeHeartbeat heartbeat(*store_, *envelope_, clock_, identity, options);
  ASSERT_TRUE(heartbeat.start());
  auto pending = keyring_->with_new_pending_version(clock_.now());
  ASSERT_TRUE(pending);
  envelope_->replace_keyring(std::make_shared<const crypto::Keyring>(std::move(*pending)));
  clock_.advance(3s);
  ASSERT_TRUE(heartbeat.beat());
  auto nodes = live();
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].loaded_versions, (std::vector<std::uint32_t>{1, 2})) << "a pending version counts as loaded";
  EXPECT_EQ(nodes[0].active_version, 1u);
  EXPECT_EQ(nodes[0].live_until, clock_.now() + 15s);
  clock_.advance(16s);
  EXPECT_TRUE(live().empty()) << "silent longer than the timeout: gone";
}

TEST_F(NodeHeartbeatTest, StopRemovesTheRow) {
  vault::NodeHeartbeat heartbeat(*store_, *envelope_, clock_, identity, options);
  ASSERT_TRUE(heartbeat.start());
  ASSERT_EQ(live().size(), 1u);
  heartbeat.stop();
  EXPECT_TRUE(live().empty());
  ASSERT_TRUE(heartbeat.beat()) << "a late beat after stop() is ignored";
  EXPECT_TRUE(live().empty());
}

}  // namespace
}  // namespace keyrelay::test
