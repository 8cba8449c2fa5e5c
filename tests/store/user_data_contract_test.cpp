// Contract: a user's own data on every engine — delete_user removes the user and every row
// user_tables() marks deleted (tokens, keys, usage, default-key spend, alerts, caps) in one
// audited transaction, keeps the audit trail and other users' rows, refuses the last admin and the
// system user, and changes nothing when it fails at any step; default_key_spend lists the days.
// And the schema check: every table column that names a user is in user_tables().

#include "store/store.h"

#include <regex>
#include <set>
#include <sstream>

#include "store/postgres/postgres_store.h"
#include "store/postgres/transaction.h"
#include "store/user_tables.h"
#include "raw_sqlite.h"
#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class UserDataContract : public StoreContract {
 protected:
  void SetUp() override {
    StoreContract::SetUp();
    if (HasFatalFailure()) return;
    admin_ = add_user("root", Role::admin);
    alice_ = add_user("alice");
    bob_ = add_user("bob");
    key_ = add_key(alice_, "openai", "work");
    add_key(alice_, "anthropic", "home");
    bob_key_ = add_key(bob_, "openai", "bobs");
    add_token(alice_);
    add_token(alice_, "second");
    add_token(bob_);
    ASSERT_TRUE(store_->add_usage({make_usage(key_, at(10), 3), make_usage(bob_key_, at(10), 2)}));
    auto system = add_user("_operator", Role::system);
    auto default_key = add_key(system, "openai", "default");
    auto spend = make_usage(default_key, at(20), 1);
    spend.cost_micro_usd = 1500;
    spend.allowance_user_id = alice_.id;
    ASSERT_TRUE(store_->add_usage({spend}));
    ASSERT_TRUE(store_->raise_alert(make_alert(alice_, "key.invalid", &key_), make_event("alert.raised")));
    ASSERT_TRUE(store_->raise_alert(make_alert(bob_, "key.invalid", &bob_key_), make_event("alert.raised")));
    for (auto [subject, id] : {std::pair{CapSubject::user, alice_.id}, std::pair{CapSubject::key, key_.id},
                               std::pair{CapSubject::default_key_allowance, alice_.id}})
      ASSERT_TRUE(store_->set_caps(subject, id, std::nullopt, CapLimits{1'000'000, std::nullopt}, at(30), audited()));
    ASSERT_TRUE(store_->set_caps(CapSubject::user, bob_.id, bob_.id, CapLimits{2'000'000, std::nullopt}, at(30), audited()));
  }

  CapStore::CapChange audited() {
    return [this](const CapRecord&, const CapRecord&) -> core::Result<AuditEvent> { return make_event("cap.updated"); };
  }
  // Every usage of `owner` in one row (grouped by nothing).
  std::int64_t requests_of(const UserRecord& owner) {
    UsageQuery q{owner.id, "2000-01-01", "2100-01-01"};
    q.by_day = false;
    auto usage = store_->usage(q);
    EXPECT_TRUE(usage) << usage.error().message;
    return usage && usage->size() == 1 ? usage->front().requests : -1;
  }
  UserDataStore::RemovalEvent removal_event(UserRemoval* seen = nullptr) {
    return [this, seen](const UserRemoval& removal) -> core::Result<AuditEvent> {
      if (seen != nullptr) *seen = removal;
      return make_event("user.deleted");
    };
  }

  UserRecord admin_, alice_, bob_;
  KeyRecord key_, bob_key_;
};
KEYRELAY_STORE_CONTRACT(UserDataContract);

TEST_P(UserDataContract, DeleteUserRemovesTheUserAndEverythingTheyOwn) {
  const auto generation_before = generation();
  const auto events_before = chain_events().size();
  UserRemoval seen;
  auto removed = store_->delete_user(alice_.id, removal_event(&seen));
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(removed->user.id, alice_.id);
  EXPECT_EQ(seen.user.name, "alice") << "the event is built from what was removed";
  EXPECT_EQ(removed->rows_of("users"), 1);
  EXPECT_EQ(removed->rows_of("access_tokens"), 2);
  EXPECT_EQ(removed->rows_of("api_keys"), 2);
  EXPECT_EQ(removed->rows_of("usage_daily"), 1);
  EXPECT_EQ(removed->rows_of("default_key_spend_daily"), 1);
  EXPECT_EQ(removed->rows_of("alerts"), 1);
  EXPECT_EQ(removed->rows_of("spend_caps"), 3);

  EXPECT_EQ(store_->find_user(alice_.id).error().code, core::Errc::not_found);
  EXPECT_EQ(store_->get_key(alice_.id, key_.id).error().code, core::Errc::not_found);
  auto keys = store_->keys_of_owner(alice_.id);
  ASSERT_TRUE(keys);
  EXPECT_TRUE(keys->empty());
  auto tokens = store_->list_tokens(alice_.id, PageRequest{});
  ASSERT_TRUE(tokens);
  EXPECT_TRUE(tokens->items.empty());
  auto alerts = store_->list_alerts(AlertFilter{.user_id = alice_.id}, PageRequest{});
  ASSERT_TRUE(alerts);
  EXPECT_TRUE(alerts->items.empty());
  EXPECT_EQ(requests_of(alice_), 0) << "no usage left";
  auto spend = store_->default_key_spend(alice_.id);
  ASSERT_TRUE(spend);
  EXPECT_TRUE(spend->empty());
  auto all_caps = store_->all_caps();
  ASSERT_TRUE(all_caps);
  ASSERT_EQ(all_caps->size(), 1u);
  EXPECT_EQ(all_caps->front().subject_id, bob_.id);

  EXPECT_GT(generation(), generation_before);
  auto events = chain_events();
  ASSERT_EQ(events.size(), events_before + 1) << "the audit trail stays, with the deletion added";
  EXPECT_EQ(events.back().action, "user.deleted");
}

TEST_P(UserDataContract, DeleteUserLeavesOtherUsersAlone) {
  const auto bob_before = text(*store_->find_user(bob_.id));
  ASSERT_TRUE(store_->delete_user(alice_.id, removal_event()));
  auto bob = store_->find_user(bob_.id);
  ASSERT_TRUE(bob);
  EXPECT_EQ(text(*bob), bob_before);
  EXPECT_TRUE(store_->get_key(bob_.id, bob_key_.id));
  auto tokens = store_->list_tokens(bob_.id, PageRequest{});
  ASSERT_TRUE(tokens);
  EXPECT_EQ(tokens->items.size(), 1u);
  auto alerts = store_->list_alerts(AlertFilter{.user_id = bob_.id}, PageRequest{});
  ASSERT_TRUE(alerts);
  EXPECT_EQ(alerts->items.size(), 1u);
  auto caps = store_->find_caps(CapSubject::user, bob_.id, bob_.id);
  ASSERT_TRUE(caps);
  EXPECT_EQ(caps->limits.daily_micro_usd, 2'000'000);
  EXPECT_EQ(requests_of(bob_), 2);
}

TEST_P(UserDataContract, UnknownUserIsNotFoundAndChangesNothing) {
  const auto before = snapshot(*store_);
  auto removed = store_->delete_user("no-such-user", removal_event());
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, core::Errc::not_found);
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(UserDataContract, TheSystemUserIsNeverDeleted) {
  auto system = store_->find_user_by_name("_operator");
  ASSERT_TRUE(system);
  const auto before = snapshot(*store_);
  auto removed = store_->delete_user(system->id, removal_event());
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, core::Errc::invalid_request);
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(UserDataContract, TheLastAdminIsAConflictAnotherAdminIsNot) {
  const auto before = snapshot(*store_);
  auto refused = store_->delete_user(admin_.id, removal_event());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::Errc::conflict);
  EXPECT_EQ(snapshot(*store_), before);

  auto second = add_user("root2", Role::admin);
  ASSERT_TRUE(store_->delete_user(admin_.id, removal_event())) << "another admin remains";
  auto last = store_->delete_user(second.id, removal_event());
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, core::Errc::conflict);
}

TEST_P(UserDataContract, AFailingEventOrSealChangesNothing) {
  const auto before = snapshot(*store_);
  auto refused = store_->delete_user(alice_.id, [](const UserRemoval&) -> core::Result<AuditEvent> {
    return core::Error::internal("event refused");
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(snapshot(*store_), before);

  sealer_.fail_call(0);
  auto unsealed = store_->delete_user(alice_.id, removal_event());
  sealer_.heal();
  ASSERT_FALSE(unsealed);
  EXPECT_EQ(unsealed.error().message, "injected sealer failure");
  EXPECT_EQ(snapshot(*store_), before) << "every row is back: the deletes and the event are one transaction";
  EXPECT_TRUE(store_->get_key(alice_.id, key_.id));
  auto caps = store_->all_caps();
  ASSERT_TRUE(caps);
  EXPECT_EQ(caps->size(), 4u) << "the caps are back too";
  auto spend = store_->default_key_spend(alice_.id);
  ASSERT_TRUE(spend);
  EXPECT_EQ(spend->size(), 1u);
  EXPECT_EQ(requests_of(alice_), 3);
}

TEST_P(UserDataContract, DefaultKeySpendListsTheUsersDays) {
  auto system = store_->find_user_by_name("_operator");
  ASSERT_TRUE(system);
  auto keys = store_->keys_of_owner(system->id);
  ASSERT_TRUE(keys);
  auto later = make_usage(keys->front(), at(20 + 86400), 1);
  later.cost_micro_usd = 700;
  later.allowance_user_id = alice_.id;
  ASSERT_TRUE(store_->add_usage({later}));
  auto spend = store_->default_key_spend(alice_.id);
  ASSERT_TRUE(spend) << spend.error().message;
  ASSERT_EQ(spend->size(), 2u);
  EXPECT_EQ((*spend)[0].day, "2026-01-01");
  EXPECT_EQ((*spend)[0].cost_micro_usd, 1500);
  EXPECT_EQ((*spend)[1].day, "2026-01-02");
  auto none = store_->default_key_spend(bob_.id);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

// ---- the schema check ----

// Columns that name a user: "user_id", "owner_id", "*_user_id", "*_owner_id", "on_behalf_of".
bool names_a_user(const std::string& column) {
  static const std::regex pattern("^(.*_)?(user|owner)_id$|^on_behalf_of$");
  return std::regex_match(column, pattern);
}

std::set<std::pair<std::string, std::string>> listed_user_columns() {
  std::set<std::pair<std::string, std::string>> listed;
  for (const auto& t : user_tables())
    if (t.user_column != "id") listed.emplace(t.table, t.user_column);
  return listed;
}

// Every (table, column) of the engine's schema.
std::vector<std::pair<std::string, std::string>> schema_columns(Store& store, const std::filesystem::path& dir,
                                                                const std::string& engine) {
  std::vector<std::pair<std::string, std::string>> columns;
  if (engine == "sqlite") {
    RawSqlite raw(sqlite_database_file(dir));
    const auto tables = raw.text(
        "SELECT group_concat(name, ' ') FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    std::istringstream in(tables);
    for (std::string table; in >> table;) {
      auto names = raw.text("SELECT group_concat(name, ' ') FROM pragma_table_info('" + table + "')");
      std::istringstream cols(names);
      for (std::string c; cols >> c;) columns.emplace_back(table, c);
    }
    return columns;
  }
  auto& pool = dynamic_cast<PostgresStore&>(store).pool();
  auto rows = postgres::read_transaction(pool, postgres::Access::owner(), [&](postgres::Connection& c) {
    return c.query("SELECT table_name::text, column_name::text FROM information_schema.columns "
                   "WHERE table_schema = current_schema()", "reading the schema");
  });
  EXPECT_TRUE(rows) << rows.error().message;
  if (rows)
    for (int i = 0; i < rows->size(); ++i) columns.emplace_back(rows->text_at(i, 0), rows->text_at(i, 1));
  return columns;
}

TEST_P(UserDataContract, EveryColumnThatNamesAUserIsListedInUserTables) {
  const auto listed = listed_user_columns();
  const auto columns = schema_columns(*store_, dir_.path(), GetParam().name);
  ASSERT_GT(columns.size(), 20u) << "the schema was read";
  std::set<std::string> tables;
  for (const auto& [table, column] : columns) {
    tables.insert(table);
    if (!names_a_user(column)) continue;
    EXPECT_TRUE(listed.contains({table, column}))
        << table << "." << column << " names a user but is not in store/user_tables.cpp: a user's export and "
        << "deletion would miss it. List it there (and export it in api/user_export.cpp).";
  }
  for (const auto& t : user_tables())
    EXPECT_TRUE(tables.contains(std::string(t.table))) << t.table << " is listed but not in the schema";
}

TEST(UserTables, TheUsersRowIsDeletedLastAndTheAuditTrailIsKept) {
  const auto tables = user_tables();
  ASSERT_FALSE(tables.empty());
  EXPECT_EQ(tables.back().table, "users");
  for (const auto& t : tables) {
    if (t.table == "audit_log") EXPECT_EQ(t.fate, UserRowFate::kept) << t.user_column;
    else EXPECT_EQ(t.fate, UserRowFate::deleted) << t.table;
  }
}

}  // namespace
}  // namespace keyrelay::store::test
