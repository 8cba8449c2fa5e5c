// End to end: events written by the real SQLite engine through KeyringChainSealer verify, and
// rows tampered with directly in the database file (raw SQLite, as an attacker with file access
// would) are reported with the right first bad event.

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "audit/chain_sealer.h"
#include "audit/event_builder.h"
#include "audit/pruner.h"
#include "audit/verifier.h"
#include "audit_test_util.h"
#include "core/clock.h"
#include "core/ids.h"
#include "store/open_store.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace keyrelay::audit {
namespace {

class SqliteAuditChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    open();
    populate();
  }

  void open() {
    auto opened = store::open_store("sqlite://" + db_.string(), dir_.path(), sealer_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    auto migrated = store_->migrate();
    ASSERT_TRUE(migrated) << migrated.error().message;
  }

  // Closes the store, runs `sql` on the file with raw SQLite, reopens the store.
  void tamper(const std::string& sql) {
    store_.reset();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    const std::string error = message != nullptr ? message : "";
    sqlite3_free(message);
    EXPECT_EQ(sqlite3_changes(db) > 0 || rc != SQLITE_OK, true) << "no row changed: " << sql;
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << error << " in " << sql;
    open();
  }

  // Three users, two tokens (one revoked) on the mgmt chain; three key uses on the use chain.
  void populate() {
    for (int i = 1; i <= 3; ++i) {
      store::UserRecord user;
      user.id = core::uuid_v4();
      user.name = "user" + std::to_string(i);
      user.salt = core::Bytes(16, static_cast<std::uint8_t>(i));
      user.created_at = clock_.now();
      auto event = new_event(clock_, mgmt_chain(writer_), "user.created", store::Outcome::success, Actor::cli());
      event.details_json = R"({"name":"user)" + std::to_string(i) + R"("})";
      ASSERT_TRUE(store_->create_user(user, std::move(event)));
      users_.push_back(user.id);
    }
    std::vector<std::string> tokens;
    for (int i = 1; i <= 2; ++i) {
      store::TokenRecord token;
      token.id = core::uuid_v4();
      token.user_id = users_[0];
      token.name = "cli";
      token.hash = core::Bytes(32, static_cast<std::uint8_t>(i));
      token.scopes = {"keys:read"};
      token.created_at = clock_.now();
      auto event = new_event(clock_, mgmt_chain(writer_), "token.issued", store::Outcome::success, Actor::cli());
      event.on_behalf_of = users_[0];
      auto created = store_->create_token(token, std::move(event));
      ASSERT_TRUE(created) << created.error().message;
      tokens.push_back(token.id);
    }
    auto revoke = new_event(clock_, mgmt_chain(writer_), "token.revoked", store::Outcome::success, Actor::cli());
    ASSERT_TRUE(store_->revoke_token(tokens[0], std::nullopt, clock_.now(), std::move(revoke)));

    std::vector<store::AuditEvent> uses;
    for (int i = 1; i <= 3; ++i) {
      auto use = new_event(clock_, use_chain(writer_), "key.used", store::Outcome::success,
                           Actor{.user_id = users_[1], .actor_user_id = users_[1], .token_id = tokens[1],
                                 .kind = store::ActorKind::token});
      use.provider = "openai";
      use.ip = "192.0.2.7";
      use.request_id = "req-" + std::to_string(i);
      uses.push_back(std::move(use));
    }
    auto appended = store_->append_audit(std::move(uses));
    ASSERT_TRUE(appended) << appended.error().message;
  }

  VerifyReport verify(const crypto::Keyring& keyring) {
    auto report = verify_audit(*store_, keyring, 2);  // small batches: cross batch boundaries
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : VerifyReport{};
  }
  VerifyReport verify() { return verify(*keyring_); }

  // The id of the row at `seq` in the mgmt chain.
  std::string mgmt_id(std::int64_t seq) {
    auto events = store_->audit_chain_events(mgmt_chain(writer_), seq - 1, 1);
    EXPECT_TRUE(events && events->size() == 1u);
    return events && !events->empty() ? events->front().id : "";
  }
  const ChainReport& mgmt_report(const VerifyReport& report) {
    EXPECT_EQ(report.chains.size(), 2u);
    return report.chains.at(0);  // "<writer>/mgmt" sorts before "<writer>/use"
  }
  std::string where_mgmt(std::int64_t seq) {
    return " WHERE chain = '" + mgmt_chain(writer_) + "' AND seq = " + std::to_string(seq);
  }

  test::TempDir dir_;
  std::filesystem::path db_ = dir_ / "keyrelay.db";
  core::SystemClock clock_;  // real sub-millisecond times: the chain must survive the store's rounding
  std::shared_ptr<const crypto::Keyring> keyring_ = testing::keyring_with(2, 1);
  KeyringChainSealer sealer_{keyring_};
  std::unique_ptr<store::Store> store_;
  std::string writer_ = new_writer_id("test");
  std::vector<std::string> users_;
};

TEST_F(SqliteAuditChainTest, StoredChainsVerify) {
  const auto report = verify();
  EXPECT_TRUE(report.ok);
  ASSERT_EQ(report.chains.size(), 2u);
  EXPECT_EQ(report.chains[0].chain, mgmt_chain(writer_));
  EXPECT_EQ(report.chains[0].events, 6);
  EXPECT_FALSE(report.chains[0].first_bad);
  EXPECT_EQ(report.chains[1].chain, use_chain(writer_));
  EXPECT_EQ(report.chains[1].events, 3);
  EXPECT_FALSE(report.chains[1].first_bad);
}

TEST_F(SqliteAuditChainTest, EditedRowIsReported) {
  const auto id = mgmt_id(3);
  tamper("UPDATE audit_log SET details_json = '{\"name\":\"mallory\"}'" + where_mgmt(3));
  const auto report = verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(mgmt_report(report).first_bad, (BadEvent{id, 3, "hash mismatch"}));
  EXPECT_FALSE(report.chains.at(1).first_bad);
}

TEST_F(SqliteAuditChainTest, EditedOutcomeOrTimeIsReported) {
  const auto id = mgmt_id(5);
  tamper("UPDATE audit_log SET time = time - 1000" + where_mgmt(5));
  EXPECT_EQ(mgmt_report(verify()).first_bad, (BadEvent{id, 5, "hash mismatch"}));
}

TEST_F(SqliteAuditChainTest, DeletedRowIsReported) {
  const auto next = mgmt_id(3);
  tamper("DELETE FROM audit_log" + where_mgmt(2));
  const auto report = verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(mgmt_report(report).first_bad, (BadEvent{next, 3, "missing event before seq 3"}));
  EXPECT_EQ(mgmt_report(report).events, 5);
}

TEST_F(SqliteAuditChainTest, InsertedRowIsReported) {
  // A copy of row 2 under a new id, spliced in at seq 3 with the later rows moved up.
  const std::string chain = mgmt_chain(writer_);
  tamper("UPDATE audit_log SET seq = -seq - 1 WHERE chain = '" + chain + "' AND seq >= 3;" +
         "UPDATE audit_log SET seq = -seq WHERE chain = '" + chain + "' AND seq < 0;" +
         "INSERT INTO audit_log (id, chain, seq, time, action, outcome, actor_user_id, actor_token_id, actor_kind, "
         "on_behalf_of, key_id, key_owner_id, provider, ip, user_agent, request_id, details_json, master_version, "
         "hash) SELECT 'inserted-row', chain, 3, time, action, outcome, actor_user_id, actor_token_id, actor_kind, "
         "on_behalf_of, key_id, key_owner_id, provider, ip, user_agent, request_id, details_json, master_version, "
         "hash FROM audit_log" + where_mgmt(2));
  const auto report = verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(mgmt_report(report).first_bad, (BadEvent{"inserted-row", 3, "hash mismatch"}));
  EXPECT_EQ(mgmt_report(report).events, 7);
}

TEST_F(SqliteAuditChainTest, AppendedRowIsReported) {
  tamper("INSERT INTO audit_log (id, chain, seq, time, action, outcome, actor_kind, details_json, master_version, "
         "hash) VALUES ('appended-row', '" + mgmt_chain(writer_) + "', 7, 0, 'key.deleted', 'success', 'system', "
         "'{}', 1, zeroblob(32))");
  EXPECT_EQ(mgmt_report(verify()).first_bad, (BadEvent{"appended-row", 7, "hash mismatch"}));
}

TEST_F(SqliteAuditChainTest, UnknownMasterVersionIsReported) {
  const auto id = mgmt_id(4);
  tamper("UPDATE audit_log SET master_version = 9" + where_mgmt(4));
  EXPECT_EQ(mgmt_report(verify()).first_bad, (BadEvent{id, 4, "master key version 9 is not in the keyring"}));
}

TEST_F(SqliteAuditChainTest, RowsOfTheOldVersionVerifyAfterRotation) {
  const auto rotated = testing::keyring_with(2, 2);
  sealer_.replace_keyring(rotated);
  auto event = new_event(clock_, mgmt_chain(writer_), "master_key.rotated", store::Outcome::success, Actor::cli());
  ASSERT_TRUE(store_->append_audit({std::move(event)}));
  auto last = store_->audit_chain_events(mgmt_chain(writer_), 6, 10);
  ASSERT_TRUE(last && last->size() == 1u);
  EXPECT_EQ(last->front().master_version, 2u);

  const auto report = verify(*rotated);
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(mgmt_report(report).events, 7);

  // Without version 1 the first old row is reported.
  const auto only_v2 = testing::keyring_with(2, 2, /*skip=*/1);
  const auto missing = verify(*only_v2);
  EXPECT_EQ(mgmt_report(missing).first_bad,
            (BadEvent{mgmt_id(1), 1, "master key version 1 is not in the keyring"}));
}

// ---- retention: pruning key.used from the oldest end, verify starting from the checkpoint ----

class SqliteAuditPruneTest : public SqliteAuditChainTest {
 protected:
  // Two more key uses, stamped `ahead` in the future: younger than any cut-off the tests use.
  void append_young_uses(std::chrono::hours ahead = std::chrono::hours(2)) {
    std::vector<store::AuditEvent> uses;
    for (int i = 0; i < 2; ++i) {
      auto use = new_event(clock_, use_chain(writer_), "key.used", store::Outcome::success,
                           Actor{.user_id = users_[1], .actor_user_id = users_[1], .kind = store::ActorKind::token});
      use.time += ahead;
      uses.push_back(std::move(use));
    }
    ASSERT_TRUE(store_->append_audit(std::move(uses)));
  }

  // Prunes what is older than one hour from now + `later`, in batches of `batch`.
  PruneSummary prune(std::chrono::hours later = std::chrono::hours(1), std::size_t batch = 2) {
    test::FakeClock at(clock_.now() + later);
    auto summary = prune_audit_log(*store_, *store_, at,
                                   {.older_than = std::chrono::minutes(30), .batch = batch,
                                    .audit_chain = mgmt_chain(writer_), .actor = Actor::cli()});
    EXPECT_TRUE(summary) << summary.error().message;
    return summary ? *summary : PruneSummary{};
  }

  const ChainReport& use_report(const VerifyReport& report) { return report.chains.at(1); }
  std::string where_use(std::int64_t seq) {
    return " WHERE chain = '" + use_chain(writer_) + "' AND seq = " + std::to_string(seq);
  }
};

TEST_F(SqliteAuditPruneTest, PrunedChainsStillVerifyAndManagementEventsStay) {
  append_young_uses();
  const auto summary = prune();
  EXPECT_EQ(summary.pruned, 3);
  ASSERT_EQ(summary.chains.size(), 1u);
  EXPECT_EQ(summary.chains[0].through_seq, 3);

  const auto report = verify();
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(use_report(report).events, 2) << "the two young uses are kept";
  EXPECT_EQ(use_report(report).pruned, 3);
  // 6 management events + one audit.pruned per batch (2 + 1).
  EXPECT_EQ(mgmt_report(report).events, 8);
  auto pruned_events = store_->audit_chain_events(mgmt_chain(writer_), 6, 10);
  ASSERT_TRUE(pruned_events);
  ASSERT_EQ(pruned_events->size(), 2u);
  EXPECT_EQ(pruned_events->at(0).action, "audit.pruned");
  EXPECT_NE(pruned_events->at(1).details_json.find("\"through_seq\":3"), std::string::npos);

  // Nothing more is old enough: a second prune changes nothing.
  EXPECT_EQ(prune().pruned, 0);
  EXPECT_EQ(mgmt_report(verify()).events, 8);
}

TEST_F(SqliteAuditPruneTest, EditingARemainingRowStillFails) {
  append_young_uses();
  prune();
  tamper("UPDATE audit_log SET ip = '203.0.113.1'" + where_use(5));
  const auto report = verify();
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(use_report(report).first_bad);
  EXPECT_EQ(use_report(report).first_bad->seq, 5);
  EXPECT_EQ(use_report(report).first_bad->reason, kReasonHashMismatch);
}

TEST_F(SqliteAuditPruneTest, DeletingTheFirstRemainingRowFails) {
  append_young_uses();
  prune();
  tamper("DELETE FROM audit_log" + where_use(4));
  const auto report = verify();
  ASSERT_TRUE(use_report(report).first_bad);
  EXPECT_EQ(use_report(report).first_bad->reason, missing_event_reason(5));
}

TEST_F(SqliteAuditPruneTest, AForgedCheckpointHidingADeletionFails) {
  append_young_uses();
  prune();
  // The attacker deletes seq 4 and moves the checkpoint past it, hash and all.
  tamper("DELETE FROM audit_log" + where_use(4) + ";" +
         "UPDATE audit_checkpoints SET seq = 4, count = 4, hash = (SELECT hash FROM audit_log WHERE seq = 5 AND chain = '" +
         use_chain(writer_) + "')");
  auto report = verify();
  ASSERT_TRUE(use_report(report).first_bad);
  EXPECT_EQ(use_report(report).first_bad->id, "checkpoint");
  EXPECT_EQ(use_report(report).first_bad->reason, kReasonCheckpointMismatch);
}

TEST_F(SqliteAuditPruneTest, RemovingTheCheckpointFails) {
  append_young_uses();
  prune();
  tamper("DELETE FROM audit_checkpoints");
  const auto report = verify();
  ASSERT_TRUE(use_report(report).first_bad);
  EXPECT_EQ(use_report(report).first_bad->reason, missing_event_reason(4));
}

TEST_F(SqliteAuditPruneTest, AChainPrunedToItsEndGoesOnFromItsCheckpoint) {
  prune();  // all three uses
  auto report = verify();
  EXPECT_TRUE(report.ok);
  ASSERT_EQ(report.chains.size(), 2u) << "the emptied chain is still verified, from its checkpoint";
  EXPECT_EQ(use_report(report).events, 0);

  append_young_uses();
  auto tail = store_->audit_chain_events(use_chain(writer_), 0, 10);
  ASSERT_TRUE(tail);
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_EQ(tail->front().seq, 4) << "numbering goes on after the checkpoint";
  report = verify();
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(use_report(report).events, 2);
  EXPECT_EQ(use_report(report).pruned, 3);
}

}  // namespace
}  // namespace keyrelay::audit
