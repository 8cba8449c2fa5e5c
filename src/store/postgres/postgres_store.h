#pragma once
// PostgresStore: the shared engine of store::Store, for several keyrelay nodes on one PostgreSQL
// database (KEYRELAY_DATABASE_URL=postgres://…).
//
// Thread-safe: every call borrows a connection from a bounded pool (connection_pool.h) and runs
// one transaction (transaction.h): committed whole or not at all, serialization failures and
// deadlocks retried, a lost connection `unavailable`. Calls block on the network: worker threads only.
// Owns its connections; borrows the ChainSealer, which must outlive the store.
//
// Engine decisions (the contract itself is in store.h; docs/decisions.md "PostgreSQL engine"):
// - Row-level security binds every runtime query (migration_scripts.cpp): calls that name an owner
//   run for that user only (Access::user), the calls documented "any owner" on the admin path
//   (Access::admin). So a query that forgot its owner filter still cannot read another user's rows.
// - The generation is bumped, and kChangeChannel notified, by exactly the changes that bump it on
//   SQLite (sqlite_store.h); NOTIFY is delivered at commit, to every node listening.
// - Times are bigint Unix milliseconds (UTC), as on SQLite; records read back identical.
// - Usage and alerts as on SQLite (no foreign keys on usage_daily and alerts).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "store/store.h"

namespace keyrelay::store {

namespace postgres {
class ConnectionPool;
}  // namespace postgres

struct PostgresOptions {
  std::string url;                                   // postgres://user:pass@host:port/db?sslmode=…
  std::size_t pool_size = 8;                         // connections at most (KEYRELAY_DATABASE_POOL_SIZE)
  std::chrono::milliseconds acquire_timeout{5000};   // wait for a free connection, then unavailable
  std::chrono::seconds connect_timeout{5};           // unless the URL sets connect_timeout
};

class PostgresStore final : public Store {
 public:
  // Connects (one connection at once; the rest on demand). Does not migrate: call migrate().
  // unavailable when the server cannot be reached, refuses the login, or holds a newer schema
  // than this binary knows; invalid_request for a URL libpq cannot parse. No message contains the
  // password. `sealer` must outlive the store.
  static core::Result<std::unique_ptr<PostgresStore>> open(PostgresOptions options, const ChainSealer& sealer);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  const PostgresOptions& options() const noexcept { return options_; }

  // store::Store
  core::Result<int> migrate() override;
  core::Result<int> schema_version() override;
  core::Result<void> ping() override;
  core::Result<std::uint64_t> generation() override;
  core::Result<bool> is_empty() override;

  core::Result<void> create_user(const UserRecord& user, AuditEvent event) override;
  core::Result<UserRecord> find_user(std::string_view id) override;
  core::Result<UserRecord> find_user_by_name(std::string_view name) override;
  core::Result<UserRecord> find_user_by_external_id(std::string_view external_id) override;
  core::Result<void> replace_external_id(std::string_view id, std::string_view from, std::string_view to) override;
  core::Result<Page<UserRecord>> list_users(const PageRequest& page) override;

  core::Result<void> create_token(const TokenRecord& token, AuditEvent event) override;
  core::Result<TokenRecord> find_token(std::string_view id) override;
  core::Result<TokenRecord> find_token_by_hash(core::ByteView hash) override;
  core::Result<Page<TokenRecord>> list_tokens(std::optional<std::string_view> user_id,
                                              const PageRequest& page) override;
  core::Result<TokenRecord> revoke_token(std::string_view id, std::optional<std::string_view> user_id, TimePoint at,
                                         AuditEvent event) override;
  core::Result<void> touch_tokens(const std::vector<std::pair<std::string, TimePoint>>& uses) override;

  core::Result<void> insert_key(const KeyRecord& key, AuditEvent event) override;
  core::Result<void> insert_keys(std::vector<std::pair<KeyRecord, AuditEvent>> keys) override;
  core::Result<void> insert_import(ImportLoad load) override;
  core::Result<KeyRecord> get_key(std::string_view owner_id, std::string_view id) override;
  core::Result<Page<KeyRecord>> list_keys(const KeyFilter& filter, const PageRequest& page) override;
  core::Result<std::vector<KeyRecord>> keys_of_owner(std::string_view owner_id) override;
  core::Result<std::vector<KeyRecord>> keys_expiring_before(TimePoint before, const std::optional<ExpiryPosition>& after,
                                                            std::size_t limit) override;
  core::Result<std::vector<KeyCount>> key_counts(TimePoint now) override;
  core::Result<std::vector<KeyRecord>> keys_after(const std::optional<std::string>& after_id,
                                                  std::size_t limit) override;
  core::Result<KeyRecord> update_key(std::string_view owner_id, std::string_view id,
                                     const KeyChange& change) override;
  core::Result<KeyUpdate> update_key_at_version(std::string_view owner_id, std::string_view id,
                                                std::uint32_t expected_version, const KeyChange& change) override;
  core::Result<void> delete_key(std::string_view owner_id, std::string_view id, AuditEvent event) override;

  core::Result<std::vector<KeyRecord>> keys_not_on_version(std::uint32_t version, std::size_t limit) override;
  core::Result<std::size_t> rewrap_keys(const std::vector<RewrappedKey>& batch) override;
  core::Result<std::map<std::uint32_t, std::int64_t>> rows_by_master_version() override;

  core::Result<void> record_node(const NodeRecord& node, TimePoint forget_before) override;
  core::Result<void> remove_node(std::string_view id) override;
  core::Result<std::vector<NodeRecord>> live_nodes(TimePoint now) override;
  core::Result<void> record_master_key_change(TimePoint now, const MasterKeyDecision& decide) override;

  core::Result<void> append_audit(std::vector<AuditEvent> events) override;
  core::Result<Page<AuditEvent>> list_audit(const AuditFilter& filter, const PageRequest& page) override;
  core::Result<std::vector<std::string>> audit_chains() override;
  core::Result<std::optional<AuditCheckpoint>> audit_checkpoint(std::string_view chain) override;
  core::Result<AuditPruneBatch> prune_audit(std::string_view chain, TimePoint cutoff, std::size_t limit,
                                            const std::function<AuditEvent(const AuditPruneBatch&)>& pruned_event) override;
  core::Result<std::vector<AuditEvent>> audit_chain_events(std::string_view chain, std::int64_t after_seq,
                                                           std::size_t limit) override;

  core::Result<void> add_usage(const std::vector<UsageDelta>& deltas) override;
  core::Result<std::vector<UsageRow>> usage(const UsageQuery& query) override;

  core::Result<AlertRecord> raise_alert(const AlertRecord& alert, AuditEvent event) override;
  core::Result<Page<AlertRecord>> list_alerts(const AlertFilter& filter, const PageRequest& page) override;
  core::Result<AlertRecord> resolve_alert(std::string_view id, std::optional<std::string_view> user_id, TimePoint at,
                                          AuditEvent event) override;

  core::Result<CapRecord> find_caps(CapSubject subject, std::string_view subject_id,
                                    std::optional<std::string_view> owner_id) override;
  core::Result<CapRecord> set_caps(CapSubject subject, std::string_view subject_id,
                                   std::optional<std::string_view> owner_id, const CapLimits& limits, TimePoint at,
                                   const CapChange& change) override;
  core::Result<std::vector<CapRecord>> all_caps() override;
  core::Result<std::int64_t> spent_micro_usd(CapSubject subject, std::string_view subject_id,
                                             std::string_view from_day, std::string_view to_day) override;

  core::Result<std::vector<DefaultKeySpendRow>> default_key_spend(std::string_view user_id) override;
  core::Result<UserRemoval> delete_user(std::string_view user_id, const RemovalEvent& event) override;

  // The pool, for the engine's own helpers and its tests (RLS proofs, the change feed).
  postgres::ConnectionPool& pool() noexcept { return *pool_; }

 private:
  PostgresStore(PostgresOptions options, std::unique_ptr<postgres::ConnectionPool> pool, const ChainSealer& sealer);
  // update_key() and update_key_at_version(): the key row locked, the version compared first when
  // one is expected.
  core::Result<KeyUpdate> change_key(std::string_view owner_id, std::string_view id,
                                     std::optional<std::uint32_t> expected_version, const KeyChange& change);

  PostgresOptions options_;
  std::unique_ptr<postgres::ConnectionPool> pool_;
  const ChainSealer& sealer_;
};

}  // namespace keyrelay::store
