// KeyService::open_secret_now() is what the gateway calls on an I/O thread: it never touches the
// store nor the keyring file. What would block — loading the owner's salt, reloading the keyring for
// an unknown master version, recording a stored secret that failed its integrity check — is left to
// finish_open(), which the gateway runs on its worker pool (issue 12, item 22).

#include "vault/key_service.h"

#include <gtest/gtest.h>

#include <thread>

#include "thread_recording_store.h"
#include "vault_fixture.h"

namespace keyrelay::test {
namespace {

using core::Errc;

constexpr const char* kSecret = "sk-proj-abcdefghijklmnopqrstuvwx9Qa";

// A KeyService whose every store call is recorded with its thread.
class OpenWithoutBlockingTest : public VaultFixture {
 protected:
  void SetUp() override {
    VaultFixture::SetUp();
    auto key = create(alice_, "openai", kSecret);
    ASSERT_TRUE(key) << key.error().message;
    key_ = *key;
    recording_ = std::make_unique<ThreadRecordingStore>(*store_, *store_, *store_);
    watched_ = std::make_unique<vault::KeyService>(*recording_, *recording_, *recording_, *envelope_, catalog_, clock_,
                                                   "test/mgmt");
    watched_->set_decrypt_failure_listener([this](const audit::Actor&, const store::KeyRecord&) {
      told_on_ = std::this_thread::get_id();
    });
  }

  // Runs finish_open() on a thread of its own, as the worker pool would; returns its result and
  // the thread it ran on.
  std::pair<core::Result<core::Secret>, std::thread::id> finish_elsewhere(const store::KeyRecord& key,
                                                                          vault::SlowStep step) {
    std::optional<core::Result<core::Secret>> result;
    std::thread::id ran_on;
    std::thread worker([&] {
      ran_on = std::this_thread::get_id();
      result.emplace(watched_->finish_open(alice_, key, step));
    });
    worker.join();
    return {std::move(*result), ran_on};
  }

  // The store calls made on `thread`.
  std::vector<std::string> calls_on(std::thread::id thread) const {
    std::vector<std::string> out;
    for (const auto& call : recording_->calls())
      if (call.thread == thread) out.push_back(call.method);
    return out;
  }

  store::KeyRecord key_;
  std::unique_ptr<ThreadRecordingStore> recording_;
  std::unique_ptr<vault::KeyService> watched_;
  std::optional<std::thread::id> told_on_;
};

TEST_F(OpenWithoutBlockingTest, AnOwnerNotSeenYetIsLoadedOffTheCallingThread) {
  auto quick = watched_->open_secret_now(alice_, key_);
  EXPECT_EQ(quick.pending, vault::SlowStep::load_owner);
  EXPECT_TRUE(recording_->calls().empty()) << "a store call on the calling thread: " << recording_->calls()[0].method;

  auto [opened, worker] = finish_elsewhere(key_, quick.pending);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->reveal_text(), kSecret);
  EXPECT_EQ(calls_on(worker), std::vector<std::string>{"find_user"});

  // Once the owner is known, the open completes on the calling thread without the store.
  recording_->clear();
  auto again = watched_->open_secret_now(alice_, key_);
  EXPECT_EQ(again.pending, vault::SlowStep::none);
  ASSERT_TRUE(again.secret) << again.secret.error().message;
  EXPECT_EQ(again.secret->reveal_text(), kSecret);
  EXPECT_TRUE(recording_->calls().empty());
}

TEST_F(OpenWithoutBlockingTest, ATamperedSecretIsRecordedOnTheWorkerNotOnTheCallingThread) {
  ASSERT_TRUE(watched_->prepare_owner(alice_.user_id));
  recording_->clear();
  store::KeyRecord tampered = key_;
  tampered.sealed_secret[tampered.sealed_secret.size() / 2] ^= 0x01;

  auto quick = watched_->open_secret_now(alice_, tampered);
  EXPECT_EQ(quick.pending, vault::SlowStep::record_tampering);
  EXPECT_TRUE(recording_->calls().empty()) << "a store call on the calling thread: " << recording_->calls()[0].method;
  EXPECT_FALSE(told_on_) << "the alert listener ran on the calling thread";
  auto before = store_->get_key(alice_.user_id, key_.id);
  ASSERT_TRUE(before);
  EXPECT_TRUE(keys_->is_usable(*before)) << "marked before the worker ran";

  auto [opened, worker] = finish_elsewhere(tampered, quick.pending);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, Errc::internal);
  EXPECT_FALSE(calls_on(worker).empty()) << "the key was marked on the worker";
  EXPECT_EQ(calls_on(worker).size(), recording_->calls().size()) << "every store call ran on the worker";
  EXPECT_EQ(told_on_, worker);
  auto after = store_->get_key(alice_.user_id, key_.id);
  ASSERT_TRUE(after);
  EXPECT_FALSE(keys_->is_usable(*after));
  EXPECT_EQ(audit_of("key.decrypt_failed").size(), 1u);
}

TEST_F(OpenWithoutBlockingTest, AnUnknownMasterVersionIsReloadedOnTheWorker) {
  ASSERT_TRUE(watched_->prepare_owner(alice_.user_id));
  recording_->clear();
  auto rotated = keyring_->with_new_pending_version(clock_.now());
  ASSERT_TRUE(rotated);
  auto active = rotated->with_activated(2);
  ASSERT_TRUE(active);
  auto next = std::make_shared<const crypto::Keyring>(std::move(*active));
  crypto::Envelope other(next);
  const crypto::SecretBinding binding{key_.id, key_.owner_id, key_.provider, key_.version};
  auto salt = store_->find_user(alice_.user_id);
  ASSERT_TRUE(salt);
  auto moved = other.rewrap({key_.wrapped_data_key, key_.sealed_secret, key_.master_version}, binding, salt->salt, 2);
  ASSERT_TRUE(moved);
  store::KeyRecord on_v2 = key_;
  on_v2.wrapped_data_key = moved->wrapped_data_key;
  on_v2.master_version = 2;
  std::optional<std::thread::id> reloaded_on;
  watched_->set_keyring_refresh([&] {
    reloaded_on = std::this_thread::get_id();
    envelope_->replace_keyring(next);
    return true;
  });

  auto quick = watched_->open_secret_now(alice_, on_v2);
  EXPECT_EQ(quick.pending, vault::SlowStep::reload_keyring);
  EXPECT_FALSE(reloaded_on) << "the keyring was reloaded on the calling thread";
  auto [opened, worker] = finish_elsewhere(on_v2, quick.pending);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->reveal_text(), kSecret);
  EXPECT_EQ(reloaded_on, worker);
  EXPECT_TRUE(calls_on(std::this_thread::get_id()).empty());
}

}  // namespace
}  // namespace keyrelay::test
