#pragma once
// FakeAuditStore: a store::Store that holds audit chains in memory (given as already sealed
// events) and answers only the audit reads; every other call fails with Errc::internal.
// Counts the batch reads and can be told to fail them. Not thread-safe.

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"

namespace keyrelay::audit::testing {

class FakeAuditStore final : public store::Store {
 public:
  std::map<std::string, std::vector<store::AuditEvent>> chains;  // each in ascending seq
  std::map<std::string, store::AuditCheckpoint> checkpoints;     // of pruned chains
  int batch_reads = 0;
  bool fail_reads = false;
  std::size_t max_batch = SIZE_MAX;  // returns fewer events than asked when smaller than the limit

  // store::Store — audit reads
  core::Result<std::vector<std::string>> audit_chains() override {
    if (fail_reads) return core::Error::unavailable("database is locked");
    std::vector<std::string> names;
    for (const auto& [name, events] : chains) names.push_back(name);
    for (const auto& [name, checkpoint] : checkpoints)
      if (!chains.contains(name)) names.push_back(name);
    std::sort(names.begin(), names.end());
    return names;
  }
  core::Result<std::optional<store::AuditCheckpoint>> audit_checkpoint(std::string_view chain) override {
    if (fail_reads) return core::Error::unavailable("database is locked");
    auto it = checkpoints.find(std::string(chain));
    if (it == checkpoints.end()) return std::optional<store::AuditCheckpoint>();
    return std::optional<store::AuditCheckpoint>(it->second);
  }
  core::Result<store::AuditPruneBatch> prune_audit(
      std::string_view, store::TimePoint, std::size_t,
      const std::function<store::AuditEvent(const store::AuditPruneBatch&)>&) override {
    return no();
  }
  core::Result<std::vector<store::AuditEvent>> audit_chain_events(std::string_view chain, std::int64_t after_seq,
                                                                  std::size_t limit) override {
    ++batch_reads;
    if (fail_reads) return core::Error::unavailable("database is locked");
    std::vector<store::AuditEvent> out;
    auto it = chains.find(std::string(chain));
    if (it == chains.end()) return out;
    for (const auto& e : it->second) {
      if (e.seq > after_seq && out.size() < std::min(limit, max_batch)) out.push_back(e);
    }
    return out;
  }

  // store::Store — everything else is outside this fake
  core::Result<int> migrate() override { return no(); }
  core::Result<int> schema_version() override { return no(); }
  core::Result<void> ping() override { return no(); }
  core::Result<std::uint64_t> generation() override { return no(); }
  core::Result<bool> is_empty() override { return no(); }
  core::Result<void> create_user(const store::UserRecord&, store::AuditEvent) override { return no(); }
  core::Result<store::UserRecord> find_user(std::string_view) override { return no(); }
  core::Result<store::UserRecord> find_user_by_name(std::string_view) override { return no(); }
  core::Result<store::UserRecord> find_user_by_external_id(std::string_view) override { return no(); }
  core::Result<void> replace_external_id(std::string_view, std::string_view, std::string_view) override { return no(); }
  core::Result<store::Page<store::UserRecord>> list_users(const store::PageRequest&) override { return no(); }
  core::Result<void> create_token(const store::TokenRecord&, store::AuditEvent) override { return no(); }
  core::Result<store::TokenRecord> find_token(std::string_view) override { return no(); }
  core::Result<store::TokenRecord> find_token_by_hash(core::ByteView) override { return no(); }
  core::Result<store::Page<store::TokenRecord>> list_tokens(std::optional<std::string_view>,
                                                            const store::PageRequest&) override {
    return no();
  }
  core::Result<store::TokenRecord> revoke_token(std::string_view, std::optional<std::string_view>, store::TimePoint,
                                                store::AuditEvent) override {
    return no();
  }
  core::Result<void> touch_tokens(const std::vector<std::pair<std::string, store::TimePoint>>&) override {
    return no();
  }
  core::Result<void> insert_key(const store::KeyRecord&, store::AuditEvent) override { return no(); }
  core::Result<store::KeyRecord> get_key(std::string_view, std::string_view) override { return no(); }
  core::Result<store::Page<store::KeyRecord>> list_keys(const store::KeyFilter&, const store::PageRequest&) override {
    return no();
  }
  core::Result<std::vector<store::KeyRecord>> keys_of_owner(std::string_view) override { return no(); }
  core::Result<std::vector<store::KeyRecord>> keys_expiring_before(store::TimePoint,
                                                                    const std::optional<store::ExpiryPosition>&,
                                                                    std::size_t) override {
    return no();
  }
  core::Result<std::vector<store::KeyCount>> key_counts(store::TimePoint) override { return no(); }
  core::Result<std::vector<store::KeyRecord>> keys_after(const std::optional<std::string>&, std::size_t) override {
    return no();
  }
  core::Result<store::KeyRecord> update_key(std::string_view, std::string_view, const KeyChange&) override {
    return no();
  }
  core::Result<store::KeyUpdate> update_key_at_version(std::string_view, std::string_view, std::uint32_t,
                                                       const KeyChange&) override {
    return no();
  }
  core::Result<void> delete_key(std::string_view, std::string_view, store::AuditEvent) override { return no(); }
  core::Result<std::vector<store::KeyRecord>> keys_not_on_version(std::uint32_t, std::size_t) override {
    return no();
  }
  core::Result<std::size_t> rewrap_keys(const std::vector<store::RewrappedKey>&) override { return no(); }
  core::Result<std::map<std::uint32_t, std::int64_t>> rows_by_master_version() override { return no(); }
  core::Result<void> add_usage(const std::vector<store::UsageDelta>&) override { return no(); }
  core::Result<std::vector<store::UsageRow>> usage(const store::UsageQuery&) override { return no(); }
  core::Result<store::AlertRecord> raise_alert(const store::AlertRecord&, store::AuditEvent) override { return no(); }
  core::Result<store::Page<store::AlertRecord>> list_alerts(const store::AlertFilter&, const store::PageRequest&) override {
    return no();
  }
  core::Result<store::AlertRecord> resolve_alert(std::string_view, std::optional<std::string_view>, store::TimePoint,
                                                 store::AuditEvent) override {
    return no();
  }
  core::Result<void> record_node(const store::NodeRecord&, store::TimePoint) override { return no(); }
  core::Result<void> remove_node(std::string_view) override { return no(); }
  core::Result<std::vector<store::NodeRecord>> live_nodes(store::TimePoint) override { return no(); }
  core::Result<void> record_master_key_change(store::TimePoint, const MasterKeyDecision&) override { return no(); }
  core::Result<void> append_audit(std::vector<store::AuditEvent>) override { return no(); }
  core::Result<store::Page<store::AuditEvent>> list_audit(const store::AuditFilter&,
                                                          const store::PageRequest&) override {
    return no();
  }

 private:
  static core::Error no() { return core::Error::internal("not part of FakeAuditStore"); }
};

}  // namespace keyrelay::audit::testing
