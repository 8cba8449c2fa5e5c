#include "auth/scopes.h"

#include <array>
#include <bit>

namespace keyrelay::auth {
namespace {

constexpr std::array<std::string_view, kScopeCount> kScopeNames = {
    "keys:read", "keys:write", "gateway", "audit:read", "admin", "act_as", "keys:reveal"};

constexpr std::size_t kMaxEchoedName = 64;

core::Error unknown_scope(std::string_view name) {
  std::string shown(name.substr(0, kMaxEchoedName));
  if (name.size() > kMaxEchoedName) shown += "...";
  return core::Error::invalid_request("unknown scope '" + shown + "'");
}

bool is_separator(char c) noexcept {
  return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

std::string_view scope_name(Scope scope) noexcept {
  return kScopeNames[static_cast<std::size_t>(scope)];
}

std::optional<Scope> parse_scope(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kScopeNames.size(); ++i) {
    if (kScopeNames[i] == name) return static_cast<Scope>(i);
  }
  return std::nullopt;
}

ScopeSet::ScopeSet(std::initializer_list<Scope> scopes) noexcept {
  for (Scope s : scopes) insert(s);
}

core::Result<ScopeSet> ScopeSet::parse(std::string_view list) {
  ScopeSet set;
  std::size_t pos = 0;
  while (pos < list.size()) {
    while (pos < list.size() && is_separator(list[pos])) ++pos;
    std::size_t end = pos;
    while (end < list.size() && !is_separator(list[end])) ++end;
    if (end > pos) {
      std::string_view item = list.substr(pos, end - pos);
      auto scope = parse_scope(item);
      if (!scope) return unknown_scope(item);
      set.insert(*scope);
    }
    pos = end;
  }
  return set;
}

core::Result<ScopeSet> ScopeSet::from_strings(const std::vector<std::string>& names) {
  ScopeSet set;
  for (const auto& name : names) {
    auto scope = parse_scope(name);
    if (!scope) return unknown_scope(name);
    set.insert(*scope);
  }
  return set;
}

std::vector<std::string> ScopeSet::to_strings() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kScopeCount; ++i) {
    if (contains(static_cast<Scope>(i))) out.emplace_back(kScopeNames[i]);
  }
  return out;
}

std::string ScopeSet::to_string() const {
  std::string out;
  for (const auto& name : to_strings()) {
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

std::size_t ScopeSet::size() const noexcept { return static_cast<std::size_t>(std::popcount(bits_)); }

ScopeSet default_user_scopes() noexcept {
  return {Scope::keys_read, Scope::keys_write, Scope::gateway, Scope::audit_read};
}

ScopeSet all_scopes() noexcept {
  return {Scope::keys_read, Scope::keys_write, Scope::gateway,
          Scope::audit_read, Scope::admin,     Scope::act_as};
}

}  // namespace keyrelay::auth
