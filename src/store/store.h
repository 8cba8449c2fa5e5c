#pragma once
// Store: everything the services persist, behind one interface with two engines (SQLite now,
// PostgreSQL later) and one contract test suite that runs against both.
//
// Thread-safe: engines keep their own connections; every call may come from any worker thread.
// Calls block (disk, network): never call them on an I/O thread, hand them to the worker pool.
// Every call that changes data is one transaction: it commits whole or changes nothing, it bumps
// the store generation (so other processes drop their caches; not the hot-path bookkeeping of
// append_audit, touch_tokens and add_usage), and management changes append their audit event in
// that same transaction, so a change whose event cannot be written does not happen.
// Reads of user data are scoped by owner: another owner's row is reported as not_found.
//
// Errors: not_found, conflict (with a message naming what collides), invalid_request (a malformed
// cursor), unavailable (database busy/unreachable), internal (anything else; details only logged).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

// Links an audit event into its chain. Implemented by audit::ChainSealer (it holds the keyring);
// the store calls it inside the append transaction, after setting event.seq.
class ChainSealer {
 public:
  virtual ~ChainSealer() = default;
  // Sets event.master_version and event.hash. `prev_hash` is empty for the first event of a chain.
  virtual core::Result<void> seal(AuditEvent& event, core::ByteView prev_hash) const = 0;
  // Sets checkpoint.master_version and checkpoint.mac over its chain, seq, hash and count.
  virtual core::Result<void> seal_checkpoint(AuditCheckpoint& checkpoint) const = 0;
};

// Where a page of keys_expiring_before() ended.
struct ExpiryPosition {
  TimePoint expires_at{};
  std::string id;
};

struct KeyCount {
  std::string provider;
  KeyStatus status = KeyStatus::active;
  std::int64_t count = 0;
};

struct KeyFilter {
  std::string owner_id;                    // required: lists are always scoped to one owner
  std::optional<std::string> provider;
  std::optional<KeyStatus> status;         // derived status at `now`
  std::optional<TimePoint> expires_before; // only keys with expires_at < this (expiring list)
  TimePoint now{};
};

struct AuditFilter {
  std::optional<std::string> visible_to;  // user id: events they acted in, were acted for, or whose key it was
  std::optional<std::string> action;
  std::optional<std::string> key_id;
  std::optional<TimePoint> from;  // inclusive
  std::optional<TimePoint> to;    // inclusive
};

// What update_key_at_version() did.
struct KeyUpdate {
  KeyRecord key;         // the key as stored after the call
  bool applied = false;  // false: its secret version was no longer the expected one; nothing was written
};

// One key moved to another master version by a rotation batch.
struct RewrappedKey {
  std::string id;
  std::uint32_t from_version = 0;  // the row is updated only if it is still on this version
  std::uint32_t secret_version = 0;  // ... and still holds this secret (a rotation meanwhile wins)
  std::uint32_t to_version = 0;
  core::Bytes wrapped_data_key;
  core::Bytes fingerprint;         // recomputed under the new version
};

// What a master-key change is decided on (record_master_key_change), read inside its transaction.
struct MasterKeyFacts {
  std::vector<NodeRecord> live_nodes;             // nodes live at the change's time, by id
  std::map<std::uint32_t, std::int64_t> key_rows;  // as rows_by_master_version()
};

class Store {
 public:
  virtual ~Store() = default;

  // ---- schema and health ----
  // Applies pending migrations; returns how many were applied. Safe to run concurrently.
  virtual core::Result<int> migrate() = 0;
  virtual core::Result<int> schema_version() = 0;
  virtual core::Result<void> ping() = 0;
  // A number that changes whenever any process commits a change (cache invalidation).
  virtual core::Result<std::uint64_t> generation() = 0;
  // True when no user exists yet (a brand-new database).
  virtual core::Result<bool> is_empty() = 0;

  // ---- users ----
  // conflict when the name or external id is taken.
  virtual core::Result<void> create_user(const UserRecord& user, AuditEvent event) = 0;
  virtual core::Result<UserRecord> find_user(std::string_view id) = 0;
  virtual core::Result<UserRecord> find_user_by_name(std::string_view name) = 0;
  virtual core::Result<UserRecord> find_user_by_external_id(std::string_view external_id) = 0;
  // Changes the external id of user `id` from `from` to `to` (a change of its format, so no audit
  // event). not_found when the user is gone or no longer has `from` (another process moved it
  // first); conflict when `to` belongs to another user.
  virtual core::Result<void> replace_external_id(std::string_view id, std::string_view from, std::string_view to) = 0;
  // Ordered by creation.
  virtual core::Result<Page<UserRecord>> list_users(const PageRequest& page) = 0;

  // ---- access tokens ----
  virtual core::Result<void> create_token(const TokenRecord& token, AuditEvent event) = 0;
  virtual core::Result<TokenRecord> find_token(std::string_view id) = 0;
  virtual core::Result<TokenRecord> find_token_by_hash(core::ByteView hash) = 0;
  // All tokens, or those of `user_id`; ordered by creation.
  virtual core::Result<Page<TokenRecord>> list_tokens(std::optional<std::string_view> user_id,
                                                      const PageRequest& page) = 0;
  // Sets revoked_at (idempotent: an already revoked token keeps its time). not_found when the
  // token does not exist or, with `user_id`, belongs to someone else.
  virtual core::Result<TokenRecord> revoke_token(std::string_view id, std::optional<std::string_view> user_id,
                                                 TimePoint at, AuditEvent event) = 0;
  // Records last use of many tokens at once (batched off the request path). Unknown ids are ignored.
  virtual core::Result<void> touch_tokens(const std::vector<std::pair<std::string, TimePoint>>& uses) = 0;

  // ---- provider keys ----
  // conflict when (owner, provider, name) exists, or a key of (owner, provider) whose fingerprint
  // is key.fingerprint or one of key.equivalent_fingerprints.
  virtual core::Result<void> insert_key(const KeyRecord& key, AuditEvent event) = 0;
  virtual core::Result<KeyRecord> get_key(std::string_view owner_id, std::string_view id) = 0;
  // Ordered by (provider, priority, created_at, id).
  virtual core::Result<Page<KeyRecord>> list_keys(const KeyFilter& filter, const PageRequest& page) = 0;
  // Every key of `owner_id` (no paging): the gateway's cache fill.
  virtual core::Result<std::vector<KeyRecord>> keys_of_owner(std::string_view owner_id) = 0;
  // Enabled keys of every owner whose expires_at is before `before`, ordered by (expires_at, id),
  // after `after` when given (the last key of the previous page), at most `limit` (the expiry
  // sweeper; not scoped to an owner, so never reachable from a user's request).
  virtual core::Result<std::vector<KeyRecord>> keys_expiring_before(TimePoint before,
                                                                    const std::optional<ExpiryPosition>& after,
                                                                    std::size_t limit) = 0;
  // How many keys (of every owner) each provider has in each derived status at `now` (metrics).
  virtual core::Result<std::vector<KeyCount>> key_counts(TimePoint now) = 0;
  // Keys of every owner ordered by id, after `after_id` when given, at most `limit` (an admin's
  // global key health summary; not scoped to an owner, so never reachable from a user's request).
  virtual core::Result<std::vector<KeyRecord>> keys_after(const std::optional<std::string>& after_id,
                                                          std::size_t limit) = 0;

  // Read-modify-write in one transaction: loads the key of `owner_id`, lets `change` edit it and
  // return the audit event to append, then writes the key and the event. If `change` fails,
  // nothing is written and its error is returned. `change` must not call the store. conflict as
  // insert_key() (against the owner's other keys).
  using KeyChange = std::function<core::Result<AuditEvent>(KeyRecord& key)>;
  virtual core::Result<KeyRecord> update_key(std::string_view owner_id, std::string_view id,
                                             const KeyChange& change) = 0;
  // update_key() as a compare-and-set on the secret: `change` runs and its result is written only
  // while the key's secret version is still `expected_version`, compared inside the same write
  // transaction. A key given a new secret since (rotated) is left as it is: applied = false,
  // `change` is not called, nothing is written (no event, no generation bump). So a verdict about
  // one secret never lands on the next. Errors as update_key().
  virtual core::Result<KeyUpdate> update_key_at_version(std::string_view owner_id, std::string_view id,
                                                        std::uint32_t expected_version, const KeyChange& change) = 0;
  // Deletes the key and its sealed secret (overwritten on disk, not just unlinked).
  virtual core::Result<void> delete_key(std::string_view owner_id, std::string_view id, AuditEvent event) = 0;

  // ---- master-key rotation ----
  // Up to `limit` keys whose master_version differs from `version`, any owner.
  virtual core::Result<std::vector<KeyRecord>> keys_not_on_version(std::uint32_t version, std::size_t limit) = 0;
  // Applies a batch in one transaction; returns how many rows changed (rows that moved meanwhile are skipped).
  virtual core::Result<std::size_t> rewrap_keys(const std::vector<RewrappedKey>& batch) = 0;
  // Keys whose sealed secret still depends on each master version. Audit events are not counted:
  // they are never re-sealed, and a retired version keeps its audit key (docs/decisions.md).
  virtual core::Result<std::map<std::uint32_t, std::int64_t>> rows_by_master_version() = 0;

  // ---- nodes: the servers sharing this store, and master-key changes ----
  // Inserts or replaces the row of `node.id`, and forgets rows whose live_until is before
  // `forget_before` (servers that stopped without removing theirs). No generation bump: a
  // heartbeat changes nothing any cache depends on.
  virtual core::Result<void> record_node(const NodeRecord& node, TimePoint forget_before) = 0;
  // Removes the row of `id` (a server stopping cleanly); no such row is no error.
  virtual core::Result<void> remove_node(std::string_view id) = 0;
  // Nodes whose live_until is at or after `now`, ordered by id.
  virtual core::Result<std::vector<NodeRecord>> live_nodes(TimePoint now) = 0;
  // One write transaction for a master-key change (rotation, retirement): `decide` sees the facts
  // as they are inside it (live nodes at `now`, key rows per master version) and returns the audit
  // event to append (master_key.rotated, master_key.retired) or an error, which writes nothing and
  // is returned. No writer can change the facts between the decision and the commit. `decide` must
  // not call the store.
  using MasterKeyDecision = std::function<core::Result<AuditEvent>(const MasterKeyFacts& facts)>;
  virtual core::Result<void> record_master_key_change(TimePoint now, const MasterKeyDecision& decide) = 0;

  // ---- audit ----
  // Appends events that are not part of a change (key.read, auth.failed, key.used).
  virtual core::Result<void> append_audit(std::vector<AuditEvent> events) = 0;
  // Newest first.
  virtual core::Result<Page<AuditEvent>> list_audit(const AuditFilter& filter, const PageRequest& page) = 0;
  virtual core::Result<std::vector<std::string>> audit_chains() = 0;
  // The checkpoint a pruned chain starts from; nullopt for a chain never pruned.
  virtual core::Result<std::optional<AuditCheckpoint>> audit_checkpoint(std::string_view chain) = 0;
  // Deletes, in one transaction, up to `limit` of the oldest events of `chain` — only prunable
  // events (is_prunable_audit_action: key.used, auth.failed) older than `cutoff`, and only from the
  // chain's oldest end — moves the chain's checkpoint
  // to the last one deleted, and appends the event `pruned_event(batch)` returns (audit.pruned, on a
  // management chain). Nothing to delete: no change, no event, pruned = 0.
  virtual core::Result<AuditPruneBatch> prune_audit(std::string_view chain, TimePoint cutoff, std::size_t limit,
                                                    const std::function<AuditEvent(const AuditPruneBatch&)>& pruned_event) = 0;
  // Events of `chain` with seq > after_seq, ascending, at most `limit`.
  virtual core::Result<std::vector<AuditEvent>> audit_chain_events(std::string_view chain, std::int64_t after_seq,
                                                                   std::size_t limit) = 0;

  // ---- usage ----
  // Books the gateway's counts (batched off the request path), all deltas in one transaction: adds
  // each delta to its key's row of the day of `at` (UTC) and to the key's usage totals, and moves the
  // key's last_used_at to `at` unless it is already later (batches may arrive out of order). A delta
  // whose key no longer exists (or is not `owner_id`'s) is skipped silently: the key is gone.
  // invalid_request, writing nothing, when a count is negative. No audit event and no generation
  // bump, like append_audit(): it runs for every gateway request, and cached keys need not carry
  // fresh counters (reads of usage and of a key go to the store).
  virtual core::Result<void> add_usage(const std::vector<UsageDelta>& deltas) = 0;
  // The owner's usage on the days from_day..to_day (inclusive), summed per group of the chosen
  // dimensions and ordered by day, provider, key_id; a dimension not grouped by is absent in the rows.
  // Only groups with usage appear, except that a query grouped by nothing returns exactly one row
  // (the totals, zero when there was no usage). Usage of keys deleted since still counts.
  // invalid_request when a day is not YYYY-MM-DD; from_day > to_day gives no usage.
  virtual core::Result<std::vector<UsageRow>> usage(const UsageQuery& query) = 0;

  // ---- alerts ----
  // Raises `alert`. When an open alert with the same (rule, user_id, key_id, provider) exists (absent
  // equals absent) the raise coalesces into it: count + 1, last_seen moves forward to alert.last_seen,
  // severity becomes the higher of the two, message becomes alert.message; its id and first_seen
  // stay. Otherwise `alert` is stored as a new open alert (its status and resolved_at are ignored).
  // Returns the alert as stored. Appends `event` (alert.raised) in the same transaction.
  virtual core::Result<AlertRecord> raise_alert(const AlertRecord& alert, AuditEvent event) = 0;
  // Newest first: by last_seen, then id (both descending).
  virtual core::Result<Page<AlertRecord>> list_alerts(const AlertFilter& filter, const PageRequest& page) = 0;
  // Sets status resolved and resolved_at = `at`, and appends `event` (alert.resolved). Idempotent
  // like revoke_token(): an already resolved alert keeps its resolved_at and is returned as it is,
  // and the event is still appended (the attempt is part of the trail). not_found when the alert
  // does not exist or, with `user_id`, is someone else's.
  virtual core::Result<AlertRecord> resolve_alert(std::string_view id, std::optional<std::string_view> user_id,
                                                  TimePoint at, AuditEvent event) = 0;
};

}  // namespace keyrelay::store
