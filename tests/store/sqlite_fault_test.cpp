// Fail at every write step, inside SQLite: triggers on every table abort the n-th row write of a
// call (n = 1, 2, ...), so each statement of each change fails in turn — the row itself, the audit
// event, the generation bump. After every failure the store must be exactly as before.

#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include "raw_sqlite.h"
#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class SqliteFaults : public StoreContract {
 protected:
  void SetUp() override {
    StoreContract::SetUp();
    if (HasFatalFailure()) return;
    alice_ = add_user("alice");
    bob_ = add_user("bob");
    key_ = add_key(alice_, "openai", "work");
    other_key_ = add_key(alice_, "openai", "spare");
    token_ = add_token(alice_);
    raw_ = std::make_unique<RawSqlite>(sqlite_database_file(dir_.path()));
    raw_->exec("CREATE TABLE fault (remaining INTEGER NOT NULL); INSERT INTO fault VALUES (0);");
    for (std::string table :
         {"users", "access_tokens", "api_keys", "audit_log", "store_generation", "usage_daily", "alerts"}) {
      for (std::string op : {"INSERT", "UPDATE", "DELETE"}) {
        raw_->exec("CREATE TRIGGER fault_" + table + "_" + op + " BEFORE " + op + " ON " + table +
                   " BEGIN UPDATE fault SET remaining = remaining - 1; "
                   "SELECT RAISE(ABORT, 'injected fault') FROM fault WHERE remaining = 0; END;");
      }
    }
  }

  // Fails row write 1, 2, ... of `call` until it succeeds; returns how many steps failed.
  template <class Call>
  int fail_at_every_write(Call call) {
    const auto before = snapshot(*store_);
    for (int step = 1; step < 100; ++step) {
      raw_->exec("UPDATE fault SET remaining = " + std::to_string(step));
      auto result = call();
      if (result) {
        raw_->exec("UPDATE fault SET remaining = 0");
        EXPECT_NE(snapshot(*store_), before) << "succeeded without changing anything";
        return step - 1;
      }
      EXPECT_EQ(snapshot(*store_), before) << "write " << step << " failed and left a trace";
    }
    ADD_FAILURE() << "never succeeded";
    return -1;
  }

  UserRecord alice_, bob_;
  KeyRecord key_, other_key_;
  TokenRecord token_;
  std::unique_ptr<RawSqlite> raw_;
};
INSTANTIATE_TEST_SUITE_P(Engines, SqliteFaults, ::testing::ValuesIn(sqlite_engine_only()), engine_name);

// Each management change writes its row(s), its audit event and the generation: at least 3 steps.
TEST_P(SqliteFaults, CreateUser) {
  auto user = make_user("carol");
  EXPECT_EQ(fail_at_every_write([&] { return store_->create_user(user, make_event("user.created")); }), 3);
}

TEST_P(SqliteFaults, CreateToken) {
  auto token = make_token(bob_);
  EXPECT_EQ(fail_at_every_write([&] { return store_->create_token(token, make_event("token.issued")); }), 3);
}

TEST_P(SqliteFaults, RevokeToken) {
  EXPECT_EQ(fail_at_every_write(
                [&] { return store_->revoke_token(token_.id, std::nullopt, at(900), make_event("token.revoked")); }),
            3);
}

TEST_P(SqliteFaults, InsertKey) {
  auto key = make_key(bob_, "openai", "work");
  EXPECT_EQ(fail_at_every_write([&] { return store_->insert_key(key, make_event("key.created")); }), 3);
}

TEST_P(SqliteFaults, UpdateKey) {
  EXPECT_EQ(fail_at_every_write([&] {
              return store_->update_key(alice_.id, key_.id, [&](KeyRecord& k) -> core::Result<AuditEvent> {
                k.priority = 9;
                return make_event("key.updated");
              });
            }),
            3);
}

TEST_P(SqliteFaults, DeleteKey) {
  EXPECT_EQ(fail_at_every_write([&] { return store_->delete_key(alice_.id, key_.id, make_event("key.deleted")); }),
            3);
}

TEST_P(SqliteFaults, RewrapKeys) {
  EXPECT_EQ(fail_at_every_write([&] {
              return store_->rewrap_keys({{key_.id, 1, key_.version, 2, core::Bytes(60, 1), core::Bytes(32, 1)},
                                          {other_key_.id, 1, other_key_.version, 2, core::Bytes(60, 2), core::Bytes(32, 2)}});
            }),
            3);
}

TEST_P(SqliteFaults, AppendAudit) {
  std::vector<AuditEvent> batch{make_event("key.used", "n/use"), make_event("key.used", "n/use"),
                                make_event("key.read")};
  EXPECT_EQ(fail_at_every_write([&] { return store_->append_audit(batch); }), 3);
}

TEST_P(SqliteFaults, TouchTokens) {
  auto second = add_token(bob_);
  EXPECT_EQ(fail_at_every_write([&] { return store_->touch_tokens({{token_.id, at(50)}, {second.id, at(60)}}); }), 2);
}

// Per delta: the key's totals and its day row (first booking of the day: an insert).
TEST_P(SqliteFaults, AddUsage) {
  auto gone = add_key(bob_, "openai", "gone");
  ASSERT_TRUE(store_->delete_key(bob_.id, gone.id, make_event("key.deleted")));
  EXPECT_EQ(fail_at_every_write([&] {
              return store_->add_usage({make_usage(key_, at(50), 1), make_usage(gone, at(50), 1),
                                        make_usage(other_key_, at(86400 + 50), 2)});
            }),
            4);
}

// A second booking on the same (key, day) goes through the upsert's update: the insert attempt and
// the update are both row writes.
TEST_P(SqliteFaults, AddUsageToAnExistingDay) {
  ASSERT_TRUE(store_->add_usage({make_usage(key_, at(50), 1)}));
  EXPECT_EQ(fail_at_every_write([&] { return store_->add_usage({make_usage(key_, at(60), 1)}); }), 3);
}

TEST_P(SqliteFaults, RaiseAlert) {
  EXPECT_EQ(fail_at_every_write(
                [&] { return store_->raise_alert(make_alert(alice_, "key.invalid"), make_event("alert.raised")); }),
            3);
  EXPECT_EQ(fail_at_every_write(
                [&] { return store_->raise_alert(make_alert(alice_, "key.invalid"), make_event("alert.raised")); }),
            3)
      << "coalesced";
}

TEST_P(SqliteFaults, ResolveAlert) {
  auto alert = make_alert(alice_, "key.invalid");
  ASSERT_TRUE(store_->raise_alert(alert, make_event("alert.raised")));
  EXPECT_EQ(fail_at_every_write(
                [&] { return store_->resolve_alert(alert.id, std::nullopt, at(900), make_event("alert.resolved")); }),
            3);
}

}  // namespace
}  // namespace keyrelay::store::test
