#include "vault/master_key_rules.h"

#include <gtest/gtest.h>

namespace keyrelay::vault {
namespace {

store::NodeRecord node(std::string id, std::vector<std::uint32_t> loaded, std::uint32_t active) {
  store::NodeRecord n;
  n.id = std::move(id);
  n.pid = 7;
  n.hostname = "host-a";
  n.loaded_versions = std::move(loaded);
  n.active_version = active;
  return n;
}

std::vector<std::string> ids(const std::vector<store::NodeRecord>& nodes) {
  std::vector<std::string> out;
  for (const auto& n : nodes) out.push_back(n.id);
  return out;
}

TEST(MasterKeyRules, ANodeThatHasNotLoadedTheNewVersionHoldsTheRotationBack) {
  const std::vector<store::NodeRecord> nodes{node("node-a", {1, 2}, 1), node("node-b", {1}, 1)};
  EXPECT_EQ(ids(nodes_without_version(nodes, 2)), std::vector<std::string>{"node-b"});
  EXPECT_TRUE(nodes_without_version(nodes, 1).empty());
  EXPECT_TRUE(nodes_without_version({}, 2).empty()) << "no server running: nothing to wait for";
}

TEST(MasterKeyRules, ANodeStillSealingWithTheOldVersionHoldsTheRewrapBack) {
  const std::vector<store::NodeRecord> nodes{node("node-a", {1, 2}, 2), node("node-b", {1, 2}, 1)};
  EXPECT_EQ(ids(nodes_not_sealing_with(nodes, 2)), std::vector<std::string>{"node-b"});
}

TEST(MasterKeyRules, AVersionThatKeysStillUseCannotBeRetired) {
  store::MasterKeyFacts facts;
  facts.key_rows = {{1, 3}, {2, 10}};
  auto refused = check_retirable(1, facts);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::Errc::conflict);
  EXPECT_NE(refused.error().message.find("3 keys still use master key version 1"), std::string::npos);
  facts.key_rows = {{1, 0}, {2, 13}};
  EXPECT_TRUE(check_retirable(1, facts));
}

TEST(MasterKeyRules, AVersionALiveNodeSealsWithOrHoldsAloneCannotBeRetired) {
  store::MasterKeyFacts facts;
  facts.key_rows = {{2, 5}};
  facts.live_nodes = {node("node-a", {1, 2}, 2), node("node-b", {1, 2}, 1)};
  auto sealing = check_retirable(1, facts);
  ASSERT_FALSE(sealing);
  EXPECT_EQ(sealing.error().code, core::Errc::conflict);
  EXPECT_NE(sealing.error().message.find("node-b (host-a, pid 7)"), std::string::npos) << sealing.error().message;
  EXPECT_EQ(sealing.error().message.find("node-a"), std::string::npos) << sealing.error().message;

  facts.live_nodes = {node("node-a", {1, 2}, 2), node("node-c", {1}, 2)};  // a malformed report, but alone on 1
  EXPECT_FALSE(check_retirable(1, facts));
  facts.live_nodes = {node("node-a", {1, 2}, 2), node("node-b", {1, 2, 3}, 2)};
  EXPECT_TRUE(check_retirable(1, facts));
}

TEST(MasterKeyRules, NodesAreDescribedByIdHostAndPid) {
  EXPECT_EQ(describe_nodes({node("node-a", {1}, 1), node("node-b", {1}, 1)}),
            "node-a (host-a, pid 7), node-b (host-a, pid 7)");
  EXPECT_EQ(describe_nodes({}), "");
}

}  // namespace
}  // namespace keyrelay::vault
