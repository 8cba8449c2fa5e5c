#pragma once
// Envelope: seals and opens users' secrets (provider API keys) with envelope encryption.
//
//   user KEK  = HKDF-SHA256(ikm = master[v], salt = user salt, info = "keyrelay/user-kek/v1"), 32
//   bytes data key  = 32 random bytes, fresh for every seal sealed_secret    = aead::seal(data key,
//   AAD{"keyrelay/secret/v1", key id, user id, provider,
//                                               u32 secret version}, secret)
//   wrapped_data_key = aead::seal(user KEK, AAD{"keyrelay/dek/v1", key id, user id, u32 v}, data
//   key)
//
// AAD fields are length-prefixed (AssociatedData), so a row copied onto another user, key, provider
// or secret version fails to open. Master-key rotation re-wraps only the data key (rewrap).
//
// Thread-safe: every method may be called concurrently. One mutex guards the keyring pointer and a
// bounded cache of derived keys (KekCache, wiped on eviction and on replace_keyring); it is never
// held during HKDF or AES work. Plaintext secrets are never cached, and data keys are wiped after
// use. Shares ownership of the keyring.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"
#include "crypto/digest.h"
#include "crypto/kek_cache.h"
#include "crypto/keyring.h"

namespace keyrelay::crypto {

// What a sealed secret is bound to; every field is part of the associated data.
struct SecretBinding {
  std::string_view key_id;
  std::string_view user_id;
  std::string_view provider;
  std::uint32_t secret_version = 0;
};

// The stored form of one secret.
struct SealedSecret {
  core::Bytes wrapped_data_key;
  core::Bytes sealed_secret;
  std::uint32_t master_version = 0;
};

// What rewrap_verified() gives back: the secret re-wrapped and its fingerprint under the new version.
struct VerifiedRewrap {
  SealedSecret sealed;
  Digest fingerprint;
};

// Why open() (or rewrap()) failed. Callers react differently to each kind.
enum class OpenFailure {
  integrity,        // Errc::internal: the data key or the secret failed authentication (tampered
                    // with, moved, or sealed under another master key). Permanent.
  unknown_version,  // Errc::not_found: the master version is not in the loaded keyring: reload it,
                    // then retry.
  transient,        // Errc::unavailable: OpenSSL could not do its part (no memory for a context);
                    // nothing is known to be wrong with the data: retry later.
};

// The kind of an error that open() or rewrap() returned.
OpenFailure open_failure(const core::Error& error) noexcept;

class Envelope {
 public:
  // `keyring` must not be null. `kek_cache_capacity` bounds the derived-key cache (0 disables it).
  explicit Envelope(std::shared_ptr<const Keyring> keyring, std::size_t kek_cache_capacity = 4096);
  Envelope(const Envelope&) = delete;
  Envelope& operator=(const Envelope&) = delete;

  // Swaps in a reloaded keyring (must not be null) and wipes the derived-key cache. Calls already
  // running finish with the keyring they started with.
  void replace_keyring(std::shared_ptr<const Keyring> keyring);
  std::shared_ptr<const Keyring> keyring() const;
  // Wipes the keys derived from `user_salt` held in the cache (a deleted user's KEK and
  // fingerprint key): crypto-shredding needs no copy of them left in memory.
  void forget_salt(core::ByteView user_salt) const;

  // Seals `plaintext` under the keyring's active version. Errc::internal if the random generator
  // fails; Errc::unavailable when OpenSSL fails.
  core::Result<SealedSecret> seal(const core::Secret& plaintext, const SecretBinding& binding,
                                  core::ByteView user_salt) const;

  // Opens what seal (or rewrap) produced for the same binding and salt. Errc::not_found when
  // `sealed.master_version` is not in the keyring (reload the keyring, then retry); Errc::internal
  // when the data key or the secret fails authentication (wrong binding, salt or master version,
  // or tampered bytes); Errc::unavailable when OpenSSL fails (transient). open_failure() names
  // the three. No plaintext is released on failure.
  core::Result<core::Secret> open(const SealedSecret& sealed, const SecretBinding& binding,
                                  core::ByteView user_salt) const;

  // Re-wraps only the data key under master version `to_version`; sealed_secret is copied
  // unchanged. For master-key rotation. Errors as open (Errc::not_found also for a missing
  // `to_version`).
  core::Result<SealedSecret> rewrap(const SealedSecret& sealed, const SecretBinding& binding,
                                    core::ByteView user_salt, std::uint32_t to_version) const;

  // Master-key rotation's step per key: opens the secret in full (both GCM tags are checked, so
  // a tampered data key or secret fails exactly as in open()), re-wraps the data key under
  // `to_version` and fingerprints the secret under it, unwrapping the data key once. The plaintext
  // never leaves (wiped before returning). Errors as rewrap().
  core::Result<VerifiedRewrap> rewrap_verified(const SealedSecret& sealed, const SecretBinding& binding,
                                               core::ByteView user_salt, std::uint32_t to_version) const;

  // HMAC-SHA256(HKDF(master[v], user salt, "keyrelay/fingerprint/v1"), secret): the same secret of
  // the same user gives the same value for one master version, so duplicates are found without
  // storing the secret. Errc::not_found if `master_version` is not in the keyring;
  // Errc::unavailable when OpenSSL fails.
  core::Result<Digest> fingerprint(const core::Secret& secret, core::ByteView user_salt,
                                   std::uint32_t master_version) const;

 private:
  struct Snapshot {
    std::shared_ptr<const Keyring> keyring;
    std::uint64_t generation = 0;
  };

  Snapshot snapshot() const;
  // The key derived from master[version] for `purpose`, from the cache or by HKDF.
  core::Result<core::Secret> derived_key(const Snapshot& snap, KekCache::Purpose purpose,
                                         std::uint32_t version, core::ByteView user_salt) const;
  // Opens the data key of `sealed` (32 bytes).
  core::Result<core::Secret> unwrap_data_key(const Snapshot& snap, const SealedSecret& sealed,
                                             const SecretBinding& binding,
                                             core::ByteView user_salt) const;

  mutable std::mutex mutex_;
  std::shared_ptr<const Keyring> keyring_;  // guarded by mutex_
  std::uint64_t generation_ = 0;            // guarded by mutex_; bumped by replace_keyring
  mutable KekCache cache_;                  // guarded by mutex_
};

}  // namespace keyrelay::crypto
