// Contract: the audit log — chain numbering and linking, batch appends, filters, chain readers.

#include "store/store.h"

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class AuditContract : public StoreContract {
 protected:
  std::vector<std::string> listed_ids(const AuditFilter& filter) {
    auto all = collect_pages<AuditEvent>(3, [&](const PageRequest& p) { return store_->list_audit(filter, p); });
    return ids(all);
  }
};
KEYRELAY_STORE_CONTRACT(AuditContract);

TEST_P(AuditContract, EachChainIsNumberedFromOneAndLinkedToItsPredecessor) {
  std::vector<AuditEvent> batch;
  for (int i = 0; i < 6; ++i) batch.push_back(make_event("key.used", i % 2 == 0 ? "a/use" : "b/use"));
  ASSERT_TRUE(store_->append_audit({batch.begin(), batch.begin() + 3}));
  ASSERT_TRUE(store_->append_audit({batch.begin() + 3, batch.end()}));

  for (const std::string chain : {"a/use", "b/use"}) {
    auto events = chain_events(chain);
    ASSERT_EQ(events.size(), 3u) << chain;
    core::Bytes prev;
    for (std::size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].seq, static_cast<std::int64_t>(i + 1));
      EXPECT_EQ(events[i].chain, chain);
      EXPECT_EQ(events[i].hash, TestSealer::chain_hash(prev, events[i].seq, events[i].id));
      prev = events[i].hash;
    }
  }
}

TEST_P(AuditContract, ManagementChangesAndStandaloneEventsShareOneSequence) {
  auto user = add_user("alice");                                 // seq 1
  ASSERT_TRUE(store_->append_audit({make_event("key.read")}));   // seq 2
  add_key(user, "openai", "x");                                  // seq 3
  auto events = chain_events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].action, "user.created");
  EXPECT_EQ(events[1].action, "key.read");
  EXPECT_EQ(events[2].action, "key.created");
  EXPECT_EQ(events[2].seq, 3);
}

TEST_P(AuditContract, EveryFieldRoundTrips) {
  auto event = make_event("key.decrypt_failed");
  event.outcome = Outcome::failure;
  event.actor_user_id = "user-1";
  event.actor_token_id = "token-1";
  event.actor_kind = ActorKind::token;
  event.on_behalf_of = "user-2";
  event.key_id = "key-1";
  event.key_owner_id = "user-2";
  event.provider = "openai";
  event.ip = "203.0.113.9";
  event.user_agent = "curl/8";
  event.request_id = "req-1";
  event.details_json = R"({"reason":"tag mismatch"})";
  sealer_.set_master_version(4);
  ASSERT_TRUE(store_->append_audit({event}));
  auto events = chain_events();
  ASSERT_EQ(events.size(), 1u);
  event.seq = 1;
  event.master_version = 4;
  event.hash = TestSealer::chain_hash({}, 1, event.id);
  EXPECT_EQ(text(events[0]), text(event));
  auto listed = store_->list_audit({}, PageRequest{});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(text(listed->items[0]), text(event));
}

TEST_P(AuditContract, EveryOutcomeAndActorKindRoundTrips) {
  std::vector<AuditEvent> batch;
  for (auto outcome : {Outcome::success, Outcome::failure, Outcome::denied})
    for (auto kind : {ActorKind::token, ActorKind::jwt, ActorKind::cli, ActorKind::system}) {
      auto event = make_event("auth.failed");
      event.outcome = outcome;
      event.actor_kind = kind;
      batch.push_back(event);
    }
  ASSERT_TRUE(store_->append_audit(batch));
  auto events = chain_events();
  ASSERT_EQ(events.size(), batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(events[i].outcome, batch[i].outcome);
    EXPECT_EQ(events[i].actor_kind, batch[i].actor_kind);
  }
}

TEST_P(AuditContract, BatchFailingAtAnyEventAppendsNothing) {
  add_user("alice");
  std::vector<AuditEvent> batch;
  for (int i = 0; i < 4; ++i) batch.push_back(make_event("key.used", i % 2 ? "n/use" : "node-1/mgmt"));
  const auto before = snapshot(*store_);
  for (int step = 0; step < static_cast<int>(batch.size()); ++step) {
    sealer_.fail_call(step);
    auto appended = store_->append_audit(batch);
    ASSERT_FALSE(appended) << "step " << step;
    EXPECT_EQ(snapshot(*store_), before) << "step " << step;
  }
  sealer_.heal();
  ASSERT_TRUE(store_->append_audit(batch));
  EXPECT_EQ(chain_events("n/use").size(), 2u);
  EXPECT_EQ(chain_events().size(), 3u);
}

TEST_P(AuditContract, DuplicateEventIdIsRefusedWhole) {
  auto event = make_event("key.read");
  ASSERT_TRUE(store_->append_audit({event}));
  const auto before = snapshot(*store_);
  auto again = store_->append_audit({make_event("key.read"), event});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::Errc::conflict);
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(AuditContract, ListIsNewestFirst) {
  auto old_event = make_event("key.read");
  auto new_event = make_event("key.read");
  auto middle = make_event("key.read");
  middle.time = at(-50);
  old_event.time = at(-100);
  ASSERT_TRUE(store_->append_audit({new_event, old_event, middle}));
  auto listed = store_->list_audit({}, PageRequest{});
  ASSERT_TRUE(listed);
  EXPECT_EQ(ids(listed->items), (std::vector<std::string>{new_event.id, middle.id, old_event.id}));
}

TEST_P(AuditContract, VisibleToMatchesActorOnBehalfOfOrKeyOwner) {
  auto as_actor = make_event("key.created");
  as_actor.actor_user_id = "u1";
  auto on_behalf = make_event("key.created");
  on_behalf.actor_user_id = "service";
  on_behalf.on_behalf_of = "u1";
  auto owner_of_key = make_event("key.used");
  owner_of_key.actor_user_id = "admin";
  owner_of_key.key_owner_id = "u1";
  auto unrelated = make_event("key.used");
  unrelated.actor_user_id = "u2";
  unrelated.key_owner_id = "u2";
  auto anonymous = make_event("auth.failed");
  auto own_key_used = make_event("key.used");  // actor and key owner alike: listed once
  own_key_used.actor_user_id = "u3";
  own_key_used.key_owner_id = "u3";
  auto owner_without_actor = make_event("key.used");  // a system use of u3's key
  owner_without_actor.key_owner_id = "u3";
  ASSERT_TRUE(
      store_->append_audit({as_actor, on_behalf, owner_of_key, unrelated, anonymous, own_key_used, owner_without_actor}));

  AuditFilter filter;
  filter.visible_to = "u1";
  EXPECT_EQ(listed_ids(filter), (std::vector<std::string>{owner_of_key.id, on_behalf.id, as_actor.id}));
  filter.visible_to = "u2";
  EXPECT_EQ(listed_ids(filter), std::vector<std::string>{unrelated.id});
  filter.visible_to = "u3";
  EXPECT_EQ(listed_ids(filter), (std::vector<std::string>{owner_without_actor.id, own_key_used.id}));
  filter.visible_to = "nobody";
  EXPECT_TRUE(listed_ids(filter).empty());
  EXPECT_EQ(listed_ids({}).size(), 7u);
}

TEST_P(AuditContract, FiltersByActionKeyAndInclusiveTimeRange) {
  std::vector<AuditEvent> events;
  for (int i = 0; i < 10; ++i) {
    auto event = make_event(i % 2 == 0 ? "key.used" : "key.read");
    event.time = at(100 + i);
    event.key_id = i < 5 ? "key-a" : "key-b";
    event.key_owner_id = "owner";
    events.push_back(event);
  }
  ASSERT_TRUE(store_->append_audit(events));
  auto expect = [&](const AuditFilter& filter, std::vector<int> indexes) {
    std::vector<std::string> expected;
    std::sort(indexes.rbegin(), indexes.rend());  // newest first
    for (int i : indexes) expected.push_back(events[static_cast<std::size_t>(i)].id);
    EXPECT_EQ(listed_ids(filter), expected);
  };

  AuditFilter by_action;
  by_action.action = "key.read";
  expect(by_action, {1, 3, 5, 7, 9});
  by_action.action = "key.used";  // not in the action index (migration 9): found all the same
  expect(by_action, {0, 2, 4, 6, 8});
  AuditFilter by_key;
  by_key.key_id = "key-b";
  expect(by_key, {5, 6, 7, 8, 9});
  AuditFilter range;
  range.from = at(102);
  range.to = at(104);
  expect(range, {2, 3, 4});
  AuditFilter from_only;
  from_only.from = at(108);
  expect(from_only, {8, 9});
  AuditFilter to_only;
  to_only.to = at(100);
  expect(to_only, {0});
  AuditFilter all_of_them;
  all_of_them.visible_to = "owner";
  all_of_them.action = "key.used";
  all_of_them.key_id = "key-a";
  all_of_them.from = at(101);
  all_of_them.to = at(109);
  expect(all_of_them, {2, 4});
}

TEST_P(AuditContract, ChainReadersListChainsAndEventsAfterASeq) {
  std::vector<AuditEvent> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(make_event("key.used", "z/use"));
  batch.push_back(make_event("key.read", "a/mgmt"));
  ASSERT_TRUE(store_->append_audit(batch));

  auto chains = store_->audit_chains();
  ASSERT_TRUE(chains);
  EXPECT_EQ(*chains, (std::vector<std::string>{"a/mgmt", "z/use"}));

  auto tail = store_->audit_chain_events("z/use", 2, 2);
  ASSERT_TRUE(tail);
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_EQ((*tail)[0].seq, 3);
  EXPECT_EQ((*tail)[1].seq, 4);
  auto rest = store_->audit_chain_events("z/use", 4, 100);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].id, batch[4].id);
  auto none = store_->audit_chain_events("no/chain", 0, 100);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(AuditContract, EmptyBatchIsANoOp) {
  const auto before = snapshot(*store_);
  EXPECT_TRUE(store_->append_audit({}));
  EXPECT_EQ(snapshot(*store_), before);
}

}  // namespace
}  // namespace keyrelay::store::test
