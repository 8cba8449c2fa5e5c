#include "crypto/kek_cache.h"

namespace keyrelay::crypto {

std::string KekCache::make_id(Purpose purpose, std::uint32_t version, core::ByteView salt) {
  std::string id;
  id.reserve(5 + salt.size());
  id.push_back(static_cast<char>(purpose));
  for (int shift = 24; shift >= 0; shift -= 8) id.push_back(static_cast<char>(version >> shift));
  id.append(core::as_chars(salt));
  return id;
}

std::optional<core::Secret> KekCache::find(Purpose purpose, std::uint32_t version,
                                           core::ByteView salt) {
  if (capacity_ == 0) return std::nullopt;
  const std::string id = make_id(purpose, version, salt);
  const auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second);  // moves the node, not its contents
  return it->second->key.clone();
}

void KekCache::insert(Purpose purpose, std::uint32_t version, core::ByteView salt,
                      const core::Secret& key) {
  if (capacity_ == 0) return;
  std::string id = make_id(purpose, version, salt);
  if (const auto it = index_.find(id); it != index_.end()) {
    it->second->key = key.clone();
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  if (lru_.size() >= capacity_) {
    index_.erase(lru_.back().id);
    lru_.pop_back();  // Secret's destructor wipes the key
  }
  lru_.push_front(Node{std::move(id), key.clone()});
  index_.emplace(lru_.front().id, lru_.begin());
}

void KekCache::clear() noexcept {
  index_.clear();
  lru_.clear();
}

void KekCache::erase_salt(core::ByteView salt) noexcept {
  const std::string_view wanted = core::as_chars(salt);
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (std::string_view(it->id).substr(5) != wanted) {
      ++it;
      continue;
    }
    index_.erase(it->id);
    it = lru_.erase(it);  // Secret's destructor wipes the key
  }
}

}  // namespace keyrelay::crypto
