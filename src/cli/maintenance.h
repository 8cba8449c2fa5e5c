#pragma once
// Background upkeep of a running server, on its own thread so no I/O thread ever blocks on it:
// - every `poll_interval`: read the store generation; when another process changed data, drop the
//   token and key caches (revocations by `keyrelay token revoke` take effect within ~1 s);
// - every `flush_interval`: write batched token last-use times and the auth.failed summaries whose
//   window closed, and ping the store (readiness); at stop, everything still counted;
// - every `keyring_interval`: run `keyring_check` (re-reads the keyring file when it changed).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "auth/authenticator.h"
#include "store/schema_store.h"
#include "store/token_store.h"
#include "vault/key_cache.h"

namespace keyrelay::cli {

class Maintenance {
 public:
  // `schema` gives the generation and the ping; `tokens` takes the batched last uses.
  Maintenance(store::SchemaStore& schema, store::TokenStore& tokens, auth::Authenticator& authenticator,
              vault::KeyCache& cache,
              std::function<void()> keyring_check = {},
              std::chrono::milliseconds poll_interval = std::chrono::milliseconds(250),
              std::chrono::milliseconds flush_interval = std::chrono::seconds(5),
              std::chrono::milliseconds keyring_interval = std::chrono::seconds(2));
  ~Maintenance();  // stops the thread and flushes once more

  void start();
  void stop();
  // Drops the token and key caches now, as a moved generation does; from any thread (the store's
  // change feed calls it when another node committed a change, see store/change_feed.h).
  void drop_caches();
  // Also runs `also` whenever the caches are dropped (the spend caps' copy reloads). Set it before
  // start(); it runs on the maintenance or change-feed thread and may block on the store.
  void also_on_change(std::function<void()> also) { also_on_change_ = std::move(also); }
  // False after the store failed a ping (readyz answers 503 then).
  bool store_ok() const noexcept { return store_ok_.load(); }

 private:
  void run(std::optional<std::uint64_t> seen);
  void flush(bool everything);

  store::SchemaStore& schema_;
  store::TokenStore& tokens_;
  auth::Authenticator& authenticator_;
  vault::KeyCache& cache_;
  std::chrono::milliseconds poll_interval_;
  std::chrono::milliseconds flush_interval_;
  std::function<void()> keyring_check_;
  std::function<void()> also_on_change_;
  std::chrono::milliseconds keyring_interval_;
  // Records the outcome of a probe of the store (a generation poll or a ping); logs a change.
  void note_store(bool ok);

  std::atomic<bool> store_ok_{true};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace keyrelay::cli
