#pragma once
// KekCache: a bounded least-recently-used map from (purpose, master version, user salt) to a key
// derived from the master key (a user KEK or fingerprint key), so that opening a secret does not
// run HKDF every time. Holds derived keys only, never plaintext secrets; every key is a
// core::Secret, wiped when evicted, cleared or destroyed.
//
// Not thread-safe: the owner (Envelope) guards it with its mutex.

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/bytes.h"
#include "core/secret.h"

namespace keyrelay::crypto {

class KekCache {
 public:
  // What a cached key is for; part of the cache key so the two never mix.
  enum class Purpose : std::uint8_t { user_kek = 1, fingerprint = 2 };

  // Holds at most `capacity` keys; 0 disables the cache (find never hits, insert does nothing).
  explicit KekCache(std::size_t capacity) : capacity_(capacity) {}
  KekCache(const KekCache&) = delete;
  KekCache& operator=(const KekCache&) = delete;

  // A copy of the cached key and marks it most recently used, or nullopt.
  std::optional<core::Secret> find(Purpose purpose, std::uint32_t version, core::ByteView salt);

  // Stores a copy of `key` (replacing an existing entry), evicting the least recently used entry
  // when full.
  void insert(Purpose purpose, std::uint32_t version, core::ByteView salt, const core::Secret& key);

  // Wipes and drops every entry.
  void clear() noexcept;
  // Wipes and drops the entries derived with `salt` (every purpose and version): its user is gone.
  void erase_salt(core::ByteView salt) noexcept;

  std::size_t size() const noexcept { return lru_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  struct Node {
    std::string id;  // encoded (purpose, version, salt); index_ holds views into it
    core::Secret key;
  };
  using List = std::list<Node>;

  static std::string make_id(Purpose purpose, std::uint32_t version, core::ByteView salt);

  std::size_t capacity_;
  List lru_;  // most recently used first; list nodes never move, so the views stay valid
  std::unordered_map<std::string_view, List::iterator> index_;
};

}  // namespace keyrelay::crypto
