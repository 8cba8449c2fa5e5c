#pragma once
// What the dispatcher asks of the rest of keyrelay, as narrow interfaces: the composition root
// (cli/serve.cpp) wires the vault, the usage recorder and the alerting behind them, and the
// dispatcher's tests wire fakes. The gateway never includes the vault.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "catalog/catalog.h"
#include "core/result.h"
#include "core/secret.h"
#include "gateway/key_choice.h"
#include "gateway/key_use.h"
#include "gateway/provider_call.h"
#include "gateway/spend_hold.h"
#include "store/records.h"

namespace keyrelay::gateway {

// One owner's key records: immutable and shared, so a dispatch can hold them while a change to the
// owner's keys replaces the set for later requests.
using KeySet = std::shared_ptr<const std::vector<store::KeyRecord>>;

class KeySource {
 public:
  virtual ~KeySource() = default;
  // The key records of `owner_id` (a user, or the system user for the operator's default keys),
  // with whatever opening them needs loaded. Never blocks the calling I/O thread.
  virtual boost::asio::awaitable<core::Result<KeySet>> keys_of(const std::string& owner_id) = 0;
};

class SecretOpener {
 public:
  virtual ~SecretOpener() = default;
  // The plaintext of `key` for one call by `actor`. unavailable: transient (the key is fine);
  // any other error: the key cannot be opened (it was taken out of service and audited).
  // Never blocks the calling I/O thread.
  virtual boost::asio::awaitable<core::Result<core::Secret>> open(const Actor& actor, const store::KeyRecord& key) = 0;
};

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // A request found no usable key for `provider`; `why` says what is missing. Returns at once.
  virtual void no_usable_key(const Actor& actor, std::string_view provider, const std::string& why) = 0;
  // The provider refused `key` in a request keyrelay built with the user's own key: the key is bad.
  // Completes once the key is marked invalid (so the next request cannot pick it again).
  virtual boost::asio::awaitable<void> key_rejected(const Actor& actor, const catalog::Provider& provider,
                                                    const store::KeyRecord& key, int http_status,
                                                    const std::string& message) = 0;
  // The provider refused `key` where the refusal may not be the key's fault (/proxy, an operator's
  // default key): re-validate it off the request path, on `executor`. Returns at once.
  virtual void key_suspected(const Actor& actor, const catalog::Provider& provider, const store::KeyRecord& key,
                             const boost::asio::any_io_executor& executor) = 0;
};

// What a call asks of the spend caps before it goes upstream with one key.
struct SpendAsk {
  const Actor& actor;                // whose call (the effective user)
  const KeyChoice& key;              // the key it would use (own or an operator default key)
  const catalog::Provider& provider;
  const ProviderCall& call;          // what goes upstream: model, body (or a streamed one), URL
};

class SpendGuard {
 public:
  virtual ~SpendGuard() = default;
  // Reserves the call's worst case against every cap that applies to it: the key's caps, the
  // user's caps when it is the user's own key, the user's default-key allowance when it is an
  // operator default key. Returns the hold to settle once the call ended, or null when no cap
  // applies. spend_cap_exceeded (with Retry-After: until the cap resets) when a cap would be
  // exceeded or the model has no price to bound it by; unavailable when the spend state cannot be
  // read (fail closed). Never blocks the calling I/O thread.
  virtual boost::asio::awaitable<core::Result<std::shared_ptr<SpendHold>>> reserve(const SpendAsk& ask) = 0;
};

}  // namespace keyrelay::gateway
