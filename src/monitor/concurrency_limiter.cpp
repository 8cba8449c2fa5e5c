#include "monitor/concurrency_limiter.h"

#include <utility>

namespace keyrelay::monitor {

Permit::Permit(Permit&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), subject_(std::move(other.subject_)) {}

Permit& Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    subject_ = std::move(other.subject_);
  }
  return *this;
}

void Permit::release() noexcept {
  if (owner_ == nullptr) return;
  std::exchange(owner_, nullptr)->release(subject_);
}

std::optional<Permit> ConcurrencyLimiter::try_acquire(std::string_view subject) {
  if (limit_ == 0) return Permit();  // an empty permit: nothing is counted
  std::lock_guard lock(mutex_);
  auto [it, inserted] = in_flight_.try_emplace(std::string(subject), 0);
  if (it->second >= limit_) return std::nullopt;
  ++it->second;
  return Permit(this, it->first);
}

std::uint32_t ConcurrencyLimiter::in_flight(std::string_view subject) const {
  std::lock_guard lock(mutex_);
  const auto it = in_flight_.find(std::string(subject));
  return it == in_flight_.end() ? 0 : it->second;
}

void ConcurrencyLimiter::release(const std::string& subject) noexcept {
  std::lock_guard lock(mutex_);
  const auto it = in_flight_.find(subject);
  if (it == in_flight_.end()) return;
  if (--it->second == 0) in_flight_.erase(it);  // idle subjects cost nothing
}

}  // namespace keyrelay::monitor
