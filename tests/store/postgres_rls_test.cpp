// PostgreSQL only: row-level security binds the server's runtime queries. A query written WITHOUT
// its owner filter, run on the runtime path for user A, sees only A's rows; the admin path sees
// everyone's; and the runtime role can neither bypass the policies nor write rows for someone else.

#include <random>

#include <gtest/gtest.h>

#include "postgres_test_database.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/transaction.h"
#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

using postgres::Access;
using postgres::Connection;

class PostgresRls : public StoreContract {
 protected:
  void SetUp() override {
    StoreContract::SetUp();
    if (HasFatalFailure()) return;
    alice_ = add_user("alice");
    bob_ = add_user("bob");
    add_key(alice_, "openai", "a1");
    add_key(bob_, "openai", "b1");
    add_key(bob_, "anthropic", "b2");
    add_token(alice_);
    add_token(bob_);
    add_token(bob_, "second");
  }

  postgres::ConnectionPool& pool() { return dynamic_cast<PostgresStore&>(*store_).pool(); }

  // `sql` (one bigint) run as `access` on the store's own pool, as a store method would.
  std::int64_t count(const Access& access, const std::string& sql) {
    auto n = postgres::read_transaction(pool(), access, [&](Connection& c) -> core::Result<std::int64_t> {
      auto rows = c.query(sql, "counting");
      if (!rows) return rows.error();
      return rows->int_at(0, 0);
    });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  UserRecord alice_, bob_;
};

INSTANTIATE_TEST_SUITE_P(Engines, PostgresRls, ::testing::ValuesIn(postgres_engine_only()), engine_name);

TEST_P(PostgresRls, AQueryWithoutItsOwnerFilterSeesOnlyTheUsersOwnRows) {
  EXPECT_EQ(count(Access::user(alice_.id), "SELECT count(*) FROM api_keys"), 1);
  EXPECT_EQ(count(Access::user(bob_.id), "SELECT count(*) FROM api_keys"), 2);
  EXPECT_EQ(count(Access::user(alice_.id), "SELECT count(*) FROM access_tokens"), 1);
  EXPECT_EQ(count(Access::user(bob_.id), "SELECT count(*) FROM access_tokens"), 2);
  EXPECT_EQ(count(Access::user(alice_.id), "SELECT count(*) FROM users"), 1);
  EXPECT_EQ(count(Access::user(alice_.id), "SELECT count(*) FROM api_keys WHERE owner_id = '" + bob_.id + "'"), 0)
      << "naming another owner does not help either";
}

TEST_P(PostgresRls, SpendCapsAndDefaultKeySpendAreTheirUsersOnly) {
  auto audited = [this](const CapRecord&, const CapRecord&) -> core::Result<AuditEvent> { return make_event("cap.updated"); };
  ASSERT_TRUE(store_->set_caps(CapSubject::user, alice_.id, alice_.id, CapLimits{1, 2}, at(1), audited));
  ASSERT_TRUE(store_->set_caps(CapSubject::default_key_allowance, bob_.id, std::nullopt, CapLimits{3, 4}, at(2), audited));
  auto shared = add_key(add_user("system-owner"), "openai", "shared");
  auto use = make_usage(shared, at(3));
  use.cost_micro_usd = 10;
  use.allowance_user_id = bob_.id;
  ASSERT_TRUE(store_->add_usage({use}));
  EXPECT_EQ(count(Access::user(alice_.id), "SELECT count(*) FROM spend_caps"), 1);
  EXPECT_EQ(count(Access::user(bob_.id), "SELECT count(*) FROM spend_caps"), 1);
  EXPECT_EQ(count(Access::user(alice_.id), "SELECT count(*) FROM default_key_spend_daily"), 0);
  EXPECT_EQ(count(Access::user(bob_.id), "SELECT count(*) FROM default_key_spend_daily"), 1);
  EXPECT_EQ(count(Access::admin(), "SELECT count(*) FROM spend_caps"), 2);
  // Another user's key is not found through the owner-scoped path either.
  auto peek = store_->find_caps(CapSubject::user, bob_.id, alice_.id);
  ASSERT_FALSE(peek);
  EXPECT_EQ(peek.error().code, core::Errc::not_found);
}

TEST_P(PostgresRls, TheAdminPathSeesEveryone) {
  EXPECT_EQ(count(Access::admin(), "SELECT count(*) FROM api_keys"), 3);
  EXPECT_EQ(count(Access::admin(), "SELECT count(*) FROM access_tokens"), 3);
  EXPECT_EQ(count(Access::admin(), "SELECT count(*) FROM users"), 2);
}

TEST_P(PostgresRls, RuntimeWorkWithoutAUserSeesNothing) {
  // The runtime role with neither keyrelay.user_id nor keyrelay.scope set: fail closed.
  auto n = postgres::read_transaction(pool(), Access::owner(), [&](Connection& c) -> core::Result<std::int64_t> {
    if (auto role = c.exec("SET LOCAL ROLE keyrelay_runtime", "switching role"); !role) return role.error();
    auto rows = c.query("SELECT (SELECT count(*) FROM api_keys) + (SELECT count(*) FROM users) + "
                        "(SELECT count(*) FROM access_tokens) + (SELECT count(*) FROM usage_daily) + "
                        "(SELECT count(*) FROM alerts)",
                        "counting");
    if (!rows) return rows.error();
    return rows->int_at(0, 0);
  });
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 0);
}

TEST_P(PostgresRls, TheRuntimeRoleCannotWriteAnotherUsersRows) {
  auto moved = postgres::run_transaction(
      pool(), Access::user(alice_.id), postgres::Mode::write, postgres::Bump::none,
      [&](Connection& c) -> core::Result<std::int64_t> {
        auto rows = c.query("UPDATE api_keys SET name = 'stolen'", "renaming every key");
        if (!rows) return rows.error();
        return rows->affected();
      });
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(*moved, 1) << "only alice's own key";
  auto planted = postgres::run_transaction(
      pool(), Access::user(alice_.id), postgres::Mode::write, postgres::Bump::none,
      [&](Connection& c) -> core::Result<void> {
        auto rows = c.query("UPDATE api_keys SET owner_id = '" + bob_.id + "'", "giving a key away");
        if (!rows) return rows.error();
        return core::ok();
      });
  ASSERT_FALSE(planted) << "a row may not be moved out of the user's reach (WITH CHECK)";
  EXPECT_EQ(count(Access::user(bob_.id), "SELECT count(*) FROM api_keys WHERE name = 'stolen'"), 0);
}

TEST_P(PostgresRls, TheRuntimeRoleOwnsNothingAndEveryUserTableForcesItsPolicy) {
  auto facts = postgres::read_transaction(pool(), Access::owner(), [&](Connection& c) -> core::Result<std::int64_t> {
    // User-owned tables that are not FORCEd, have RLS off, or belong to the runtime role (or one
    // that bypasses RLS): each would let runtime queries past the policies.
    auto rows = c.query(
        "SELECT count(*) FROM pg_class k JOIN pg_roles r ON r.oid = k.relowner "
        "WHERE k.relname IN ('users', 'access_tokens', 'api_keys', 'usage_daily', 'alerts') "
        "AND k.relnamespace = to_regnamespace(current_schema())::oid "
        "AND (NOT k.relrowsecurity OR NOT k.relforcerowsecurity OR r.rolname = 'keyrelay_runtime') "
        "UNION ALL SELECT count(*) FROM pg_roles WHERE rolname = 'keyrelay_runtime' "
        "AND (rolsuper OR rolbypassrls OR rolcanlogin)",
        "reading the catalog");
    if (!rows) return rows.error();
    if (rows->size() != 2) return core::Error::internal("expected two counts");
    return rows->int_at(0, 0) + rows->int_at(1, 0);
  });
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(*facts, 0);
}

TEST_P(PostgresRls, KeyStoreCallsOfOneOwnerNeverReturnAnothersKey) {
  // Through the store: bob's key asked for as alice's is not_found (owner filter and policy agree).
  auto keys = store_->keys_of_owner(bob_.id);
  ASSERT_TRUE(keys);
  ASSERT_FALSE(keys->empty());
  auto got = store_->get_key(alice_.id, keys->front().id);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, core::Errc::not_found);
}

}  // namespace
}  // namespace keyrelay::store::test

namespace keyrelay::store::test {
namespace {

// The URL's role need not be a superuser: a role with CREATEDB and CREATEROLE that owns the
// database migrates it (creating or joining keyrelay_runtime), and since the policies are FORCEd
// and runtime work runs as keyrelay_runtime, RLS binds it just the same.
TEST(PostgresRlsOwner, ANonSuperuserOwnerMigratesAndIsBoundByThePolicies) {
  ::keyrelay::test::TempDir dir;
  const std::string server = postgres_server_url();
  auto admin = postgres::Connection::open({server});
  ASSERT_TRUE(admin) << admin.error().message;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string suffix;
  for (int i = 0; i < 12; ++i) suffix += kHex[std::random_device{}() % 16];
  const std::string role = "kr_owner_" + suffix, database = "kr_owned_" + suffix;
  ASSERT_TRUE((*admin)->exec("CREATE ROLE " + role + " LOGIN CREATEROLE PASSWORD 'owner-pw-" + suffix + "'", "creating a role"));
  ASSERT_TRUE((*admin)->exec("CREATE DATABASE " + database + " OWNER " + role + " TEMPLATE template0", "creating a database"));
  // postgres://<superuser>:<pw>@host:port/postgres → postgres://<role>:<pw>@host:port/<database>
  const std::string host_part = server.substr(server.find('@'));
  const std::string url = "postgres://" + role + ":owner-pw-" + suffix + host_part.substr(0, host_part.rfind('/') + 1) + database;
  {
    TestSealer sealer;
    PostgresOptions options;
    options.url = url;
    auto opened = PostgresStore::open(options, sealer);
    ASSERT_TRUE(opened) << opened.error().message;
    auto& store = **opened;
    auto migrated = store.migrate();
    ASSERT_TRUE(migrated) << migrated.error().message;
    UserRecord alice{"u-alice", "alice", Role::user, std::nullopt, core::Bytes(16, 1), at(1)};
    UserRecord bob{"u-bob", "bob", Role::user, std::nullopt, core::Bytes(16, 2), at(2)};
    AuditEvent event;
    event.id = "e1";
    event.chain = "node-1/mgmt";
    event.action = "user.created";
    ASSERT_TRUE(store.create_user(alice, event));
    event.id = "e2";
    ASSERT_TRUE(store.create_user(bob, event));
    auto seen = postgres::read_transaction(store.pool(), Access::user(alice.id), [&](Connection& c) -> core::Result<std::int64_t> {
      auto rows = c.query("SELECT count(*) FROM users", "counting");
      if (!rows) return rows.error();
      return rows->int_at(0, 0);
    });
    ASSERT_TRUE(seen) << seen.error().message;
    EXPECT_EQ(*seen, 1);
    // Even the owner itself, outside the runtime role, is bound: FORCE ROW LEVEL SECURITY.
    auto as_owner = postgres::read_transaction(store.pool(), Access::owner(), [&](Connection& c) -> core::Result<std::int64_t> {
      auto rows = c.query("SELECT count(*) FROM users", "counting");
      if (!rows) return rows.error();
      return rows->int_at(0, 0);
    });
    ASSERT_TRUE(as_owner) << as_owner.error().message;
    EXPECT_EQ(*as_owner, 0);
  }
  (void)(*admin)->exec("DROP DATABASE " + database + " WITH (FORCE)", "dropping");
  (void)(*admin)->exec("DROP ROLE " + role, "dropping");
}

}  // namespace
}  // namespace keyrelay::store::test
