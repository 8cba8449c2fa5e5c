#include "crypto/envelope.h"

#include <cassert>
#include <utility>

#include "crypto/aead.h"
#include "crypto/associated_data.h"
#include "crypto/hkdf.h"
#include "crypto/hmac.h"
#include "crypto/random.h"

namespace keyrelay::crypto {
namespace {

constexpr std::size_t kDataKeySize = 32;
constexpr std::string_view kKekInfo = "keyrelay/user-kek/v1";
constexpr std::string_view kFingerprintInfo = "keyrelay/fingerprint/v1";

AssociatedData secret_aad(const SecretBinding& b) {
  AssociatedData aad;
  aad.add("keyrelay/secret/v1")
      .add(b.key_id)
      .add(b.user_id)
      .add(b.provider)
      .add_u32(b.secret_version);
  return aad;
}

AssociatedData data_key_aad(const SecretBinding& b, std::uint32_t master_version) {
  AssociatedData aad;
  aad.add("keyrelay/dek/v1").add(b.key_id).add(b.user_id).add_u32(master_version);
  return aad;
}

core::Error missing_version(std::uint32_t version) {
  return core::Error::not_found("master key version " + std::to_string(version) +
                                " is not in the keyring");
}

// An AEAD open that failed: a mismatch is reported as `integrity_message`, anything else (OpenSSL
// failing) passes through as the transient error it is.
core::Error opened_badly(core::Error&& error, std::string_view integrity_message) {
  if (error.code == core::Errc::internal) return core::Error::internal(std::string(integrity_message));
  return std::move(error);
}

}  // namespace

OpenFailure open_failure(const core::Error& error) noexcept {
  switch (error.code) {
    case core::Errc::not_found:
      return OpenFailure::unknown_version;
    case core::Errc::unavailable:
      return OpenFailure::transient;
    default:
      return OpenFailure::integrity;  // fail closed: whatever else went wrong, the data is suspect
  }
}

Envelope::Envelope(std::shared_ptr<const Keyring> keyring, std::size_t kek_cache_capacity)
    : keyring_(std::move(keyring)), cache_(kek_cache_capacity) {
  assert(keyring_ != nullptr);
}

void Envelope::replace_keyring(std::shared_ptr<const Keyring> keyring) {
  assert(keyring != nullptr);
  std::shared_ptr<const Keyring> old;
  {
    std::lock_guard lock(mutex_);
    old = std::exchange(keyring_, std::move(keyring));
    ++generation_;  // a derivation still running against `old` must not refill the cache
    cache_.clear();
  }
  // `old` is released outside the lock (its destructor wipes every master key).
}

void Envelope::forget_salt(core::ByteView user_salt) const {
  std::lock_guard lock(mutex_);
  cache_.erase_salt(user_salt);
}

std::shared_ptr<const Keyring> Envelope::keyring() const {
  std::lock_guard lock(mutex_);
  return keyring_;
}

Envelope::Snapshot Envelope::snapshot() const {
  std::lock_guard lock(mutex_);
  return {keyring_, generation_};
}

core::Result<core::Secret> Envelope::derived_key(const Snapshot& snap, KekCache::Purpose purpose,
                                                 std::uint32_t version,
                                                 core::ByteView user_salt) const {
  {
    std::lock_guard lock(mutex_);
    if (generation_ == snap.generation) {
      if (auto hit = cache_.find(purpose, version, user_salt)) return std::move(*hit);
    }
  }
  if (!snap.keyring) return missing_version(version);
  auto master = snap.keyring->key(version);
  if (!master) return missing_version(version);
  const std::string_view info =
      purpose == KekCache::Purpose::user_kek ? kKekInfo : kFingerprintInfo;
  auto key = hkdf_sha256(*master, user_salt, core::as_bytes(info), 32);
  if (!key) return std::move(key).error();
  {
    std::lock_guard lock(mutex_);
    if (generation_ == snap.generation) cache_.insert(purpose, version, user_salt, *key);
  }
  return key;
}

core::Result<SealedSecret> Envelope::seal(const core::Secret& plaintext,
                                          const SecretBinding& binding,
                                          core::ByteView user_salt) const {
  const Snapshot snap = snapshot();
  if (!snap.keyring) return core::Error::unavailable("no keyring is loaded");
  const std::uint32_t version = snap.keyring->active_version();
  auto kek = derived_key(snap, KekCache::Purpose::user_kek, version, user_salt);
  if (!kek) return std::move(kek).error();
  auto data_key = random_secret(kDataKeySize);  // wiped when it goes out of scope
  if (!data_key) return std::move(data_key).error();

  SealedSecret out;
  out.master_version = version;
  auto sealed = crypto::seal(data_key->reveal(), secret_aad(binding).view(), plaintext.reveal());
  if (!sealed) return std::move(sealed).error();
  out.sealed_secret = std::move(*sealed);
  auto wrapped =
      crypto::seal(kek->reveal(), data_key_aad(binding, version).view(), data_key->reveal());
  if (!wrapped) return std::move(wrapped).error();
  out.wrapped_data_key = std::move(*wrapped);
  return out;
}

core::Result<core::Secret> Envelope::unwrap_data_key(const Snapshot& snap,
                                                     const SealedSecret& sealed,
                                                     const SecretBinding& binding,
                                                     core::ByteView user_salt) const {
  auto kek = derived_key(snap, KekCache::Purpose::user_kek, sealed.master_version, user_salt);
  if (!kek) return std::move(kek).error();
  auto data_key = crypto::open(kek->reveal(), data_key_aad(binding, sealed.master_version).view(),
                               sealed.wrapped_data_key);
  if (!data_key) return opened_badly(std::move(data_key).error(), "the wrapped data key failed authentication");
  if (data_key->size() != kDataKeySize)
    return core::Error::internal("the wrapped data key has a wrong size");
  return data_key;
}

core::Result<core::Secret> Envelope::open(const SealedSecret& sealed, const SecretBinding& binding,
                                          core::ByteView user_salt) const {
  const Snapshot snap = snapshot();
  auto data_key = unwrap_data_key(snap, sealed, binding, user_salt);
  if (!data_key) return std::move(data_key).error();
  auto plaintext =
      crypto::open(data_key->reveal(), secret_aad(binding).view(), sealed.sealed_secret);
  if (!plaintext) return opened_badly(std::move(plaintext).error(), "the sealed secret failed authentication");
  return plaintext;
}

core::Result<SealedSecret> Envelope::rewrap(const SealedSecret& sealed,
                                            const SecretBinding& binding, core::ByteView user_salt,
                                            std::uint32_t to_version) const {
  const Snapshot snap = snapshot();
  auto data_key = unwrap_data_key(snap, sealed, binding, user_salt);
  if (!data_key) return std::move(data_key).error();
  auto kek = derived_key(snap, KekCache::Purpose::user_kek, to_version, user_salt);
  if (!kek) return std::move(kek).error();
  auto wrapped =
      crypto::seal(kek->reveal(), data_key_aad(binding, to_version).view(), data_key->reveal());
  if (!wrapped) return std::move(wrapped).error();
  return SealedSecret{std::move(*wrapped), sealed.sealed_secret, to_version};
}

core::Result<VerifiedRewrap> Envelope::rewrap_verified(const SealedSecret& sealed, const SecretBinding& binding,
                                                      core::ByteView user_salt, std::uint32_t to_version) const {
  // One snapshot for every step, so a keyring swapped meanwhile cannot mix two keyrings' keys.
  const Snapshot snap = snapshot();
  auto data_key = unwrap_data_key(snap, sealed, binding, user_salt);
  if (!data_key) return std::move(data_key).error();
  // The secret itself is opened too: its tag is what proves the sealed secret was not altered
  // (the data key's tag says nothing about it), and its plaintext is what the fingerprint is of.
  auto plaintext = crypto::open(data_key->reveal(), secret_aad(binding).view(), sealed.sealed_secret);
  if (!plaintext) return opened_badly(std::move(plaintext).error(), "the sealed secret failed authentication");
  auto kek = derived_key(snap, KekCache::Purpose::user_kek, to_version, user_salt);
  if (!kek) return std::move(kek).error();
  auto fingerprint_key = derived_key(snap, KekCache::Purpose::fingerprint, to_version, user_salt);
  if (!fingerprint_key) return std::move(fingerprint_key).error();
  auto wrapped = crypto::seal(kek->reveal(), data_key_aad(binding, to_version).view(), data_key->reveal());
  if (!wrapped) return std::move(wrapped).error();
  const Digest fingerprint = hmac_sha256(fingerprint_key->reveal(), plaintext->reveal());
  return VerifiedRewrap{SealedSecret{std::move(*wrapped), sealed.sealed_secret, to_version}, fingerprint};
}

core::Result<Digest> Envelope::fingerprint(const core::Secret& secret, core::ByteView user_salt,
                                           std::uint32_t master_version) const {
  auto key = derived_key(snapshot(), KekCache::Purpose::fingerprint, master_version, user_salt);
  if (!key) return std::move(key).error();
  return hmac_sha256(key->reveal(), secret.reveal());
}

}  // namespace keyrelay::crypto
