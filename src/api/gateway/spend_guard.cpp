#include "api/gateway/spend_guard.h"

#include <atomic>

#include <boost/asio/post.hpp>

#include "api/offload.h"
#include "caps/usd_amount.h"
#include "core/time_format.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;

// A reservation held by one call. Settled once: by the use's record, or released when dropped.
class LedgerHold final : public gateway::SpendHold {
 public:
  LedgerHold(caps::SpendLedger& ledger, net::thread_pool& blocking, caps::Reservation reservation)
      : ledger_(ledger), blocking_(blocking), reservation_(std::move(reservation)) {}
  ~LedgerHold() override { finish(0); }

  void settle(std::optional<std::int64_t> micro_usd) noexcept override { finish(micro_usd.value_or(reservation_.amount)); }

 private:
  void finish(std::int64_t cost) noexcept {
    if (done_.exchange(true)) return;
    if (!ledger_.blocks()) {
      ledger_.settle(reservation_, cost);
      return;
    }
    // Redis: a round trip, never on the I/O thread that recorded the use.
    try {
      net::post(blocking_, [&ledger = ledger_, reservation = std::move(reservation_), cost] { ledger.settle(reservation, cost); });
    } catch (...) {
      // Out of memory while shutting down: the reservation lapses with its period.
    }
  }

  caps::SpendLedger& ledger_;
  net::thread_pool& blocking_;
  caps::Reservation reservation_;
  std::atomic<bool> done_{false};
};

core::Error unpriced(const std::string& model, const gateway::SpendAsk& ask, const caps::Charge& charge,
                     store::TimePoint now) {
  const auto resets = caps::period_of(charge.period, now).resets_at;
  return core::Error::spend_cap_exceeded(
      "model '" + (model.empty() ? std::string("(unknown)") : model) + "' of " + ask.provider.id +
          " has no price, so its cost cannot be held within " + charge.label() + " of " + caps::format_usd(charge.limit) +
          " (an operator can add its price with KEYRELAY_PRICES_FILE); the cap resets at " + core::format_rfc3339(resets),
      std::chrono::seconds(caps::seconds_until(now, resets)));
}

}  // namespace

net::awaitable<core::Result<std::shared_ptr<gateway::SpendHold>>> LedgerSpendGuard::reserve(const gateway::SpendAsk& ask) {
  // Listing models (/v1/models) costs nothing; chat, embeddings and /proxy calls are what providers bill.
  if (ask.call.route == "models") co_return std::shared_ptr<gateway::SpendHold>();
  if (directory_.is_stale()) {
    auto reloaded = co_await offload(blocking_, [this] { return directory_.reload(); });
    if (!reloaded) co_return core::Error::unavailable("the spend caps cannot be read right now; try again");
  }
  const auto book = directory_.current();
  const store::KeyRecord& key = *ask.key.key;
  const auto charges = caps::charges_for(
      *book, {ask.actor.user_id, key.id, key.owner_id, ask.key.credential == gateway::Credential::operator_default});
  if (charges.empty()) co_return std::shared_ptr<gateway::SpendHold>();

  const auto estimate = gateway::estimate_worst_case(prices_, ask.provider, ask.call, options_);
  if (!estimate.micro_usd) co_return unpriced(estimate.model, ask, charges.front(), clock_.now());
  const std::int64_t amount = *estimate.micro_usd;
  auto reserved = ledger_.reserve(charges, amount, false);
  if (reserved && !*reserved)
    reserved = co_await offload(blocking_, [&] { return ledger_.reserve(charges, amount, true); });
  if (!reserved) co_return reserved.error();
  co_return std::shared_ptr<gateway::SpendHold>(std::make_shared<LedgerHold>(ledger_, blocking_, std::move(**reserved)));
}

}  // namespace keyrelay::api
