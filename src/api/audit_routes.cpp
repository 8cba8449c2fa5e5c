#include "api/audit_routes.h"

#include <boost/json/parse.hpp>

#include "api/audit_json.h"
#include "api/guard.h"
#include "api/json_input.h"
#include "api/key_json.h"
#include "api/offload.h"
#include "api/responses.h"
#include "core/time_format.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using core::Error;
using core::Result;

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

// The audit events the caller may see (an admin: everyone's, or one user's with ?user_id=), filtered.
net::awaitable<core::Result<http::Response>> list_audit(Services& s, http::Request& req, http::RequestContext&,
                                                        const auth::Principal& p) {
  auto query = Query::parse(req.query());
  if (!query) co_return query.error();
  if (auto r = query->only({"action", "key_id", "from", "to", "limit", "cursor", "user_id"}); !r)
    co_return r.error();
  auto page = page_request(*query);
  if (!page) co_return page.error();
  store::AuditFilter filter;
  filter.action = query->get("action");
  filter.key_id = query->get("key_id");
  auto from = time_param(*query, "from", false);
  auto to = time_param(*query, "to", true);
  if (!from) co_return from.error();
  if (!to) co_return to.error();
  filter.from = *from;
  filter.to = *to;
  if (filter.from && filter.to && *filter.from > *filter.to)
    co_return Error::invalid_request("from must not be after to");
  if (p.is_admin()) {
    filter.visible_to = query->get("user_id");
  } else {
    if (auto other = query->get("user_id"); other && *other != p.user_id)
      co_return Error::forbidden("only administrators may read other users' audit events");
    filter.visible_to = p.user_id;
  }
  auto events = co_await offload(s.blocking, [&] { return s.audit_log.list_audit(filter, *page); });
  if (!events) co_return events.error();
  json::array data;
  for (const auto& e : events->items) data.push_back(event_json(e));
  co_return collection(std::move(data), events->next_cursor);
}

}  // namespace

void add_audit_routes(http::Router& router, Services& s) {
  auto handler = guarded(s, auth::Scope::audit_read, [&s](http::Request& req, http::RequestContext& ctx,
                                                          const auth::Principal& p) { return list_audit(s, req, ctx, p); });
  router.add(http::Method::get, "/api/v1/audit", handler);
  router.add(http::Method::get, "/api/keys/audit", handler);
}

}  // namespace keyrelay::api
