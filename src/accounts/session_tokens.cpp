#include "accounts/session_tokens.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/event_builder.h"
#include "auth/access_token.h"
#include "auth/reveal_grant.h"
#include "auth/scopes.h"
#include "core/ids.h"
#include "core/time_format.h"

namespace keyrelay::accounts {

using core::Error;
using core::Result;

SessionIssuer::SessionIssuer(store::UserStore& users, store::TokenStore& tokens, const core::Clock& clock,
                             std::string audit_chain)
    : users_(users), tokens_(tokens), clock_(clock), audit_chain_(std::move(audit_chain)) {}

Result<IssuedToken> SessionIssuer::issue(const audit::Actor& host, const SessionRequest& request) {
  if (request.ttl < std::chrono::seconds(1) || request.ttl > kMaxSessionTtl)
    return Error::invalid_request("ttl must be between 1 and " + std::to_string(kMaxSessionTtl.count()) + " seconds");
  auto user = users_.find_user(request.user_id);
  if (!user) return user.error();
  if (user->role == store::Role::system) return Error::forbidden("the operator's system user cannot hold sessions");
  if (user->role != store::Role::user && !host.is_admin)
    return Error::forbidden("acting on behalf of users extends to users of role 'user' only");

  auto issued = auth::issue_token_text();
  if (!issued) return issued.error();
  const auth::ScopeSet scopes = auth::default_user_scopes();
  const auto now = clock_.now();
  store::TokenRecord token;
  token.id = core::uuid_v7(now);
  token.user_id = user->id;
  token.name = "session";
  token.hash = issued->hash;
  token.scopes = scopes.to_strings();
  token.scopes.emplace_back(auth::kSessionMarker);
  token.created_at = now;
  token.expires_at = now + request.ttl;

  // The host's token is the actor; the user is whom it acted for.
  audit::Actor actor = host;
  actor.user_id = user->id;
  store::AuditEvent e = audit::new_event(clock_, audit_chain_, "session.created", store::Outcome::success, actor);
  boost::json::array scope_list;
  for (const auto& s : scopes.to_strings()) scope_list.emplace_back(s);
  e.details_json = boost::json::serialize(boost::json::object{{"token_id", token.id},
                                                              {"user_id", user->id},
                                                              {"scopes", std::move(scope_list)},
                                                              {"expires_at", core::format_rfc3339(*token.expires_at)}});
  if (auto r = tokens_.create_token(token, std::move(e)); !r) return r.error();
  return IssuedToken{std::move(token), std::move(issued->text)};
}

}  // namespace keyrelay::accounts
