#pragma once
// The models a provider lists for a key (GET /v1/models), remembered per key for a while so that
// listing models does not cost a provider call each time. Thread-safe; entries expire after `ttl`.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"

namespace keyrelay::gateway {

class ModelListCache {
 public:
  explicit ModelListCache(const core::Clock& clock, std::chrono::milliseconds ttl = std::chrono::minutes(10))
      : clock_(clock), ttl_(ttl) {}

  std::optional<std::vector<std::string>> get(std::string_view key_id) const;
  void put(std::string_view key_id, std::vector<std::string> models);

 private:
  struct Entry {
    std::vector<std::string> models;
    std::chrono::steady_clock::time_point expires;
  };
  const core::Clock& clock_;
  const std::chrono::milliseconds ttl_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace keyrelay::gateway
