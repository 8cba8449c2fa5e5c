#include "gateway/model_list_cache.h"

namespace keyrelay::gateway {

std::optional<std::vector<std::string>> ModelListCache::get(std::string_view key_id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(key_id));
  if (it == entries_.end() || clock_.steady_now() >= it->second.expires) return std::nullopt;
  return it->second.models;
}

void ModelListCache::put(std::string_view key_id, std::vector<std::string> models) {
  std::lock_guard lock(mutex_);
  if (entries_.size() > 10'000) entries_.clear();  // bounded: a key's list is cheap to fetch again
  entries_[std::string(key_id)] = Entry{std::move(models), clock_.steady_now() + ttl_};
}

}  // namespace keyrelay::gateway
