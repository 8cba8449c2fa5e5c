// Contract: the store generation moves on every change other processes must see (users, tokens,
// keys, rewraps, alerts), never on reads or usage bookkeeping, and never for a change that failed.

#include "store/store.h"

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class GenerationContract : public StoreContract {
 protected:
  // Asserts that `change` succeeds and moves the generation forward.
  template <class Change>
  void expect_moves(const char* what, Change change) {
    const auto before = generation();
    auto result = change();
    ASSERT_TRUE(result) << what << ": " << result.error().message;
    EXPECT_GT(generation(), before) << what;
  }
};
KEYRELAY_STORE_CONTRACT(GenerationContract);

TEST_P(GenerationContract, EveryChangeMovesIt) {
  auto alice = make_user("alice");
  expect_moves("create_user", [&] { return store_->create_user(alice, make_event("user.created")); });
  auto token = make_token(alice);
  expect_moves("create_token", [&] { return store_->create_token(token, make_event("token.issued")); });
  expect_moves("revoke_token",
               [&] { return store_->revoke_token(token.id, std::nullopt, at(10), make_event("token.revoked")); });
  auto key = make_key(alice, "openai", "x");
  expect_moves("insert_key", [&] { return store_->insert_key(key, make_event("key.created")); });
  expect_moves("update_key", [&] {
    return store_->update_key(alice.id, key.id, [&](KeyRecord& k) -> core::Result<AuditEvent> {
      k.enabled = false;
      return make_event("key.updated");
    });
  });
  expect_moves("rewrap_keys", [&] {
    return store_->rewrap_keys({{key.id, 1, key.version, 2, core::Bytes(60, 1), core::Bytes(32, 2)}});
  });
  expect_moves("delete_key", [&] { return store_->delete_key(alice.id, key.id, make_event("key.deleted")); });
  auto alert = make_alert(alice, "key.invalid");
  expect_moves("raise_alert (new)", [&] { return store_->raise_alert(alert, make_event("alert.raised")); });
  expect_moves("raise_alert (coalesced)",
               [&] { return store_->raise_alert(make_alert(alice, "key.invalid"), make_event("alert.raised")); });
  expect_moves("resolve_alert",
               [&] { return store_->resolve_alert(alert.id, alice.id, at(20), make_event("alert.resolved")); });
}

TEST_P(GenerationContract, ReadsDoNotMoveIt) {
  auto alice = add_user("alice");
  auto token = add_token(alice);
  auto key = add_key(alice, "openai", "x");
  const auto before = generation();
  KeyFilter filter;
  filter.owner_id = alice.id;
  EXPECT_TRUE(store_->ping());
  EXPECT_TRUE(store_->schema_version());
  EXPECT_TRUE(store_->is_empty());
  EXPECT_TRUE(store_->find_user(alice.id));
  EXPECT_TRUE(store_->find_user_by_name("alice"));
  EXPECT_FALSE(store_->find_user_by_external_id("x"));
  EXPECT_TRUE(store_->list_users(PageRequest{}));
  EXPECT_TRUE(store_->find_token(token.id));
  EXPECT_TRUE(store_->find_token_by_hash(token.hash));
  EXPECT_TRUE(store_->list_tokens(std::nullopt, PageRequest{}));
  EXPECT_TRUE(store_->get_key(alice.id, key.id));
  EXPECT_TRUE(store_->list_keys(filter, PageRequest{}));
  EXPECT_TRUE(store_->keys_of_owner(alice.id));
  EXPECT_TRUE(store_->keys_not_on_version(2, 10));
  EXPECT_TRUE(store_->rows_by_master_version());
  EXPECT_TRUE(store_->list_audit({}, PageRequest{}));
  EXPECT_TRUE(store_->audit_chains());
  EXPECT_TRUE(store_->audit_chain_events("node-1/mgmt", 0, 10));
  EXPECT_TRUE(store_->usage({alice.id, "2026-01-01", "2026-01-31", true, true, true}));
  EXPECT_TRUE(store_->list_alerts({}, PageRequest{}));
  EXPECT_EQ(generation(), before);
}

// The hot path appends key.used events, records token use and books usage all the time; none of it
// changes what the key and token caches rely on, so none of it may empty every node's caches.
TEST_P(GenerationContract, AuditAppendsTokenTouchesAndUsageDoNotMoveIt) {
  auto alice = add_user("alice");
  auto token = add_token(alice);
  auto key = add_key(alice, "openai", "x");
  const auto before = generation();
  ASSERT_TRUE(store_->append_audit({make_event("key.used", "node-1/use")}));
  ASSERT_TRUE(store_->touch_tokens({{token.id, at(99)}}));
  ASSERT_TRUE(store_->add_usage({make_usage(key, at(99), 3)}));
  EXPECT_EQ(generation(), before);
}

TEST_P(GenerationContract, FailedChangesDoNotMoveIt) {
  auto alice = add_user("alice");
  auto key = add_key(alice, "openai", "x");
  const auto before = generation();
  EXPECT_FALSE(store_->create_user(make_user("alice"), make_event("user.created")));
  EXPECT_FALSE(store_->insert_key(make_key(alice, "openai", "x"), make_event("key.created")));
  EXPECT_FALSE(store_->delete_key("someone-else", key.id, make_event("key.deleted")));
  EXPECT_FALSE(store_->update_key(alice.id, key.id, [](KeyRecord&) -> core::Result<AuditEvent> {
    return core::Error::invalid_request("no");
  }));
  EXPECT_FALSE(store_->resolve_alert("no-such-alert", std::nullopt, at(5), make_event("alert.resolved")));
  auto moved = store_->rewrap_keys({{key.id, 5, key.version, 6, core::Bytes(60, 1), core::Bytes(32, 2)}});
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, 0u);
  EXPECT_EQ(generation(), before);
}

TEST_P(GenerationContract, IsVisibleToAnotherInstanceOnTheSameDatabase) {
  auto other = open_again();
  ASSERT_TRUE(other);
  auto seen = other->generation();
  ASSERT_TRUE(seen);
  auto user = add_user("alice");
  auto now_seen = other->generation();
  ASSERT_TRUE(now_seen);
  EXPECT_GT(*now_seen, *seen);
  auto found = other->find_user(user.id);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(text(*found), text(user));
}

}  // namespace
}  // namespace keyrelay::store::test
