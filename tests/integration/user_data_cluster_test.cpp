// A user's deletion on several nodes, on both engines: deleted through node A, the user's token is
// refused by node B within a second (PostgreSQL's change feed, or the shared SQLite file's
// generation poll), B no longer exports the user, and the audit chains still verify.

#include <gtest/gtest.h>

#include <chrono>

#include "api_json.h"
#include "cluster_harness.h"
#include "support/deadline.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

using namespace std::chrono_literals;

class UserDataCluster : public ::testing::TestWithParam<Cluster::Engine> {
 protected:
  Cluster cluster{Cluster::Options{.nodes = 2, .engine = GetParam(), .redis = false, .env = {}}};
};

TEST_P(UserDataCluster, ADeleteOnOneNodeRefusesTheUsersTokenOnTheOtherWithinASecond) {
  auto& a = cluster.node(0);
  auto& b = cluster.node(1);
  auto alice = a.add_user("alice");
  auto key = create_key(a, alice, "openai", "main", cluster_secret("openai", "valid"));
  ASSERT_EQ(b.call(alice, "GET", "/api/v1/keys").status, 200) << "node B caches the token";
  auto exported = b.call(alice, "GET", "/api/v1/me/export");
  ASSERT_EQ(exported.status, 200) << describe(exported);
  EXPECT_NE(exported.body.find(str(key, "id")), std::string::npos);

  auto deleted = a.call(a.admin(), "DELETE", "/api/v1/users/" + alice.user_id);
  ASSERT_EQ(deleted.status, 204) << describe(deleted);
  int status = 0;
  EXPECT_TRUE(poll_until(deadline_in(1000ms), [&] { return (status = b.call(alice, "GET", "/api/v1/keys").status) == 401; }))
      << "node B still answers " << status << " a second after the delete on A\n" << cluster.logs();
  EXPECT_TRUE(is_api_error(b.call(b.admin(), "GET", "/api/v1/users/" + alice.user_id + "/export"), 404, "not_found"));
  EXPECT_TRUE(is_api_error(b.call(b.admin(), "DELETE", "/api/v1/users/" + alice.user_id), 404, "not_found"));
  auto verify = a.cli({"audit", "verify"});
  EXPECT_EQ(verify.exit_status, 0) << verify.output();
}

std::string engine_name(const ::testing::TestParamInfo<Cluster::Engine>& info) {
  return info.param == Cluster::Engine::postgres ? "postgres" : "sqlite";
}

INSTANTIATE_TEST_SUITE_P(Engines, UserDataCluster, ::testing::Values(Cluster::Engine::sqlite, Cluster::Engine::postgres),
                         engine_name);

}  // namespace
}  // namespace keyrelay::test
