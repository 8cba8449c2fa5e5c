#include "vault/key_cache.h"

namespace keyrelay::vault {

core::Result<KeyCache::Snapshot> KeyCache::keys_of(std::string_view owner_id) {
  std::uint64_t epoch = 0;
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(std::string(owner_id)); it != entries_.end()) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return it->second;
    }
    epoch = epoch_;
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  auto keys = store_.keys_of_owner(owner_id);
  if (!keys) return keys.error();
  auto snapshot = std::make_shared<const std::vector<store::KeyRecord>>(std::move(*keys));
  std::lock_guard lock(mutex_);
  if (epoch == epoch_) entries_[std::string(owner_id)] = snapshot;
  return snapshot;
}

KeyCache::Snapshot KeyCache::cached(std::string_view owner_id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(owner_id));
  if (it == entries_.end()) return nullptr;
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second;
}

void KeyCache::invalidate(std::string_view owner_id) {
  std::lock_guard lock(mutex_);
  entries_.erase(std::string(owner_id));
  ++epoch_;
}

void KeyCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  ++epoch_;
}

}  // namespace keyrelay::vault
