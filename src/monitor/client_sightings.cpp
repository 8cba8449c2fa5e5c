#include "monitor/client_sightings.h"

namespace keyrelay::monitor {

bool ClientSightings::is_new(std::string_view user_id, std::string_view ip, std::string_view user_agent) {
  std::lock_guard lock(mutex_);
  client_.assign(ip).append("\n").append(user_agent);
  auto it = seen_.find(user_id);
  if (it == seen_.end()) {
    if (seen_.size() >= max_users_) seen_.clear();  // crude but bounded: relearn baselines
    seen_[std::string(user_id)].insert(client_);
    return false;
  }
  auto& clients = it->second;
  if (clients.contains(std::string_view(client_))) return false;
  const bool forget = clients.size() >= per_user_;  // a user with many clients: start over, quietly
  if (forget) clients.clear();
  clients.insert(client_);
  return !forget;
}

}  // namespace keyrelay::monitor
