#pragma once
// The permissions an access token (or a JWT user) carries, and small sets of them.
//
// Scope wire names are fixed by API.md ("keys:read", "keys:write", "gateway", "audit:read",
// "admin", "act_as", "keys:reveal"). A ScopeSet is a value type (a bit set): cheap to copy, thread-safe to read.
// Which endpoint needs which scope is decided by the API layer; this file only names and combines.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace keyrelay::auth {

enum class Scope : std::uint8_t {
  keys_read,   // "keys:read": GET of keys, providers, expiring, usage, metrics, alerts
  keys_write,  // "keys:write": create, patch, delete, rotate, validate, resolve alert
  gateway,     // "gateway": /v1/* and /proxy/*
  audit_read,  // "audit:read": the audit log
  admin,       // "admin": users, issuing tokens, default keys, everyone's audit and alerts
  act_as,      // "act_as": may send X-Keyrelay-On-Behalf-Of for a user of role `user`
  keys_reveal,  // "keys:reveal": POST /api/v1/keys/{id}/reveal for the token's listed providers
                // (reveal_grant.h); in no default set, issued only by an admin
};

inline constexpr std::size_t kScopeCount = 7;

// The wire name of `scope` ("keys:read", ...).
std::string_view scope_name(Scope scope) noexcept;
// The scope spelled exactly `name` (case-sensitive), or nullopt.
std::optional<Scope> parse_scope(std::string_view name) noexcept;

class ScopeSet {
 public:
  constexpr ScopeSet() = default;
  ScopeSet(std::initializer_list<Scope> scopes) noexcept;

  // Parses a list separated by commas and/or whitespace ("keys:read, gateway"). Empty items are
  // skipped, duplicates are harmless, and an empty list gives the empty set.
  // Errc::invalid_request naming the first unknown scope (quoted, cut to 64 characters).
  static core::Result<ScopeSet> parse(std::string_view list);
  // The same for a list of names as stored in a TokenRecord. Errc::invalid_request as parse().
  static core::Result<ScopeSet> from_strings(const std::vector<std::string>& names);

  // The wire names in the canonical order of the Scope enum.
  std::vector<std::string> to_strings() const;
  // The wire names joined with "," in canonical order ("" for the empty set).
  std::string to_string() const;

  bool contains(Scope scope) const noexcept { return (bits_ & bit(scope)) != 0; }
  // True when every scope of `other` is in this set (the empty set is contained in any set).
  bool contains_all(ScopeSet other) const noexcept { return (other.bits_ & ~bits_) == 0; }
  bool empty() const noexcept { return bits_ == 0; }
  std::size_t size() const noexcept;

  void insert(Scope scope) noexcept { bits_ |= bit(scope); }
  void erase(Scope scope) noexcept { bits_ &= static_cast<std::uint8_t>(~bit(scope)); }

  // The scopes in both sets (an act_as token acting for a user gets this with the user's scopes).
  ScopeSet intersection(ScopeSet other) const noexcept { return from_bits(bits_ & other.bits_); }
  ScopeSet united_with(ScopeSet other) const noexcept { return from_bits(bits_ | other.bits_); }

  friend bool operator==(ScopeSet, ScopeSet) = default;

 private:
  static constexpr std::uint8_t bit(Scope scope) noexcept {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(scope));
  }
  static ScopeSet from_bits(unsigned bits) noexcept {
    ScopeSet s;
    s.bits_ = static_cast<std::uint8_t>(bits);
    return s;
  }

  std::uint8_t bits_ = 0;
};

// What `token issue` without --scopes grants, and what JWT users get:
// keys:read, keys:write, gateway, audit:read.
ScopeSet default_user_scopes() noexcept;
// Every scope but keys:reveal (the `init` admin token): revealing plaintext is never a default.
ScopeSet all_scopes() noexcept;

}  // namespace keyrelay::auth
