// Contract: audit retention — prune_audit deletes the oldest prunable events of a chain older than
// the cut-off, in batches, behind a sealed checkpoint that verification starts from, and appends
// its audit.pruned event in the same transaction; a chain pruned to its end goes on from its
// checkpoint; anything that fails leaves the trail as it was.

#include "store/store.h"

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

constexpr std::string_view kUse = "n/use";
constexpr std::string_view kPrunerChain = "p/mgmt";

class AuditPruneContract : public StoreContract {
 protected:
  // Appends `actions` to the use chain, event i at time at(1000 + i).
  std::vector<AuditEvent> append_use(const std::vector<std::string>& actions) {
    std::vector<AuditEvent> batch;
    for (const auto& action : actions) {
      auto event = make_event(action, kUse);
      event.time = at(1000 + static_cast<std::int64_t>(batch.size()));
      batch.push_back(event);
    }
    auto appended = store_->append_audit(batch);
    EXPECT_TRUE(appended) << appended.error().message;
    return chain_events(kUse);
  }

  core::Result<AuditPruneBatch> prune(TimePoint cutoff, std::size_t limit) {
    return store_->prune_audit(kUse, cutoff, limit, [this](const AuditPruneBatch& batch) {
      auto event = make_event("audit.pruned", kPrunerChain);
      event.details_json = "{\"count\":" + std::to_string(batch.pruned) + "}";
      return event;
    });
  }

  std::optional<AuditCheckpoint> checkpoint() {
    auto got = store_->audit_checkpoint(kUse);
    EXPECT_TRUE(got) << got.error().message;
    return got ? *got : std::nullopt;
  }
};
KEYRELAY_STORE_CONTRACT(AuditPruneContract);

TEST_P(AuditPruneContract, PrunesTheOldestEventsOlderThanTheCutoffBehindASealedCheckpoint) {
  auto events = append_use({"key.used", "auth.failed", "key.used", "key.used", "key.used"});
  ASSERT_EQ(events.size(), 5u);
  EXPECT_FALSE(checkpoint()) << "a chain never pruned has no checkpoint";

  auto batch = prune(at(1003), 100);  // events at 1000..1002 are older than the cut-off
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_EQ(batch->pruned, 3);
  EXPECT_EQ(batch->through_seq, 3);

  auto rest = chain_events(kUse);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].seq, 4);
  auto saved = checkpoint();
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->chain, kUse);
  EXPECT_EQ(saved->seq, 3);
  EXPECT_EQ(saved->hash, events[2].hash) << "the next remaining event links to it";
  EXPECT_EQ(saved->count, 3);
  EXPECT_EQ(saved->created_at, at(1003));
  EXPECT_FALSE(saved->mac.empty());

  auto pruned = chain_events(kPrunerChain);
  ASSERT_EQ(pruned.size(), 1u);
  EXPECT_EQ(pruned[0].action, "audit.pruned");
  EXPECT_EQ(pruned[0].details_json, "{\"count\":3}");
}

TEST_P(AuditPruneContract, NeverPrunesPastAManagementEventOrANewerOne) {
  append_use({"key.used", "key.created", "key.used"});
  auto batch = prune(at(2000), 100);
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_EQ(batch->pruned, 1) << "pruning never makes a hole in the middle of a chain";
  EXPECT_EQ(chain_events(kUse).size(), 2u);

  store_.reset();
  store_ = open_again();
  ASSERT_TRUE(store_);
  auto none = prune(at(2000), 100);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(none->pruned, 0);
}

TEST_P(AuditPruneContract, BatchesAreBoundedAndTheCheckpointCountsEveryPrunedEvent) {
  auto events = append_use({"key.used", "key.used", "key.used", "key.used", "key.used"});
  auto first = prune(at(2000), 2);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->pruned, 2);
  auto second = prune(at(2000), 2);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->pruned, 2);
  EXPECT_EQ(second->through_seq, 4);
  auto saved = checkpoint();
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->seq, 4);
  EXPECT_EQ(saved->count, 4);
  EXPECT_EQ(saved->hash, events[3].hash);
  EXPECT_EQ(chain_events(kPrunerChain).size(), 2u) << "one audit.pruned event per batch";
}

TEST_P(AuditPruneContract, AChainPrunedToItsEndGoesOnFromItsCheckpoint) {
  auto events = append_use({"key.used", "key.used"});
  auto batch = prune(at(2000), 100);
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_EQ(batch->pruned, 2);
  EXPECT_TRUE(chain_events(kUse).empty());
  auto chains = store_->audit_chains();
  ASSERT_TRUE(chains);
  EXPECT_EQ(*chains, (std::vector<std::string>{std::string(kUse), std::string(kPrunerChain)}))
      << "a chain pruned to its end lives on in its checkpoint";

  auto next = make_event("key.used", kUse);
  ASSERT_TRUE(store_->append_audit({next, make_event("key.used", kUse)}));
  auto rest = chain_events(kUse);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].seq, 3);
  EXPECT_EQ(rest[0].hash, TestSealer::chain_hash(events[1].hash, 3, next.id));
  EXPECT_EQ(rest[1].seq, 4);
}

TEST_P(AuditPruneContract, NothingOlderThanTheCutoffChangesNothing) {
  append_use({"key.used", "key.used"});
  const auto before = snapshot(*store_);
  auto batch = prune(at(1000), 100);
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_EQ(batch->pruned, 0);
  EXPECT_EQ(snapshot(*store_), before) << "no deletion, no audit.pruned event";
  EXPECT_FALSE(checkpoint());
  auto unknown = store_->prune_audit("no/use", at(5000), 10, [this](const AuditPruneBatch&) {
    return make_event("audit.pruned", kPrunerChain);
  });
  ASSERT_TRUE(unknown) << unknown.error().message;
  EXPECT_EQ(unknown->pruned, 0);
}

TEST_P(AuditPruneContract, AZeroLimitIsInvalidRequest) {
  append_use({"key.used"});
  auto batch = prune(at(2000), 0);
  ASSERT_FALSE(batch);
  EXPECT_EQ(batch.error().code, core::Errc::invalid_request);
}

TEST_P(AuditPruneContract, AFailedSealLeavesTheTrailAsItWas) {
  append_use({"key.used", "key.used", "key.used"});
  ASSERT_TRUE(prune(at(1001), 100));  // a checkpoint exists: a failure must not move it either
  const auto before = snapshot(*store_);
  const auto checkpoint_before = checkpoint();
  for (int step = 0; step < 2; ++step) {  // the checkpoint's seal, then the audit.pruned event's
    sealer_.fail_call(step);
    auto batch = prune(at(2000), 100);
    sealer_.heal();
    ASSERT_FALSE(batch) << "step " << step;
    EXPECT_EQ(batch.error().message, "injected sealer failure");
    EXPECT_EQ(snapshot(*store_), before) << "step " << step;
    auto after = checkpoint();
    ASSERT_TRUE(after && checkpoint_before);
    EXPECT_EQ(after->seq, checkpoint_before->seq) << "step " << step;
    EXPECT_EQ(after->count, checkpoint_before->count) << "step " << step;
    EXPECT_EQ(after->hash, checkpoint_before->hash) << "step " << step;
    EXPECT_EQ(after->mac, checkpoint_before->mac) << "step " << step;
  }
  auto batch = prune(at(2000), 100);
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_EQ(batch->pruned, 2);
}

}  // namespace
}  // namespace keyrelay::store::test
