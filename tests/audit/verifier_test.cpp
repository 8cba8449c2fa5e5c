#include "audit/verifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "audit/audit_key.h"
#include "audit/canonical.h"
#include "audit_test_util.h"
#include "fake_audit_store.h"

namespace keyrelay::audit {
namespace {

using store::AuditEvent;

class VerifierTest : public ::testing::Test {
 protected:
  std::shared_ptr<const crypto::Keyring> keyring_ = testing::keyring_with(2, 1);
  KeyringChainSealer sealer_{keyring_};
  std::vector<AuditEvent> chain_ = testing::sealed_chain(sealer_, "w1/mgmt", 5);

  ChainReport verify(const std::vector<AuditEvent>& events) {
    auto report = verify_chain("w1/mgmt", events, *keyring_);
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : ChainReport{};
  }
  BadEvent bad(std::size_t index, std::string reason) const {
    return {chain_[index].id, chain_[index].seq, std::move(reason)};
  }
};

TEST_F(VerifierTest, IntactChainVerifies) {
  const auto report = verify(chain_);
  EXPECT_EQ(report.chain, "w1/mgmt");
  EXPECT_EQ(report.events, 5);
  EXPECT_FALSE(report.first_bad);
}

TEST_F(VerifierTest, EmptyChainVerifies) {
  const auto report = verify({});
  EXPECT_EQ(report.events, 0);
  EXPECT_FALSE(report.first_bad);
}

TEST_F(VerifierTest, EditedFieldIsAHashMismatch) {
  chain_[2].details_json = R"({"n":99})";
  const auto report = verify(chain_);
  EXPECT_EQ(report.first_bad, bad(2, "hash mismatch"));
  EXPECT_EQ(report.events, 5);  // later events are still counted
}

TEST_F(VerifierTest, EditedTimeOrOptionalFieldIsAHashMismatch) {
  auto timed = chain_;
  timed[0].time += std::chrono::seconds(1);
  EXPECT_EQ(verify(timed).first_bad, bad(0, "hash mismatch"));
  auto cleared = chain_;
  cleared[4].ip.reset();
  EXPECT_EQ(verify(cleared).first_bad, bad(4, "hash mismatch"));
}

TEST_F(VerifierTest, EditedHashBreaksThatLink) {
  chain_[3].hash[0] ^= 1;
  EXPECT_EQ(verify(chain_).first_bad, bad(3, "hash mismatch"));
}

TEST_F(VerifierTest, DeletedMiddleRowIsReportedOnTheNextEvent) {
  chain_.erase(chain_.begin() + 2);
  const auto report = verify(chain_);
  EXPECT_EQ(report.first_bad, (BadEvent{chain_[2].id, 4, "missing event before seq 4"}));
  EXPECT_EQ(report.events, 4);
}

TEST_F(VerifierTest, DeletedFirstRowIsReported) {
  chain_.erase(chain_.begin());
  EXPECT_EQ(verify(chain_).first_bad, (BadEvent{chain_[0].id, 2, "missing event before seq 2"}));
}

TEST_F(VerifierTest, DeletedAndRenumberedRowsBreakTheHash) {
  // An attacker with database access closes the gap by renumbering: the links still break.
  chain_.erase(chain_.begin() + 1);
  for (std::size_t i = 0; i < chain_.size(); ++i) chain_[i].seq = static_cast<std::int64_t>(i) + 1;
  EXPECT_EQ(verify(chain_).first_bad, bad(1, "hash mismatch"));
}

TEST_F(VerifierTest, InsertedRowIsReported) {
  // Forged with a key the attacker made up and spliced in at seq 3 (later rows renumbered).
  KeyringChainSealer forger(testing::single_keyring(0x77));
  auto forged = testing::sealed_chain(forger, "w1/mgmt", 3);
  auto inserted = chain_;
  inserted.insert(inserted.begin() + 2, forged[2]);
  for (std::size_t i = 0; i < inserted.size(); ++i) inserted[i].seq = static_cast<std::int64_t>(i) + 1;
  EXPECT_EQ(verify(inserted).first_bad, (BadEvent{forged[2].id, 3, "hash mismatch"}));

  // The same row added with a colliding seq, after the original.
  auto duplicate = chain_;
  auto extra = forged[1];
  extra.seq = 2;
  duplicate.insert(duplicate.begin() + 2, extra);
  EXPECT_EQ(verify(duplicate).first_bad, (BadEvent{extra.id, 2, "sequence broken"}));

  // Appended at the end.
  auto appended = chain_;
  auto tail = forged[2];
  tail.seq = 6;
  appended.push_back(tail);
  EXPECT_EQ(verify(appended).first_bad, (BadEvent{tail.id, 6, "hash mismatch"}));
}

TEST_F(VerifierTest, SwappedRowsAreReported) {
  // Read out of order: the seq jumps ahead.
  auto reordered = chain_;
  std::swap(reordered[1], reordered[2]);
  EXPECT_EQ(verify(reordered).first_bad, (BadEvent{chain_[2].id, 3, "missing event before seq 3"}));

  // Contents swapped, seq numbers kept in place.
  auto swapped = chain_;
  std::swap(swapped[1], swapped[2]);
  swapped[1].seq = 2;
  swapped[2].seq = 3;
  EXPECT_EQ(verify(swapped).first_bad, (BadEvent{chain_[2].id, 2, "hash mismatch"}));
}

TEST_F(VerifierTest, HashOrRowFromAnotherChainIsReported) {
  const auto other = testing::sealed_chain(sealer_, "w2/mgmt", 5);
  auto copied_hash = chain_;
  copied_hash[1].hash = other[1].hash;
  EXPECT_EQ(verify(copied_hash).first_bad, bad(1, "hash mismatch"));

  // A whole row of another chain, relabelled: the chain name is covered too.
  auto moved = chain_;
  moved[0] = other[0];
  moved[0].chain = "w1/mgmt";
  EXPECT_EQ(verify(moved).first_bad, (BadEvent{other[0].id, 1, "hash mismatch"}));
}

TEST_F(VerifierTest, UnknownMasterVersionIsReported) {
  KeyringChainSealer sealer2(testing::keyring_with(2, 2));
  auto events = testing::sealed_chain(sealer2, "w1/mgmt", 2);
  const auto only_v1 = testing::keyring_with(1, 1);
  auto report = verify_chain("w1/mgmt", events, *only_v1);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->first_bad, (BadEvent{events[0].id, 1, "master key version 2 is not in the keyring"}));
}

TEST_F(VerifierTest, RelabelledMasterVersionIsAHashMismatch) {
  chain_[1].master_version = 2;  // both versions are in the keyring
  EXPECT_EQ(verify(chain_).first_bad, bad(1, "hash mismatch"));
}

TEST_F(VerifierTest, ChainRewrittenWithoutTheKeyringFails) {
  KeyringChainSealer forger(testing::single_keyring(0x77));
  auto rewritten = chain_;
  rewritten[3].details_json = "{}";
  testing::seal_chain(forger, rewritten);
  EXPECT_EQ(verify(rewritten).first_bad, bad(0, "hash mismatch"));
}

TEST_F(VerifierTest, RowsSealedBeforeARotationStillVerify) {
  const auto rotated = testing::keyring_with(2, 2);  // same keys, version 2 now active
  sealer_.replace_keyring(rotated);
  core::Bytes prev = chain_.back().hash;
  for (int n = 6; n <= 8; ++n) {
    auto e = testing::sample_event("w1/mgmt", n);
    e.seq = n;
    ASSERT_TRUE(sealer_.seal(e, prev));
    prev = e.hash;
    chain_.push_back(std::move(e));
  }
  EXPECT_EQ(chain_.front().master_version, 1u);
  EXPECT_EQ(chain_.back().master_version, 2u);
  auto report = verify_chain("w1/mgmt", chain_, *rotated);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->events, 8);
  EXPECT_FALSE(report->first_bad);
}

TEST_F(VerifierTest, RowsOfARetiredVersionStillVerify) {
  // Version 1 sealed the chain; after rotation it is retired and only its audit key is kept.
  const auto rotated = testing::keyring_with(2, 2);
  auto audit_key_v1 = derive_audit_key(*rotated, 1);
  ASSERT_TRUE(audit_key_v1);
  auto retired = rotated->with_retired(1, audit_key_v1->reveal());
  ASSERT_TRUE(retired) << retired.error().message;
  auto report = verify_chain("w1/mgmt", chain_, *retired);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->first_bad);
}

TEST_F(VerifierTest, TruncatedTailStillVerifies) {
  // Documented limitation of a hash chain: rows removed from the end leave a valid shorter chain.
  chain_.pop_back();
  EXPECT_FALSE(verify(chain_).first_bad);
}

TEST_F(VerifierTest, VerifiesTheSameAcrossBatchSizes) {
  testing::FakeAuditStore store;
  store.chains["w1/mgmt"] = chain_;
  store.chains["w1/use"] = testing::sealed_chain(sealer_, "w1/use", 3);
  for (std::size_t batch : {1u, 2u, 5u, 1000u}) {
    store.batch_reads = 0;
    auto report = verify_audit(store, *keyring_, batch);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_TRUE(report->ok);
    ASSERT_EQ(report->chains.size(), 2u);
    EXPECT_EQ(report->chains[0].chain, "w1/mgmt");
    EXPECT_EQ(report->chains[0].events, 5);
    EXPECT_EQ(report->chains[1].chain, "w1/use");
    EXPECT_EQ(report->chains[1].events, 3);
    // Each chain ends with an empty read: 5 events in batches of 2 take 4 reads, 3 events take 3.
    if (batch == 2) {
      EXPECT_EQ(store.batch_reads, 4 + 3);
    }
  }
}

TEST_F(VerifierTest, ReportsEachChainsFirstBadEventAcrossBatches) {
  testing::FakeAuditStore store;
  auto deleted = chain_;
  deleted.erase(deleted.begin() + 2);  // seq 3 missing; the gap falls on a batch boundary
  store.chains["w1/mgmt"] = deleted;
  store.chains["w2/mgmt"] = testing::sealed_chain(sealer_, "w2/mgmt", 4);
  auto report = verify_audit(store, *keyring_, 2);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok);
  ASSERT_EQ(report->chains.size(), 2u);
  EXPECT_EQ(report->chains[0].first_bad, (BadEvent{deleted[2].id, 4, "missing event before seq 4"}));
  EXPECT_EQ(report->chains[0].events, 4);
  EXPECT_FALSE(report->chains[1].first_bad);
}

TEST_F(VerifierTest, ReadsOnWhenTheStoreReturnsShortBatches) {
  testing::FakeAuditStore store;
  store.chains["w1/mgmt"] = chain_;
  store.max_batch = 2;  // "at most limit" allows fewer than asked while more remain
  auto report = verify_audit(store, *keyring_, 1000);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok);
  EXPECT_EQ(report->chains.at(0).events, 5);
}

TEST_F(VerifierTest, NoChainsIsOk) {
  testing::FakeAuditStore store;
  auto report = verify_audit(store, *keyring_);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok);
  EXPECT_TRUE(report->chains.empty());
}

TEST_F(VerifierTest, StoreErrorsArePassedOn) {
  testing::FakeAuditStore store;
  store.chains["w1/mgmt"] = chain_;
  store.fail_reads = true;
  auto report = verify_audit(store, *keyring_);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, core::Errc::unavailable);
}

}  // namespace
}  // namespace keyrelay::audit
