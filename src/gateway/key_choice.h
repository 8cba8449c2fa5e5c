#pragma once
// Which stored keys a gateway request may use for one provider, in the order to try them
// (API.md "Gateway endpoints"): the user's usable keys by priority, then — only where the operator
// allows default-key fallback and none of the user's enabled keys for that provider says
// `always_use` — the operator's usable default keys by priority. Pure; the records stay owned by
// the snapshots the caller holds.

#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"

namespace keyrelay::gateway {

enum class Credential { user, operator_default };
std::string_view credential_name(Credential c) noexcept;  // "user" | "default"

struct KeyChoice {
  const store::KeyRecord* key = nullptr;
  Credential credential = Credential::user;
};

std::vector<KeyChoice> choose_keys(const std::vector<store::KeyRecord>& user_keys,
                                   const std::vector<store::KeyRecord>* default_keys, std::string_view provider,
                                   store::TimePoint now);

// Why nothing is usable for `provider`, in words for the user ("no key stored", "your key 'work' is
// expired", ...), from the same records choose_keys() saw.
std::string why_no_usable_key(const std::vector<store::KeyRecord>& user_keys, std::string_view provider,
                              store::TimePoint now);

}  // namespace keyrelay::gateway
