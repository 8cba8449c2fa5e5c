#pragma once
// Re-validation of keys a provider refused where the refusal may not be the key's fault: an answer
// on /proxy (the client's own headers — an OpenAI-Organization the key is not in — can make a
// provider answer 401 to a good key) and any refusal of an operator's default key (shared by every
// user, so no user's request may disable it). The key is checked again off the request path with
// the catalog's validation call, at most once per key per interval, and only that verdict changes
// it: a rejection marks it invalid and alerts its owner; anything else is recorded as the
// validation it is and leaves it usable.
//
// Thread-safe. Borrows `services`, which must outlive it and every check it started.

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "api/services.h"
#include "catalog/catalog.h"
#include "store/records.h"

namespace keyrelay::api {

class KeyRecheck {
 public:
  KeyRecheck(Services& services, std::chrono::milliseconds interval) : services_(services), interval_(interval) {}

  // Starts a re-check of `key` on `executor` unless one started within the interval; returns at
  // once. `request_id` (the request that raised the suspicion) goes into the audit event.
  void suspect(const catalog::Provider& provider, const store::KeyRecord& key, std::string request_id,
               const boost::asio::any_io_executor& executor);

  // Re-checks started so far (for tests and metrics).
  std::uint64_t started() const noexcept;

 private:
  boost::asio::awaitable<void> run(const catalog::Provider& provider, std::string owner_id, std::string key_id,
                                   std::string request_id);
  // True when `key_id` may be checked now (and records that it is).
  bool claim(const std::string& key_id);

  Services& services_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;  // guards last_ and started_
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> last_;
  std::uint64_t started_ = 0;
};

}  // namespace keyrelay::api
