#pragma once
// AccountService: users and their access tokens — create users, issue, list and revoke tokens —
// with the rules of API.md (user names, which scopes a role may hold) and an audit event in the
// same transaction as each change. Used by the API (admin endpoints) and by the CLI.
//
// Thread-safe; blocking (store calls). The stores and `clock` must outlive the service.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/actor.h"
#include "auth/scopes.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/secret.h"
#include "store/token_store.h"
#include "store/user_store.h"

namespace keyrelay::accounts {

inline constexpr std::string_view kSystemUserName = "_operator";

struct NewUser {
  std::string name;                      // [a-z0-9_.-]{1,64}, not starting with '_'
  store::Role role = store::Role::user;  // user or admin
};

struct NewToken {
  std::string user_id;
  std::string name = "token";                 // 1-64 printable characters
  std::optional<auth::ScopeSet> scopes;       // default: keys:read,keys:write,gateway,audit:read (+admin for admins)
  std::optional<store::TimePoint> expires_at;
  // With the keys:reveal scope (never implied): the providers whose keys the token may reveal.
  std::vector<std::string> reveal_providers;
};

struct IssuedToken {
  store::TokenRecord record;
  core::Secret text;  // "kr_…": shown once, never stored
};

class AccountService {
 public:
  AccountService(store::UserStore& users, store::TokenStore& tokens, const core::Clock& clock, std::string audit_chain);

  // invalid_request for a bad name or role; conflict when the name is taken.
  core::Result<store::UserRecord> create_user(const audit::Actor& caller, const NewUser& input);
  // The user create_user() would store, with its user.created event, but not stored (an import
  // stores users and keys in one transaction: store::ImportStore). Errors as create_user(), but
  // a taken name is found only when it is stored.
  core::Result<std::pair<store::UserRecord, store::AuditEvent>> prepare_user(const audit::Actor& caller,
                                                                            const NewUser& input);
  core::Result<store::Page<store::UserRecord>> list_users(const store::PageRequest& page);
  core::Result<store::UserRecord> find_user(std::string_view id_or_name);
  // The operator's own user that owns the default keys; created on first call.
  core::Result<store::UserRecord> ensure_system_user();

  // forbidden when the scopes exceed what the user's role allows (admin only for admins), or when
  // keys:reveal is asked for by a caller that is neither an admin nor the command line.
  core::Result<IssuedToken> issue_token(const audit::Actor& caller, const NewToken& input);
  // All tokens (admin) or those of `user_id`.
  core::Result<store::Page<store::TokenRecord>> list_tokens(std::optional<std::string_view> user_id,
                                                            const store::PageRequest& page);
  // not_found when the token does not exist or (with `owner_id`) belongs to someone else.
  core::Result<store::TokenRecord> revoke_token(const audit::Actor& caller, std::string_view token_id,
                                                std::optional<std::string_view> owner_id);

 private:
  store::AuditEvent event(const audit::Actor& caller, std::string_view action) const;

  store::UserStore& users_;
  store::TokenStore& tokens_;
  const core::Clock& clock_;
  std::string audit_chain_;
};

// The API shapes: User {"id","name","role","external_id","created_at"} and Token {"id","user_id",
// "name","scopes","created_at","expires_at","last_used_at","revoked_at","session"}, plus
// "reveal_providers" on a token with keys:reveal; "session" is true for a session token
// (session_tokens.h).
std::string user_json(const store::UserRecord& user);
std::string token_json(const store::TokenRecord& token, const core::Secret* text = nullptr);

}  // namespace keyrelay::accounts
