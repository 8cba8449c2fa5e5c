// Two keyrelay nodes on one store, one of them killed with -9 in the middle of gateway and
// management traffic (issue 13 item 9 d): the other node keeps serving every request sent to it,
// and every write either node acknowledged before the kill is there afterwards.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cluster_harness.h"
#include "cluster_load.h"
#include "gateway_harness.h"
#include "support/deadline.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class ClusterFailover : public ::testing::TestWithParam<Cluster::Engine> {
 protected:
  Cluster cluster{Cluster::Options{.nodes = 2, .engine = GetParam(), .redis = false, .env = {}}};
};

TEST_P(ClusterFailover, ANodeKilledDuringLoadLosesNoAcknowledgedWriteAndTheOtherKeepsServing) {
  auto& a = cluster.node(0);
  auto& b = cluster.node(1);
  auto alice = a.add_user("alice");
  create_key(a, alice, "openai", "main", cluster_secret("openai", "valid"));
  ASSERT_TRUE(poll_until(deadline_in(5s), [&] {
    return b.call(alice, "POST", "/v1/chat/completions", json::serialize(Gateway::chat_body("gpt-4o-mini"))).status == 200;
  })) << "node B serves alice's key";

  NodeLoad on_a(a.server().port(), alice, "a");
  NodeLoad on_b(b.server().port(), alice, "b");
  ASSERT_TRUE(poll_until(deadline_in(20s), [&] { return on_a.completed() >= 30 && on_b.completed() >= 30; }, 10ms));
  cluster.kill_node(0);
  on_a.stop();
  const auto b_at_kill = on_b.completed();
  ASSERT_TRUE(poll_until(deadline_in(20s), [&] { return on_b.completed() >= b_at_kill + 30; }, 10ms))
      << "node B keeps serving after node A died";
  on_b.stop();

  EXPECT_TRUE(on_b.failures().empty()) << "node B failed " << on_b.failures().size() << " requests, first: "
                                       << on_b.failures().front();
  // Every key either node acknowledged is stored: node B lists them all.
  auto listed = list_all(b, alice, "/api/v1/keys?provider=anthropic&limit=100");
  std::set<std::string> stored;
  for (const auto& key : listed) stored.insert(str(key, "id"));
  auto acknowledged = on_a.acknowledged();
  const auto from_b = on_b.acknowledged();
  acknowledged.insert(acknowledged.end(), from_b.begin(), from_b.end());
  ASSERT_GT(on_a.acknowledged().size(), 0u) << "node A acknowledged writes before it died";
  for (const auto& id : acknowledged) EXPECT_TRUE(stored.contains(id)) << "acknowledged key " << id << " is lost";
}

std::string engine_name(const ::testing::TestParamInfo<Cluster::Engine>& info) {
  return info.param == Cluster::Engine::postgres ? "postgres" : "sqlite";
}

INSTANTIATE_TEST_SUITE_P(Engines, ClusterFailover, ::testing::Values(Cluster::Engine::sqlite, Cluster::Engine::postgres), engine_name);

}  // namespace
}  // namespace keyrelay::test
