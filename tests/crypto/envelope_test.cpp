#include "crypto/envelope.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/encoding.h"
#include "crypto/aead.h"
#include "crypto/associated_data.h"
#include "crypto/context_faults.h"
#include "crypto/hkdf.h"
#include "crypto/hmac.h"
#include "support/temp_dir.h"

namespace keyrelay::crypto {
namespace {

std::string key_text(std::uint8_t byte) { return core::base64_encode(core::Bytes(32, byte)); }

std::shared_ptr<const Keyring> single_key(std::uint8_t byte) {
  return std::make_shared<const Keyring>(Keyring::from_master_key(key_text(byte)).value());
}

// A keyring where version 1 (key byte 1, as single_key(1)) is still readable and version 2 seals.
std::shared_ptr<const Keyring> rotated_keyring() {
  test::TempDir dir;
  std::string text = "active = 2\n";
  for (int v : {1, 2}) {
    text += "[[keys]]\nversion = " + std::to_string(v) + "\nkey = \"" +
            key_text(static_cast<std::uint8_t>(v)) +
            "\"\ncreated_at = \"2026-11-23T00:00:00Z\"\nstate = \"" +
            "active" + "\"\n";
  }
  const auto path = dir.write_file("keyring.toml", text);
  std::filesystem::permissions(path, std::filesystem::perms::owner_read,
                               std::filesystem::perm_options::replace);
  return std::make_shared<const Keyring>(Keyring::load_file(path).value());
}

const core::Secret kPlaintext("sk-proj-abcdefghijklmnopqrstuvwxyz0123456789");
const core::Bytes kSalt(16, 0xa5);
const SecretBinding kBinding{"key-1", "user-1", "openai", 1};

class EnvelopeTest : public ::testing::Test {
 protected:
  Envelope envelope_{single_key(1)};

  SealedSecret seal_ok(const SecretBinding& binding = kBinding, core::ByteView salt = kSalt) {
    auto sealed = envelope_.seal(kPlaintext, binding, salt);
    EXPECT_TRUE(sealed) << sealed.error().message;
    return sealed ? std::move(*sealed) : SealedSecret{};
  }
  void expect_opens(const SealedSecret& sealed, const SecretBinding& binding = kBinding,
                    core::ByteView salt = kSalt) {
    auto opened = envelope_.open(sealed, binding, salt);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_TRUE(opened->equals(kPlaintext));
  }
  void expect_fails(const SealedSecret& sealed, const SecretBinding& binding = kBinding,
                    core::ByteView salt = kSalt) {
    auto opened = envelope_.open(sealed, binding, salt);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, core::Errc::internal);
  }
};

TEST_F(EnvelopeTest, SealThenOpenRoundTrips) {
  const auto sealed = seal_ok();
  EXPECT_EQ(sealed.master_version, 1u);
  EXPECT_EQ(sealed.wrapped_data_key.size(), 32 + kSealedOverhead);
  EXPECT_EQ(sealed.sealed_secret.size(), kPlaintext.size() + kSealedOverhead);
  expect_opens(sealed);
}

// The stored format is exactly the documented construction (ARCHITECTURE.md, normative section).
TEST_F(EnvelopeTest, FollowsTheDocumentedConstruction) {
  const auto sealed = seal_ok();
  auto kek = hkdf_sha256(core::Bytes(32, 1), kSalt, core::as_bytes("keyrelay/user-kek/v1"), 32);
  ASSERT_TRUE(kek);
  AssociatedData dek_aad;
  dek_aad.add("keyrelay/dek/v1").add("key-1").add("user-1").add_u32(1);
  auto data_key = open(kek->reveal(), dek_aad.view(), sealed.wrapped_data_key);
  ASSERT_TRUE(data_key);
  EXPECT_EQ(data_key->size(), 32u);
  AssociatedData secret_aad;
  secret_aad.add("keyrelay/secret/v1").add("key-1").add("user-1").add("openai").add_u32(1);
  auto plaintext = open(data_key->reveal(), secret_aad.view(), sealed.sealed_secret);
  ASSERT_TRUE(plaintext);
  EXPECT_TRUE(plaintext->equals(kPlaintext));
}

TEST_F(EnvelopeTest, OpenFailsForAnyOtherBindingField) {
  const auto sealed = seal_ok();
  expect_fails(sealed, {"key-2", "user-1", "openai", 1});
  expect_fails(sealed, {"key-1", "user-2", "openai", 1});
  expect_fails(sealed, {"key-1", "user-1", "anthropic", 1});
  expect_fails(sealed, {"key-1", "user-1", "openai", 2});
  expect_fails(sealed, {"key-1user-1", "", "openai", 1});
}

TEST_F(EnvelopeTest, OpenFailsWithAnotherUserSalt) {
  const auto sealed = seal_ok();
  expect_fails(sealed, kBinding, core::Bytes(16, 0xa4));
  expect_fails(sealed, kBinding, core::ByteView());
}

TEST_F(EnvelopeTest, OpenFailsWhenTheMasterVersionIsChanged) {
  auto sealed = seal_ok();
  sealed.master_version = 2;
  auto opened = envelope_.open(sealed, kBinding, kSalt);
  ASSERT_FALSE(opened);
  EXPECT_EQ(open_failure(opened.error()), OpenFailure::unknown_version);  // version 2 is not in the keyring

  Envelope rotated(rotated_keyring());
  auto again = seal_ok();
  again.master_version = 2;  // version 2 exists here, but the data key was wrapped under 1
  auto reopened = rotated.open(again, kBinding, kSalt);
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error().code, core::Errc::internal);
}

TEST_F(EnvelopeTest, OpenWithAVersionMissingFromTheKeyringNamesTheVersion) {
  auto sealed = seal_ok();
  sealed.master_version = 7;
  auto opened = envelope_.open(sealed, kBinding, kSalt);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, core::Errc::not_found);
  EXPECT_NE(opened.error().message.find("7"), std::string::npos);
}

TEST_F(EnvelopeTest, EveryFlippedBitOfEitherPartFailsToOpen) {
  const auto sealed = seal_ok();
  for (auto part : {&SealedSecret::wrapped_data_key, &SealedSecret::sealed_secret}) {
    for (std::size_t i = 0; i < (sealed.*part).size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        SealedSecret copy = sealed;
        (copy.*part)[i] ^= static_cast<std::uint8_t>(1u << bit);
        auto opened = envelope_.open(copy, kBinding, kSalt);
        ASSERT_FALSE(opened) << (part == &SealedSecret::wrapped_data_key ? "wrapped" : "sealed")
                             << " byte " << i << " bit " << bit;
      }
    }
  }
}

TEST_F(EnvelopeTest, PartsSwappedBetweenKeysFailToOpen) {
  const SecretBinding other{"key-2", "user-1", "openai", 1};
  const auto a = seal_ok(kBinding);
  const auto b = seal_ok(other);
  expect_opens(b, other);
  expect_fails({a.wrapped_data_key, b.sealed_secret, 1}, kBinding);
  expect_fails({a.wrapped_data_key, b.sealed_secret, 1}, other);
  expect_fails({b.wrapped_data_key, a.sealed_secret, 1}, other);
  expect_fails(a, other);
}

TEST_F(EnvelopeTest, TwoSealsOfTheSameSecretDiffer) {
  const auto a = seal_ok();
  const auto b = seal_ok();
  EXPECT_NE(a.wrapped_data_key, b.wrapped_data_key);
  EXPECT_NE(a.sealed_secret, b.sealed_secret);
}

TEST_F(EnvelopeTest, SealUsesTheActiveVersionAndOldEnvelopesStillOpen) {
  const auto old = seal_ok();
  envelope_.replace_keyring(rotated_keyring());
  const auto fresh = seal_ok();
  EXPECT_EQ(fresh.master_version, 2u);
  expect_opens(fresh);
  expect_opens(old);  // version 1 no longer seals but is still held
}

TEST_F(EnvelopeTest, RewrapMovesOnlyTheDataKeyToTheNewVersion) {
  const auto old = seal_ok();
  envelope_.replace_keyring(rotated_keyring());
  auto moved = envelope_.rewrap(old, kBinding, kSalt, 2);
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->master_version, 2u);
  EXPECT_EQ(moved->sealed_secret, old.sealed_secret);
  EXPECT_NE(moved->wrapped_data_key, old.wrapped_data_key);
  expect_opens(*moved);
  // The re-wrapped data key does not open under the old version's label.
  expect_fails({moved->wrapped_data_key, moved->sealed_secret, 1});
}

TEST_F(EnvelopeTest, RewrapFailsForAWrongBindingOrAMissingVersion) {
  const auto sealed = seal_ok();
  auto wrong = envelope_.rewrap(sealed, {"key-1", "user-2", "openai", 1}, kSalt, 1);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, core::Errc::internal);
  auto missing = envelope_.rewrap(sealed, kBinding, kSalt, 9);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::Errc::not_found);
}

TEST_F(EnvelopeTest, RewrapVerifiedMovesTheDataKeyAndFingerprintsUnderTheNewVersion) {
  const auto old = seal_ok();
  envelope_.replace_keyring(rotated_keyring());
  auto moved = envelope_.rewrap_verified(old, kBinding, kSalt, 2);
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->sealed.master_version, 2u);
  EXPECT_EQ(moved->sealed.sealed_secret, old.sealed_secret) << "only the data key is re-sealed";
  EXPECT_NE(moved->sealed.wrapped_data_key, old.wrapped_data_key);
  expect_opens(moved->sealed);
  auto fingerprint = envelope_.fingerprint(kPlaintext, kSalt, 2);
  ASSERT_TRUE(fingerprint);
  EXPECT_EQ(moved->fingerprint, *fingerprint);
  EXPECT_NE(moved->fingerprint, envelope_.fingerprint(kPlaintext, kSalt, 1).value());
}

TEST_F(EnvelopeTest, RewrapVerifiedChecksTheSecretNotOnlyTheDataKey) {
  const auto sealed = seal_ok();
  envelope_.replace_keyring(rotated_keyring());
  // A changed sealed secret: rewrap() alone would carry it forward, since only the data key's tag
  // is checked there; rewrap_verified() refuses it as an integrity failure.
  for (std::size_t at : {std::size_t{0}, sealed.sealed_secret.size() / 2, sealed.sealed_secret.size() - 1}) {
    auto tampered = sealed;
    tampered.sealed_secret[at] ^= 0x01;
    ASSERT_TRUE(envelope_.rewrap(tampered, kBinding, kSalt, 2)) << "the premise: rewrap() does not look at it";
    auto refused = envelope_.rewrap_verified(tampered, kBinding, kSalt, 2);
    ASSERT_FALSE(refused) << "byte " << at;
    EXPECT_EQ(open_failure(refused.error()), OpenFailure::integrity);
  }
  auto wrong_key = sealed;
  wrong_key.wrapped_data_key[3] ^= 0x80;
  auto refused = envelope_.rewrap_verified(wrong_key, kBinding, kSalt, 2);
  ASSERT_FALSE(refused);
  EXPECT_EQ(open_failure(refused.error()), OpenFailure::integrity);
  auto missing = envelope_.rewrap_verified(sealed, kBinding, kSalt, 9);
  ASSERT_FALSE(missing);
  EXPECT_EQ(open_failure(missing.error()), OpenFailure::unknown_version);
}

TEST_F(EnvelopeTest, ReplaceKeyringWipesCachedKeysOfTheOldKeyring) {
  const auto sealed = seal_ok();  // caches the KEK of (version 1, salt)
  auto other = single_key(9);
  envelope_.replace_keyring(other);
  EXPECT_EQ(envelope_.keyring(), other);
  expect_fails(sealed);  // a stale cached KEK would still open it
  envelope_.replace_keyring(single_key(1));
  expect_opens(sealed);
}

TEST_F(EnvelopeTest, FingerprintIsStablePerUserAndVersion) {
  Envelope rotated(rotated_keyring());
  auto a = rotated.fingerprint(kPlaintext, kSalt, 1);
  auto b = rotated.fingerprint(kPlaintext, kSalt, 1);
  auto other_user = rotated.fingerprint(kPlaintext, core::Bytes(16, 0x01), 1);
  auto other_version = rotated.fingerprint(kPlaintext, kSalt, 2);
  auto other_secret = rotated.fingerprint(core::Secret(std::string_view("sk-other")), kSalt, 1);
  ASSERT_TRUE(a && b && other_user && other_version && other_secret);
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *other_user);
  EXPECT_NE(*a, *other_version);
  EXPECT_NE(*a, *other_secret);
  // The same as the documented construction, and the same across envelopes holding the key.
  auto key = hkdf_sha256(core::Bytes(32, 1), kSalt, core::as_bytes("keyrelay/fingerprint/v1"), 32);
  ASSERT_TRUE(key);
  EXPECT_EQ(*a, hmac_sha256(key->reveal(), kPlaintext.reveal()));
  EXPECT_EQ(*a, *envelope_.fingerprint(kPlaintext, kSalt, 1));
}

TEST_F(EnvelopeTest, FingerprintOfAMissingVersionFails) {
  auto fp = envelope_.fingerprint(kPlaintext, kSalt, 3);
  ASSERT_FALSE(fp);
  EXPECT_EQ(fp.error().code, core::Errc::not_found);
}

TEST(Envelope, WorksWithTheKekCacheDisabled) {
  Envelope envelope(single_key(1), 0);
  auto sealed = envelope.seal(kPlaintext, kBinding, kSalt);
  ASSERT_TRUE(sealed);
  auto opened = envelope.open(*sealed, kBinding, kSalt);
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened->equals(kPlaintext));
}

// Many users through a tiny cache while the keyring is swapped: every open still succeeds.
TEST(Envelope, IsSafeToUseFromSeveralThreads) {
  Envelope envelope(rotated_keyring(), 3);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&envelope, &failures, t] {
      for (int i = 0; i < 200; ++i) {
        const core::Bytes salt(16, static_cast<std::uint8_t>((t * 7 + i) % 11));
        auto sealed = envelope.seal(kPlaintext, kBinding, salt);
        if (!sealed) {
          ++failures;
          continue;
        }
        auto opened = envelope.open(*sealed, kBinding, salt);
        if (!opened || !opened->equals(kPlaintext)) ++failures;
      }
    });
  }
  threads.emplace_back([&envelope] {
    for (int i = 0; i < 50; ++i) envelope.replace_keyring(envelope.keyring());
  });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace keyrelay::crypto

namespace keyrelay::crypto {
namespace {

// Each kind of failure asks for a different reaction (KeyService::open_secret): a changed byte is
// tampering, a version the keyring lacks asks for a reload, OpenSSL failing is transient.
TEST_F(EnvelopeTest, OpenSaysWhichKindOfFailureItIs) {
  const auto sealed = seal_ok();
  for (auto part : {&SealedSecret::wrapped_data_key, &SealedSecret::sealed_secret}) {
    SealedSecret tampered = sealed;
    (tampered.*part)[(tampered.*part).size() / 2] ^= 0x01;
    auto opened = envelope_.open(tampered, kBinding, kSalt);
    ASSERT_FALSE(opened);
    EXPECT_EQ(open_failure(opened.error()), OpenFailure::integrity) << opened.error().message;
  }
  SealedSecret moved = sealed;
  moved.master_version = 7;
  auto missing = envelope_.open(moved, kBinding, kSalt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(open_failure(missing.error()), OpenFailure::unknown_version) << missing.error().message;
}

// Fail at every step: each OpenSSL context an open sets up (the KEK's HKDF, the data key's and the
// secret's AES-GCM) may fail to be created; each such failure is transient, and the open works
// again as soon as OpenSSL does.
TEST(EnvelopeFaults, EveryContextThatCannotBeSetUpMakesOpenAndRewrapTransient) {
  Envelope envelope(rotated_keyring(), 0);  // no KEK cache: every call derives its keys afresh
  auto sealed = envelope.seal(kPlaintext, kBinding, kSalt);
  ASSERT_TRUE(sealed) << sealed.error().message;
  int failures = 0;
  for (int skip = 0; skip < 10; ++skip) {
    faults::fail_context_setup_after(skip);
    auto opened = envelope.open(*sealed, kBinding, kSalt);
    faults::clear_context_faults();
    if (opened) {
      EXPECT_TRUE(opened->equals(kPlaintext));
      break;
    }
    ++failures;
    EXPECT_EQ(open_failure(opened.error()), OpenFailure::transient)
        << "context set-up " << skip << ": " << opened.error().message;
  }
  EXPECT_EQ(failures, 3) << "HKDF for the KEK, AES-GCM for the data key, AES-GCM for the secret";

  for (int skip = 0; skip < 3; ++skip) {
    faults::fail_context_setup_after(skip);
    auto moved = envelope.rewrap(*sealed, kBinding, kSalt, 1);
    faults::clear_context_faults();
    ASSERT_FALSE(moved) << "context set-up " << skip;
    EXPECT_EQ(open_failure(moved.error()), OpenFailure::transient)
        << "context set-up " << skip << ": " << moved.error().message;
  }
}

}  // namespace
}  // namespace keyrelay::crypto
