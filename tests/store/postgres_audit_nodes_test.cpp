// Audit on several nodes (issue 13 item 4), on PostgreSQL: nodes appending at once — each to its
// own chains, and several connections to one chain — and a pruner working on a chain while it
// grows leave chains that keyrelay's verifier (src/audit) accepts: gapless, linked, sealed with
// the keyring's audit key. Each "node" is its own PostgresStore (its own connection pool) on one
// database, as two keyrelay processes would be.

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_key.h"
#include "audit/chain_sealer.h"
#include "audit/event_builder.h"
#include "audit/verifier.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/ids.h"
#include "crypto/keyring.h"
#include "postgres_test_database.h"
#include "store/postgres/postgres_store.h"
#include "support/temp_dir.h"

namespace keyrelay::store::test {
namespace {

class PostgresAuditNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keyring = crypto::Keyring::from_master_key(core::base64_encode(core::Bytes(32, 0x5a)));
    ASSERT_TRUE(keyring) << keyring.error().message;
    keyring_ = std::make_shared<const crypto::Keyring>(std::move(*keyring));
    sealer_ = std::make_unique<audit::KeyringChainSealer>(keyring_);
  }

  // A node: its own store (and pool) on the test's database, migrated.
  std::unique_ptr<PostgresStore> open_node() {
    PostgresOptions options;
    options.url = postgres_database_url(dir_.path());
    options.pool_size = 3;
    auto store = PostgresStore::open(std::move(options), *sealer_);
    EXPECT_TRUE(store) << store.error().message;
    if (!store) return nullptr;
    auto migrated = (*store)->migrate();
    EXPECT_TRUE(migrated) << migrated.error().message;
    return std::move(*store);
  }

  AuditEvent event(std::string chain, std::string action) {
    return audit::new_event(clock_, std::move(chain), std::move(action), Outcome::success, audit::Actor::system());
  }

  // `events_per_call` events per append_audit call (1: single appends), `calls` calls.
  void append(Store& node, const std::string& chain, int calls, int events_per_call, std::vector<std::string>& errors) {
    for (int i = 0; i < calls; ++i) {
      std::vector<AuditEvent> batch;
      for (int e = 0; e < events_per_call; ++e) batch.push_back(event(chain, "key.used"));
      if (auto appended = node.append_audit(std::move(batch)); !appended) errors.push_back(appended.error().message);
    }
  }

  // Management changes: each raise appends its alert.raised event to `chain` in its transaction.
  void raise_alerts(Store& node, const std::string& chain, int count, std::vector<std::string>& errors) {
    for (int i = 0; i < count; ++i) {
      AlertRecord alert;
      alert.id = core::uuid_v7();
      alert.rule = "rule-" + std::to_string(i % 3);
      alert.user_id = "user-1";
      alert.message = "attention";
      alert.first_seen = alert.last_seen = clock_.now();
      if (auto raised = node.raise_alert(alert, event(chain, "alert.raised")); !raised)
        errors.push_back(raised.error().message);
    }
  }

  audit::VerifyReport verify(Store& node) {
    auto report = audit::verify_audit(node, *keyring_, 50);
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : audit::VerifyReport{};
  }

  static void expect_no_errors(const std::vector<std::vector<std::string>>& per_thread) {
    for (const auto& errors : per_thread)
      for (const auto& error : errors) ADD_FAILURE() << error;
  }

  ::keyrelay::test::TempDir dir_;
  core::SystemClock clock_;
  std::shared_ptr<const crypto::Keyring> keyring_;
  std::unique_ptr<audit::KeyringChainSealer> sealer_;
};

std::int64_t events_of(const audit::VerifyReport& report, std::string_view chain) {
  for (const auto& c : report.chains)
    if (c.chain == chain) return c.events;
  return -1;
}

TEST_F(PostgresAuditNodesTest, TwoNodesAppendingAtOnceToTheirOwnChainsBothVerify) {
  auto a = open_node();
  auto b = open_node();
  ASSERT_TRUE(a && b);
  std::vector<std::vector<std::string>> errors(4);
  {
    std::vector<std::thread> threads;
    threads.emplace_back([&] { append(*a, "node-a/use", 20, 25, errors[0]); });
    threads.emplace_back([&] { raise_alerts(*a, "node-a/mgmt", 40, errors[1]); });
    threads.emplace_back([&] { append(*b, "node-b/use", 20, 25, errors[2]); });
    threads.emplace_back([&] { raise_alerts(*b, "node-b/mgmt", 40, errors[3]); });
    for (auto& t : threads) t.join();
  }
  expect_no_errors(errors);

  auto report = verify(*a);
  EXPECT_TRUE(report.ok);
  ASSERT_EQ(report.chains.size(), 4u);
  for (const auto& chain : report.chains) EXPECT_FALSE(chain.first_bad) << chain.chain << ": " << chain.first_bad->reason;
  EXPECT_EQ(events_of(report, "node-a/use"), 500);
  EXPECT_EQ(events_of(report, "node-b/use"), 500);
  EXPECT_EQ(events_of(report, "node-a/mgmt"), 40);
  EXPECT_EQ(events_of(report, "node-b/mgmt"), 40);
}

TEST_F(PostgresAuditNodesTest, OneChainAppendedFromSeveralConnectionsAtOnceStaysGaplessAndVerifies) {
  auto a = open_node();
  auto b = open_node();
  ASSERT_TRUE(a && b);
  const std::string chain = "shared/mgmt";
  std::vector<std::vector<std::string>> errors(6);
  {
    std::vector<std::thread> threads;
    // Both nodes, several connections each: group commits, single appends and changes carrying
    // their event all compete for the one chain.
    threads.emplace_back([&] { append(*a, chain, 15, 20, errors[0]); });
    threads.emplace_back([&] { append(*b, chain, 15, 20, errors[1]); });
    threads.emplace_back([&] { append(*a, chain, 60, 1, errors[2]); });
    threads.emplace_back([&] { append(*b, chain, 60, 1, errors[3]); });
    threads.emplace_back([&] { raise_alerts(*a, chain, 30, errors[4]); });
    threads.emplace_back([&] { raise_alerts(*b, chain, 30, errors[5]); });
    for (auto& t : threads) t.join();
  }
  expect_no_errors(errors);

  auto events = b->audit_chain_events(chain, 0, 10000);
  ASSERT_TRUE(events) << events.error().message;
  const std::size_t expected = 2 * 15 * 20 + 2 * 60 + 2 * 30;
  ASSERT_EQ(events->size(), expected);
  for (std::size_t i = 0; i < events->size(); ++i) ASSERT_EQ((*events)[i].seq, static_cast<std::int64_t>(i + 1));
  auto report = verify(*b);
  EXPECT_TRUE(report.ok);
  ASSERT_EQ(report.chains.size(), 1u);
  EXPECT_EQ(report.chains[0].events, static_cast<std::int64_t>(expected));
  EXPECT_FALSE(report.chains[0].first_bad);
}

// Retention on one node while another keeps appending to the same use chain: the appends queue
// behind each prune batch (the chain's lock), and verify starts from the last checkpoint.
TEST_F(PostgresAuditNodesTest, PruningAChainWhileAnotherNodeAppendsToItLeavesAVerifiableChain) {
  auto writer = open_node();
  auto pruner = open_node();
  ASSERT_TRUE(writer && pruner);
  const std::string chain = "node-w/use";
  std::vector<AuditEvent> old_events;
  for (int i = 0; i < 60; ++i) {
    auto e = event(chain, "key.used");
    e.time = std::chrono::floor<std::chrono::milliseconds>(clock_.now() - std::chrono::hours(48));
    old_events.push_back(e);
  }
  ASSERT_TRUE(writer->append_audit(old_events));

  std::vector<std::vector<std::string>> errors(2);
  std::atomic<std::int64_t> pruned{0};
  {
    std::thread appending([&] { append(*writer, chain, 30, 5, errors[0]); });
    std::thread pruning([&] {
      const auto cutoff = clock_.now() - std::chrono::hours(24);
      for (;;) {
        auto batch = pruner->prune_audit(chain, cutoff, 7, [&](const AuditPruneBatch&) {
          return event("node-p/mgmt", "audit.pruned");
        });
        if (!batch) {
          errors[1].push_back(batch.error().message);
          return;
        }
        if (batch->pruned == 0) return;
        pruned += batch->pruned;
      }
    });
    appending.join();
    pruning.join();
  }
  expect_no_errors(errors);
  EXPECT_EQ(pruned.load(), 60);

  auto report = verify(*pruner);
  EXPECT_TRUE(report.ok);
  ASSERT_EQ(report.chains.size(), 2u);
  for (const auto& c : report.chains) {
    EXPECT_FALSE(c.first_bad) << c.chain << ": " << c.first_bad->reason;
    if (c.chain == chain) {
      EXPECT_EQ(c.pruned, 60);
      EXPECT_EQ(c.events, 150);
    } else {
      EXPECT_EQ(c.chain, "node-p/mgmt");
      EXPECT_EQ(c.events, 9) << "one audit.pruned per batch of 7: 60 = 8 × 7 + 4";
    }
  }
}

// Every node runs retention: two of them pruning one chain at once prune each event once, and the
// checkpoint counts each once.
TEST_F(PostgresAuditNodesTest, TwoNodesPruningOneChainAtOncePruneEachEventOnce) {
  auto a = open_node();
  auto b = open_node();
  ASSERT_TRUE(a && b);
  const std::string chain = "node-w/use";
  std::vector<AuditEvent> old_events;
  for (int i = 0; i < 200; ++i) {
    auto e = event(chain, "key.used");
    e.time = std::chrono::floor<std::chrono::milliseconds>(clock_.now() - std::chrono::hours(48));
    old_events.push_back(e);
  }
  ASSERT_TRUE(a->append_audit(old_events));

  const auto cutoff = clock_.now() - std::chrono::hours(24);
  std::vector<std::vector<std::string>> errors(2);
  std::atomic<std::int64_t> pruned{0};
  auto prune_all = [&](Store& node, const std::string& writer, std::vector<std::string>& errs) {
    for (;;) {
      auto batch = node.prune_audit(chain, cutoff, 9, [&](const AuditPruneBatch&) {
        return event(writer + "/mgmt", "audit.pruned");
      });
      if (!batch) {
        errs.push_back(batch.error().message);
        return;
      }
      if (batch->pruned == 0) return;
      pruned += batch->pruned;
    }
  };
  {
    std::thread first([&] { prune_all(*a, "node-a", errors[0]); });
    std::thread second([&] { prune_all(*b, "node-b", errors[1]); });
    first.join();
    second.join();
  }
  expect_no_errors(errors);
  EXPECT_EQ(pruned.load(), 200);
  auto checkpoint = a->audit_checkpoint(chain);
  ASSERT_TRUE(checkpoint && *checkpoint);
  EXPECT_EQ((*checkpoint)->count, 200);
  EXPECT_EQ((*checkpoint)->seq, 200);
  auto report = verify(*b);
  EXPECT_TRUE(report.ok);
  for (const auto& c : report.chains) EXPECT_FALSE(c.first_bad) << c.chain << ": " << c.first_bad->reason;
  EXPECT_EQ(events_of(report, chain), 0);
}

}  // namespace
}  // namespace keyrelay::store::test
