#include "cli/metrics_collectors.h"

#include "logging/log.h"
#include "monitor/process_stats.h"
#include "store/sqlite/transaction.h"

namespace keyrelay::cli {

void register_collectors(monitor::Metrics& metrics, CollectedFrom from) {
  auto& registry = metrics.registry();
  auto& cpu = registry.mirrored_counter("process_cpu_seconds_total", "User and system CPU time of the process");
  auto& resident = registry.gauge("process_resident_memory_bytes", "Resident memory of the process");
  auto& virtual_memory = registry.gauge("process_virtual_memory_bytes", "Virtual memory of the process");
  auto& open_fds = registry.gauge("process_open_fds", "Open file descriptors");
  auto& max_fds = registry.gauge("process_max_fds", "Limit of open file descriptors");
  auto& start_time = registry.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch");
  registry.on_collect([&] {
    const auto stats = monitor::read_process_stats();
    if (!stats) return;
    cpu.with(monitor::LabelValues{}).set(stats->cpu_seconds);
    resident.with(monitor::LabelValues{}).set(static_cast<double>(stats->resident_bytes));
    virtual_memory.with(monitor::LabelValues{}).set(static_cast<double>(stats->virtual_bytes));
    open_fds.with(monitor::LabelValues{}).set(static_cast<double>(stats->open_fds));
    max_fds.with(monitor::LabelValues{}).set(static_cast<double>(stats->max_fds));
    start_time.with(monitor::LabelValues{}).set(stats->start_time_seconds);
  });

  // Every catalog provider in every status, so a count that drops to zero shows as zero.
  for (const auto& provider : from.catalog.providers())
    for (const auto status : {store::KeyStatus::active, store::KeyStatus::disabled, store::KeyStatus::expired,
                              store::KeyStatus::invalid})
      metrics.keys.with({provider.id, std::string(store::key_status_name(status))});
  registry.on_collect([&metrics, from] {
    auto counts = from.key_inventory.key_counts(from.clock.now());
    if (!counts) {
      logging::warn("metrics: keys not counted", {{"error", counts.error().message}});
      return;
    }
    for (const auto& provider : from.catalog.providers())
      for (const auto status : {store::KeyStatus::active, store::KeyStatus::disabled, store::KeyStatus::expired,
                                store::KeyStatus::invalid})
        metrics.keys.with({provider.id, std::string(store::key_status_name(status))}).set(0);
    for (const auto& c : *counts)
      metrics.keys.with({c.provider, std::string(store::key_status_name(c.status))}).set(static_cast<double>(c.count));

    const auto hits = from.key_cache.hits();
    const auto misses = from.key_cache.misses();
    metrics.cache_lookups.with({"hit"}).mirror(hits);
    metrics.cache_lookups.with({"miss"}).mirror(misses);
    metrics.cache_hit_ratio.with(monitor::LabelValues{}).set(
        hits + misses == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(hits + misses));

    const auto audit = store::sqlite::audit_write_counts();
    metrics.audit_events.with(monitor::LabelValues{}).mirror(audit.written);
    metrics.audit_write_failures.with(monitor::LabelValues{}).mirror(audit.failures);

    metrics.open_connections.with(monitor::LabelValues{}).set(static_cast<double>(from.server.connection_count()));
    metrics.open_streams.with(monitor::LabelValues{}).set(static_cast<double>(from.server.open_streams()));
    metrics.usage_queue.with(monitor::LabelValues{}).set(static_cast<double>(from.usage.queued()));
  });
}

}  // namespace keyrelay::cli
