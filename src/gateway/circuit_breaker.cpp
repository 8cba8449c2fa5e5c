#include "gateway/circuit_breaker.h"

namespace keyrelay::gateway {

CircuitBreaker::CircuitBreaker(const core::Clock& clock, unsigned threshold, std::chrono::milliseconds cool_down)
    : clock_(clock), threshold_(threshold == 0 ? 1 : threshold), cool_down_(cool_down) {}

bool CircuitBreaker::allows(std::string_view key_id) {
  std::lock_guard lock(mutex_);
  auto it = keys_.find(std::string(key_id));
  if (it == keys_.end() || it->second.failures < threshold_) return true;
  if (clock_.steady_now() < it->second.open_until) return false;
  if (it->second.trial_taken) return false;  // someone is already trying it
  it->second.trial_taken = true;
  return true;
}

void CircuitBreaker::record_success(std::string_view key_id) {
  std::lock_guard lock(mutex_);
  keys_.erase(std::string(key_id));
}

void CircuitBreaker::record_failure(std::string_view key_id) {
  std::lock_guard lock(mutex_);
  auto& state = keys_[std::string(key_id)];
  ++state.failures;
  if (state.failures >= threshold_) {
    state.open_until = clock_.steady_now() + cool_down_;
    state.trial_taken = false;
  }
}

std::size_t CircuitBreaker::open_count() const {
  std::lock_guard lock(mutex_);
  std::size_t open = 0;
  const auto now = clock_.steady_now();
  for (const auto& [id, state] : keys_)
    if (state.failures >= threshold_ && now < state.open_until) ++open;
  return open;
}

}  // namespace keyrelay::gateway
