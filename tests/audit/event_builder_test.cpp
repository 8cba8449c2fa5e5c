#include "audit/event_builder.h"

#include <gtest/gtest.h>

#include <set>

#include "core/ids.h"

namespace keyrelay::audit {
namespace {

class FixedClock final : public core::Clock {
 public:
  explicit FixedClock(std::chrono::system_clock::time_point now) : now_(now) {}
  std::chrono::system_clock::time_point now() const override { return now_; }
  std::chrono::steady_clock::time_point steady_now() const override { return {}; }

 private:
  std::chrono::system_clock::time_point now_;
};

TEST(NewEvent, FillsIdTimeChainActionOutcomeAndActor) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::microseconds(1'700'000'000'123'456LL));
  FixedClock clock(now);
  Actor actor{"user-1", "token-1", store::ActorKind::token};
  const auto e = new_event(clock, "w1/mgmt", "key.created", store::Outcome::success, actor);
  EXPECT_TRUE(core::is_uuid(e.id));
  EXPECT_EQ(e.id[14], '7');  // a v7 id: sorts by time
  EXPECT_EQ(e.time, std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123LL)));
  EXPECT_EQ(e.chain, "w1/mgmt");
  EXPECT_EQ(e.action, "key.created");
  EXPECT_EQ(e.outcome, store::Outcome::success);
  EXPECT_EQ(e.actor_user_id, "user-1");
  EXPECT_EQ(e.actor_token_id, "token-1");
  EXPECT_EQ(e.actor_kind, store::ActorKind::token);
  EXPECT_FALSE(e.ip);
  EXPECT_EQ(e.details_json, "{}");
  EXPECT_EQ(e.seq, 0);
  EXPECT_TRUE(e.hash.empty());
}

TEST(NewEvent, ActorShortcuts) {
  FixedClock clock(std::chrono::system_clock::time_point{});
  const auto system = new_event(clock, "w/mgmt", "key.expired", store::Outcome::success, Actor::system());
  EXPECT_EQ(system.actor_kind, store::ActorKind::system);
  EXPECT_FALSE(system.actor_user_id);
  const auto cli = new_event(clock, "w/mgmt", "user.created", store::Outcome::success, Actor::cli("admin-id"));
  EXPECT_EQ(cli.actor_kind, store::ActorKind::cli);
  EXPECT_EQ(cli.actor_user_id, "admin-id");
  EXPECT_FALSE(cli.actor_token_id);
}

TEST(NewEvent, IdsAreUnique) {
  FixedClock clock(std::chrono::system_clock::now());
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    ids.insert(new_event(clock, "w/mgmt", "key.read", store::Outcome::success, Actor::system()).id);
  }
  EXPECT_EQ(ids.size(), 100u);
}

TEST(WriterId, IsTwelveHexCharactersAfterThePrefixAndADash) {
  const auto id = new_writer_id();
  ASSERT_EQ(id.size(), 12u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  const auto cli = new_writer_id("cli");
  ASSERT_EQ(cli.size(), 16u);
  EXPECT_EQ(cli.substr(0, 4), "cli-");
  EXPECT_EQ(cli.find_first_not_of("0123456789abcdef", 4), std::string::npos) << cli;
  EXPECT_NE(new_writer_id(), new_writer_id());
}

TEST(WriterId, NamesItsTwoChains) {
  EXPECT_EQ(mgmt_chain("a1b2"), "a1b2/mgmt");
  EXPECT_EQ(use_chain("a1b2"), "a1b2/use");
  EXPECT_EQ(chain_for("a1b2", "key.used"), "a1b2/use");
  EXPECT_EQ(chain_for("a1b2", "key.read"), "a1b2/mgmt");
  EXPECT_EQ(chain_for("a1b2", "auth.failed"), "a1b2/use") << "high volume and pruned, like key.used (issue 12)";
}

}  // namespace
}  // namespace keyrelay::audit
