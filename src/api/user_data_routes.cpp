#include "api/user_data_routes.h"

#include <memory>

#include "api/guard.h"
#include "api/offload.h"
#include "logging/log.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;
using auth::Principal;
using core::Error;
using core::Result;
using http::Request;
using http::RequestContext;
using http::Response;

// Sends the export piece by piece as it is read (chunked); a store failure midway cuts the body
// short, so the client can tell it from a whole document.
class ExportStream final : public http::BodyStream {
 public:
  ExportStream(net::thread_pool& blocking, std::unique_ptr<UserExport> export_doc, std::string request_id)
      : blocking_(blocking), export_(std::move(export_doc)), request_id_(std::move(request_id)) {}

  net::awaitable<bool> pump(http::BodySink& sink) override {
    for (;;) {
      auto piece = co_await offload(blocking_, [this] { return export_->next(); });
      if (!piece) {
        logging::error("user export cut short", {{"request_id", request_id_}, {"error", piece.error().message}});
        co_return false;
      }
      if (!*piece) co_return true;
      if (!co_await sink.write(**piece)) co_return false;
    }
  }

 private:
  net::thread_pool& blocking_;
  std::unique_ptr<UserExport> export_;
  std::string request_id_;
};

std::optional<Error> acting_for_someone(const Principal& p) {
  if (!p.on_behalf()) return std::nullopt;
  return Error::forbidden("acting on behalf of a user does not extend to exporting or deleting that user");
}

class UserDataRoutes {
 public:
  UserDataRoutes(Services& s, UserDataDeps deps) : s_(s), deps_(deps) {}

  net::awaitable<Result<Response>> export_user(Request& req, RequestContext& ctx, const Principal& p) {
    co_return co_await export_of(std::string(*req.param("id")), req, ctx, p);
  }
  net::awaitable<Result<Response>> export_me(Request& req, RequestContext& ctx, const Principal& p) {
    if (auto refused = acting_for_someone(p)) co_return *refused;
    co_return co_await export_of(p.user_id, req, ctx, p);
  }
  net::awaitable<Result<Response>> delete_user(Request& req, RequestContext& ctx, const Principal& p) {
    co_return co_await delete_of(std::string(*req.param("id")), req, ctx, p);
  }
  net::awaitable<Result<Response>> delete_me(Request& req, RequestContext& ctx, const Principal& p) {
    if (auto refused = acting_for_someone(p)) co_return *refused;
    co_return co_await delete_of(p.user_id, req, ctx, p);
  }

 private:
  // The user (never the operator's system user, which no route shows), its user.exported event,
  // then the document streamed.
  net::awaitable<Result<Response>> export_of(std::string id, Request& req, RequestContext& ctx, const Principal& p) {
    const auto caller = caller_of(p, req, ctx);
    auto user = co_await offload(s_.blocking, [&]() -> Result<store::UserRecord> {
      auto found = deps_.accounts.find_user(id);
      if (!found) return found.error();
      if (found->id != id || found->role == store::Role::system) return Error::not_found("user not found");
      if (auto recorded = deps_.user_data.record_export(caller, *found); !recorded) return recorded.error();
      return found;
    });
    if (!user) co_return user.error();
    Response r;
    r.status = 200;
    r.headers.set("Content-Type", "application/json");
    r.headers.set("Content-Disposition", "attachment; filename=\"keyrelay-user-" + user->id + ".json\"");
    r.headers.set("Cache-Control", "no-store");
    r.stream = std::make_shared<ExportStream>(
        s_.blocking, std::make_unique<UserExport>(deps_.sources, std::move(*user), s_.clock.now()), std::string(ctx.request_id));
    co_return r;
  }

  // Deletes, then drops what this process caches about the user at once: a token of theirs is
  // refused from the next request on (other processes follow the generation bump), and their
  // keys and derived keys leave memory.
  net::awaitable<Result<Response>> delete_of(std::string id, Request& req, RequestContext& ctx, const Principal& p) {
    const auto caller = caller_of(p, req, ctx);
    auto removed = co_await offload(s_.blocking, [&] { return deps_.user_data.delete_user(caller, id); });
    if (!removed) co_return removed.error();
    s_.authenticator.clear_cache();
    s_.keys.forget_owner(removed->user.id, removed->user.salt);
    if (s_.on_caps_changed) s_.on_caps_changed();
    co_return Response::empty(204);
  }

  Services& s_;
  UserDataDeps deps_;
};

}  // namespace

void add_user_data_routes(http::Router& router, Services& s, UserDataDeps deps) {
  using auth::Scope;
  using http::Method;
  auto routes = std::make_shared<UserDataRoutes>(s, deps);
  router.add(Method::get, "/api/v1/users/{id}/export",
             guarded<&UserDataRoutes::export_user>(s, routes, Scope::admin, Needs::admin));
  router.add(Method::del, "/api/v1/users/{id}", guarded<&UserDataRoutes::delete_user>(s, routes, Scope::admin, Needs::admin));
  router.add(Method::get, "/api/v1/me/export", guarded<&UserDataRoutes::export_me>(s, routes, Scope::keys_read));
  router.add(Method::del, "/api/v1/me", guarded<&UserDataRoutes::delete_me>(s, routes, Scope::keys_write));
}

}  // namespace keyrelay::api
