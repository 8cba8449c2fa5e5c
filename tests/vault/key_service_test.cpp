#include "vault/key_service.h"

#include <gtest/gtest.h>

#include "crypto/context_faults.h"
#include "vault/key_rules.h"
#include "vault/rewrapper.h"
#include "vault_fixture.h"

namespace keyrelay::test {
namespace {

using core::Errc;
using namespace std::chrono_literals;

constexpr const char* kSecret = "sk-proj-abcdefghijklmnopqrstuvwx9Qa";

class KeyServiceTest : public VaultFixture {};

TEST_F(KeyServiceTest, CreateStoresASealedKeyAndShowsOnlyTheHint) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->provider, "openai");
  EXPECT_EQ(key->name, "default");
  EXPECT_EQ(key->hint, "\u2026x9Qa");
  EXPECT_EQ(key->version, 1u);
  EXPECT_EQ(key->owner_id, alice_.user_id);
  const std::string sealed(key->sealed_secret.begin(), key->sealed_secret.end());
  EXPECT_EQ(sealed.find("abcdefghijklmnop"), std::string::npos);
  EXPECT_EQ(audit_of("key.created").size(), 1u);
}

TEST_F(KeyServiceTest, ShortSecretsGetNoHint) {
  auto key = create(alice_, "openweathermap", "0123456789abcde");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->hint, "\u2026");
}

TEST_F(KeyServiceTest, OpenSecretReturnsThePlaintext) {
  auto key = create(alice_, "anthropic", kSecret);
  ASSERT_TRUE(key);
  auto secret = keys_->open_secret(alice_, *key);
  ASSERT_TRUE(secret) << secret.error().message;
  EXPECT_EQ(secret->reveal_text(), kSecret);
}

TEST_F(KeyServiceTest, RejectsBadInputAndStoresNothing) {
  EXPECT_EQ(create(alice_, "nope", kSecret).error().code, Errc::invalid_request);
  EXPECT_EQ(create(alice_, "openai", kSecret, "Bad Name").error().code, Errc::invalid_request);
  EXPECT_EQ(create(alice_, "openai", kSecret, std::string(65, 'a')).error().code, Errc::invalid_request);
  EXPECT_EQ(create(alice_, "openai", "").error().code, Errc::invalid_request);
  EXPECT_EQ(create(alice_, "openai", "has space").error().code, Errc::invalid_request);
  EXPECT_EQ(create(alice_, "openai", "line\nbreak").error().code, Errc::invalid_request);
  EXPECT_EQ(create(alice_, "openai", "caf\xc3\xa9-key").error().code, Errc::invalid_request);
  EXPECT_EQ(create(alice_, "openai", std::string(4097, 'k')).error().code, Errc::invalid_request);
  EXPECT_TRUE(create(alice_, "openai", std::string(4096, 'k')));
  auto all = keys_->list(alice_.user_id, {});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->items.size(), 1u);
}

TEST_F(KeyServiceTest, ErrorMessagesNeverEchoTheSecret) {
  auto bad = create(alice_, "openai", "sk-secret-with space-in-it-123456");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.find("sk-secret"), std::string::npos);
  ASSERT_TRUE(create(alice_, "openai", kSecret));
  auto dup = create(alice_, "openai", kSecret, "second");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().message.find("abcdefgh"), std::string::npos);
}

TEST_F(KeyServiceTest, DuplicateNameOrSecretOfTheSameOwnerConflicts) {
  ASSERT_TRUE(create(alice_, "openai", kSecret));
  EXPECT_EQ(create(alice_, "openai", "sk-another-secret-0000000000", "default").error().code, Errc::conflict);
  EXPECT_EQ(create(alice_, "openai", kSecret, "other-name").error().code, Errc::conflict);
}

// The fingerprint key is derived from a master version, so the same secret fingerprints differently
// under each one. A duplicate is still a duplicate whichever version the stored key is on.
TEST_F(KeyServiceTest, TheSameSecretIsADuplicateAcrossMasterKeyRotations) {
  ASSERT_TRUE(create(alice_, "openai", kSecret, "first"));
  auto other = create(alice_, "openai", "sk-proj-another-secret-0000000000", "other");
  ASSERT_TRUE(other);
  // Version 2 seals from now on; both keys are still on version 1 (not re-wrapped yet).
  auto next = [this](const crypto::Keyring& current) {
    auto pending = current.with_new_pending_version(clock_.now());
    EXPECT_TRUE(pending);
    auto active = pending->with_activated(pending->versions().back().version);
    EXPECT_TRUE(active);
    auto keyring = std::make_shared<const crypto::Keyring>(std::move(*active));
    envelope_->replace_keyring(keyring);
    return keyring;
  };
  auto v2 = next(*keyring_);
  auto second = create(alice_, "openai", kSecret, "second");
  ASSERT_FALSE(second) << "stored the same secret twice after the master key rotated";
  EXPECT_EQ(second.error().code, Errc::conflict);
  auto onto = keys_->rotate(alice_, alice_.user_id, other->id, core::Secret(std::string_view(kSecret)));
  ASSERT_FALSE(onto) << "rotated another key onto a stored secret";
  EXPECT_EQ(onto.error().code, Errc::conflict);

  // After the re-wrap moved every key to version 2 (fingerprints recomputed): still a duplicate.
  audit::Actor cli = audit::Actor::cli();
  auto rewrapped = vault::Rewrapper(*store_, *store_, *store_, *envelope_, *keys_).run(cli, 2);
  ASSERT_TRUE(rewrapped) << rewrapped.error().message;
  EXPECT_EQ(rewrapped->rewrapped, 2u);
  EXPECT_EQ(create(alice_, "openai", kSecret, "third").error().code, Errc::conflict);

  // Version 3 seals, the keys are on version 2: still a duplicate.
  next(*v2);
  EXPECT_EQ(create(alice_, "openai", kSecret, "fourth").error().code, Errc::conflict);
  // A different secret stores fine, and the same secret for another provider or user too.
  EXPECT_TRUE(create(alice_, "openai", "sk-proj-a-third-secret-00000000000", "fifth"));
  EXPECT_TRUE(create(alice_, "perplexity", kSecret));
  EXPECT_TRUE(create(bob_, "openai", kSecret));
}

TEST_F(KeyServiceTest, TheSameSecretMayServeAnotherProviderOrAnotherUser) {
  ASSERT_TRUE(create(alice_, "gemini", "AIzaSyA-shared-google-key-000000"));
  EXPECT_TRUE(create(alice_, "google-maps", "AIzaSyA-shared-google-key-000000"));
  EXPECT_TRUE(create(bob_, "gemini", "AIzaSyA-shared-google-key-000000"));
}

TEST_F(KeyServiceTest, AnotherUsersKeyIsNotFoundForEveryOperation) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  EXPECT_EQ(keys_->get(bob_, bob_.user_id, key->id).error().code, Errc::not_found);
  vault::KeyPatch patch;
  patch.priority = 5;
  EXPECT_EQ(keys_->update(bob_, bob_.user_id, key->id, patch).error().code, Errc::not_found);
  EXPECT_EQ(keys_->rotate(bob_, bob_.user_id, key->id, core::Secret(std::string_view("sk-new-secret-00000000000"))).error().code,
            Errc::not_found);
  EXPECT_EQ(keys_->remove(bob_, bob_.user_id, key->id).error().code, Errc::not_found);
  auto bobs = keys_->list(bob_.user_id, {});
  ASSERT_TRUE(bobs);
  EXPECT_TRUE(bobs->items.empty());
  // Still intact for its owner.
  auto mine = keys_->get(alice_, alice_.user_id, key->id);
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->priority, 0);
}

TEST_F(KeyServiceTest, GetIsAudited) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  ASSERT_TRUE(keys_->get(alice_, alice_.user_id, key->id));
  auto reads = audit_of("key.read");
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].key_id, key->id);
  EXPECT_EQ(reads[0].request_id, "req-alice");
}

TEST_F(KeyServiceTest, UpdateChangesOnlyTheGivenFields) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  vault::KeyPatch patch;
  patch.name = "work";
  patch.priority = 3;
  patch.expires_at = clock_.now() + 24h;
  auto updated = keys_->update(alice_, alice_.user_id, key->id, patch);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->name, "work");
  EXPECT_EQ(updated->priority, 3);
  EXPECT_EQ(updated->expires_at, clock_.now() + 24h);
  EXPECT_FALSE(updated->always_use);
  EXPECT_EQ(updated->sealed_secret, key->sealed_secret);

  vault::KeyPatch clear;
  clear.expires_at = std::optional<store::TimePoint>{};
  auto cleared = keys_->update(alice_, alice_.user_id, key->id, clear);
  ASSERT_TRUE(cleared);
  EXPECT_FALSE(cleared->expires_at);
}

TEST_F(KeyServiceTest, UpdateRefusesAPastExpiryAndAnEmptyPatch) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  vault::KeyPatch past;
  past.expires_at = clock_.now() - 1s;
  EXPECT_EQ(keys_->update(alice_, alice_.user_id, key->id, past).error().code, Errc::invalid_request);
  EXPECT_EQ(keys_->update(alice_, alice_.user_id, key->id, {}).error().code, Errc::invalid_request);
}

TEST_F(KeyServiceTest, RotateReplacesTheSecretAndBumpsTheVersion) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  auto rotated = keys_->rotate(alice_, alice_.user_id, key->id, core::Secret(std::string_view("sk-proj-rotated-secret-zzzzzzzzABCD")));
  ASSERT_TRUE(rotated) << rotated.error().message;
  EXPECT_EQ(rotated->version, 2u);
  EXPECT_EQ(rotated->hint, "\u2026ABCD");
  EXPECT_NE(rotated->sealed_secret, key->sealed_secret);
  EXPECT_EQ(rotated->validation.state, store::ValidationState::unknown);
  auto opened = keys_->open_secret(alice_, *rotated);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->reveal_text(), "sk-proj-rotated-secret-zzzzzzzzABCD");
  EXPECT_EQ(audit_of("key.rotated").size(), 1u);
}

TEST_F(KeyServiceTest, ARestoredPreRotationRowDoesNotOpen) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  auto rotated = keys_->rotate(alice_, alice_.user_id, key->id, core::Secret(std::string_view("sk-proj-rotated-secret-zzzzzzzzABCD")));
  ASSERT_TRUE(rotated);
  store::KeyRecord restored = *rotated;
  restored.sealed_secret = key->sealed_secret;
  restored.wrapped_data_key = key->wrapped_data_key;
  EXPECT_FALSE(keys_->open_secret(alice_, restored));
}

TEST_F(KeyServiceTest, SealedPartsCopiedOntoAnotherKeyNeverOpenAsIt) {
  auto mine = create(alice_, "openai", kSecret);
  auto theirs = create(bob_, "openai", "sk-proj-bobs-secret-000000000000");
  auto also_mine = create(alice_, "anthropic", "sk-ant-alices-other-secret-00000");
  ASSERT_TRUE(mine && theirs && also_mine);
  for (const auto* target : {&*theirs, &*also_mine}) {
    store::KeyRecord forged = *target;
    forged.sealed_secret = mine->sealed_secret;
    forged.wrapped_data_key = mine->wrapped_data_key;
    forged.master_version = mine->master_version;
    const auto& who = target->owner_id == bob_.user_id ? bob_ : alice_;
    auto opened = keys_->open_secret(who, forged);
    EXPECT_FALSE(opened);
  }
}

TEST_F(KeyServiceTest, AFlippedByteMakesTheKeyUnusableAndIsAudited) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  store::KeyRecord tampered = *key;
  tampered.sealed_secret[tampered.sealed_secret.size() / 2] ^= 0x01;
  auto opened = keys_->open_secret(alice_, tampered);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, Errc::internal);
  auto failures = audit_of("key.decrypt_failed");
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].outcome, store::Outcome::failure);
  auto after = store_->get_key(alice_.user_id, key->id);
  ASSERT_TRUE(after);
  EXPECT_FALSE(keys_->is_usable(*after));
  EXPECT_EQ(store::key_status(*after, clock_.now()), store::KeyStatus::invalid);
}

// OpenSSL failing to set up a context says nothing about the stored bytes: the open is unavailable
// (retried later), the key stays in service, and nobody is told of tampering.
TEST_F(KeyServiceTest, ATransientCryptoFailureLeavesTheKeyUntouchedAndRaisesNothing) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  int told = 0;
  keys_->set_decrypt_failure_listener([&told](const audit::Actor&, const store::KeyRecord&) { ++told; });
  for (int skip = 0; skip < 2; ++skip) {  // the data key's AES-GCM context, then the secret's
    crypto::faults::fail_context_setup_after(skip);
    auto opened = keys_->open_secret(alice_, *key);
    crypto::faults::clear_context_faults();
    ASSERT_FALSE(opened) << "context set-up " << skip;
    EXPECT_EQ(opened.error().code, Errc::unavailable) << opened.error().message;
  }
  EXPECT_EQ(told, 0);
  EXPECT_TRUE(audit_of("key.decrypt_failed").empty());
  auto after = store_->get_key(alice_.user_id, key->id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->validation.state, store::ValidationState::unknown);
  EXPECT_TRUE(keys_->is_usable(*after));
  EXPECT_EQ(after->updated_at, key->updated_at);

  auto retried = keys_->open_secret(alice_, *key);
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ(retried->reveal_text(), kSecret);
}

// A copy of `key` whose data key is wrapped under master version 2 of `rotated` (a keyring this
// process has not loaded): what another node's rotation leaves in the store.
store::KeyRecord sealed_under_version_2(const store::KeyRecord& key, const crypto::Keyring& rotated,
                                        core::ByteView salt) {
  crypto::Envelope other(std::make_shared<const crypto::Keyring>(std::move(*rotated.with_activated(2))));
  const crypto::SecretBinding binding{key.id, key.owner_id, key.provider, key.version};
  auto moved = other.rewrap({key.wrapped_data_key, key.sealed_secret, key.master_version}, binding, salt, 2);
  EXPECT_TRUE(moved) << moved.error().message;
  store::KeyRecord out = key;
  out.wrapped_data_key = moved->wrapped_data_key;
  out.master_version = 2;
  return out;
}

class UnknownMasterVersionTest : public KeyServiceTest {
 protected:
  void SetUp() override {
    KeyServiceTest::SetUp();
    auto key = create(alice_, "openai", kSecret);
    ASSERT_TRUE(key);
    auto pending = keyring_->with_new_pending_version(clock_.now());
    ASSERT_TRUE(pending);
    rotated_ = std::make_shared<const crypto::Keyring>(std::move(*pending));
    moved_ = sealed_under_version_2(*key, *rotated_, store_->find_user(alice_.user_id)->salt);
  }

  std::shared_ptr<const crypto::Keyring> rotated_;
  store::KeyRecord moved_;
  int reloads_ = 0;
};

TEST_F(UnknownMasterVersionTest, AReloadThatBringsTheVersionOpensTheKey) {
  keys_->set_keyring_refresh([this] {
    ++reloads_;
    envelope_->replace_keyring(std::make_shared<const crypto::Keyring>(std::move(*rotated_->with_activated(2))));
    return true;
  });
  auto opened = keys_->open_secret(alice_, moved_);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->reveal_text(), kSecret);
  EXPECT_EQ(reloads_, 1);
}

// Every request meeting a key of an unknown version must not re-read the keyring file: one reload
// per few seconds in the whole process, and meanwhile such a key fails at once (the gateway moves on).
TEST_F(UnknownMasterVersionTest, ASecondOpenWithinTheWindowDoesNotReloadAgain) {
  keys_->set_keyring_refresh([this] {
    ++reloads_;
    return false;  // the file has nothing new yet
  });
  for (int i = 0; i < 3; ++i) {
    auto opened = keys_->open_secret(alice_, moved_);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, Errc::unavailable) << opened.error().message;
  }
  EXPECT_EQ(reloads_, 1);
  clock_.advance(1s);
  EXPECT_FALSE(keys_->open_secret(alice_, moved_));
  EXPECT_EQ(reloads_, 1) << "still inside the window";
  clock_.advance(5s);
  EXPECT_FALSE(keys_->open_secret(alice_, moved_));
  EXPECT_EQ(reloads_, 2) << "the window has passed";
  // An unknown version is not tampering: the key stays in service.
  auto stored = store_->get_key(alice_.user_id, moved_.id);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(keys_->is_usable(*stored));
  EXPECT_TRUE(audit_of("key.decrypt_failed").empty());
}

// The gateway's "this key was rejected" (or a validation) about the secret it opened must not mark
// the secret the owner rotated in meanwhile.
TEST_F(KeyServiceTest, AVerdictAboutARotatedSecretIsNotStoredAndSaysSo) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  auto rotated = keys_->rotate(alice_, alice_.user_id, key->id, core::Secret(std::string_view("sk-proj-rotated-secret-zzzzzzzzABCD")));
  ASSERT_TRUE(rotated);
  const auto validated_before = audit_of("key.validated").size();

  auto late = keys_->record_validation(alice_, alice_.user_id, key->id, key->version, store::ValidationState::invalid,
                                       "rejected by the provider", R"({"verdict":"invalid"})");
  ASSERT_TRUE(late) << late.error().message;
  EXPECT_TRUE(late->stale);
  EXPECT_EQ(late->key.version, 2u);
  EXPECT_EQ(late->key.validation.state, store::ValidationState::unknown);
  auto stored = store_->get_key(alice_.user_id, key->id);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(keys_->is_usable(*stored));
  EXPECT_EQ(audit_of("key.validated").size(), validated_before);

  // About the current secret, the verdict is stored.
  auto current = keys_->record_validation(alice_, alice_.user_id, key->id, rotated->version,
                                          store::ValidationState::invalid, "rejected", R"({"verdict":"invalid"})");
  ASSERT_TRUE(current) << current.error().message;
  EXPECT_FALSE(current->stale);
  EXPECT_EQ(current->key.validation.state, store::ValidationState::invalid);
  EXPECT_EQ(audit_of("key.validated").size(), validated_before + 1);
}

// A tampered copy of secret version 1 (say, from a cache filled before the owner rotated) is
// audited, but the verdict does not take the new secret out of service.
TEST_F(KeyServiceTest, ATamperedOldSecretDoesNotDisableTheRotatedKey) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  store::KeyRecord tampered = *key;
  tampered.sealed_secret[tampered.sealed_secret.size() / 2] ^= 0x01;
  ASSERT_TRUE(keys_->rotate(alice_, alice_.user_id, key->id, core::Secret(std::string_view("sk-proj-rotated-secret-zzzzzzzzABCD"))));

  auto opened = keys_->open_secret(alice_, tampered);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, Errc::internal);
  EXPECT_EQ(audit_of("key.decrypt_failed").size(), 1u);
  auto stored = store_->get_key(alice_.user_id, key->id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->version, 2u);
  EXPECT_TRUE(keys_->is_usable(*stored));
  EXPECT_EQ(stored->validation.state, store::ValidationState::unknown);
}

TEST_F(KeyServiceTest, EnablingAnInvalidKeyKeepsItInvalid) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  store::KeyRecord tampered = *key;
  tampered.wrapped_data_key[5] ^= 0x80;
  ASSERT_FALSE(keys_->open_secret(alice_, tampered));
  vault::KeyPatch enable;
  enable.enabled = true;
  auto enabled = keys_->update(alice_, alice_.user_id, key->id, enable);
  ASSERT_TRUE(enabled);
  EXPECT_EQ(store::key_status(*enabled, clock_.now()), store::KeyStatus::invalid);
}

TEST_F(KeyServiceTest, StatusFollowsThePrecedenceRule) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  vault::KeyPatch expire_soon;
  expire_soon.expires_at = clock_.now() + 1h;
  ASSERT_TRUE(keys_->update(alice_, alice_.user_id, key->id, expire_soon));
  clock_.advance(2h);
  auto expired = store_->get_key(alice_.user_id, key->id);
  ASSERT_TRUE(expired);
  EXPECT_EQ(store::key_status(*expired, clock_.now()), store::KeyStatus::expired);
  vault::KeyPatch disable;
  disable.enabled = false;
  auto disabled = keys_->update(alice_, alice_.user_id, key->id, disable);
  ASSERT_TRUE(disabled);
  EXPECT_EQ(store::key_status(*disabled, clock_.now()), store::KeyStatus::disabled);
}

TEST_F(KeyServiceTest, ExpiringListsSoonAndAlreadyExpiredKeysSoonestFirst) {
  auto later = create(alice_, "openai", kSecret, "later");
  auto sooner = create(alice_, "anthropic", "sk-ant-sooner-secret-000000000000", "sooner");
  auto never = create(alice_, "gemini", "AIzaSy-never-expires-000000000000", "never");
  ASSERT_TRUE(later && sooner && never);
  vault::KeyPatch p1, p2;
  p1.expires_at = clock_.now() + 5 * 24h;
  p2.expires_at = clock_.now() + 1h;
  ASSERT_TRUE(keys_->update(alice_, alice_.user_id, later->id, p1));
  ASSERT_TRUE(keys_->update(alice_, alice_.user_id, sooner->id, p2));
  clock_.advance(2h);  // `sooner` is now expired
  auto expiring = keys_->expiring(alice_.user_id, 7 * 24h);
  ASSERT_TRUE(expiring);
  ASSERT_EQ(expiring->size(), 2u);
  EXPECT_EQ((*expiring)[0].id, sooner->id);
  EXPECT_EQ((*expiring)[1].id, later->id);
}

TEST_F(KeyServiceTest, DeleteDestroysTheKey) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  ASSERT_TRUE(keys_->remove(alice_, alice_.user_id, key->id));
  EXPECT_EQ(store_->get_key(alice_.user_id, key->id).error().code, Errc::not_found);
  EXPECT_EQ(audit_of("key.deleted").size(), 1u);
  // The name and secret are free again.
  EXPECT_TRUE(create(alice_, "openai", kSecret));
}

TEST_F(KeyServiceTest, ChangesInvalidateTheOwnersCachedKeys) {
  auto key = create(alice_, "openai", kSecret);
  ASSERT_TRUE(key);
  auto snapshot = cache_->keys_of(alice_.user_id);
  ASSERT_TRUE(snapshot);
  EXPECT_EQ((*snapshot)->size(), 1u);
  ASSERT_TRUE(create(alice_, "anthropic", "sk-ant-second-secret-0000000000"));
  EXPECT_EQ(cache_->cached(alice_.user_id), nullptr);
  auto refreshed = cache_->keys_of(alice_.user_id);
  ASSERT_TRUE(refreshed);
  EXPECT_EQ((*refreshed)->size(), 2u);
}

TEST_F(KeyServiceTest, OnBehalfActionsRecordBothIdentities) {
  audit::Actor service = alice_;
  service.actor_user_id = bob_.user_id;  // bob's service token acting for alice
  auto key = create(service, "openai", kSecret);
  ASSERT_TRUE(key);
  auto created = audit_of("key.created");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].actor_user_id, bob_.user_id);
  EXPECT_EQ(created[0].on_behalf_of, alice_.user_id);
  EXPECT_EQ(created[0].key_owner_id, alice_.user_id);
}

TEST(KeyRules, NamesAndSecretsFollowTheContract) {
  EXPECT_TRUE(vault::check_key_name("a"));
  EXPECT_TRUE(vault::check_key_name("work_key-2"));
  EXPECT_FALSE(vault::check_key_name(""));
  EXPECT_FALSE(vault::check_key_name("UPPER"));
  EXPECT_FALSE(vault::check_key_name("dot.name"));
  EXPECT_TRUE(vault::check_secret(core::Secret(std::string_view("!~"))));
  EXPECT_FALSE(vault::check_secret(core::Secret(std::string_view("tab\there"))));
  EXPECT_TRUE(vault::normalize_metadata(R"({"team":"x"})"));
  EXPECT_FALSE(vault::normalize_metadata("[1]"));
  EXPECT_FALSE(vault::normalize_metadata("{"));
}

}  // namespace
}  // namespace keyrelay::test
