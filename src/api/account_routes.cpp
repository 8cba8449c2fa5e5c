#include "api/account_routes.h"

#include <boost/json/parse.hpp>

#include "api/guard.h"
#include "api/json_input.h"
#include "api/offload.h"
#include "api/responses.h"
#include "http/error_response.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using auth::Principal;
using core::Error;
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

}  // namespace

void add_account_routes(http::Router& router, Services& s, accounts::AccountService& accounts) {
  using http::Method;
  using auth::Scope;

  router.add(Method::post, "/api/v1/users",
             guarded(s, Scope::admin, [&s, &accounts](Request& req, RequestContext& ctx, const Principal& p)
                                          -> net::awaitable<Response> {
               auto body = json_object_body(req, {"name", "role"});
               if (!body) co_return http::error_response(body.error(), ctx.request_id);
               auto name = string_field(*body, "name");
               auto role_text = string_field(*body, "role");
               if (!name) co_return http::error_response(name.error(), ctx.request_id);
               if (!role_text) co_return http::error_response(role_text.error(), ctx.request_id);
               if (!*name) co_return http::error_response(Error::invalid_request("field 'name' is required"), ctx.request_id);
               accounts::NewUser input{**name, store::Role::user};
               if (*role_text) {
                 auto role = store::parse_role(**role_text);
                 if (!role || *role == store::Role::system)
                   co_return http::error_response(Error::invalid_request("role must be user or admin"), ctx.request_id);
                 input.role = *role;
               }
               const auto caller = caller_of(p, req, ctx);
               auto user = co_await offload(s.blocking, [&] { return accounts.create_user(caller, input); });
               if (!user) co_return http::error_response(user.error(), ctx.request_id);
               co_return http::Response::json(201, accounts::user_json(*user));
             }, Needs::admin));

  router.add(Method::get, "/api/v1/users",
             guarded(s, Scope::admin, [&s, &accounts](Request& req, RequestContext& ctx, const Principal&)
                                          -> net::awaitable<Response> {
               auto query = Query::parse(req.query());
               if (!query) co_return http::error_response(query.error(), ctx.request_id);
               if (auto r = query->only({"limit", "cursor"}); !r) co_return http::error_response(r.error(), ctx.request_id);
               auto page = page_request(*query);
               if (!page) co_return http::error_response(page.error(), ctx.request_id);
               auto users = co_await offload(s.blocking, [&] { return accounts.list_users(*page); });
               if (!users) co_return http::error_response(users.error(), ctx.request_id);
               json::array data;
               for (const auto& u : users->items)
                 if (u.role != store::Role::system) data.push_back(parsed(accounts::user_json(u)));
               co_return collection(std::move(data), users->next_cursor);
             }, Needs::admin));

  router.add(Method::post, "/api/v1/tokens",
             guarded(s, Scope::admin, [&s, &accounts](Request& req, RequestContext& ctx, const Principal& p)
                                          -> net::awaitable<Response> {
               auto body = json_object_body(req, {"user_id", "name", "scopes", "expires_at"});
               if (!body) co_return http::error_response(body.error(), ctx.request_id);
               accounts::NewToken input;
               auto user_id = string_field(*body, "user_id");
               auto name = string_field(*body, "name");
               auto expires = time_field(*body, "expires_at");
               if (!user_id) co_return http::error_response(user_id.error(), ctx.request_id);
               if (!name) co_return http::error_response(name.error(), ctx.request_id);
               if (!expires) co_return http::error_response(expires.error(), ctx.request_id);
               if (!*user_id) co_return http::error_response(Error::invalid_request("field 'user_id' is required"), ctx.request_id);
               input.user_id = **user_id;
               if (*name) input.name = **name;
               input.expires_at = expires->value;
               if (const auto* scopes = body->if_contains("scopes"); scopes != nullptr && !scopes->is_null()) {
                 if (!scopes->is_array())
                   co_return http::error_response(Error::invalid_request("field 'scopes' must be an array of strings"), ctx.request_id);
                 std::vector<std::string> names;
                 for (const auto& v : scopes->get_array()) {
                   if (!v.is_string())
                     co_return http::error_response(Error::invalid_request("field 'scopes' must be an array of strings"), ctx.request_id);
                   names.emplace_back(v.get_string());
                 }
                 auto set = auth::ScopeSet::from_strings(names);
                 if (!set) co_return http::error_response(set.error(), ctx.request_id);
                 input.scopes = *set;
               }
               const auto caller = caller_of(p, req, ctx);
               auto issued = co_await offload(s.blocking, [&] { return accounts.issue_token(caller, input); });
               if (!issued) co_return http::error_response(issued.error(), ctx.request_id);
               co_return http::Response::json(201, accounts::token_json(issued->record, &issued->text));
             }, Needs::admin));

  // Any authenticated caller: its own tokens; an admin: everyone's, or one user's with ?user_id=.
  router.add(Method::get, "/api/v1/tokens",
             guarded(s, Scope::keys_read, [&s, &accounts](Request& req, RequestContext& ctx, const Principal& p)
                                              -> net::awaitable<Response> {
               if (auto refused = acting_for_someone(p)) co_return http::error_response(*refused, ctx.request_id);
               auto query = Query::parse(req.query());
               if (!query) co_return http::error_response(query.error(), ctx.request_id);
               if (auto r = query->only({"limit", "cursor", "user_id"}); !r) co_return http::error_response(r.error(), ctx.request_id);
               auto page = page_request(*query);
               if (!page) co_return http::error_response(page.error(), ctx.request_id);
               std::optional<std::string> user = p.user_id;
               if (p.is_admin()) user = query->get("user_id");
               else if (query->get("user_id") && *query->get("user_id") != p.user_id)
                 co_return http::error_response(Error::forbidden("only administrators may list other users' tokens"), ctx.request_id);
               auto tokens = co_await offload(s.blocking, [&] {
                 return accounts.list_tokens(user ? std::optional<std::string_view>(*user) : std::nullopt, *page);
               });
               if (!tokens) co_return http::error_response(tokens.error(), ctx.request_id);
               json::array data;
               for (const auto& t : tokens->items) data.push_back(parsed(accounts::token_json(t)));
               co_return collection(std::move(data), tokens->next_cursor);
             }));

  router.add(Method::del, "/api/v1/tokens/{id}",
             guarded(s, Scope::keys_read, [&s, &accounts](Request& req, RequestContext& ctx, const Principal& p)
                                              -> net::awaitable<Response> {
               if (auto refused = acting_for_someone(p)) co_return http::error_response(*refused, ctx.request_id);
               const std::string id(*req.param("id"));
               std::optional<std::string> owner;
               if (!p.is_admin()) owner = p.user_id;
               const auto caller = caller_of(p, req, ctx);
               auto revoked = co_await offload(s.blocking, [&] {
                 return accounts.revoke_token(caller, id, owner ? std::optional<std::string_view>(*owner) : std::nullopt);
               });
               if (!revoked) co_return http::error_response(revoked.error(), ctx.request_id);
               s.authenticator.forget_token(id);
               co_return Response::empty(204);
             }));
}

}  // namespace keyrelay::api
