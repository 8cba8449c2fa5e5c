#pragma once
// The dispatcher's SpendGuard wired to the spend ledger (caps/spend_ledger.h): the caps that apply
// from the node's in-memory copy (CapDirectory), the worst case from the price table
// (gateway/spend_estimate.h), the reservation taken on the calling I/O thread when the counters are
// in this process and seeded, otherwise on the worker pool (a seed read from the store, Redis).
// A stale copy of the caps (its reload failed) is reloaded first; if that fails too, every call is
// refused with unavailable (503) — fail closed. Owned by the composition root, alive longer than
// the server.

#include <boost/asio/thread_pool.hpp>

#include "caps/cap_book.h"
#include "caps/spend_ledger.h"
#include "catalog/price_table.h"
#include "gateway/dispatcher_ports.h"
#include "gateway/spend_estimate.h"

namespace keyrelay::api {

class LedgerSpendGuard final : public gateway::SpendGuard {
 public:
  LedgerSpendGuard(boost::asio::thread_pool& blocking, caps::CapDirectory& directory, caps::SpendLedger& ledger,
                   const catalog::PriceTable& prices, const core::Clock& clock, gateway::SpendEstimateOptions options)
      : blocking_(blocking), directory_(directory), ledger_(ledger), prices_(prices), clock_(clock), options_(options) {}

  boost::asio::awaitable<core::Result<std::shared_ptr<gateway::SpendHold>>> reserve(const gateway::SpendAsk& ask) override;

 private:
  boost::asio::thread_pool& blocking_;
  caps::CapDirectory& directory_;
  caps::SpendLedger& ledger_;
  const catalog::PriceTable& prices_;
  const core::Clock& clock_;
  const gateway::SpendEstimateOptions options_;
};

}  // namespace keyrelay::api
