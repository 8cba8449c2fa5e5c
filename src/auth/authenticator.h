#pragma once
// Authenticator: turns an Authorization header (and X-Keyrelay-On-Behalf-Of) into a Principal.
//
// Access tokens ("kr_…") are looked up by their SHA-256 and compared in constant time by the hash
// index; verified tokens are cached for a short time so the hot path does not touch the database.
// Revocation through this process drops the entry at once; a change by another process is seen
// through the store generation (the caller clears the cache when it moves), and every entry expires
// after `cache_ttl` regardless. JWTs go to the JwtVerifier; a user is created on first sight.
// Failures are audited (auth.failed) with the request facts.
//
// Thread-safe. authenticate() blocks on a cache miss: call it on a worker thread.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/failed_attempts.h"
#include "auth/jwt_verifier.h"
#include "auth/principal.h"
#include "auth/reveal_grant.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/audit_append_store.h"
#include "store/token_store.h"
#include "store/user_store.h"

namespace keyrelay::auth {

struct RequestFacts {
  std::optional<std::string> ip;
  std::optional<std::string> user_agent;
  std::optional<std::string> request_id;
};

struct AuthenticatorOptions {
  std::chrono::milliseconds cache_ttl{30'000};
  std::size_t cache_capacity = 100'000;
  std::string audit_chain;    // the writer's mgmt chain (user.created)
  std::string failure_chain;  // where auth.failed goes: the writer's use chain; empty = audit_chain
  std::chrono::milliseconds failure_window{60'000};  // auth.failed coalesced per address and window
};

class Authenticator {
 public:
  // `jwt` may be null (JWTs not configured). Everything borrowed must outlive the authenticator.
  Authenticator(store::UserStore& users, store::TokenStore& tokens, store::AuditAppendStore& audit,
                const JwtVerifier* jwt, const core::Clock& clock, AuthenticatorOptions options);

  // unauthenticated: missing, malformed, unknown, expired or revoked credentials.
  // forbidden: on-behalf-of without act_as, or for a user who is not a plain user.
  core::Result<Principal> authenticate(std::optional<std::string_view> authorization,
                                       std::optional<std::string_view> on_behalf_of, const RequestFacts& facts);

  // The hot-path check that never blocks: the Principal of a cached, valid access token without
  // on-behalf-of. nullopt when the answer needs the store or an audit row (cache miss, JWT,
  // on-behalf-of, a token that fails): then call authenticate() on a worker thread.
  std::optional<Principal> try_cached(std::optional<std::string_view> authorization,
                                      std::optional<std::string_view> on_behalf_of);

  // Whether `authorization` has the shape of a credential this authenticator accepts: a bearer
  // access token, or a bearer JWT when JWTs are configured. Says nothing about validity; needs no
  // store, so a locked-out client's junk is refused without a lookup.
  bool could_be_valid(std::optional<std::string_view> authorization) const;

  // Writes the coalesced auth.failed summaries that are due (all of them with `everything`, at
  // shutdown). Blocking; the server's maintenance thread calls it every few seconds.
  core::Result<void> flush_failures(bool everything);

  // Drops cached credentials: of one token (revoked here) or all (another process changed data).
  void forget_token(std::string_view token_id);
  void clear_cache();

  // The (token id, last use) pairs seen since the last call, for a batched store.touch_tokens().
  std::vector<std::pair<std::string, store::TimePoint>> take_token_uses();

 private:
  struct CachedToken {
    store::TokenRecord token;
    store::UserRecord user;
    TokenGrants grants;
    std::chrono::steady_clock::time_point loaded_at;
  };

  core::Result<Principal> from_access_token(std::string_view text);
  // The principal of a loaded token, or why it may not be used now.
  core::Result<Principal> principal_of(const CachedToken& entry, store::TimePoint now);
  core::Result<Principal> from_jwt(std::string_view text, const RequestFacts& facts);
  // The user of a JWT identity: by its external id, else by the form used before issue 12 (then
  // rewritten), else created.
  core::Result<store::UserRecord> jwt_user(const JwtClaims& claims, const RequestFacts& facts);
  core::Result<Principal> act_for(Principal actor, std::string_view target_user_id);
  // Counts the failure; writes its auth.failed event when it is the first of its window.
  void audit_failure(std::string_view reason, const RequestFacts& facts);

  store::UserStore& users_;
  store::TokenStore& tokens_;
  store::AuditAppendStore& audit_;
  const JwtVerifier* jwt_;
  const core::Clock& clock_;
  AuthenticatorOptions options_;
  FailedAttemptLog failures_;

  std::mutex mutex_;  // guards cache_ and uses_
  // Looked up by string_view: a cached token's call builds no key string.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  // By hex token hash. Shared, immutable entries: a request takes one without copying its records.
  std::unordered_map<std::string, std::shared_ptr<const CachedToken>, KeyHash, std::equal_to<>> cache_;
  std::unordered_map<std::string, store::TimePoint> uses_;
};

}  // namespace keyrelay::auth
