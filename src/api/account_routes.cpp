#include "api/account_routes.h"

#include <boost/json/parse.hpp>

#include "api/guard.h"
#include "api/json_input.h"
#include "api/offload.h"
#include "api/responses.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using auth::Principal;
using core::Error;
using core::Result;
using http::Request;
using http::RequestContext;
using http::Response;

json::value parsed(const std::string& text) { return json::parse(text); }

// API.md: an act_as caller "never manages users or tokens" — not even the tokens of the user it
// acts for, which are that user's own business.
std::optional<Error> acting_for_someone(const Principal& p) {
  if (!p.on_behalf()) return std::nullopt;
  return Error::forbidden("acting on behalf of a user does not extend to that user's tokens");
}

// What a caller that is not an administrator may grant itself: its own user scopes, never admin,
// act_as or keys:reveal (those are an administrator's to issue).
auth::ScopeSet self_grantable(const Principal& p) { return p.scopes.intersection(auth::default_user_scopes()); }

// Why `p` (not an administrator) may not issue a token for `user_id` (absent: itself).
std::optional<Error> own_token_refusal(const Principal& p, const std::optional<std::string>& user_id) {
  if (auto refused = acting_for_someone(p)) return refused;
  if (!p.has(auth::Scope::keys_write)) return Error::forbidden("this credential lacks the 'keys:write' scope");
  if (user_id && *user_id != p.user_id) return Error::forbidden("only administrators may issue tokens for other users");
  return std::nullopt;
}

// The scopes of a token a user issues itself: those asked for when it may grant them all, else
// forbidden; without a list, everything it may grant.
Result<auth::ScopeSet> own_token_scopes(const Principal& p, const std::optional<auth::ScopeSet>& asked) {
  const auth::ScopeSet grantable = self_grantable(p);
  if (!asked) return grantable;
  for (const auto& name : asked->to_strings())
    if (!grantable.contains(*auth::parse_scope(name)))
      return Error::forbidden("you may not grant the '" + name + "' scope to your own tokens");
  return *asked;
}

// "reveal_providers" of a token issue: names of catalog providers (keys:reveal tokens only; the
// pairing is checked by the account service). Absent or null: none.
Result<std::vector<std::string>> reveal_providers_field(const json::object& body, const catalog::Catalog& catalog) {
  std::vector<std::string> names;
  const auto* list = body.if_contains("reveal_providers");
  if (list == nullptr || list->is_null()) return names;
  constexpr std::string_view kShape = "field 'reveal_providers' must be an array of provider ids";
  if (!list->is_array()) return Error::invalid_request(std::string(kShape));
  for (const auto& v : list->get_array()) {
    if (!v.is_string()) return Error::invalid_request(std::string(kShape));
    std::string name(v.get_string());
    if (catalog.find(name) == nullptr)
      return Error::invalid_request("reveal provider '" + name.substr(0, 64) + "' is not supported");
    names.push_back(std::move(name));
  }
  return names;
}

// The handlers of the users and tokens routes.
class AccountRoutes {
 public:
  AccountRoutes(Services& s, accounts::AccountService& accounts) : s_(s), accounts_(accounts) {}

  net::awaitable<Result<Response>> create_user(Request& req, RequestContext& ctx, const Principal& p) {
    auto body = json_object_body(req, {"name", "role"});
    if (!body) co_return body.error();
    auto name = string_field(*body, "name");
    auto role_text = string_field(*body, "role");
    if (!name) co_return name.error();
    if (!role_text) co_return role_text.error();
    if (!*name) co_return Error::invalid_request("field 'name' is required");
    accounts::NewUser input{**name, store::Role::user};
    if (*role_text) {
      auto role = store::parse_role(**role_text);
      if (!role || *role == store::Role::system)
        co_return Error::invalid_request("role must be user or admin");
      input.role = *role;
    }
    const auto caller = caller_of(p, req, ctx);
    auto user = co_await offload(s_.blocking, [&] { return accounts_.create_user(caller, input); });
    if (!user) co_return user.error();
    co_return http::Response::json(201, accounts::user_json(*user));
  }

  net::awaitable<Result<Response>> list_users(Request& req, RequestContext&, const Principal&) {
    auto query = Query::parse(req.query());
    if (!query) co_return query.error();
    if (auto r = query->only({"limit", "cursor"}); !r) co_return r.error();
    auto page = page_request(*query);
    if (!page) co_return page.error();
    auto users = co_await offload(s_.blocking, [&] { return accounts_.list_users(*page); });
    if (!users) co_return users.error();
    json::array data;
    for (const auto& u : users->items)
      if (u.role != store::Role::system) data.push_back(parsed(accounts::user_json(u)));
    co_return collection(std::move(data), users->next_cursor);
  }

  net::awaitable<Result<Response>> issue_token(Request& req, RequestContext& ctx, const Principal& p) {
    auto body = json_object_body(req, {"user_id", "name", "scopes", "expires_at", "reveal_providers"});
    if (!body) co_return body.error();
    accounts::NewToken input;
    auto user_id = string_field(*body, "user_id");
    auto name = string_field(*body, "name");
    auto expires = time_field(*body, "expires_at");
    if (!user_id) co_return user_id.error();
    if (!name) co_return name.error();
    if (!expires) co_return expires.error();
    if (!p.is_admin()) {
      if (auto refused = own_token_refusal(p, *user_id)) co_return *refused;
      *user_id = p.user_id;
    }
    if (!*user_id) co_return Error::invalid_request("field 'user_id' is required");
    input.user_id = **user_id;
    if (*name) input.name = **name;
    input.expires_at = expires->value;
    if (const auto* scopes = body->if_contains("scopes"); scopes != nullptr && !scopes->is_null()) {
      if (!scopes->is_array())
        co_return Error::invalid_request("field 'scopes' must be an array of strings");
      std::vector<std::string> names;
      for (const auto& v : scopes->get_array()) {
        if (!v.is_string())
          co_return Error::invalid_request("field 'scopes' must be an array of strings");
        names.emplace_back(v.get_string());
      }
      auto set = auth::ScopeSet::from_strings(names);
      if (!set) co_return set.error();
      input.scopes = *set;
    }
    if (!p.is_admin()) {
      auto own = own_token_scopes(p, input.scopes);
      if (!own) co_return own.error();
      input.scopes = *own;
    }
    auto reveal = reveal_providers_field(*body, *s_.catalog);
    if (!reveal) co_return reveal.error();
    input.reveal_providers = std::move(*reveal);
    const auto caller = caller_of(p, req, ctx);
    auto issued = co_await offload(s_.blocking, [&] { return accounts_.issue_token(caller, input); });
    if (!issued) co_return issued.error();
    co_return http::Response::json(201, accounts::token_json(issued->record, &issued->text));
  }

  // Any authenticated caller: its own tokens; an admin: everyone's, or one user's with ?user_id=.
  net::awaitable<Result<Response>> list_tokens(Request& req, RequestContext&, const Principal& p) {
    if (auto refused = acting_for_someone(p)) co_return *refused;
    auto query = Query::parse(req.query());
    if (!query) co_return query.error();
    if (auto r = query->only({"limit", "cursor", "user_id"}); !r) co_return r.error();
    auto page = page_request(*query);
    if (!page) co_return page.error();
    std::optional<std::string> user = p.user_id;
    if (p.is_admin()) user = query->get("user_id");
    else if (query->get("user_id") && *query->get("user_id") != p.user_id)
      co_return Error::forbidden("only administrators may list other users' tokens");
    auto tokens = co_await offload(s_.blocking, [&] {
      return accounts_.list_tokens(user ? std::optional<std::string_view>(*user) : std::nullopt, *page);
    });
    if (!tokens) co_return tokens.error();
    json::array data;
    for (const auto& t : tokens->items) data.push_back(parsed(accounts::token_json(t)));
    co_return collection(std::move(data), tokens->next_cursor);
  }

  net::awaitable<Result<Response>> revoke_token(Request& req, RequestContext& ctx, const Principal& p) {
    if (auto refused = acting_for_someone(p)) co_return *refused;
    const std::string id(*req.param("id"));
    std::optional<std::string> owner;
    if (!p.is_admin()) owner = p.user_id;
    const auto caller = caller_of(p, req, ctx);
    auto revoked = co_await offload(s_.blocking, [&] {
      return accounts_.revoke_token(caller, id, owner ? std::optional<std::string_view>(*owner) : std::nullopt);
    });
    if (!revoked) co_return revoked.error();
    s_.authenticator.forget_token(id);
    co_return Response::empty(204);
  }

 private:
  Services& s_;
  accounts::AccountService& accounts_;
};

}  // namespace

void add_account_routes(http::Router& router, Services& s, accounts::AccountService& accounts) {
  using http::Method;
  using auth::Scope;
  auto routes = std::make_shared<AccountRoutes>(s, accounts);
  router.add(Method::post, "/api/v1/users", guarded<&AccountRoutes::create_user>(s, routes, Scope::admin, Needs::admin));
  router.add(Method::get, "/api/v1/users", guarded<&AccountRoutes::list_users>(s, routes, Scope::admin, Needs::admin));
  // Admins issue tokens for anyone; a user (keys:write) issues its own with scopes it holds.
  router.add(Method::post, "/api/v1/tokens", guarded<&AccountRoutes::issue_token>(s, routes, Scope::keys_read, Needs::scope_or_admin));
  router.add(Method::get, "/api/v1/tokens", guarded<&AccountRoutes::list_tokens>(s, routes, Scope::keys_read));
  router.add(Method::del, "/api/v1/tokens/{id}", guarded<&AccountRoutes::revoke_token>(s, routes, Scope::keys_read));
}

}  // namespace keyrelay::api
