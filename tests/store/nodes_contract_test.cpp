// Contract: the servers sharing a store (nodes: heartbeats, liveness, clean removal) and the one
// transaction a master-key change is decided and audited in.

#include "store/store.h"

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

using std::chrono::seconds;

class NodesContract : public StoreContract {
 protected:
  static NodeRecord make_node(std::string id, TimePoint heartbeat, std::vector<std::uint32_t> loaded,
                              std::uint32_t active) {
    NodeRecord node;
    node.id = std::move(id);
    node.pid = 4242;
    node.hostname = "host-a";
    node.started_at = at(0);
    node.heartbeat_at = heartbeat;
    node.live_until = heartbeat + seconds(15);
    node.loaded_versions = std::move(loaded);
    node.active_version = active;
    return node;
  }

  std::vector<NodeRecord> live_at(TimePoint now) {
    auto nodes = store_->live_nodes(now);
    EXPECT_TRUE(nodes) << nodes.error().message;
    return nodes ? *nodes : std::vector<NodeRecord>{};
  }

  KeyRecord add_key_on(const UserRecord& owner, std::string_view name, std::uint32_t master_version) {
    auto key = make_key(owner, "openai", name);
    key.master_version = master_version;
    EXPECT_TRUE(store_->insert_key(key, make_event("key.created")));
    return key;
  }
};
KEYRELAY_STORE_CONTRACT(NodesContract);

TEST_P(NodesContract, ARecordedNodeReadsBackWithEveryField) {
  const auto node = make_node("node-aaaaaaaaaaaa", at(100), {1, 2}, 2);
  ASSERT_TRUE(store_->record_node(node, at(0)));
  const auto live = live_at(at(100));
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].id, node.id);
  EXPECT_EQ(live[0].pid, 4242);
  EXPECT_EQ(live[0].hostname, "host-a");
  EXPECT_EQ(live[0].started_at, at(0));
  EXPECT_EQ(live[0].heartbeat_at, at(100));
  EXPECT_EQ(live[0].live_until, at(115));
  EXPECT_EQ(live[0].loaded_versions, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(live[0].active_version, 2u);
}

TEST_P(NodesContract, ANewHeartbeatReplacesTheRow) {
  ASSERT_TRUE(store_->record_node(make_node("node-a", at(100), {1}, 1), at(0)));
  ASSERT_TRUE(store_->record_node(make_node("node-a", at(105), {1, 2}, 1), at(0)));
  const auto live = live_at(at(105));
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].heartbeat_at, at(105));
  EXPECT_EQ(live[0].loaded_versions, (std::vector<std::uint32_t>{1, 2}));
}

TEST_P(NodesContract, OnlyNodesWithinTheirLiveWindowAreLiveOrderedById) {
  ASSERT_TRUE(store_->record_node(make_node("node-c", at(100), {1}, 1), at(0)));
  ASSERT_TRUE(store_->record_node(make_node("node-a", at(110), {1}, 1), at(0)));
  ASSERT_TRUE(store_->record_node(make_node("node-b", at(80), {1}, 1), at(0)));  // live until 95
  auto live = live_at(at(100));
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[0].id, "node-a");
  EXPECT_EQ(live[1].id, "node-c");
  EXPECT_EQ(live_at(at(115)).size(), 2u) << "live_until itself is still live";
  EXPECT_EQ(live_at(at(116)).size(), 1u);
  EXPECT_TRUE(live_at(at(200)).empty());
}

TEST_P(NodesContract, RecordingForgetsRowsOfNodesGoneBeforeTheCutoff) {
  ASSERT_TRUE(store_->record_node(make_node("node-old", at(0), {1}, 1), at(0)));  // live until 15
  ASSERT_TRUE(store_->record_node(make_node("node-new", at(100), {1}, 1), at(16)));
  auto conn_view = open_again();  // another process sees the same rows
  auto all = conn_view->live_nodes(at(0));
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].id, "node-new");
}

TEST_P(NodesContract, RemoveNodeDeletesItsRowAndAnUnknownIdIsNoError) {
  ASSERT_TRUE(store_->record_node(make_node("node-a", at(100), {1}, 1), at(0)));
  ASSERT_TRUE(store_->record_node(make_node("node-b", at(100), {1}, 1), at(0)));
  ASSERT_TRUE(store_->remove_node("node-a"));
  ASSERT_TRUE(store_->remove_node("node-unknown"));
  const auto live = live_at(at(100));
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].id, "node-b");
}

TEST_P(NodesContract, HeartbeatsDoNotMoveTheGeneration) {
  const auto before = generation();
  ASSERT_TRUE(store_->record_node(make_node("node-a", at(100), {1}, 1), at(0)));
  ASSERT_TRUE(store_->remove_node("node-a"));
  EXPECT_EQ(generation(), before) << "every server would drop its caches at every heartbeat";
}

TEST_P(NodesContract, AMasterKeyChangeIsDecidedOnTheFactsAndAuditedInItsTransaction) {
  auto alice = add_user("alice");
  add_key_on(alice, "a", 1);
  add_key_on(alice, "b", 2);
  add_key_on(alice, "c", 2);
  ASSERT_TRUE(store_->record_node(make_node("node-a", at(100), {1, 2}, 2), at(0)));
  ASSERT_TRUE(store_->record_node(make_node("node-gone", at(10), {1}, 1), at(0)));

  MasterKeyFacts seen;
  auto recorded = store_->record_master_key_change(at(100), [&](const MasterKeyFacts& facts) -> core::Result<AuditEvent> {
    seen = facts;
    return make_event("master_key.retired");
  });
  ASSERT_TRUE(recorded) << recorded.error().message;
  ASSERT_EQ(seen.live_nodes.size(), 1u);
  EXPECT_EQ(seen.live_nodes[0].id, "node-a");
  EXPECT_EQ(seen.key_rows, (std::map<std::uint32_t, std::int64_t>{{1, 1}, {2, 2}}));
  EXPECT_EQ(chain_events().back().action, "master_key.retired");
}

TEST_P(NodesContract, ARefusedMasterKeyChangeWritesNothing) {
  auto alice = add_user("alice");
  add_key_on(alice, "a", 1);
  ASSERT_TRUE(store_->record_node(make_node("node-a", at(100), {1}, 1), at(0)));
  const auto before = snapshot(*store_);
  auto refused = store_->record_master_key_change(at(100), [](const MasterKeyFacts&) -> core::Result<AuditEvent> {
    return core::Error::conflict("1 keys still use master key version 1");
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::Errc::conflict);
  EXPECT_EQ(refused.error().message, "1 keys still use master key version 1");
  EXPECT_EQ(snapshot(*store_), before);
}

}  // namespace
}  // namespace keyrelay::store::test
