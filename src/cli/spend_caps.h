#pragma once
// The node's spend-cap enforcement, built at start: the in-memory copy of every cap (reloaded when
// a cap changes here or the store generation moves), the counters (this process's, or Redis's when
// KEYRELAY_REDIS_URL is set, so every node checks against the same spend), and the ledger that
// reserves and settles calls, seeded from the store's booked spend and raising the 80 %/100 %
// alerts through the alert service.

#include <memory>

#include "api/services.h"
#include "caps/cap_book.h"
#include "caps/spend_counters.h"
#include "caps/spend_ledger.h"
#include "cli/node_sharing.h"
#include "store/store.h"

namespace keyrelay::cli {

struct SpendCaps {
  explicit SpendCaps(store::CapStore& store) : directory(store) {}
  caps::CapDirectory directory;
  std::unique_ptr<caps::SpendCounters> counters;
  std::unique_ptr<caps::SpendLedger> ledger;
};

// Loads the caps (unavailable when the store cannot be read: the start fails rather than serve
// without them) and wires the ledger to `services` (alerts) and, through `services.on_caps_changed`,
// to the caps routes.
core::Result<std::unique_ptr<SpendCaps>> make_spend_caps(store::Store& db, NodeSharing& sharing, api::Services& services);

}  // namespace keyrelay::cli
