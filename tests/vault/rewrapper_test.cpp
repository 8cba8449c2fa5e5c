// Rewrapper: every key moves to the new master version and still opens to its secret, whatever the
// batch size and the number of crypto threads; a row changed meanwhile is skipped and redone; a
// tampered row is reported and taken out of service; a run cut short is finished by the next one.

#include "vault/rewrapper.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>

#include "audit/event_builder.h"
#include "vault_fixture.h"

namespace keyrelay::test {
namespace {

using core::Errc;

// The real rotation store, with a hook that runs before each rewrap_keys() (on whatever thread
// the rewrapper writes from): to change rows meanwhile, or to fail a batch.
class InterposedRotationStore final : public store::RotationStore {
 public:
  explicit InterposedRotationStore(store::RotationStore& inner) : inner_(inner) {}

  // Called with the 1-based number of the rewrap_keys() call; an error is returned instead of writing.
  std::function<core::Result<void>(std::size_t call)> before_rewrap;
  std::size_t rewrap_calls() const { return calls_.load(); }

  core::Result<std::vector<store::KeyRecord>> keys_not_on_version(std::uint32_t version, std::size_t limit) override {
    return inner_.keys_not_on_version(version, limit);
  }
  core::Result<std::size_t> rewrap_keys(const std::vector<store::RewrappedKey>& batch) override {
    const std::size_t call = ++calls_;
    if (before_rewrap) {
      if (auto go = before_rewrap(call); !go) return go.error();
    }
    return inner_.rewrap_keys(batch);
  }
  void end_rewrap() noexcept override {
    ++ends_;
    inner_.end_rewrap();
  }
  std::size_t ends() const { return ends_.load(); }
  core::Result<std::map<std::uint32_t, std::int64_t>> rows_by_master_version() override {
    return inner_.rows_by_master_version();
  }
  core::Result<void> record_master_key_change(store::TimePoint now, const MasterKeyDecision& decide) override {
    return inner_.record_master_key_change(now, decide);
  }

 private:
  store::RotationStore& inner_;
  std::atomic<std::size_t> calls_{0};
  std::atomic<std::size_t> ends_{0};
};

class RewrapperTest : public VaultFixture {
 protected:
  struct Seeded {
    audit::Actor owner;
    std::string id;
    std::string secret;
  };

  void SetUp() override {
    VaultFixture::SetUp();
    carol_ = make_user("carol");
    rotation_ = std::make_unique<InterposedRotationStore>(*store_);
  }

  // `n` keys spread over alice, bob and carol, all sealed under version 1.
  void seed(std::size_t n) {
    const audit::Actor* owners[] = {&alice_, &bob_, &carol_};
    for (std::size_t i = 0; i < n; ++i) {
      std::string secret = "sk-proj-rewrap-" + std::string(20, static_cast<char>('a' + i % 26)) + std::to_string(i);
      auto key = create(*owners[i % 3], "openai", secret, "k" + std::to_string(i));
      ASSERT_TRUE(key) << key.error().message;
      seeded_.push_back({*owners[i % 3], key->id, std::move(secret)});
    }
  }

  // Version 2 becomes the sealing version; the old keyring stays with a server that lags behind.
  void rotate() {
    old_keyring_ = keyring_;
    auto pending = keyring_->with_new_pending_version(clock_.now());
    ASSERT_TRUE(pending);
    auto active = pending->with_activated(2);
    ASSERT_TRUE(active);
    keyring_ = std::make_shared<const crypto::Keyring>(std::move(*active));
    envelope_->replace_keyring(keyring_);
  }

  // A KeyService of a server that still seals with version 1.
  vault::KeyService& lagging_server() {
    if (!lagging_) {
      lagging_envelope_ = std::make_unique<crypto::Envelope>(old_keyring_);
      lagging_ = std::make_unique<vault::KeyService>(*store_, *store_, *store_, *lagging_envelope_, catalog_, clock_,
                                                     "lagging/mgmt");
    }
    return *lagging_;
  }

  core::Result<vault::RewrapReport> rewrap(vault::RewrapOptions options) {
    audit::Actor cli = audit::Actor::cli();
    return vault::Rewrapper(*rotation_, *store_, *store_, *envelope_, *keys_, options).run(cli, 2);
  }

  store::KeyRecord stored(const Seeded& key) {
    auto got = store_->get_key(key.owner.user_id, key.id);
    EXPECT_TRUE(got) << got.error().message;
    return got ? *got : store::KeyRecord{};
  }

  // The key is on version 2, opens to `secret`, and its fingerprint is the version-2 one.
  void expect_moved_and_opens(const Seeded& key) {
    const auto row = stored(key);
    EXPECT_EQ(row.master_version, 2u) << key.id;
    auto secret = keys_->open_secret(key.owner, row);
    ASSERT_TRUE(secret) << secret.error().message;
    EXPECT_TRUE(secret->equals(core::Secret(std::string_view(key.secret)))) << key.id;
    auto salt = store_->find_user(key.owner.user_id);
    ASSERT_TRUE(salt);
    auto fingerprint = envelope_->fingerprint(*secret, salt->salt, 2);
    ASSERT_TRUE(fingerprint);
    EXPECT_EQ(row.fingerprint, core::Bytes(fingerprint->begin(), fingerprint->end())) << key.id;
  }

  // The seeded key whose id comes first: in the sweep's first batch.
  const Seeded& first_in_id_order() const {
    return *std::min_element(seeded_.begin(), seeded_.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  }

  audit::Actor carol_;
  std::vector<Seeded> seeded_;
  std::unique_ptr<InterposedRotationStore> rotation_;
  std::shared_ptr<const crypto::Keyring> old_keyring_;
  std::unique_ptr<crypto::Envelope> lagging_envelope_;
  std::unique_ptr<vault::KeyService> lagging_;
};

TEST_F(RewrapperTest, EveryKeyOpensAfterARewrapInManyBatchesOnSeveralThreads) {
  seed(45);
  rotate();
  auto report = rewrap({.batch_size = 7, .threads = 3});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->rewrapped, 45u);
  EXPECT_TRUE(report->failed_key_ids.empty());
  EXPECT_EQ(rotation_->rewrap_calls(), 7u) << "45 keys in batches of 7";
  const std::map<std::uint32_t, std::int64_t> all_on_2{{2, 45}};
  EXPECT_EQ(store_->rows_by_master_version().value(), all_on_2);
  for (const auto& key : seeded_) expect_moved_and_opens(key);
  // The recomputed fingerprints still find duplicates.
  auto again = create(seeded_[4].owner, "openai", seeded_[4].secret, "copy");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::conflict);

  auto nothing_left = rewrap({.batch_size = 7, .threads = 3});
  ASSERT_TRUE(nothing_left);
  EXPECT_EQ(nothing_left->rewrapped, 0u);
  EXPECT_EQ(rotation_->ends(), 2u) << "once per run";
}

TEST_F(RewrapperTest, OneThreadAndOneBatchGiveTheSameResult) {
  seed(12);
  rotate();
  auto report = rewrap({.batch_size = 100, .threads = 1});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->rewrapped, 12u);
  EXPECT_EQ(rotation_->rewrap_calls(), 1u);
  for (const auto& key : seeded_) expect_moved_and_opens(key);
}

TEST_F(RewrapperTest, ARowRotatedMeanwhileIsSkippedAndRedoneAndALateKeyIsMovedToo) {
  seed(20);
  rotate();
  // While the first batch is on its way to the store, a server still sealing with version 1 gives
  // the first key a new secret (so the batch's re-wrapped data key is stale) and stores a new key.
  Seeded& raced = seeded_[&first_in_id_order() - seeded_.data()];
  std::optional<Seeded> late;
  rotation_->before_rewrap = [&](std::size_t call) -> core::Result<void> {
    if (call != 1) return core::ok();
    raced.secret = "sk-proj-rewrap-rotated-meanwhile-000";
    auto rotated = lagging_server().rotate(raced.owner, raced.owner.user_id, raced.id,
                                           core::Secret(std::string_view(raced.secret)));
    if (!rotated) return rotated.error();
    EXPECT_EQ(rotated->master_version, 1u);
    vault::NewKey input;
    input.provider = "openai";
    input.name = "late";
    input.secret = core::Secret(std::string_view("sk-proj-rewrap-stored-meanwhile-00"));
    auto added = lagging_server().create(alice_, alice_.user_id, std::move(input));
    if (!added) return added.error();
    late = Seeded{alice_, added->id, "sk-proj-rewrap-stored-meanwhile-00"};
    return core::ok();
  };
  auto report = rewrap({.batch_size = 6, .threads = 2});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->rewrapped, 21u) << "every seeded key once (the raced one on its second try) and the late one";
  EXPECT_TRUE(report->failed_key_ids.empty());
  EXPECT_EQ(stored(raced).version, 2u);
  for (const auto& key : seeded_) expect_moved_and_opens(key);
  ASSERT_TRUE(late);
  expect_moved_and_opens(*late);
}

TEST_F(RewrapperTest, ATamperedRowIsReportedMarkedInvalidAndLeftWhereItIs) {
  seed(15);
  // One key's sealed secret and another's wrapped data key are altered in the database.
  const auto tamper = [&](const Seeded& key, bool secret_part) {
    auto changed = store_->update_key(key.owner.user_id, key.id, [&](store::KeyRecord& k) -> core::Result<store::AuditEvent> {
      auto& bytes = secret_part ? k.sealed_secret : k.wrapped_data_key;
      bytes[bytes.size() / 2] ^= 0x01;
      return audit::new_event(clock_, "test/mgmt", "key.updated", store::Outcome::success, key.owner);
    });
    ASSERT_TRUE(changed) << changed.error().message;
  };
  tamper(seeded_[3], true);
  tamper(seeded_[8], false);
  rotate();
  auto report = rewrap({.batch_size = 4, .threads = 2});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->rewrapped, 13u);
  std::vector<std::string> failed = report->failed_key_ids;
  std::sort(failed.begin(), failed.end());
  std::vector<std::string> expected{seeded_[3].id, seeded_[8].id};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(failed, expected);
  for (std::size_t i : {3u, 8u}) {
    const auto row = stored(seeded_[i]);
    EXPECT_EQ(row.master_version, 1u) << "a tampered row is not carried forward";
    EXPECT_EQ(row.validation.state, store::ValidationState::invalid);
  }
  EXPECT_EQ(audit_of("key.decrypt_failed").size(), 2u);
  for (std::size_t i = 0; i < seeded_.size(); ++i)
    if (i != 3 && i != 8) expect_moved_and_opens(seeded_[i]);
}

TEST_F(RewrapperTest, KeysLeftOnTheOldVersionByARunCutShortArePickedUpByTheNextRun) {
  seed(24);
  rotate();
  rotation_->before_rewrap = [](std::size_t call) -> core::Result<void> {
    if (call == 2) return core::Error::unavailable("the database went away");
    return core::ok();
  };
  auto cut = rewrap({.batch_size = 5, .threads = 2});
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code, Errc::unavailable);
  EXPECT_EQ(rotation_->ends(), 1u) << "the store is told the run is over when it fails too";
  auto rows = store_->rows_by_master_version();
  ASSERT_TRUE(rows);
  ASSERT_TRUE(rows->contains(1)) << "the run stopped with keys left on version 1";
  const std::int64_t left = rows->at(1);
  EXPECT_GT(left, 0);
  EXPECT_LT(left, 24) << "the first batch was written";

  rotation_->before_rewrap = nullptr;
  auto next = rewrap({.batch_size = 5, .threads = 2});
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->rewrapped, static_cast<std::size_t>(left));
  for (const auto& key : seeded_) expect_moved_and_opens(key);
}

TEST_F(RewrapperTest, RefusesAVersionThatDoesNotSeal) {
  seed(1);
  auto report = rewrap({});
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, Errc::invalid_request);
}

}  // namespace
}  // namespace keyrelay::test
