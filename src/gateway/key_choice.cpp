#include "gateway/key_choice.h"

#include <algorithm>

namespace keyrelay::gateway {
namespace {

// Usable keys of `provider` in `keys`, lowest priority number first, then oldest.
std::vector<const store::KeyRecord*> usable_of(const std::vector<store::KeyRecord>& keys, std::string_view provider,
                                               store::TimePoint now) {
  std::vector<const store::KeyRecord*> out;
  for (const auto& key : keys)
    if (key.provider == provider && store::key_status(key, now) == store::KeyStatus::active) out.push_back(&key);
  std::stable_sort(out.begin(), out.end(), [](const store::KeyRecord* a, const store::KeyRecord* b) {
    if (a->priority != b->priority) return a->priority < b->priority;
    return a->created_at < b->created_at;
  });
  return out;
}

}  // namespace

std::string_view credential_name(Credential c) noexcept {
  return c == Credential::user ? "user" : "default";
}

std::vector<KeyChoice> choose_keys(const std::vector<store::KeyRecord>& user_keys,
                                   const std::vector<store::KeyRecord>* default_keys, std::string_view provider,
                                   store::TimePoint now) {
  std::vector<KeyChoice> choices;
  for (const auto* key : usable_of(user_keys, provider, now)) choices.push_back({key, Credential::user});
  if (default_keys == nullptr) return choices;
  // "Always use my key": an enabled key of the user for this provider forbids the operator's keys,
  // even when it is failing — the user asked never to be billed to someone else's account.
  const bool always_mine = std::any_of(user_keys.begin(), user_keys.end(), [&](const store::KeyRecord& k) {
    return k.provider == provider && k.enabled && k.always_use;
  });
  if (always_mine) return choices;
  for (const auto* key : usable_of(*default_keys, provider, now)) choices.push_back({key, Credential::operator_default});
  return choices;
}

std::string why_no_usable_key(const std::vector<store::KeyRecord>& user_keys, std::string_view provider,
                              store::TimePoint now) {
  std::string reasons;
  for (const auto& key : user_keys) {
    if (key.provider != provider) continue;
    if (!reasons.empty()) reasons += ", ";
    reasons += "key '" + key.name + "' is " + std::string(store::key_status_name(store::key_status(key, now)));
  }
  if (reasons.empty()) return "no " + std::string(provider) + " key is stored";
  return "no usable " + std::string(provider) + " key (" + reasons + ")";
}

}  // namespace keyrelay::gateway
