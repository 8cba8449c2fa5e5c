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

// A user's token acting on behalf of another user, with the request facts the API layer takes.
Actor acting_for(std::string effective_user) {
  Actor actor;
  actor.user_id = std::move(effective_user);
  actor.actor_user_id = "user-1";
  actor.token_id = "token-1";
  actor.kind = store::ActorKind::token;
  actor.is_admin = true;
  actor.ip = "192.0.2.7";
  actor.user_agent = "curl/8.5";
  actor.request_id = "req-1";
  return actor;
}

TEST(NewEvent, FillsIdTimeChainActionOutcomeActorAndRequestFacts) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::microseconds(1'700'000'000'123'456LL));
  FixedClock clock(now);
  const auto e = new_event(clock, "w1/mgmt", "key.created", store::Outcome::denied, acting_for("user-1"));
  EXPECT_TRUE(core::is_uuid(e.id));
  EXPECT_EQ(e.id[14], '7');  // a v7 id: sorts by time
  EXPECT_EQ(e.id.substr(0, 13), core::uuid_v7(e.time).substr(0, 13)) << "the id carries the event's millisecond";
  EXPECT_EQ(e.time, std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123LL)));
  EXPECT_EQ(e.chain, "w1/mgmt");
  EXPECT_EQ(e.action, "key.created");
  EXPECT_EQ(e.outcome, store::Outcome::denied);
  EXPECT_EQ(e.actor_user_id, "user-1");
  EXPECT_EQ(e.actor_token_id, "token-1");
  EXPECT_EQ(e.actor_kind, store::ActorKind::token);
  EXPECT_FALSE(e.on_behalf_of) << "acting for oneself is not on behalf";
  EXPECT_EQ(e.ip, "192.0.2.7");
  EXPECT_EQ(e.user_agent, "curl/8.5");
  EXPECT_EQ(e.request_id, "req-1");
  // What only the caller of new_event knows, and what the store and its sealer set.
  EXPECT_FALSE(e.key_id);
  EXPECT_FALSE(e.key_owner_id);
  EXPECT_FALSE(e.provider);
  EXPECT_EQ(e.details_json, "{}");
  EXPECT_EQ(e.seq, 0);
  EXPECT_EQ(e.master_version, 0u);
  EXPECT_TRUE(e.hash.empty());
}

TEST(NewEvent, NamesTheEffectiveUserWhenActingOnBehalf) {
  FixedClock clock(std::chrono::system_clock::time_point{});
  const Actor actor = acting_for("user-2");
  EXPECT_TRUE(actor.on_behalf());
  const auto e = new_event(clock, "w/mgmt", "key.read", store::Outcome::success, actor);
  EXPECT_EQ(e.actor_user_id, "user-1") << "who authenticated";
  EXPECT_EQ(e.on_behalf_of, "user-2") << "whose data it was";
}

TEST(NewEvent, TakesTheTimeItIsGiven) {
  // A use is booked after it happened: its event carries when it happened.
  const auto at = std::chrono::system_clock::time_point(std::chrono::microseconds(1'600'000'000'987'654LL));
  const auto e = new_event(at, "w/use", "key.used", store::Outcome::failure, acting_for("user-1"));
  EXPECT_EQ(e.time, std::chrono::system_clock::time_point(std::chrono::milliseconds(1'600'000'000'987LL)));
  EXPECT_EQ(e.id.substr(0, 13), core::uuid_v7(e.time).substr(0, 13));
  EXPECT_EQ(e.outcome, store::Outcome::failure);
  EXPECT_EQ(e.request_id, "req-1");
}

TEST(NewEvent, SystemActorNamesNobody) {
  FixedClock clock(std::chrono::system_clock::time_point{});
  const Actor actor = Actor::system();
  EXPECT_FALSE(actor.on_behalf());
  EXPECT_FALSE(actor.is_admin);
  const auto e = new_event(clock, "w/mgmt", "key.expired", store::Outcome::success, actor);
  EXPECT_EQ(e.actor_kind, store::ActorKind::system);
  EXPECT_FALSE(e.actor_user_id);
  EXPECT_FALSE(e.actor_token_id);
  EXPECT_FALSE(e.on_behalf_of);
  EXPECT_FALSE(e.ip);
  EXPECT_FALSE(e.user_agent);
  EXPECT_FALSE(e.request_id);
  EXPECT_EQ(Actor{}.kind, store::ActorKind::system) << "an actor nobody filled in claims no user";
}

TEST(NewEvent, CliActorIsTheOperatorOrTheUserItNames) {
  FixedClock clock(std::chrono::system_clock::time_point{});
  const auto anonymous = new_event(clock, "w/mgmt", "user.created", store::Outcome::success, Actor::cli());
  EXPECT_EQ(anonymous.actor_kind, store::ActorKind::cli);
  EXPECT_FALSE(anonymous.actor_user_id);
  EXPECT_FALSE(anonymous.on_behalf_of);

  const Actor admin = Actor::cli("admin-id");
  EXPECT_EQ(admin.user_id, "admin-id");
  EXPECT_FALSE(admin.on_behalf());
  const auto named = new_event(clock, "w/mgmt", "user.created", store::Outcome::success, admin);
  EXPECT_EQ(named.actor_kind, store::ActorKind::cli);
  EXPECT_EQ(named.actor_user_id, "admin-id");
  EXPECT_FALSE(named.actor_token_id);
  EXPECT_FALSE(named.on_behalf_of);
  EXPECT_FALSE(named.request_id);
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
