#pragma once
// The identity provider's key set read from a URL (KEYRELAY_JWT_JWKS_URL), kept fresh:
//
//   - start() fetches it once; no usable set at start is a start-up error (an operator who set a
//     URL expects JWTs to work, and a wrong URL should be noticed at deploy time, not at first login);
//   - refresh_if_due() fetches it again when the answer's cache headers say so (jwks_refresh_policy.h);
//     the server's refresher thread calls it every few seconds, so no request ever waits on it;
//   - refetch_for_unknown_kid() is for a token naming a key the set lacks (the provider rotated):
//     at most one such fetch per `unknown_kid_interval` across all requests, and requests that
//     arrive while any fetch is running wait for that one (at most `unknown_kid_wait`) instead of
//     starting their own;
//   - a failed fetch or an invalid set keeps the last good set in use and is reported to the
//     observer (the server logs a warning and counts it).
//
// Thread-safe. The set is handed out as a shared_ptr: a verification holds the set it started with
// even when a refresh replaces it meanwhile.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "auth/jwks.h"
#include "auth/jwks_fetcher.h"
#include "auth/jwks_refresh_policy.h"
#include "core/clock.h"
#include "core/result.h"

namespace keyrelay::auth {

struct RemoteJwksOptions {
  JwksRefreshPolicy policy;
  // A scheduled fetch (and the first one) may take this long.
  std::chrono::milliseconds fetch_timeout{10'000};
  // Unknown kids: how often they may cause a fetch, and how long a request waits for one.
  std::chrono::seconds unknown_kid_interval{60};
  std::chrono::milliseconds unknown_kid_wait{3'000};
};

// Why a fetch happened, for logs and metrics.
enum class JwksFetchReason { start, scheduled, unknown_kid };
std::string_view jwks_fetch_reason_name(JwksFetchReason reason) noexcept;

// What one fetch did. `error` is set when it failed (then the previous set stays); it names the
// host at most, never the URL's path or query.
struct JwksFetchReport {
  JwksFetchReason reason = JwksFetchReason::scheduled;
  std::optional<std::string> error;
  std::size_t keys = 0;                  // in the set now in use
  std::chrono::seconds next_refresh{0};  // until the next scheduled fetch
};

class RemoteJwks {
 public:
  using Observer = std::function<void(const JwksFetchReport&)>;

  // Fetches and parses the set once. Errc::upstream_error / upstream_timeout when the fetch fails,
  // Errc::invalid_request when the answer is not a valid key set (jwks.h names the key at fault).
  // `observer` (optional) hears every fetch after this first one; it runs on the fetching thread,
  // outside any lock. `clock` must outlive the object.
  static core::Result<std::shared_ptr<RemoteJwks>> start(std::unique_ptr<JwksFetcher> fetcher,
                                                         const core::Clock& clock, RemoteJwksOptions options,
                                                         Observer observer = {});

  // The set in use now; never null.
  std::shared_ptr<const Jwks> current() const;

  // Fetches when the scheduled time has come and no other fetch runs; true when it fetched.
  bool refresh_if_due();

  // For a token whose kid the current set lacks: fetches unless one ran for this reason less than
  // `unknown_kid_interval` ago, or joins the fetch already running. Returns the set to verify
  // with (the old one when nothing changed or the fetch failed).
  std::shared_ptr<const Jwks> refetch_for_unknown_kid();

  // When the next scheduled fetch is due (clock's steady time).
  std::chrono::steady_clock::time_point next_refresh_at() const;

  RemoteJwks(const RemoteJwks&) = delete;
  RemoteJwks& operator=(const RemoteJwks&) = delete;

 private:
  RemoteJwks(std::unique_ptr<JwksFetcher> fetcher, const core::Clock& clock, RemoteJwksOptions options,
             Observer observer, std::shared_ptr<const Jwks> first, std::chrono::seconds next_refresh);

  // Runs one fetch with mutex_ released; the caller has set fetching_. Installs a good set, keeps
  // the old one otherwise, schedules the next refresh, clears fetching_ and wakes the waiters.
  void fetch_now(std::unique_lock<std::mutex>& lock, JwksFetchReason reason, std::chrono::milliseconds timeout);

  std::unique_ptr<JwksFetcher> fetcher_;
  const core::Clock& clock_;
  const RemoteJwksOptions options_;
  const Observer observer_;

  mutable std::mutex mutex_;
  std::condition_variable fetched_;  // signalled when a fetch ends
  std::shared_ptr<const Jwks> set_;  // guarded by mutex_
  std::chrono::steady_clock::time_point next_refresh_at_;                // guarded by mutex_
  std::optional<std::chrono::steady_clock::time_point> last_unknown_kid_;  // guarded by mutex_
  bool fetching_ = false;                                                // guarded by mutex_
};

}  // namespace keyrelay::auth
