#pragma once
// Which clients (IP address and user agent) have used a user's keys, to notice a new one — a key
// used from somewhere it never was is how a leaked token shows. The first client a user is seen
// with is the baseline, not news. Kept in memory (bounded per user and in total), so the baseline
// is learned again after a restart.

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "monitor/client_baseline.h"

namespace keyrelay::monitor {

class ClientSightings final : public ClientBaseline {
 public:
  explicit ClientSightings(std::size_t per_user = 64, std::size_t users = 100'000)
      : per_user_(per_user), max_users_(users) {}

  // Records that `user_id` was served for (`ip`, `user_agent`); true when that client is new for a
  // user who already had another one.
  bool is_new(std::string_view user_id, std::string_view ip, std::string_view user_agent) override;

 private:
  // Looked up by string_view: a sighting of a known client (nearly every call) allocates nothing.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  using Clients = std::unordered_set<std::string, Hash, std::equal_to<>>;

  const std::size_t per_user_;
  const std::size_t max_users_;
  std::mutex mutex_;
  std::unordered_map<std::string, Clients, Hash, std::equal_to<>> seen_;
  std::string client_;  // "ip\nuser agent" of the sighting being looked up (under the mutex)
};

}  // namespace keyrelay::monitor
