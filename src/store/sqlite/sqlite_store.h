#pragma once
// SqliteStore: the embedded engine of store::Store, one SQLite database file in WAL mode.
//
// Thread-safe: every read borrows one connection from a small pool (readers run concurrently);
// every write goes through the WriteBatcher (write_batcher.h) on the store's own write connection:
// writes that arrive together share one transaction and one commit, each in its own savepoint.
// Writers of other processes are waited for up to busy_timeout, then the writes fail unavailable.
// Several processes (the server and the CLI) may open the same file at once.
// Owns its connections; borrows the ChainSealer, which must outlive the store.
//
// Engine decisions (the contract itself is in store.h):
// - Every change runs in a BEGIN IMMEDIATE transaction (shared with the changes that arrived with
//   it, each in its own savepoint), so reading the audit chain head, the uniqueness checks and the
//   writes see no interleaved writer, and a change that fails is undone alone.
// - The generation is bumped by every change to users, tokens, keys and alerts (create, revoke,
//   insert, update, delete, rewrap, raise, resolve). It is NOT bumped by append_audit(),
//   touch_tokens() and add_usage(): they change nothing any cache relies on (add_usage() moves only
//   a key's counters and last_used_at), and they run on every gateway request, so bumping there
//   would empty every node's key cache all the time.
// - Usage is kept per (key, UTC day) in usage_daily, which has no foreign key: deleting a key keeps
//   its usage rows (with their owner and provider), so past usage still adds up.
// - Times are stored as INTEGER Unix milliseconds (UTC); finer precision is dropped when stored.
// - delete_key(), and update_key() when it replaces the sealed secret (rotation), overwrite the old
//   row on disk (secure_delete) and then checkpoint and truncate the WAL, so no copy of the old
//   sealed secret remains in the database file or its -wal file. The checkpoint waits (up to
//   busy_timeout) for readers of older snapshots; if they outlast it, the next checkpoint finishes.
// - The database file is created with mode 0600; SQLite gives -wal and -shm the same mode.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>

#include "store/store.h"

namespace keyrelay::store {

namespace sqlite {
class BulkWriter;
class ConnectionPool;
class WriteBatcher;
class WalCheckpointer;
}  // namespace sqlite

struct SqliteOptions {
  std::filesystem::path file;                    // created (mode 0600) if missing; its directory must exist
  std::chrono::milliseconds busy_timeout{5000};  // how long a writer waits for the lock (and a caller
                                                 // for a free connection) before `unavailable`
  std::size_t connections = 4;                   // pool size; more only helps concurrent readers
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if missing) the database. Does not migrate: call migrate() before use.
  // unavailable when the file cannot be opened or cannot use WAL, or when the schema is newer than
  // this binary knows (the message names both versions); internal when SQLite fails otherwise. `sealer` must outlive the store.
  static core::Result<std::unique_ptr<SqliteStore>> open(SqliteOptions options, const ChainSealer& sealer);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  const SqliteOptions& options() const noexcept { return options_; }

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
  void end_rewrap() noexcept override;
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

 private:
  SqliteStore(SqliteOptions options, std::unique_ptr<sqlite::ConnectionPool> pool,
              std::unique_ptr<sqlite::WriteBatcher> writer, std::unique_ptr<sqlite::WalCheckpointer> checkpointer,
              const ChainSealer& sealer);
  // update_key() and update_key_at_version(): one write transaction, the version compared first
  // when one is expected.
  core::Result<KeyUpdate> change_key(std::string_view owner_id, std::string_view id,
                                     std::optional<std::uint32_t> expected_version, const KeyChange& change);

  SqliteOptions options_;
  std::unique_ptr<sqlite::ConnectionPool> pool_;     // reads (and migrate)
  std::unique_ptr<sqlite::WriteBatcher> writer_;     // every other write: group commit
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer_;  // the writer's WAL, off its commits; goes first
  std::unique_ptr<sqlite::BulkWriter> bulk_writer_;  // rewrap_keys(): see bulk_writer.h
  const ChainSealer& sealer_;
};

}  // namespace keyrelay::store
