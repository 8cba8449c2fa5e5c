#pragma once
// Caps how many requests one subject (a user) has in flight at once, so that one user cannot hold
// a provider's whole connection pool with long streams. A request takes a Permit and gives its
// place back when the Permit is destroyed — for a streamed answer, when the stream ends.
//
// Thread-safe. The limiter must outlive every Permit it handed out.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace keyrelay::monitor {

class ConcurrencyLimiter;

// One place taken. Move-only; releases on destruction.
class Permit {
 public:
  Permit() = default;
  Permit(Permit&& other) noexcept;
  Permit& operator=(Permit&& other) noexcept;
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;
  ~Permit() { release(); }

  void release() noexcept;

 private:
  friend class ConcurrencyLimiter;
  Permit(ConcurrencyLimiter* owner, std::string subject) : owner_(owner), subject_(std::move(subject)) {}

  ConcurrencyLimiter* owner_ = nullptr;
  std::string subject_;
};

class ConcurrencyLimiter {
 public:
  // `limit` places per subject; 0 = no limit (every acquire succeeds).
  explicit ConcurrencyLimiter(std::uint32_t limit) : limit_(limit) {}

  // A place for `subject`, or nullopt when it already has `limit` in flight.
  std::optional<Permit> try_acquire(std::string_view subject);

  std::uint32_t limit() const noexcept { return limit_; }
  // Requests in flight for `subject` now.
  std::uint32_t in_flight(std::string_view subject) const;

 private:
  friend class Permit;
  void release(const std::string& subject) noexcept;

  const std::uint32_t limit_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::uint32_t> in_flight_;  // only subjects with something in flight
};

}  // namespace keyrelay::monitor
