#include "api/audit_routes.h"

#include <boost/json/parse.hpp>

#include "api/guard.h"
#include "api/json_input.h"
#include "api/key_json.h"
#include "api/offload.h"
#include "api/responses.h"
#include "core/time_format.h"
#include "http/error_response.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using core::Error;
using core::Result;

json::value optional_string(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

json::object event_json(const store::AuditEvent& e) {
  boost::system::error_code ec;
  json::value details = json::parse(e.details_json, ec);
  if (ec) details = json::object{};
  return json::object{
      {"id", e.id},
      {"chain", e.chain},
      {"seq", e.seq},
      {"time", core::format_rfc3339(e.time)},
      {"action", e.action},
      {"outcome", store::outcome_name(e.outcome)},
      {"actor", json::object{{"user_id", optional_string(e.actor_user_id)},
                             {"token_id", optional_string(e.actor_token_id)},
                             {"kind", store::actor_kind_name(e.actor_kind)}}},
      {"on_behalf_of", optional_string(e.on_behalf_of)},
      {"key_id", optional_string(e.key_id)},
      {"provider", optional_string(e.provider)},
      {"ip", optional_string(e.ip)},
      {"user_agent", optional_string(e.user_agent)},
      {"request_id", optional_string(e.request_id)},
      {"details", std::move(details)},
  };
}

// RFC 3339, or a date YYYY-MM-DD meaning the start (from) or end (to) of that UTC day.
Result<std::optional<store::TimePoint>> time_param(const Query& q, std::string_view name, bool end_of_day) {
  auto text = q.get(name);
  if (!text) return std::optional<store::TimePoint>{};
  if (auto t = core::parse_rfc3339(*text)) return std::optional<store::TimePoint>(*t);
  if (text->size() == 10) {
    if (auto t = core::parse_rfc3339(*text + "T00:00:00Z")) {
      // The end of the day, or of time: the last day the clock holds (2262-04-11) ends past its range.
      constexpr auto kRestOfDay = std::chrono::hours(24) - std::chrono::milliseconds(1);
      if (end_of_day) *t = *t <= store::TimePoint::max() - kRestOfDay ? *t + kRestOfDay : store::TimePoint::max();
      return std::optional<store::TimePoint>(*t);
    }
  }
  return Error::invalid_request(std::string(name) + " must be a date (YYYY-MM-DD) or an RFC 3339 time");
}

}  // namespace

void add_audit_routes(http::Router& router, Services& s) {
  auto handler = guarded(s, auth::Scope::audit_read, [&s](http::Request& req, http::RequestContext& ctx,
                                                          const auth::Principal& p) -> net::awaitable<http::Response> {
    auto query = Query::parse(req.query());
    if (!query) co_return http::error_response(query.error(), ctx.request_id);
    if (auto r = query->only({"action", "key_id", "from", "to", "limit", "cursor", "user_id"}); !r)
      co_return http::error_response(r.error(), ctx.request_id);
    auto page = page_request(*query);
    if (!page) co_return http::error_response(page.error(), ctx.request_id);
    store::AuditFilter filter;
    filter.action = query->get("action");
    filter.key_id = query->get("key_id");
    auto from = time_param(*query, "from", false);
    auto to = time_param(*query, "to", true);
    if (!from) co_return http::error_response(from.error(), ctx.request_id);
    if (!to) co_return http::error_response(to.error(), ctx.request_id);
    filter.from = *from;
    filter.to = *to;
    if (filter.from && filter.to && *filter.from > *filter.to)
      co_return http::error_response(Error::invalid_request("from must not be after to"), ctx.request_id);
    if (p.is_admin()) {
      filter.visible_to = query->get("user_id");
    } else {
      if (auto other = query->get("user_id"); other && *other != p.user_id)
        co_return http::error_response(Error::forbidden("only administrators may read other users' audit events"),
                                       ctx.request_id);
      filter.visible_to = p.user_id;
    }
    auto events = co_await offload(s.blocking, [&] { return s.audit_log.list_audit(filter, *page); });
    if (!events) co_return http::error_response(events.error(), ctx.request_id);
    json::array data;
    for (const auto& e : events->items) data.push_back(event_json(e));
    co_return collection(std::move(data), events->next_cursor);
  });
  router.add(http::Method::get, "/api/v1/audit", handler);
  router.add(http::Method::get, "/api/keys/audit", handler);
}

}  // namespace keyrelay::api
