// Master-key rotation across two nodes under load (issue 13 items 7 and 9 g): `keyrelay master-key
// rotate` runs while both nodes serve gateway calls and key creations; it waits until both nodes
// hold the new version, re-wraps every key, and not one request fails on either node.

#include <gtest/gtest.h>

#include <chrono>

#include "cluster_harness.h"
#include "cluster_load.h"
#include "rotation_support.h"
#include "support/deadline.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

using namespace std::chrono_literals;

class ClusterRotation : public ::testing::TestWithParam<Cluster::Engine> {
 protected:
  // The nodes re-read the keyring every 500 ms, so the rotation does not wait long for them.
  Cluster cluster{Cluster::Options{
      .nodes = 2, .engine = GetParam(), .redis = false, .env = {{"KEYRELAY_KEYRING_RELOAD_INTERVAL", "500ms"}}}};
};

TEST_P(ClusterRotation, RotatingTheMasterKeyWhileBothNodesServeFailsNoRequest) {
  auto& a = cluster.node(0);
  auto alice = a.add_user("alice");
  create_key(a, alice, "openai", "main", cluster_secret("openai", "valid"));
  for (int i = 0; i < 20; ++i)
    create_key(a, alice, "anthropic", "seed-" + std::to_string(i), cluster_secret("anthropic", "valid"));

  NodeLoad on_a(cluster.node(0).server().port(), alice, "a");
  NodeLoad on_b(cluster.node(1).server().port(), alice, "b");
  ASSERT_TRUE(poll_until(deadline_in(20s), [&] { return on_a.completed() >= 20 && on_b.completed() >= 20; }, 10ms));

  auto rotated = rotate_master_key(a);
  ASSERT_EQ(rotated.command.exit_status, 0) << rotated.command.output() << cluster.logs();
  EXPECT_TRUE(is_rotate_report(rotated.report));
  EXPECT_EQ(rotated.acknowledged_by.size(), 2u) << "both nodes acknowledged the new version: " << rotated.command.out;
  EXPECT_TRUE(rotated.failed.empty()) << rotated.command.out;

  const auto a_after = on_a.completed(), b_after = on_b.completed();
  ASSERT_TRUE(poll_until(deadline_in(20s), [&] { return on_a.completed() >= a_after + 20 && on_b.completed() >= b_after + 20; }, 10ms));
  on_a.stop();
  on_b.stop();
  EXPECT_TRUE(on_a.failures().empty()) << on_a.failures().size() << " failed on node A, first: " << on_a.failures().front();
  EXPECT_TRUE(on_b.failures().empty()) << on_b.failures().size() << " failed on node B, first: " << on_b.failures().front();

  auto status = master_key_status(a);
  EXPECT_EQ(status.active, 2) << status.text;
  EXPECT_EQ(status.nodes.size(), 2u) << status.text;
}

std::string engine_name(const ::testing::TestParamInfo<Cluster::Engine>& info) {
  return info.param == Cluster::Engine::postgres ? "postgres" : "sqlite";
}

INSTANTIATE_TEST_SUITE_P(Engines, ClusterRotation, ::testing::Values(Cluster::Engine::sqlite, Cluster::Engine::postgres), engine_name);

}  // namespace
}  // namespace keyrelay::test
