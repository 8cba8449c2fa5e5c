#pragma once
// The metrics read at scrape time rather than counted as things happen: process figures, keys by
// provider and status, key-cache lookups, audit writes, open connections and streams, the usage queue.

#include "catalog/catalog.h"
#include "core/clock.h"
#include "gateway/usage_recorder.h"
#include "http/server.h"
#include "monitor/keyrelay_metrics.h"
#include "store/key_inventory_store.h"
#include "vault/key_cache.h"

namespace keyrelay::cli {

struct CollectedFrom {
  store::KeyInventoryStore& key_inventory;
  const catalog::Catalog& catalog;
  const vault::KeyCache& key_cache;
  const http::Server& server;
  const gateway::UsageRecorder& usage;
  const core::Clock& clock;
};

// Registers the collectors; every source must outlive `metrics`' last render.
void register_collectors(monitor::Metrics& metrics, CollectedFrom from);

}  // namespace keyrelay::cli
