// Contract: a change whose audit event cannot be sealed does not happen. Each management call is
// run with the sealer failing at every step (every seal call it makes, in turn); after each failure
// the whole store — rows, chains, generation — must be exactly as before. Then it runs unhindered.

#include "store/store.h"

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class AtomicityContract : public StoreContract {
 protected:
  void SetUp() override {
    StoreContract::SetUp();
    if (HasFatalFailure()) return;
    alice_ = add_user("alice");
    bob_ = add_user("bob");
    key_ = add_key(alice_, "openai", "work");
    token_ = add_token(alice_);
  }

  // Runs `call` with the sealer failing at seal call 0, 1, ... until it succeeds; every failed
  // attempt must leave the store unchanged. Returns how many attempts failed.
  template <class Call>
  int fail_at_every_step(Call call) {
    const auto before = snapshot(*store_);
    for (int step = 0; step < 50; ++step) {
      sealer_.fail_call(step);
      const int calls_before = sealer_.calls();
      auto result = call();
      const bool sealer_failed = sealer_.calls() > calls_before + step;
      sealer_.heal();
      if (result) {
        EXPECT_FALSE(sealer_failed) << "succeeded although the sealer failed at step " << step;
        EXPECT_NE(snapshot(*store_), before) << "the call succeeded but changed nothing";
        return step;
      }
      EXPECT_TRUE(sealer_failed) << "failed without an injected fault: " << result.error().message;
      EXPECT_EQ(result.error().message, "injected sealer failure") << "the sealer's error is returned";
      EXPECT_EQ(snapshot(*store_), before) << "step " << step << " left a trace";
    }
    ADD_FAILURE() << "never succeeded";
    return -1;
  }

  UserRecord alice_, bob_;
  KeyRecord key_;
  TokenRecord token_;
};
KEYRELAY_STORE_CONTRACT(AtomicityContract);

TEST_P(AtomicityContract, CreateUser) {
  auto user = make_user("carol");
  EXPECT_EQ(fail_at_every_step([&] { return store_->create_user(user, make_event("user.created")); }), 1);
  EXPECT_TRUE(store_->find_user(user.id));
}

TEST_P(AtomicityContract, CreateToken) {
  auto token = make_token(bob_);
  EXPECT_EQ(fail_at_every_step([&] { return store_->create_token(token, make_event("token.issued")); }), 1);
  EXPECT_TRUE(store_->find_token(token.id));
}

TEST_P(AtomicityContract, RevokeToken) {
  EXPECT_EQ(fail_at_every_step([&] {
              return store_->revoke_token(token_.id, alice_.id, at(1000), make_event("token.revoked"));
            }),
            1);
  auto token = store_->find_token(token_.id);
  ASSERT_TRUE(token);
  EXPECT_TRUE(token->revoked_at);
}

TEST_P(AtomicityContract, InsertKey) {
  auto key = make_key(bob_, "anthropic", "mine");
  EXPECT_EQ(fail_at_every_step([&] { return store_->insert_key(key, make_event("key.created")); }), 1);
  EXPECT_TRUE(store_->get_key(bob_.id, key.id));
}

TEST_P(AtomicityContract, UpdateKey) {
  EXPECT_EQ(fail_at_every_step([&] {
              return store_->update_key(alice_.id, key_.id, [&](KeyRecord& k) -> core::Result<AuditEvent> {
                k.name = "renamed";
                k.sealed_secret = core::Bytes(64, 0x77);
                return make_event("key.rotated");
              });
            }),
            1);
  auto key = store_->get_key(alice_.id, key_.id);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->name, "renamed");
}

TEST_P(AtomicityContract, DeleteKey) {
  EXPECT_EQ(fail_at_every_step([&] { return store_->delete_key(alice_.id, key_.id, make_event("key.deleted")); }),
            1);
  EXPECT_FALSE(store_->get_key(alice_.id, key_.id));
}

TEST_P(AtomicityContract, RaiseNewAlert) {
  auto alert = make_alert(alice_, "key.invalid", &key_);
  EXPECT_EQ(fail_at_every_step([&] { return store_->raise_alert(alert, make_event("alert.raised")); }), 1);
  auto listed = store_->list_alerts({}, PageRequest{});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].count, 1);
}

TEST_P(AtomicityContract, RaiseCoalescedAlert) {
  ASSERT_TRUE(store_->raise_alert(make_alert(alice_, "key.invalid", &key_), make_event("alert.raised")));
  auto repeat = make_alert(alice_, "key.invalid", &key_);
  repeat.severity = AlertSeverity::critical;
  EXPECT_EQ(fail_at_every_step([&] { return store_->raise_alert(repeat, make_event("alert.raised")); }), 1);
  auto listed = store_->list_alerts({}, PageRequest{});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].count, 2);
  EXPECT_EQ(listed->items[0].severity, AlertSeverity::critical);
}

TEST_P(AtomicityContract, ResolveAlert) {
  auto alert = make_alert(alice_, "key.invalid");
  ASSERT_TRUE(store_->raise_alert(alert, make_event("alert.raised")));
  EXPECT_EQ(fail_at_every_step([&] {
              return store_->resolve_alert(alert.id, alice_.id, at(1000), make_event("alert.resolved"));
            }),
            1);
  auto listed = store_->list_alerts({std::nullopt, AlertStatus::resolved}, PageRequest{});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->items.size(), 1u);
}

TEST_P(AtomicityContract, AppendAuditBatch) {
  std::vector<AuditEvent> batch{make_event("key.used", "n/use"), make_event("key.read"), make_event("key.used", "n/use")};
  EXPECT_EQ(fail_at_every_step([&] { return store_->append_audit(batch); }), 3);
}

}  // namespace
}  // namespace keyrelay::store::test
