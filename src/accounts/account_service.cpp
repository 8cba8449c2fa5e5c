#include "accounts/account_service.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/event_builder.h"
#include "auth/access_token.h"
#include "auth/reveal_grant.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "crypto/random.h"

namespace keyrelay::accounts {

using core::Error;
using core::Result;

namespace {

Result<void> check_user_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && name.front() != '_';
  for (char c : name)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-');
  if (!ok) return Error::invalid_request("user name must be 1-64 characters of a-z, 0-9, '_', '.' or '-', not starting with '_'");
  return core::ok();
}

Result<void> check_token_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) ok = ok && c >= 0x20 && c < 0x7f;
  if (!ok) return Error::invalid_request("token name must be 1-64 printable ASCII characters");
  return core::ok();
}

boost::json::value time_or_null(const std::optional<store::TimePoint>& t) {
  if (!t) return nullptr;
  return boost::json::string(core::format_rfc3339(*t));
}

Result<core::Bytes> new_salt() { return crypto::random_bytes(16); }

}  // namespace

AccountService::AccountService(store::UserStore& users, store::TokenStore& tokens, const core::Clock& clock,
                               std::string audit_chain)
    : users_(users), tokens_(tokens), clock_(clock), audit_chain_(std::move(audit_chain)) {}

store::AuditEvent AccountService::event(const audit::Actor& caller, std::string_view action) const {
  return audit::new_event(clock_, audit_chain_, std::string(action), store::Outcome::success, caller);
}

Result<std::pair<store::UserRecord, store::AuditEvent>> AccountService::prepare_user(const audit::Actor& caller,
                                                                                    const NewUser& input) {
  if (auto r = check_user_name(input.name); !r) return r.error();
  if (input.role == store::Role::system) return Error::invalid_request("role must be user or admin");
  store::UserRecord user;
  user.id = core::uuid_v7(clock_.now());
  user.name = input.name;
  user.role = input.role;
  auto salt = new_salt();
  if (!salt) return salt.error();
  user.salt = std::move(*salt);
  user.created_at = clock_.now();
  auto e = event(caller, "user.created");
  e.details_json = boost::json::serialize(
      boost::json::object{{"user_id", user.id}, {"name", user.name}, {"role", store::role_name(user.role)}});
  return std::pair<store::UserRecord, store::AuditEvent>(std::move(user), std::move(e));
}

Result<store::UserRecord> AccountService::create_user(const audit::Actor& caller, const NewUser& input) {
  auto prepared = prepare_user(caller, input);
  if (!prepared) return prepared.error();
  auto& [user, created] = *prepared;
  if (auto r = users_.create_user(user, std::move(created)); !r) return r.error();
  return std::move(user);
}

Result<store::Page<store::UserRecord>> AccountService::list_users(const store::PageRequest& page) {
  return users_.list_users(page);
}

Result<store::UserRecord> AccountService::find_user(std::string_view id_or_name) {
  auto by_id = users_.find_user(id_or_name);
  if (by_id || by_id.error().code != core::Errc::not_found) return by_id;
  return users_.find_user_by_name(id_or_name);
}

Result<store::UserRecord> AccountService::ensure_system_user() {
  auto existing = users_.find_user_by_name(kSystemUserName);
  if (existing || existing.error().code != core::Errc::not_found) return existing;
  store::UserRecord user;
  user.id = core::uuid_v7(clock_.now());
  user.name = std::string(kSystemUserName);
  user.role = store::Role::system;
  auto salt = new_salt();
  if (!salt) return salt.error();
  user.salt = std::move(*salt);
  user.created_at = clock_.now();
  auto e = event(audit::Actor::system(), "user.created");
  e.details_json = boost::json::serialize(boost::json::object{{"user_id", user.id}, {"name", user.name}, {"role", "system"}});
  auto r = users_.create_user(user, std::move(e));
  if (r) return user;
  if (r.error().code == core::Errc::conflict) return users_.find_user_by_name(kSystemUserName);  // another node won
  return r.error();
}

Result<IssuedToken> AccountService::issue_token(const audit::Actor& caller, const NewToken& input) {
  if (auto r = check_token_name(input.name); !r) return r.error();
  auto user = users_.find_user(input.user_id);
  if (!user) return user.error();
  if (user->role == store::Role::system) return Error::invalid_request("the operator's system user cannot hold tokens");
  auth::ScopeSet scopes = input.scopes.value_or(auth::default_user_scopes());
  if (!input.scopes && user->role == store::Role::admin) scopes.insert(auth::Scope::admin);
  if (scopes.empty()) return Error::invalid_request("a token needs at least one scope");
  if (scopes.contains(auth::Scope::admin) && user->role != store::Role::admin)
    return Error::forbidden("only an admin user may hold the 'admin' scope");
  if (input.expires_at && *input.expires_at <= clock_.now())
    return Error::invalid_request("expires_at must be in the future");
  // Whatever route reaches here (a user's own token page, say), revealing keys stays an admin's grant.
  if (scopes.contains(auth::Scope::keys_reveal) && !caller.is_admin && caller.kind != store::ActorKind::cli)
    return Error::forbidden("only an administrator may issue a token with the 'keys:reveal' scope");
  auto stored_grants = auth::store_token_grants(scopes, input.reveal_providers);
  if (!stored_grants) return stored_grants.error();

  auto issued = auth::issue_token_text();
  if (!issued) return issued.error();
  store::TokenRecord token;
  token.id = core::uuid_v7(clock_.now());
  token.user_id = user->id;
  token.name = input.name;
  token.hash = issued->hash;
  token.scopes = std::move(*stored_grants);
  token.created_at = clock_.now();
  token.expires_at = input.expires_at;
  auto e = event(caller, "token.issued");
  boost::json::array scope_list;
  for (const auto& s : scopes.to_strings()) scope_list.emplace_back(s);
  boost::json::object details{{"token_id", token.id}, {"user_id", token.user_id}, {"scopes", std::move(scope_list)}};
  if (auto grants = auth::parse_token_grants(token.scopes); grants && !grants->reveal_providers.empty()) {
    boost::json::array providers;
    for (const auto& p : grants->reveal_providers) providers.emplace_back(p);
    details["reveal_providers"] = std::move(providers);
  }
  e.details_json = boost::json::serialize(details);
  if (auto r = tokens_.create_token(token, std::move(e)); !r) return r.error();
  return IssuedToken{std::move(token), std::move(issued->text)};
}

Result<store::Page<store::TokenRecord>> AccountService::list_tokens(std::optional<std::string_view> user_id,
                                                                    const store::PageRequest& page) {
  return tokens_.list_tokens(user_id, page);
}

Result<store::TokenRecord> AccountService::revoke_token(const audit::Actor& caller, std::string_view token_id,
                                                        std::optional<std::string_view> owner_id) {
  auto e = event(caller, "token.revoked");
  e.details_json = boost::json::serialize(boost::json::object{{"token_id", token_id}});
  return tokens_.revoke_token(token_id, owner_id, clock_.now(), std::move(e));
}

std::string user_json(const store::UserRecord& user) {
  return boost::json::serialize(boost::json::object{
      {"id", user.id},
      {"name", user.name},
      {"role", store::role_name(user.role)},
      {"external_id", user.external_id ? boost::json::value(*user.external_id) : boost::json::value(nullptr)},
      {"created_at", core::format_rfc3339(user.created_at)}});
}

std::string token_json(const store::TokenRecord& token, const core::Secret* text) {
  boost::json::array scopes;
  boost::json::array reveal_providers;
  bool session = false;
  if (auto grants = auth::parse_token_grants(token.scopes)) {
    session = grants->session;
    for (const auto& s : grants->scopes.to_strings()) scopes.emplace_back(s);
    for (const auto& p : grants->reveal_providers) reveal_providers.emplace_back(p);
  } else {
    for (const auto& s : token.scopes) scopes.emplace_back(s);
  }
  boost::json::object o{{"id", token.id},
                        {"user_id", token.user_id},
                        {"name", token.name},
                        {"scopes", std::move(scopes)},
                        {"created_at", core::format_rfc3339(token.created_at)},
                        {"expires_at", time_or_null(token.expires_at)},
                        {"last_used_at", time_or_null(token.last_used_at)},
                        {"revoked_at", time_or_null(token.revoked_at)},
                        {"session", session}};
  if (!reveal_providers.empty()) o["reveal_providers"] = std::move(reveal_providers);
  if (text != nullptr) o["token"] = text->reveal_text();
  return boost::json::serialize(o);
}

}  // namespace keyrelay::accounts
