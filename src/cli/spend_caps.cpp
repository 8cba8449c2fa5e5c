#include "cli/spend_caps.h"

#include "caps/local_spend_counters.h"
#include "caps/usd_amount.h"
#include "core/time_format.h"
#include "monitor/redis/redis_spend_counters.h"

namespace keyrelay::cli {
namespace {

// 80 %: a warning; 100 %: critical (calls are being refused). One alert per cap and period.
void raise_threshold_alert(api::Services& services, const caps::Charge& charge, int percent, std::int64_t spent) {
  monitor::AlertSpec spec;
  spec.rule = percent >= 100 ? "spend_cap.reached" : "spend_cap.warning";
  spec.severity = percent >= 100 ? store::AlertSeverity::critical : store::AlertSeverity::warning;
  spec.user_id = charge.owner_id;
  spec.key_id = charge.key_id;
  const auto resets = caps::period_of(charge.period, services.clock.now()).resets_at;
  spec.message = charge.label() + " of " + caps::format_usd(charge.limit) +
                 (percent >= 100 ? " is reached" : " is " + std::to_string(percent) + " % used") + " (" +
                 caps::format_usd(spent) + " spent); it resets at " + core::format_rfc3339(resets);
  api::raise_alert_later(services, std::move(spec));
}

}  // namespace

core::Result<std::unique_ptr<SpendCaps>> make_spend_caps(store::Store& db, NodeSharing& sharing, api::Services& services) {
  auto caps = std::make_unique<SpendCaps>(db);
  if (auto loaded = caps->directory.reload(); !loaded)
    return core::Error::unavailable("cannot read the spend caps: " + loaded.error().message);
  if (sharing.redis) caps->counters = std::make_unique<monitor::RedisSpendCounters>(*sharing.redis);
  else caps->counters = std::make_unique<caps::LocalSpendCounters>(services.clock);
  caps->ledger = std::make_unique<caps::SpendLedger>(
      *caps->counters,
      [&db](store::CapSubject subject, const std::string& id, const std::string& first, const std::string& last) {
        return db.spent_micro_usd(subject, id, first, last);
      },
      services.clock,
      [&services](const caps::Charge& charge, int percent, std::int64_t spent) {
        raise_threshold_alert(services, charge, percent, spent);
      });
  services.on_caps_changed = [directory = &caps->directory] { (void)directory->reload(); };
  return caps;
}

}  // namespace keyrelay::cli
