#include "api/user_export.h"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "accounts/account_service.h"
#include "api/alert_json.h"
#include "api/audit_json.h"
#include "api/key_json.h"
#include "api/usage_json.h"
#include "caps/usd_amount.h"
#include "core/time_format.h"

namespace keyrelay::api {
namespace {

namespace json = boost::json;

json::value usd_or_null(const std::optional<std::int64_t>& micro) {
  return micro ? json::value(caps::usd_from_micro(*micro)) : json::value(nullptr);
}

// Appends each item, serialized, to a comma-separated list.
template <class Items, class Render>
std::string joined(const Items& items, Render render) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ',';
    out += render(item);
  }
  return out;
}

std::string member(std::string_view name, const json::value& value) {
  return "," + json::serialize(json::string(name)) + ":" + json::serialize(value);
}

}  // namespace

UserExport::UserExport(UserExportSources sources, store::UserRecord user, store::TimePoint now)
    : sources_(sources), user_(std::move(user)), now_(now) {
  page_.limit = kPageSize;
}

std::string UserExport::section_piece(std::string_view name, std::string items,
                                      const std::optional<std::string>& next_cursor) {
  std::string piece;
  if (!section_open_) piece = "," + json::serialize(json::string(name)) + ":[";
  if (!items.empty() && section_has_items_) piece += ',';
  piece += items;
  section_open_ = true;
  section_has_items_ = section_has_items_ || !items.empty();
  page_.cursor = next_cursor;
  if (!next_cursor) {
    piece += ']';
    section_open_ = section_has_items_ = false;
    step_ = static_cast<Step>(static_cast<int>(step_) + 1);
  }
  return piece;
}

core::Result<std::string> UserExport::tokens_page() {
  auto page = sources_.tokens.list_tokens(user_.id, page_);
  if (!page) return page.error();
  return section_piece("tokens", joined(page->items, [](const auto& t) { return accounts::token_json(t); }),
                       page->next_cursor);
}

core::Result<std::string> UserExport::keys_page() {
  store::KeyFilter filter;
  filter.owner_id = user_.id;
  filter.now = now_;
  auto page = sources_.keys.list_keys(filter, page_);
  if (!page) return page.error();
  return section_piece("keys", joined(page->items, [this](const auto& k) {
                         return json::serialize(key_json(k, KeyOwner::user, now_));
                       }),
                       page->next_cursor);
}

core::Result<std::string> UserExport::alerts_page() {
  store::AlertFilter filter;
  filter.user_id = user_.id;
  auto page = sources_.alerts.list_alerts(filter, page_);
  if (!page) return page.error();
  return section_piece("alerts", joined(page->items, [](const auto& a) { return json::serialize(alert_json(a)); }),
                       page->next_cursor);
}

core::Result<std::string> UserExport::audit_page() {
  store::AuditFilter filter;
  filter.visible_to = user_.id;
  auto page = sources_.audit.list_audit(filter, page_);
  if (!page) return page.error();
  return section_piece("audit", joined(page->items, [](const auto& e) { return json::serialize(event_json(e)); }),
                       page->next_cursor);
}

// Every usage row the store keeps for the user: one per key, day and model (a few per key and day).
core::Result<std::string> UserExport::usage_rows() {
  store::UsageQuery query{user_.id, "0001-01-01", "9999-12-31"};
  query.by_provider = query.by_key = query.by_model = true;
  auto rows = sources_.usage.usage(query);
  if (!rows) return rows.error();
  return section_piece("usage", joined(*rows, [](const auto& r) { return json::serialize(usage_json(r)); }), std::nullopt);
}

core::Result<std::string> UserExport::default_key_usage() {
  auto rows = sources_.user_data.default_key_spend(user_.id);
  if (!rows) return rows.error();
  return section_piece("default_key_usage", joined(*rows, [](const store::DefaultKeySpendRow& r) {
                         return json::serialize(json::object{{"day", r.day}, {"cost_usd", caps::usd_from_micro(r.cost_micro_usd)}});
                       }),
                       std::nullopt);
}

// The caps set on the user, their keys and their default-key allowance (few: read at once).
core::Result<std::string> UserExport::caps() {
  auto all = sources_.caps.all_caps();
  if (!all) return all.error();
  std::vector<store::CapRecord> own;
  std::copy_if(all->begin(), all->end(), std::back_inserter(own), [this](const auto& c) { return c.owner_id == user_.id; });
  return section_piece("caps", joined(own, [](const store::CapRecord& c) {
                         return json::serialize(json::object{
                             {"subject", store::cap_subject_name(c.subject)},
                             {"subject_id", c.subject_id},
                             {"daily_usd", usd_or_null(c.limits.daily_micro_usd)},
                             {"monthly_usd", usd_or_null(c.limits.monthly_micro_usd)},
                             {"updated_at", time_or_null(c.updated_at)}});
                       }),
                       std::nullopt);
}

core::Result<std::optional<std::string>> UserExport::next() {
  core::Result<std::string> piece = std::string();
  switch (step_) {
    case Step::head:
      step_ = Step::tokens;
      return std::optional<std::string>("{\"format\":\"keyrelay.user-export.v1\"" +
                                        member("exported_at", json::string(core::format_rfc3339(now_))) + ",\"user\":" +
                                        accounts::user_json(user_));
    case Step::tokens: piece = tokens_page(); break;
    case Step::keys: piece = keys_page(); break;
    case Step::usage: piece = usage_rows(); break;
    case Step::default_key_usage: piece = default_key_usage(); break;
    case Step::caps: piece = caps(); break;
    case Step::alerts: piece = alerts_page(); break;
    case Step::audit:
      piece = audit_page();
      if (piece && step_ == Step::done) *piece += '}';
      break;
    case Step::done: return std::optional<std::string>();
  }
  if (!piece) return piece.error();
  return std::optional<std::string>(std::move(*piece));
}

}  // namespace keyrelay::api
