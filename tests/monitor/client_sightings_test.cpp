#include <gtest/gtest.h>

#include "monitor/client_sightings.h"

namespace keyrelay::monitor {
namespace {

TEST(ClientSightings, TheFirstClientIsTheBaselineAndAnotherIsNews) {
  ClientSightings sightings;
  EXPECT_FALSE(sightings.is_new("alice", "10.0.0.1", "app/1.0"));
  EXPECT_FALSE(sightings.is_new("alice", "10.0.0.1", "app/1.0"));
  EXPECT_TRUE(sightings.is_new("alice", "203.0.113.9", "app/1.0")) << "new address";
  EXPECT_TRUE(sightings.is_new("alice", "10.0.0.1", "curl/8.0")) << "new user agent";
  EXPECT_FALSE(sightings.is_new("alice", "203.0.113.9", "app/1.0")) << "known now";
  EXPECT_FALSE(sightings.is_new("bob", "203.0.113.9", "app/1.0")) << "bob's own baseline";
}

TEST(ClientSightings, StaysBoundedPerUser) {
  ClientSightings sightings(3);
  sightings.is_new("alice", "a", "");
  EXPECT_TRUE(sightings.is_new("alice", "b", ""));
  EXPECT_TRUE(sightings.is_new("alice", "c", ""));
  EXPECT_FALSE(sightings.is_new("alice", "d", "")) << "over the bound: forgotten and relearned quietly";
  EXPECT_FALSE(sightings.is_new("alice", "d", ""));
}

}  // namespace
}  // namespace keyrelay::monitor
