#include "api/gateway/key_recheck.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "api/gateway/key_rejection.h"
#include "api/offload.h"
#include "api/validation_flow.h"
#include "logging/log.h"

namespace keyrelay::api {
namespace {

// Entries older than this many intervals are forgotten when the map grows.
constexpr std::size_t kPruneAbove = 10'000;

}  // namespace

bool KeyRecheck::claim(const std::string& key_id) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (last_.size() > kPruneAbove)
    std::erase_if(last_, [&](const auto& entry) { return now - entry.second >= interval_; });
  auto [it, inserted] = last_.try_emplace(key_id, now);
  if (!inserted) {
    if (now - it->second < interval_) return false;
    it->second = now;
  }
  ++started_;
  return true;
}

std::uint64_t KeyRecheck::started() const noexcept {
  std::lock_guard lock(mutex_);
  return started_;
}

void KeyRecheck::suspect(const catalog::Provider& provider, const store::KeyRecord& key, std::string request_id,
                         const boost::asio::any_io_executor& executor) {
  if (services_.validator == nullptr || !claim(key.id)) return;
  logging::info("re-validating a key a provider refused", {{"key_id", key.id}, {"provider", provider.id}});
  boost::asio::co_spawn(executor, run(provider, key.owner_id, key.id, std::move(request_id)), boost::asio::detached);
}

boost::asio::awaitable<void> KeyRecheck::run(const catalog::Provider& provider, std::string owner_id,
                                             std::string key_id, std::string request_id) {
  // No user acted: the audit shows a system action on the owner's key.
  audit::Actor system = audit::Actor::system();
  system.request_id = std::move(request_id);
  // The row as stored now: a key rotated since the refusal is checked with its new secret.
  auto opened = co_await offload(services_.blocking,
                                 [&] { return services_.keys.open_for_validation(system, owner_id, key_id); });
  if (!opened) {
    logging::warn("could not re-validate a key", {{"key_id", key_id}, {"error", opened.error().message}});
    co_return;
  }
  gateway::ValidationResult result = co_await services_.validator->validate(provider, opened->second);
  opened->second.wipe();
  const store::KeyRecord& key = opened->first;
  if (result.state() == store::ValidationState::invalid) {
    const int status = result.http_status.value_or(0);
    co_await offload(services_.blocking, [&] {
      record_rejection(services_, system, provider, key, status, result.message, "recheck");
    });
  } else {
    auto stored = co_await offload(services_.blocking, [&] {
      return services_.keys.record_validation(system, owner_id, key_id, key.version, result.state(), result.message,
                                              validation_details(result));
    });
    if (!stored) logging::warn("could not record a re-validation", {{"key_id", key_id}, {"error", stored.error().message}});
  }
  if (services_.metrics != nullptr)
    services_.metrics->validation(provider.id, store::validation_state_name(result.state()));
}

}  // namespace keyrelay::api
